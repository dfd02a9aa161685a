"""The calendar outside Discord: a server's feed secret, its subscriptions to outside calendars,
and the announcements their checks leave for the reminder channel.

Writes take the caller's transaction (`tx`): a subscription's check writes its events (through
the calendar's EventWrite), its own row and its announcements together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.db.database import Database, Executor, Row, from_ms, opt_dt, opt_ms, to_ms

# A subscription's events are rows of `events`, read here the way EventRepository reads them.
from bot.db.events import _SELECT as _EVENTS
from bot.db.events import _model as _event
from bot.db.shards import ShardFilter
from bot.domain.feeds import Announcement, Feed, Subscription, secret_lookup, uid_prefix
from bot.domain.models import Event

_SUB_COLUMNS = (
    "id, guild_id, url, name, created_by, created_at, etag, last_modified, body_hash,"
    " checked_at, ok_at, error, event_count, next_check"
)
_SUBS = f"SELECT {_SUB_COLUMNS} FROM subscriptions"
_SUB_LOCK = 727290  # advisory lock class: the subscriptions of one guild (the limit, the URL)


def _feed(r: Row) -> Feed:
    return Feed(
        guild_id=r["guild_id"], secret=r["secret"], created_at=from_ms(r["created_at"]),
        body_hash=r["body_hash"], changed_at=opt_dt(r["changed_at"]),
    )


def _subscription(r: Row) -> Subscription:
    return Subscription(
        id=r["id"], guild_id=r["guild_id"], url=r["url"], name=r["name"],
        created_by=r["created_by"], created_at=from_ms(r["created_at"]), etag=r["etag"],
        last_modified=r["last_modified"], body_hash=r["body_hash"],
        checked_at=opt_dt(r["checked_at"]), ok_at=opt_dt(r["ok_at"]), error=r["error"],
        event_count=r["event_count"], next_check=from_ms(r["next_check"]),
    )


class FeedRepository:
    """`calendar_feeds`: one secret per server."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, guild_id: int) -> Feed | None:
        row = await self.db.fetchrow("SELECT * FROM calendar_feeds WHERE guild_id = $1", guild_id)
        return None if row is None else _feed(row)

    async def by_lookup(self, lookup: str) -> Feed | None:
        row = await self.db.fetchrow("SELECT * FROM calendar_feeds WHERE lookup = $1", lookup)
        return None if row is None else _feed(row)

    @staticmethod
    async def create(tx: Executor, guild_id: int, secret: str, at: datetime) -> Feed:
        """The server's feed: `secret` when it has none yet, else the one it has (two first
        uses at once make one secret)."""
        await tx.execute(
            "INSERT INTO calendar_feeds (guild_id, lookup, secret, created_at) VALUES"
            " ($1, $2, $3, $4) ON CONFLICT (guild_id) DO NOTHING",
            guild_id, secret_lookup(secret), secret, to_ms(at),
        )
        row = await tx.fetchrow("SELECT * FROM calendar_feeds WHERE guild_id = $1", guild_id)
        assert row is not None
        return _feed(row)

    @staticmethod
    async def replace(tx: Executor, guild_id: int, secret: str, at: datetime) -> Feed:
        """A new secret for the server's feed: the old one stops working at once."""
        await tx.execute(
            "INSERT INTO calendar_feeds (guild_id, lookup, secret, created_at) VALUES"
            " ($1, $2, $3, $4) ON CONFLICT (guild_id) DO UPDATE SET lookup = $2, secret = $3,"
            " created_at = $4, body_hash = NULL, changed_at = NULL",
            guild_id, secret_lookup(secret), secret, to_ms(at),
        )
        row = await tx.fetchrow("SELECT * FROM calendar_feeds WHERE guild_id = $1", guild_id)
        assert row is not None
        return _feed(row)

    async def body_changed(self, guild_id: int, body_hash: str, at: datetime) -> datetime:
        """Record that the feed now serves `body_hash` (from `at`, unless it already did);
        returns since when it has served it (its Last-Modified)."""
        await self.db.execute(
            "UPDATE calendar_feeds SET body_hash = $2, changed_at = $3"
            " WHERE guild_id = $1 AND (body_hash IS NULL OR body_hash <> $2)",
            guild_id, body_hash, to_ms(at),
        )
        value = await self.db.fetchval(
            "SELECT changed_at FROM calendar_feeds WHERE guild_id = $1", guild_id
        )
        return from_ms(value) if value is not None else at


