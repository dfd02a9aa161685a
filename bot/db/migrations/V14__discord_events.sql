-- Discord's own events (SPEC 11): a server may mirror its future meetings as Discord
-- scheduled events. The setting, off unless a coordinator turns it on.
CREATE TABLE discord_event_settings (
    guild_id   BIGINT PRIMARY KEY,
    enabled    SMALLINT NOT NULL DEFAULT 0,
    updated_by BIGINT,
    updated_at BIGINT NOT NULL
);
-- One row per Concord event that has (or is about to have) a Discord scheduled event. The
-- row is written before the Discord call ("creating", discord_id NULL), so a crash between the
-- call and recording its answer is reconciled by looking the event up on Discord (its
-- description carries "Concord #<id>") instead of creating a second one. No foreign key: the
-- row outlives a removed event until its Discord event is deleted.
CREATE TABLE discord_event_mirrors (
    event_id   BIGINT PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    discord_id BIGINT,
    state      TEXT NOT NULL,
    synced     TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    retry_at   BIGINT NOT NULL DEFAULT 0,
    error      TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX discord_event_mirrors_guild ON discord_event_mirrors (guild_id);
CREATE INDEX discord_event_mirrors_discord ON discord_event_mirrors (discord_id);
-- Where an RSVP answer came from: 'concord' (a button or /event rsvp) or 'discord' (the
-- member marked Interested on the Discord event, which counts as Maybe).
ALTER TABLE event_rsvps ADD COLUMN source TEXT NOT NULL DEFAULT 'concord';
