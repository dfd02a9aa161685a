-- Trust (SPEC section 8). Profiles are verified by a coordinator; every profile that exists
-- before this migration starts unverified.
ALTER TABLE stakeholders ADD COLUMN verified SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE stakeholders ADD COLUMN verified_by BIGINT;
ALTER TABLE stakeholders ADD COLUMN verified_at BIGINT;
CREATE INDEX stakeholders_verified ON stakeholders (guild_id, verified);
-- A comment keeps how its attribution stood when it was made: 'verified', 'unverified', or
-- 'imported' (from a file: nobody verified it in Discord). Comments made before this migration
-- are unverified, unless they came from a file.
ALTER TABLE comments ADD COLUMN attribution_status TEXT NOT NULL DEFAULT 'unverified';
UPDATE comments SET attribution_status = 'imported' WHERE source_key IS NOT NULL;
-- Moderation: a hidden comment leaves listings, coverage and exports; the record stays.
ALTER TABLE comments ADD COLUMN hidden_at BIGINT;
ALTER TABLE comments ADD COLUMN hidden_by BIGINT;
ALTER TABLE comments ADD COLUMN hidden_reason TEXT;
-- The public message that announced the comment, edited when the comment changes.
ALTER TABLE comments ADD COLUMN channel_id BIGINT;
ALTER TABLE comments ADD COLUMN message_id BIGINT;
-- Server settings: open (unverified members comment, marked) or required (verified only).
ALTER TABLE guild_settings ADD COLUMN verification_mode TEXT NOT NULL DEFAULT 'open';
-- A server's own stakeholder groups, beside the five WSIS groups every server has.
CREATE TABLE guild_groups (
    guild_id   BIGINT NOT NULL,
    name       TEXT NOT NULL,
    key        TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (guild_id, key)
);
