-- Concord's whole schema (SPEC section 2). Instants are epoch milliseconds (BIGINT, UTC);
-- booleans are SMALLINT 0/1 so both dialects take the same parameters.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE guild_settings (
    guild_id            BIGINT PRIMARY KEY,
    timezone            TEXT NOT NULL DEFAULT 'UTC',
    reminder_channel_id BIGINT,
    reminder_offsets    TEXT NOT NULL DEFAULT '7d,1d,1h',
    coordinator_role_id BIGINT,
    updated_at          BIGINT NOT NULL
);

CREATE TABLE user_settings (
    user_id    BIGINT PRIMARY KEY,
    timezone   TEXT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE stakeholders (
    guild_id          BIGINT NOT NULL,
    user_id           BIGINT NOT NULL,
    display_name      TEXT NOT NULL,
    organization      TEXT NOT NULL,
    stakeholder_group TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX stakeholders_group ON stakeholders (guild_id, stakeholder_group);

CREATE TABLE drafts (
    id              __ID__,
    guild_id        BIGINT NOT NULL,
    code            TEXT NOT NULL,
    title           TEXT NOT NULL,
    version         TEXT,
    window_opens    BIGINT,
    window_closes   BIGINT,
    window_event_id BIGINT,
    created_by      BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (guild_id, code)
);

CREATE TABLE events (
    id          __ID__,
    guild_id    BIGINT NOT NULL,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    start_at    BIGINT NOT NULL,
    end_at      BIGINT,
    all_day     SMALLINT NOT NULL DEFAULT 0,
    timezone    TEXT NOT NULL DEFAULT 'UTC',
    location    TEXT,
    url         TEXT,
    description TEXT,
    tentative   SMALLINT NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'scheduled',
    uid         TEXT,
    draft_id    BIGINT REFERENCES drafts (id) ON DELETE CASCADE,
    created_by  BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX events_guild_start ON events (guild_id, start_at);
CREATE INDEX events_guild_end ON events (guild_id, end_at);
CREATE UNIQUE INDEX events_guild_uid ON events (guild_id, uid);

CREATE TABLE sections (
    id         __ID__,
    draft_id   BIGINT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    position   INTEGER NOT NULL,
    revision   INTEGER NOT NULL DEFAULT 1,
    body       TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    UNIQUE (draft_id, key)
);

CREATE TABLE section_revisions (
    section_id BIGINT NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    revision   INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (section_id, revision)
);

CREATE TABLE comments (
    id                __ID__,
    guild_id          BIGINT NOT NULL,
    draft_id          BIGINT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    section_id        BIGINT NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    revision          INTEGER NOT NULL,
    author_id         BIGINT,
    organization      TEXT NOT NULL,
    stakeholder_group TEXT NOT NULL,
    kind              TEXT NOT NULL DEFAULT 'comment',
    body              TEXT NOT NULL,
    source_key        TEXT,
    created_at        BIGINT NOT NULL,
    edited_at         BIGINT,
    withdrawn_at      BIGINT
);
CREATE INDEX comments_draft_section ON comments (draft_id, section_id, id);
CREATE INDEX comments_guild ON comments (guild_id, id);
CREATE INDEX comments_author ON comments (author_id);
CREATE UNIQUE INDEX comments_source ON comments (draft_id, source_key);

CREATE TABLE reminders (
    id             __ID__,
    guild_id       BIGINT,
    event_id       BIGINT REFERENCES events (id) ON DELETE CASCADE,
    moment         TEXT NOT NULL,
    offset_seconds INTEGER,
    due_at         BIGINT NOT NULL,
    channel_id     BIGINT,
    user_id        BIGINT,
    body           TEXT,
    state          TEXT NOT NULL DEFAULT 'pending',
    rescheduled    SMALLINT NOT NULL DEFAULT 0,
    late           SMALLINT NOT NULL DEFAULT 0,
    attempts       INTEGER NOT NULL DEFAULT 0,
    batch_key      TEXT,
    claimed_by     TEXT,
    lease_until    BIGINT,
    sent_at        BIGINT,
    message_id     BIGINT,
    error          TEXT,
    created_by     BIGINT,
    created_at     BIGINT NOT NULL
);
CREATE INDEX reminders_pending_due ON reminders (state, due_at);
CREATE INDEX reminders_event ON reminders (event_id);
CREATE INDEX reminders_batch ON reminders (batch_key);

CREATE TABLE audit (
    id         __ID__,
    guild_id   BIGINT,
    actor_id   BIGINT,
    action     TEXT NOT NULL,
    target     TEXT,
    detail     TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_guild ON audit (guild_id, id)
