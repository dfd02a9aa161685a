"""The reminder engine: apscheduler is the alarm clock, the reminder table is the truth.

The loop claims due rows in batches (with a lease), hands them to one worker per destination
(channel or DM) so destinations are served concurrently and each in order, and records each
send. Nothing is held in memory but what is due now, so memory stays flat however many
reminders are pending. The engine knows nothing of Discord: it talks to a `Sender`.

Exactly once as users see it: a row stays `pending` until its send is recorded, and every
message carries a nonce derived from the row's batch key, so when the process dies between
sending and recording, the resend after restart is dropped by Discord as a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.db.reminders import Claimed, ReminderRepository, ShardFilter
from bot.domain.clock import Clock
from bot.domain.reminders import event_reminder_text, personal_reminder_text
from bot.limits import MESSAGE_LIMIT, NONCE_LIMIT

log = logging.getLogger(__name__)



class SendError(Exception):
    """A send that failed. `permanent` (403/404: no access, unknown channel) is not retried."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    async def send(self, target: tuple[str, int], content: str, nonce: str) -> int:
        """Post `content` to ("channel", id) or ("dm", user_id); returns the message id."""
        ...


class GlobalBudget:
    """Discord's global limit (50 requests in any second), counted where Discord counts it.

    A request is counted from the moment it is allowed to start until one window after its
    response arrived (`completed()`, fed by an HTTP trace on the bot's session). Discord receives
    a request between those two moments, so no second of Discord's count can hold more than
    `rate` of them, however the requests are delayed on the way, and no margin is needed.
    """

    def __init__(self, rate: float, window: float = 1.0) -> None:
        self.rate = max(1, int(rate))
        self.window = window
        self._in_flight = 0
        self._done: deque[float] = deque()
        self._changed = asyncio.Condition()

    def _used(self, now: float) -> int:
        while self._done and self._done[0] <= now - self.window:
            self._done.popleft()
        return self._in_flight + len(self._done)

    async def acquire(self) -> None:
        async with self._changed:
            while True:
                now = time.monotonic()
                if self._used(now) < self.rate:
                    self._in_flight += 1
                    return
                timeout = self._done[0] + self.window - now if self._done else None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout)

    async def completed(self) -> None:
        """A counted request got its response (or failed): it stays counted for one window."""
        async with self._changed:
            self._done.append(time.monotonic())
            self._in_flight = max(0, self._in_flight - 1)
            self._changed.notify_all()


def reminder_line(item: Claimed) -> str:
    if item.event_id is not None and item.title is not None:
        at = item.event_end if item.moment in ("closes",) else item.event_start
        if item.moment == "deadline" and item.all_day and item.event_end is not None:
            at = item.event_end
        return event_reminder_text(
            title=item.title,
            moment=item.moment,
            at=at or item.due_at,
            all_day=item.all_day,
            location=item.location,
            rescheduled=item.rescheduled,
            late=item.late,
        )
    return personal_reminder_text(text=item.body or "", created_at=item.created_at, late=item.late)


