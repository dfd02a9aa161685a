-- The calendar outside Discord (SPEC section 11).
-- A server's live calendar feed: the secret of its URL PUBLIC_URL/calendar/<secret>.ics. The
-- row is found by `lookup` (the secret's SHA-256), then the secret is compared in constant time;
-- it is kept so /calendar feed can show the URL again. `body_hash` and `changed_at` give the
-- feed its ETag and Last-Modified (changed_at moves when the served body changes).
CREATE TABLE calendar_feeds (
    guild_id   BIGINT PRIMARY KEY,
    lookup     TEXT NOT NULL UNIQUE,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    body_hash  TEXT,
    changed_at BIGINT
);

-- Outside iCalendar URLs a server follows. Their events live in `events` with the UID
-- "sub<id>:<the feed's UID>", so two feeds with the same UIDs do not collide.
CREATE TABLE subscriptions (
    id            __ID__,
    guild_id      BIGINT NOT NULL,
    url           TEXT NOT NULL,
    name          TEXT,
    created_by    BIGINT,
    created_at    BIGINT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    body_hash     TEXT,
    checked_at    BIGINT,
    ok_at         BIGINT,
    error         TEXT,
    event_count   INTEGER NOT NULL DEFAULT 0,
    next_check    BIGINT NOT NULL,
    UNIQUE (guild_id, url)
);
CREATE INDEX subscriptions_next_check ON subscriptions (next_check);

-- What a subscription's check changed, one row per message for the reminder channel, written
-- in the check's transaction and sent afterwards with a nonce (nothing lost, nothing doubled).
CREATE TABLE feed_announcements (
    id              __ID__,
    guild_id        BIGINT NOT NULL,
    subscription_id BIGINT,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    message_id      BIGINT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    error           TEXT
);
CREATE INDEX feed_announcements_state ON feed_announcements (state, guild_id);
