-- Recurring meetings (SPEC 10). A series is one events row: start_at/end_at are its first
-- occurrence, rrule its RFC 5545 rule (without DTSTART; UNTIL in UTC), expanded on the wall
-- clock of events.timezone, and series_end the start of its last occurrence (NULL: open-ended).
ALTER TABLE events ADD COLUMN rrule TEXT;
ALTER TABLE events ADD COLUMN series_end BIGINT;
CREATE INDEX events_series ON events (guild_id, start_at) WHERE rrule IS NOT NULL;

-- One occurrence changed or cancelled (/event edit id occurrence:DATE; RECURRENCE-ID and EXDATE
-- in iCalendar), keyed by the occurrence's original start. NULL columns follow the series.
CREATE TABLE event_occurrences (
    event_id      BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    occurrence_at BIGINT NOT NULL,
    cancelled     SMALLINT NOT NULL DEFAULT 0,
    start_at      BIGINT,
    end_at        BIGINT,
    title         TEXT,
    location      TEXT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (event_id, occurrence_at)
);

-- An event reminder of a series names its occurrence (original start). Only the next
-- occurrences get rows; the following ones are planned when one is sent, missed or failed.
ALTER TABLE reminders ADD COLUMN occurrence_at BIGINT;
