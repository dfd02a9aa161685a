"""The subscriptions' clock and mouth: apscheduler wakes the runner every minute; it checks the
subscriptions of this process's shards whose next check is due (by the injected clock), then
sends the announcements those checks stored, each with a nonce, and records each send.

As for reminders, the database is the truth: an announcement stays `pending` until its send is
recorded, and its nonce ("feed-<id>") makes Discord drop a resend after a crash in between. A
server without a reminder channel gets its announcements marked `skipped`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.db.shards import ShardFilter
from bot.domain.clock import Clock
from bot.reminders.engine import Sender
from bot.reminders.retry import SendError
from bot.services.settings import SettingsService
from bot.services.subscriptions import SubscriptionService

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


class SubscriptionRunner:
    def __init__(
        self,
        service: SubscriptionService,
        settings: SettingsService,
        sender: Sender,
        clock: Clock,
        *,
        shards: ShardFilter,
        tick_seconds: float = 60,
    ) -> None:
        self.service = service
        self.repo = service.repo
        self.settings = settings
        self.sender = sender
        self.clock = clock
        self.shards = shards
        self.tick_seconds = tick_seconds
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._lock = asyncio.Lock()
        self._poked: asyncio.Task[int] | None = None
        self._round: asyncio.Task[int] | None = None

    async def start(self) -> None:
        self.scheduler.add_job(
            self._tick,
            trigger=IntervalTrigger(seconds=self.tick_seconds),
            id="subscriptions",
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        self.scheduler.start()

    async def _tick(self) -> None:
        """The alarm (a coroutine, so apscheduler runs it on the event loop, not in a thread):
        start a round unless one is running. The round is our task, so stop() can end it
        cleanly."""
        if self._round is None or self._round.done():
            self._round = asyncio.get_running_loop().create_task(self.run_once())

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for task in (self._round, self._poked):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def poke(self) -> None:
        """Announcements were stored: send them now rather than at the next tick."""
        if self._poked is None or self._poked.done():
            self._poked = asyncio.get_running_loop().create_task(self._deliver_now())

    async def _deliver_now(self) -> int:
        try:
            return await self.deliver()
        except Exception:
            log.exception("sending announcements failed; trying again at the next tick")
            return 0

    async def run_once(self) -> int:
        """Check every due subscription of our shards, then deliver; returns how many were
        checked. A check that raises is logged and retried at the next tick."""
        checked = 0
        try:
            for sub in await self.repo.due(self.clock(), self.shards):
                try:
                    await self.service.check(sub)
                except Exception:
                    log.exception("checking subscription %s (%s) failed", sub.id, sub.url)
                checked += 1
            await self.deliver()
        except Exception:
            log.exception("the subscriptions' round failed; trying again at the next tick")
        return checked

    async def deliver(self) -> int:
        """Send the pending announcements of our shards, oldest first; returns how many were
        sent. One round at a time, so none is sent twice by this process."""
        sent = 0
        async with self._lock:
            for item in await self.repo.pending_announcements(self.shards):
                now = self.clock()
                channel = (await self.settings.get(item.guild_id)).reminder_channel_id
                if channel is None:
                    await self._mark(item.id, "skipped", now, error="no reminder channel")
                    continue
                try:
                    message_id = await self.sender.send(
                        ("channel", channel), item.body, f"feed-{item.id}"
                    )
                except SendError as exc:
                    final = exc.permanent or item.attempts + 1 >= MAX_ATTEMPTS
                    log.warning("announcement %s not sent: %s", item.id, exc)
                    await self._mark(item.id, "failed" if final else "pending", now, error=str(exc))
                    continue
                await self._mark(item.id, "sent", now, message_id=message_id)
                sent += 1
        return sent

    async def _mark(
        self, ident: int, state: str, at: datetime, *, message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        async with self.repo.db.transaction() as tx:
            await self.repo.mark_announced(
                tx, ident, state=state, at=at, message_id=message_id, error=error
            )