def split_message(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into messages of at most `limit` characters, splitting only between lines
    (a single over-long line is split at the limit)."""
    parts: list[str] = []
    current = ""
    for line in lines:
        pieces = [line[i : i + limit] for i in range(0, len(line), limit)] or [""]
        for piece in pieces:
            if not current:
                current = piece
            elif len(current) + 1 + len(piece) <= limit:
                current += "\n" + piece
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts


def split_rows(items: Sequence[Claimed], limit: int = MESSAGE_LIMIT) -> list[list[Claimed]]:
    """Group rows into messages of at most `limit` characters, measuring each line in its
    longest form (sent late), so the same groups still fit when they are resent late."""
    groups: list[list[Claimed]] = []
    size = 0
    for item in items:
        length = len(reminder_line(replace(item, late=True)))
        if groups and size + 1 + length <= limit:
            groups[-1].append(item)
            size += 1 + length
        else:
            groups.append([item])
            size = length
    return groups


def nonce_for(batch_key: str, part: int | str) -> str:
    nonce = f"c{batch_key}.{part}"
    if len(nonce) > NONCE_LIMIT:  # ids never get this long, but the limit is Discord's
        nonce = nonce[-NONCE_LIMIT:]
    return nonce


@dataclass
class _Batch:
    key: str
    items: list[Claimed] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [i.id for i in self.items]

    @property
    def minute(self) -> int:
        return int(self.items[0].due_at.timestamp()) // 60

    @property
    def mergeable(self) -> bool:
        # A batch resumed after a crash may already be on Discord under its own nonce.
        return not any(i.resumed for i in self.items)


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
        global_rate: float = 50.0,
        budget: GlobalBudget | None = None,
        poll_interval: float = 30.0,
        retry_base: float = 2.0,
        max_attempts: int = 5,
    ) -> None:
        self.repo = repo
        self.sender = sender
        self.clock = clock
        self.shards = shards or ShardFilter()
        self.name = name  # stable across restarts of the same process role
        self.owner = f"{name}:{uuid.uuid4().hex[:12]}"
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self.lease = lease
        # Without an HTTP trace feeding it (unit tests), the budget counts a send as done when
        # send() returns.
        self.budget = budget or GlobalBudget(global_rate)
        self._budget_fed = budget is not None
        # Other processes' overdue rows are only found by polling: poll within a lease.
        self.poll_interval = min(poll_interval, lease.total_seconds())
        self.retry_base = retry_base
        self.max_attempts = max_attempts
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._wake = asyncio.Event()
        self._stopping = False
        self._loop_task: asyncio.Task[None] | None = None
        self._renew_task: asyncio.Task[None] | None = None
        self._queues: dict[tuple[str, int], deque[_Batch]] = {}
        self._claiming_done = asyncio.Event()
        self._claiming_done.set()
        self._workers: dict[tuple[str, int], asyncio.Task[None]] = {}
        self._in_flight: dict[int, _Batch] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        self.sent_count = 0
        self.failed_count = 0

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Mark what is too late as missed, free our own stale claims, then run the loop."""
        await self.repo.mark_missed(self.clock(), self.shards)  # it logs each one
        freed = await self.repo.release_claims(self.name + ":", self.owner)
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
        """Claim everything due now (in batches, within the in-flight bound) and dispatch it."""
        total = 0
        self._claiming_done.clear()
        try:
            total = await self._claim_all()
        finally:
            self._claiming_done.set()
        return total

    async def _claim_all(self) -> int:
        total = 0
        while len(self._in_flight) < self.max_in_flight:
            room = min(self.batch_size, self.max_in_flight - len(self._in_flight))
            claimed = await self.repo.claim_due(
                now=self.clock(),
                owner=self.owner,
                lease=self.lease,
                limit=room,
                shards=self.shards,
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
        batches: dict[str, _Batch] = {}
        for item in claimed:
            if item.id in self._in_flight:
                continue
            batch = batches.setdefault(item.batch_key, _Batch(item.batch_key))
            batch.items.append(item)
        for batch in batches.values():
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

    async def _worker(self, target: tuple[str, int], queue: deque[_Batch]) -> None:
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

    async def _merge_same_minute(self, batch: _Batch, queue: deque[_Batch]) -> _Batch:
        """Fold the queued batches due in the same minute into `batch`: one message. This
        merges what was claimed in separate rounds while the destination was busy (or rate
        limited); the rows are re-keyed to `batch` before the send, for the nonce."""
        if not batch.mergeable:
            return batch
        others = [b for b in queue if b.mergeable and b.minute == batch.minute]
        if not others:
            return batch
        for other in others:
            queue.remove(other)
        merged = _Batch(batch.key, batch.items + [i for b in others for i in b.items])
        await self.repo.rekey([i for b in others for i in b.ids], batch.key)
        for rid in merged.ids:
            self._in_flight[rid] = merged
        return merged

    async def _deliver(self, target: tuple[str, int], batch: _Batch) -> None:
        if target[1] == 0 or (target[0] == "channel" and not target[1]):
            await self.repo.mark_failed(batch.ids, "no reminder channel is set")
            log.warning("reminders %s failed: no reminder channel set", batch.ids)
            self.failed_count += len(batch.ids)
            return
        parts = await self._parts(batch)
        for index, part in parts:
            pending = [i.id for p in parts if p[0] >= index for i in p[1]]
            # One piece, unless an event's title grew since the split was stored.
            pieces = split_message([reminder_line(i) for i in part])
            message_id: int | None = None
            try:
                for number, piece in enumerate(pieces):
                    nonce = nonce_for(batch.key, index if len(pieces) == 1 else f"{index}.{number}")
                    await self.budget.acquire()
                    try:
                        message_id = await self.sender.send(target, piece, nonce)
                    finally:
                        if not self._budget_fed:
                            await self.budget.completed()
            except SendError as exc:
                await self._failed(pending, part, exc)
                return
            # Recorded part by part: a crash later resends only the parts not yet recorded.
            await self.repo.mark_sent([i.id for i in part], self.clock(), message_id)
            self.sent_count += len(part)

    async def _parts(self, batch: _Batch) -> list[tuple[int, list[Claimed]]]:
        """The batch's messages as (part number, rows). A new batch is split once, with every
        line measured as if it were sent late, and the split is stored before the first send;
        a resumed batch keeps the split it had."""
        items = sorted(batch.items, key=lambda i: i.id)
        known: dict[int, list[Claimed]] = {}
        for item in items:
            if item.part is not None:
                known.setdefault(item.part, []).append(item)
        new = [i for i in items if i.part is None]
        if new:
            first = max(known, default=-1) + 1
            groups = split_rows(new)
            await self.repo.set_parts([[] for _ in range(first)] + [[i.id for i in g] for g in groups])
            for offset, group in enumerate(groups):
                known[first + offset] = group
        return sorted(known.items())

    async def _failed(self, ids: list[int], part: list[Claimed], exc: SendError) -> None:
        if exc.permanent:
            log.warning("reminders %s failed for good: %s", ids, exc)
            await self.repo.mark_failed(ids, str(exc))
            self.failed_count += len(ids)
            return
        attempts = max(i.attempts for i in part) + 1
        if attempts >= self.max_attempts:
            log.error("reminders %s failed after %d attempts: %s", ids, attempts, exc)
            await self.repo.mark_failed(ids, f"gave up after {attempts} attempts: {exc}")
            self.failed_count += len(ids)
            return
        backoff = self.retry_base * (2 ** (attempts - 1))
        log.warning("reminders %s: %s; retrying in %.0f s", ids, exc, backoff)
        await self.repo.retry_later(ids, self.clock() + timedelta(seconds=backoff), str(exc))
        self._arm_retry(backoff)

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
                    await self.repo.renew(ids, self.owner, self.clock() + self.lease)
                except Exception:
                    log.exception("could not renew reminder leases")

    async def drain(self, timeout: float = 30) -> None:
        """Wait until everything dispatched has been delivered or given up (tests)."""
        await asyncio.wait_for(self._idle.wait(), timeout)
