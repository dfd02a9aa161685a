-- RSVP (SPEC 10): each member's answer to a meeting, Going / Maybe / Not going. Members who
-- are Going or Maybe get the event's reminders by DM as well: those DMs are rows of the
-- reminders table (an event reminder with a user_id, planned beside the channel reminder), so
-- they share its guarantees (nonce, lease, parts stored before sending, missed after 6 h).
CREATE TABLE event_rsvps (
    event_id   BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL,
    guild_id   BIGINT NOT NULL,
    status     TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
-- Members whose DMs refused a reminder (Discord's 50007): no more RSVP DMs are planned for
-- them until they answer an RSVP again, so a closed door is recorded, not knocked on forever.
CREATE TABLE dm_refused (
    user_id    BIGINT PRIMARY KEY,
    since      BIGINT NOT NULL,
    error      TEXT
);
CREATE INDEX reminders_event_user ON reminders (event_id, user_id);
