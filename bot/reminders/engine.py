"""The reminder engine: apscheduler is the alarm clock, the reminder table is the truth.

The loop claims due rows in batches (with a lease), hands them to one worker per destination
(channel or DM) so destinations are served concurrently and each in order, and records each
send. Nothing is held in memory but what is due now, so memory stays flat however many
reminders are pending. The engine knows nothing of Discord: it talks to a `Sender`.

Exactly once as users see it: a row stays `pending` until its send is recorded, and every
message carries a nonce derived from the row's batch key, so when the process dies between
sending and recording, the resend after restart is dropped by Discord as a duplicate.

Each write to the reminder table is its own transaction, opened here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.db.reminders import ReminderRepository, ShardFilter
from bot.db.rsvp import record_dms_refused
from bot.discord_io.budget import ChannelPacer, GlobalBudget
from bot.domain.clock import Clock
from bot.domain.models import Claimed
from bot.domain.reminders import LATE_LIMIT
from bot.limits import MESSAGE_LIMIT
from bot.reminders.batching import (
    Batch,
    batches_of,
    mention_prefix,
    merge_same_minute,
    message_role,
    nonce_for,
    parts_of,
    reminder_line,
    split_message,
)
from bot.reminders.retry import Outcome, RetryPolicy, SendError

log = logging.getLogger(__name__)


class Sender(Protocol):
    async def send(
        self, target: tuple[str, int], content: str, nonce: str, *, mention_role: int | None = None
    ) -> int:
        """Post `content` to ("channel", id) or ("dm", user_id); returns the message id. The
        message may ping `mention_role` and nothing else; without it, it pings nobody."""
        ...

    async def prepare(self, target: tuple[str, int]) -> None:
        """Make `target` ready before its messages take their slots of the budget (a DM
        channel is opened here, under a slot of its own); raises SendError like `send`."""
        ...


class Budget(Protocol):
    """A shared rate limit: `acquire()` before a request, `completed()` after its response."""

    async def acquire(self, *, filler: bool = False) -> None: ...

    async def completed(self) -> None: ...


class ReminderEngine:
    def __init__(
        self,
        repo: ReminderRepository,
        sender: Sender,
        clock: Clock,
        *,
        shards: ShardFilter | None = None,
        name: str = "concord",
        batch_size: int = 500,
        max_in_flight: int = 5000,
        lease: timedelta = timedelta(seconds=30),
        late_limit: timedelta = LATE_LIMIT,
        global_rate: float = 50.0,
        channel_rate: int = 5,
        budget: Budget | None = None,
        poll_interval: float = 30.0,
        retry_base: float = 2.0,
        max_attempts: int = 5,
    ) -> None:
        self.repo = repo
        self.db = repo.db  # where the engine opens its transactions
        self.sender = sender
        self.clock = clock
        self.shards = shards or ShardFilter()
        self.name = name  # stable across restarts of the same process role
        self.owner = f"{name}:{uuid.uuid4().hex[:12]}"
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self.lease = lease
        self.late_limit = late_limit
        # Without an HTTP trace feeding it (unit tests), the budget counts a send as done when
        # send() returns.
        self.budget: Budget = budget or GlobalBudget(global_rate)
        self._pacers: dict[tuple[str, int], ChannelPacer] = {}
        self.channel_rate = channel_rate  # per 5 s and channel; 0: discord.py's buckets alone
        self._budget_fed = budget is not None
        # Other processes' overdue rows are only found by polling: poll within a lease.
        self.poll_interval = min(poll_interval, lease.total_seconds())
        self.retry = RetryPolicy(base=retry_base, max_attempts=max_attempts)
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._wake = asyncio.Event()
        self._stopping = False
        self._loop_task: asyncio.Task[None] | None = None
        self._renew_task: asyncio.Task[None] | None = None
        self._queues: dict[tuple[str, int], deque[Batch]] = {}
        self._claim_lock = asyncio.Lock()
        self._claiming_done = asyncio.Event()
        self._claiming_done.set()
        self._workers: dict[tuple[str, int], asyncio.Task[None]] = {}
        self._in_flight: dict[int, Batch] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        self.sent_count = 0
        self.failed_count = 0

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Mark what is too late as missed, free our own stale claims, then run the loop."""
        async with self.db.transaction() as tx:  # it logs each one
            await self.repo.mark_missed(tx, self.clock(), self.shards, late_limit=self.late_limit)
        async with self.db.transaction() as tx:
            freed = await self.repo.release_claims(tx, self.name + ":", self.owner)
        if freed:
            log.info("took back %d reminders claimed by an earlier run", freed)
        self.scheduler.start()
        self._loop_task = asyncio.create_task(self._loop(), name="reminder-loop")
        self._renew_task = asyncio.create_task(self._renew_leases(), name="reminder-leases")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        for task in [self._loop_task, self._renew_task, *self._workers.values()]:
            if task is not None:
                task.cancel()
        for task in [self._loop_task, self._renew_task, *self._workers.values()]:
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def poke(self) -> None:
        """New or changed reminders: look again now (safe to call from any coroutine)."""
        self._wake.set()

    # ------------------------------------------------------------------ the loop

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                await self.run_once()
                await self._arm_alarm()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reminder loop failed; retrying in 1 s")
                await asyncio.sleep(1)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            self._wake.clear()

    async def _arm_alarm(self) -> None:
        """Ask apscheduler to wake us at the next due time (one job, replaced each time)."""
        nxt = await self.repo.next_due(self.shards, now=self.clock(), owner=self.owner)
        if nxt is None:
            return
        delay = (nxt - self.clock()).total_seconds()
        if delay <= 0:
            if len(self._in_flight) < self.max_in_flight:
                self._wake.set()
            # else: full; a worker pokes the loop when it frees room.
            return
        run_at = datetime.now(UTC) + timedelta(seconds=delay)
        self.scheduler.add_job(
            self._wake.set,
            trigger=DateTrigger(run_date=run_at),
            id="wake",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def run_once(self) -> int:
        """Claim everything due now (in batches, within the in-flight bound) and dispatch it.
        One round at a time: a second caller waits for the round in progress, whose claimed
        rows (locked FOR UPDATE SKIP LOCKED on PostgreSQL) it could not see."""
        async with self._claim_lock:
            self._claiming_done.clear()
            try:
                return await self._claim_all()
            finally:
                self._claiming_done.set()

    async def _claim_all(self) -> int:
        total = 0
        while len(self._in_flight) < self.max_in_flight:
            room = min(self.batch_size, self.max_in_flight - len(self._in_flight))
            async with self.db.transaction() as tx:
                claimed = await self.repo.claim_due(
                    tx=tx,
                    now=self.clock(),
                    owner=self.owner,
                    lease=self.lease,
                    limit=room,
                    shards=self.shards,
                    late_limit=self.late_limit,
                    takeover_after=self.lease,
                )
            if not claimed:
                break
            self._dispatch(claimed)
            total += len(claimed)
            if len(claimed) < room:
                break
        return total

    def _dispatch(self, claimed: Sequence[Claimed]) -> None:
        for batch in batches_of(claimed, skip=self._in_flight):
            target = batch.items[0].target
            for item in batch.items:
                self._in_flight[item.id] = batch
            self._idle.clear()
            queue = self._queues.get(target)
            if queue is None:
                queue = self._queues[target] = deque()
            queue.append(batch)
            worker = self._workers.get(target)
            if worker is None or worker.done():
                self._workers[target] = asyncio.create_task(
                    self._worker(target, queue), name=f"reminders-{target[0]}-{target[1]}"
                )

    async def _worker(self, target: tuple[str, int], queue: deque[Batch]) -> None:
        """Deliver one destination's batches in order; exits when its queue is empty."""
        try:
            while queue:
                # Let a claim round enqueue all it found first, so it can be merged.
                await self._claiming_done.wait()
                batch = await self._merge_same_minute(queue.popleft(), queue)
                full = len(self._in_flight) >= self.max_in_flight
                try:
                    await self._deliver(target, batch)
                finally:
                    for rid in batch.ids:
                        self._in_flight.pop(rid, None)
                if full:
                    self._wake.set()  # room again for what was left unclaimed
        finally:
            if self._workers.get(target) is asyncio.current_task():
                del self._workers[target]
                if not queue:
                    self._queues.pop(target, None)
            if not self._in_flight:
                self._idle.set()

    async def _merge_same_minute(self, batch: Batch, queue: deque[Batch]) -> Batch:
        """Fold the queued batches due in the same minute into `batch`: one message. This
        merges what was claimed in separate rounds while the destination was busy (or rate
        limited); the rows are re-keyed to `batch` before the send, for the nonce."""
        merged, moved = merge_same_minute(batch, queue)
        if not moved:
            return batch
        async with self.db.transaction() as tx:
            await self.repo.rekey(tx, moved, batch.key)
        for rid in merged.ids:
            self._in_flight[rid] = merged
        return merged

    async def _deliver(self, target: tuple[str, int], batch: Batch) -> None:
        if target[1] == 0 or (target[0] == "channel" and not target[1]):
            async with self.db.transaction() as tx:
                await self.repo.mark_failed(
                    tx, batch.ids, "no reminder channel is set", self.clock()
                )
            log.warning("reminders %s failed: no reminder channel set", batch.ids)
            self.failed_count += len(batch.ids)
            return
        parts = await self._parts(batch)
        for index, part in parts:
            pending = [i.id for p in parts if p[0] >= index for i in p[1]]
            # One piece, unless an event's title grew since the split was stored. A message
            # with an event reminder for the reminder channel starts with the server's role.
            role = message_role(part)
            prefix = mention_prefix(role)
            pieces = [
                prefix + piece
                for piece in split_message(
                    [reminder_line(i) for i in part], MESSAGE_LIMIT - len(prefix)
                )
            ]
            message_id: int | None = None
            is_dm = target[0] == "dm"
            try:
                await self.sender.prepare(target)
                for number, piece in enumerate(pieces):
                    nonce = nonce_for(batch.key, index if len(pieces) == 1 else f"{index}.{number}")
                    # A channel waits for its own window before it takes a global slot, so no
                    # slot is held while discord.py sleeps on the channel's bucket; a DM fills
                    # the slots the channels leave.
                    pacer = (
                        None if is_dm or not self.channel_rate
                        else self._pacers.setdefault(target, ChannelPacer(self.channel_rate))
                    )
                    if pacer is not None:
                        await pacer.wait()
                    await self.budget.acquire(filler=is_dm)
                    try:
                        message_id = await self.sender.send(
                            target, piece, nonce, mention_role=role
                        )
                    finally:
                        if pacer is not None:
                            pacer.sent()
                        if not self._budget_fed:
                            await self.budget.completed()
            except SendError as exc:
                await self._failed(pending, part, exc)
                return
            # Recorded part by part: a crash later resends only the parts not yet recorded.
            async with self.db.transaction() as tx:
                await self.repo.mark_sent(tx, [i.id for i in part], self.clock(), message_id)
            self.sent_count += len(part)

    async def _parts(self, batch: Batch) -> list[tuple[int, list[Claimed]]]:
        """The batch's messages as (part number, rows); a new split is stored before the
        first send, so a resend after a crash sends exactly these messages again."""
        parts, store = parts_of(batch)
        if store:
            async with self.db.transaction() as tx:
                await self.repo.set_parts(tx, store)
        return parts

    async def _failed(self, ids: list[int], part: list[Claimed], exc: SendError) -> None:
        verdict = self.retry.verdict(exc, max(i.attempts for i in part))
        if verdict.outcome is Outcome.RETRY:
            log.warning("reminders %s: %s; retrying in %.0f s", ids, exc, verdict.backoff)
            until = self.clock() + timedelta(seconds=verdict.backoff)
            async with self.db.transaction() as tx:
                await self.repo.retry_later(tx, ids, until, str(exc))
            self._arm_retry(verdict.backoff)
            return
        if verdict.outcome is Outcome.PERMANENT:
            log.warning("reminders %s failed for good: %s", ids, exc)
        else:
            log.error("reminders %s failed after %d attempts: %s", ids, verdict.attempts, exc)
        user_id = part[0].user_id if part[0].target[0] == "dm" else None
        others = 0
        async with self.db.transaction() as tx:
            await self.repo.mark_failed(tx, ids, verdict.error(exc), self.clock())
            if exc.dms_closed and user_id is not None:
                # Recorded, not knocked on again: no more event DMs are planned for them
                # until they answer an RSVP again, and their pending ones fail now.
                others = await record_dms_refused(tx, user_id, self.clock(), str(exc))
        self.failed_count += len(ids) + others
        if exc.dms_closed and user_id is not None:
            log.warning("member %s does not accept DMs; %d more event DMs failed with it",
                        user_id, others)

    def _arm_retry(self, delay: float) -> None:
        if self.scheduler.running:
            self.scheduler.add_job(
                self._wake.set,
                trigger=DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=delay)),
                misfire_grace_time=None,
            )

    async def _renew_leases(self) -> None:
        """Keep the lease on rows still waiting to be sent (a rate-limited channel)."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            ids = list(self._in_flight)
            if ids:
                try:
                    async with self.db.transaction() as tx:
                        await self.repo.renew(tx, ids, self.owner, self.clock() + self.lease)
                except Exception:
                    log.exception("could not renew reminder leases")

    async def drain(self, timeout: float = 30) -> None:
        """Wait until everything dispatched has been delivered or given up (tests)."""
        await asyncio.wait_for(self._idle.wait(), timeout)
