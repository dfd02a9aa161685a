"""A server's live calendar feed (SPEC 11): its secret URL, and the body the web server serves.

The feed is the server's calendar as `/event export` gives it (every event, the server's name
as the calendar's name). Its body is made the same way each time for the same events (the
DTSTAMP is the latest change of an event), so its SHA-256 is its ETag; the moment that hash
last changed is stored, and is its Last-Modified (a removed event changes it too).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.db import audit
from bot.db.database import Database
from bot.db.events import EventRepository
from bot.db.feeds import FeedRepository
from bot.domain.clock import Clock
from bot.domain.feeds import SECRET_RE, Feed, secret_lookup
from bot.services.calendar_files import write_ics_off_loop

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FeedBody:
    data: bytes
    etag: str  # quoted, as in the ETag header
    last_modified: datetime


class FeedService:
    def __init__(
        self, db: Database, repo: FeedRepository, events: EventRepository, clock: Clock
    ) -> None:
        self.db = db
        self.repo = repo
        self.events = events
        self.clock = clock

    async def secret(self, guild_id: int) -> str:
        """The server's feed secret, made on first use."""
        feed = await self.repo.get(guild_id)
        if feed is None:
            async with self.db.transaction() as tx:
                feed = await self.repo.create(tx, guild_id, _new_secret(), self.clock())
        return feed.secret

    async def reset(self, guild_id: int, actor_id: int) -> str:
        """A new secret: the old URL answers 404 from now on. Audited."""
        now = self.clock()
        async with self.db.transaction() as tx:
            feed = await self.repo.replace(tx, guild_id, _new_secret(), now)
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="calendar.feed.reset",
                target=f"guild:{guild_id}", at=now, detail=None,
            )
        return feed.secret

    async def find(self, secret: str) -> Feed | None:
        """The feed whose secret this is, or None (also for anything that is not a secret).
        Found by the secret's hash, then compared in constant time."""
        if not SECRET_RE.match(secret):
            return None
        feed = await self.repo.by_lookup(secret_lookup(secret))
        if feed is None or not hmac.compare_digest(feed.secret.encode(), secret.encode()):
            return None
        return feed

    async def body(self, feed: Feed, *, name: str | None) -> FeedBody:
        """The feed's current body with its ETag and Last-Modified."""
        events = await self.events.all(feed.guild_id)
        stamps = [e.updated_at for e in events if e.updated_at is not None]
        stamp = max(stamps, default=feed.created_at)
        export = await write_ics_off_loop(events, name=name, now=stamp)
        digest = hashlib.sha256(export.data).hexdigest()
        if digest == feed.body_hash and feed.changed_at is not None:
            changed = feed.changed_at
        else:
            changed = await self.repo.body_changed(feed.guild_id, digest, self.clock())
        return FeedBody(export.data, f'"{digest[:40]}"', changed)


def _new_secret() -> str:
    return secrets.token_urlsafe(24)
