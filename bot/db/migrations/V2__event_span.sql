-- /upcoming asks for events overlapping [now, now + days]. With only (guild_id, start_at) an
-- index range cannot be bounded below (an event that started long ago may still run), so each
-- event keeps its length in span_ms (end_at - start_at, 0 without an end) and the index below
-- gives the guild's longest span in one lookup: start_at >= now - longest span bounds the range.
ALTER TABLE events ADD COLUMN span_ms BIGINT NOT NULL DEFAULT 0;
UPDATE events SET span_ms = end_at - start_at WHERE end_at IS NOT NULL;
CREATE INDEX events_guild_span ON events (guild_id, span_ms);