class SubscriptionRepository:
    """`subscriptions`, their events (by scoped UID) and `feed_announcements`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ subscriptions

    @staticmethod
    async def lock_guild(tx: Executor, guild_id: int) -> None:
        """Make the subscribes of one guild take turns until `tx` ends (PostgreSQL; SQLite's
        transactions already do)."""
        if tx.dialect == "postgresql":
            await tx.execute(
                "SELECT pg_advisory_xact_lock($1, $2)", _SUB_LOCK, guild_id & 0x7FFFFFFF
            )

    @staticmethod
    async def add(
        tx: Executor, *, guild_id: int, url: str, name: str | None, created_by: int | None,
        at: datetime, next_check: datetime,
    ) -> Subscription:
        sid = await tx.fetchval(
            "INSERT INTO subscriptions (guild_id, url, name, created_by, created_at, next_check)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            guild_id, url, name, created_by, to_ms(at), to_ms(next_check),
        )
        found = await SubscriptionRepository.get_in(tx, guild_id, int(sid))
        assert found is not None
        return found

    @staticmethod
    async def get_in(
        tx: Executor, guild_id: int, subscription_id: int, *, for_update: bool = False
    ) -> Subscription | None:
        lock = " FOR UPDATE" if for_update and tx.dialect == "postgresql" else ""
        row = await tx.fetchrow(
            _SUBS + " WHERE guild_id = $1 AND id = $2" + lock, guild_id, subscription_id
        )
        return None if row is None else _subscription(row)

    async def get(self, guild_id: int, subscription_id: int) -> Subscription | None:
        return await self.get_in(self.db, guild_id, subscription_id)

    @staticmethod
    async def by_url(tx: Executor, guild_id: int, url: str) -> Subscription | None:
        row = await tx.fetchrow(_SUBS + " WHERE guild_id = $1 AND url = $2", guild_id, url)
        return None if row is None else _subscription(row)

    @staticmethod
    async def count(tx: Executor, guild_id: int) -> int:
        return int(
            await tx.fetchval("SELECT COUNT(*) FROM subscriptions WHERE guild_id = $1", guild_id)
        )

    async def for_guild(self, guild_id: int) -> list[Subscription]:
        rows = await self.db.fetch(_SUBS + " WHERE guild_id = $1 ORDER BY id", guild_id)
        return [_subscription(r) for r in rows]

    async def due(self, now: datetime, shards: ShardFilter, limit: int = 50) -> list[Subscription]:
        """Subscriptions of our shards whose next check is due, the longest waiting first."""
        rows = await self.db.fetch(
            _SUBS + " WHERE next_check <= $1" + shards.sql("guild_id")
            + " ORDER BY next_check, id LIMIT $2",
            to_ms(now), limit,
        )
        return [_subscription(r) for r in rows]

    @staticmethod
    async def record_check(
        tx: Executor, subscription: Subscription, *, at: datetime, next_check: datetime,
        error: str | None, etag: str | None = None, last_modified: str | None = None,
        body_hash: str | None = None, event_count: int | None = None, name: str | None = None,
    ) -> None:
        """The result of a check: an error (the validators and events stay as they were), or
        success with what the server answered (None keeps the stored value)."""
        if error is not None:
            await tx.execute(
                "UPDATE subscriptions SET checked_at = $2, error = $3, next_check = $4"
                " WHERE id = $1",
                subscription.id, to_ms(at), error[:500], to_ms(next_check),
            )
            return
        await tx.execute(
            "UPDATE subscriptions SET checked_at = $2, ok_at = $2, error = NULL,"
            " next_check = $3, etag = COALESCE($4, etag),"
            " last_modified = COALESCE($5, last_modified), body_hash = COALESCE($6, body_hash),"
            " event_count = COALESCE($7, event_count), name = COALESCE($8, name) WHERE id = $1",
            subscription.id, to_ms(at), to_ms(next_check), etag, last_modified, body_hash,
            event_count, name,
        )

    @staticmethod
    async def delete(tx: Executor, subscription_id: int) -> None:
        await tx.execute("DELETE FROM subscriptions WHERE id = $1", subscription_id)

    # ------------------------------------------------------------------ their events

    @staticmethod
    async def events(tx: Executor, guild_id: int, subscription_id: int) -> dict[str, Event]:
        """The stored events of a subscription, by their scoped UID."""
        prefix = uid_prefix(subscription_id)
        # SUBSTR equality, not a range or LIKE: correct under any collation of the database
        # (a locale collation may order or ignore punctuation such as the prefix's colon).
        rows = await tx.fetch(
            _EVENTS + " WHERE guild_id = $1 AND SUBSTR(uid, 1, $2) = $3",
            guild_id, len(prefix), prefix,
        )
        out: dict[str, Event] = {}
        for r in rows:
            event = _event(r)
            if event.uid is not None and event.uid.startswith(prefix):
                out[event.uid] = event
        return out

    # ------------------------------------------------------------------ announcements

    @staticmethod
    async def announce(
        tx: Executor, guild_id: int, subscription_id: int, bodies: Sequence[str], at: datetime
    ) -> None:
        if bodies:
            await tx.executemany(
                "INSERT INTO feed_announcements (guild_id, subscription_id, body, created_at)"
                " VALUES ($1, $2, $3, $4)",
                [(guild_id, subscription_id, body, to_ms(at)) for body in bodies],
            )

    async def pending_announcements(
        self, shards: ShardFilter, limit: int = 100
    ) -> list[Announcement]:
        rows = await self.db.fetch(
            "SELECT id, guild_id, body, attempts FROM feed_announcements WHERE state = 'pending'"
            + shards.sql("guild_id") + " ORDER BY id LIMIT $1",
            limit,
        )
        return [Announcement(r["id"], r["guild_id"], r["body"], r["attempts"]) for r in rows]

    async def announcements(self, guild_id: int) -> list[tuple[str, str]]:
        """(state, body) of a server's announcements, oldest first (tests, the demo)."""
        rows = await self.db.fetch(
            "SELECT state, body FROM feed_announcements WHERE guild_id = $1 ORDER BY id",
            guild_id,
        )
        return [(r["state"], r["body"]) for r in rows]

    @staticmethod
    async def mark_announced(
        tx: Executor, announcement_id: int, *, state: str, at: datetime,
        message_id: int | None = None, error: str | None = None,
    ) -> None:
        """`sent`, `skipped` (no reminder channel), `failed` (for good), or `pending` again
        after a passing failure (its attempt counted)."""
        await tx.execute(
            "UPDATE feed_announcements SET state = $2, sent_at = $3, message_id = $4,"
            " error = $5, attempts = attempts + 1 WHERE id = $1",
            announcement_id, state, opt_ms(at) if state != "pending" else None, message_id,
            None if error is None else error[:500],
        )
