-- A same-minute reminder batch too long for one message is split into parts once, before the
-- first send, and each row remembers its part: a resend after a crash sends exactly the same
-- parts under the same nonces, and parts already delivered are recorded one by one.
ALTER TABLE reminders ADD COLUMN part INTEGER;
-- Leases in force (rows being sent, or backing off) are few; the engine's alarm asks for the
-- earliest of them, so it neither spins on them nor forgets them.
CREATE INDEX reminders_lease ON reminders (lease_until);
-- Each interaction is executed once, whatever delivers it twice (a replayed gateway event, a
-- second process): the first to insert its id runs it.
CREATE TABLE interactions (
    id         BIGINT PRIMARY KEY,
    created_at BIGINT NOT NULL
);
CREATE INDEX interactions_created ON interactions (created_at);
-- Duplicate detection ("already recorded as #12") looks up an author's recent comments.
CREATE INDEX comments_author_section ON comments (author_id, section_id, created_at);
