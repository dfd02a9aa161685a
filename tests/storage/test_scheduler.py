"""The reminder engine with an injected clock and a recording sender, on both backends."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.db import Database, to_ms
from bot.db.reminders import ReminderRepository, ShardFilter
from bot.domain.clock import FakeClock
from bot.domain.models import Claimed, Event, EventKind, EventStatus, ReminderState
from bot.domain.reminders import LATE_LIMIT, due_time, plan_event_reminders
from bot.reminders import ReminderEngine, SendError, nonce_for, split_message

GUILD = 1 << 22  # shard 0 of any count


@dataclass
class RecordingSender:
    sent: list[tuple[tuple[str, int], str, str]] = field(default_factory=list)
    fail: dict[int, SendError] = field(default_factory=dict)  # target id -> error (once)
    seen_nonces: set[str] = field(default_factory=set)
    gate: asyncio.Event | None = None  # when set, sends wait for it
    roles: list[int | None] = field(default_factory=list)  # the role each sent message pings

    async def prepare(self, target: tuple[str, int]) -> None:
        return None  # nothing to open

    async def send(
        self, target: tuple[str, int], content: str, nonce: str, *, mention_role: int | None = None
    ) -> int:
        if self.gate is not None:
            await self.gate.wait()
        err = self.fail.pop(target[1], None)
        if err is not None:
            raise err
        if nonce in self.seen_nonces:  # Discord's nonce de-duplication
            return 1
        self.seen_nonces.add(nonce)
        self.sent.append((target, content, nonce))
        self.roles.append(mention_role)
        return len(self.sent)


def event(start: datetime, *, kind: EventKind = EventKind.MEETING, end: datetime | None = None,
          all_day: bool = False, zone: str = "Europe/Zurich", **kw: object) -> Event:
    return Event(id=1, guild_id=GUILD, title="ICANN 49", kind=kind, start=start, end=end,
                 all_day=all_day, timezone=zone, **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------------ offsets (pure)


def test_day_offsets_keep_the_local_wall_clock_across_dst() -> None:
    # Monday 31 March 2014 09:00 in Zurich: CEST (UTC+2) since Sunday 30 March 02:00.
    start = datetime(2014, 3, 31, 7, 0, tzinfo=UTC)
    now = datetime(2014, 3, 1, tzinfo=UTC)
    planned = plan_event_reminders(event(start), [timedelta(days=7), timedelta(days=1),
                                                  timedelta(hours=1)], now)
    due = {p.offset: p.due_at for p in planned}
    assert due[timedelta(days=7)] == datetime(2014, 3, 24, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert due[timedelta(days=1)] == datetime(2014, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert due[timedelta(hours=1)] == datetime(2014, 3, 31, 6, 0, tzinfo=UTC)


def test_autumn_change_and_exact_hours() -> None:
    # Monday 27 October 2014 09:00 Zurich = 08:00 UTC (CET again since Sunday 03:00).
    start = datetime(2014, 10, 27, 8, 0, tzinfo=UTC)
    assert due_time(start, timedelta(days=1), "Europe/Zurich") == datetime(2014, 10, 26, 8, 0, tzinfo=UTC)
    assert due_time(start, timedelta(days=2), "Europe/Zurich") == datetime(2014, 10, 25, 7, 0, tzinfo=UTC)
    assert due_time(start, timedelta(hours=25), "Europe/Zurich") == datetime(2014, 10, 26, 7, 0, tzinfo=UTC)


def test_past_offsets_are_skipped() -> None:
    start = datetime(2014, 3, 23, 0, 0, tzinfo=UTC)
    now = start - timedelta(days=2)
    planned = plan_event_reminders(event(start, zone="UTC"), [timedelta(days=7), timedelta(days=1)], now)
    assert [p.offset for p in planned] == [timedelta(days=1)]


def test_moments_per_kind() -> None:
    now = datetime(2013, 1, 1, tzinfo=UTC)
    opens = datetime(2013, 12, 19, tzinfo=UTC)
    closes = datetime(2014, 1, 25, tzinfo=UTC)
    window = event(opens, kind=EventKind.WINDOW, end=closes, all_day=True, zone="UTC")
    planned = plan_event_reminders(window, [timedelta(days=1)], now)
    assert [(p.moment, p.due_at) for p in planned] == [
        ("opens", opens - timedelta(days=1)), ("closes", closes - timedelta(days=1))]
    deadline = event(opens, kind=EventKind.DEADLINE, end=opens + timedelta(days=1), all_day=True, zone="UTC")
    assert plan_event_reminders(deadline, [timedelta(hours=1)], now)[0].due_at == opens + timedelta(hours=23)
    assert plan_event_reminders(event(opens, tentative=True), [timedelta(days=1)], now) == []
    assert plan_event_reminders(event(opens, status=EventStatus.POSTPONED), [timedelta(days=1)], now) == []


def test_split_only_between_lines() -> None:
    lines = [f"Reminder {i}: " + "x" * 180 for i in range(30)]
    parts = split_message(lines)
    assert all(len(p) <= 2000 for p in parts)
    assert "\n".join(parts).split("\n") == lines
    assert split_message(["y" * 4500]) == ["y" * 2000, "y" * 2000, "y" * 500]
    assert len(nonce_for("123456789012", 3)) <= 25


# ------------------------------------------------------------------ the engine


async def add_personal(db: Database, due: datetime, *, channel: int | None = 77, user: int = 5,
                       text: str = "hello", created: datetime | None = None) -> None:
    async with db.transaction() as tx:
        await ReminderRepository.insert_many(
            tx, [(GUILD, channel, user, text, to_ms(due), to_ms(created or due - timedelta(days=1)))]
        )


async def claim(repo: ReminderRepository, **kw: Any) -> list[Claimed]:
    """One claim in its own transaction, as the engine makes it."""
    async with repo.db.transaction() as tx:
        return await repo.claim_due(tx, late_limit=LATE_LIMIT, **kw)


def make_engine(db: Database, clock: FakeClock, sender: RecordingSender, **kw: object) -> ReminderEngine:
    return ReminderEngine(ReminderRepository(db), sender, clock, name="test", retry_base=1.0, **kw)  # type: ignore[arg-type]


async def states(db: Database) -> list[str]:
    return [r["state"] for r in await db.fetch("SELECT state FROM reminders ORDER BY id")]


async def test_due_reminders_are_sent_once_and_recorded(db: Database, clock: FakeClock) -> None:
    sender = RecordingSender()
    engine = make_engine(db, clock, sender)
    await add_personal(db, clock() + timedelta(minutes=5))
    assert await engine.run_once() == 0
    clock.advance(minutes=5)
    assert await engine.run_once() == 1
    await engine.drain()
    assert len(sender.sent) == 1 and "hello" in sender.sent[0][1]
    assert await states(db) == ["sent"]
    assert await engine.run_once() == 0
    await engine.drain()
    assert len(sender.sent) == 1


async def test_same_minute_same_channel_is_one_message(db: Database, clock: FakeClock) -> None:
    sender = RecordingSender()
    engine = make_engine(db, clock, sender)
    due = clock() + timedelta(minutes=1)
    for i in range(3):
        await add_personal(db, due, text=f"item {i}")
    await add_personal(db, due, channel=78, text="elsewhere")
    await add_personal(db, due, channel=None, user=9, text="a DM")
    clock.advance(minutes=1)
    await engine.run_once()
    await engine.drain()
    by_target = {t: c for t, c, _ in sender.sent}
    assert by_target[("channel", 77)].count("item") == 3
    assert "elsewhere" in by_target[("channel", 78)]
    assert "a DM" in by_target[("dm", 9)]
    assert len(sender.sent) == 3


async def test_a_crash_between_send_and_record_resends_with_the_same_nonce(
    db: Database, clock: FakeClock
) -> None:
    sender = RecordingSender()
    due = clock()
    await add_personal(db, due)
    repo = ReminderRepository(db)
    # The first run claims and sends, then dies before recording.
    claimed = await claim(repo, now=clock(), owner="test:dead", lease=timedelta(minutes=2),
                                limit=10, shards=ShardFilter())
    await sender.send(claimed[0].target, "hello", nonce_for(claimed[0].batch_key, 0))
    # The restarted process takes its claims back at once and resends: Discord drops it.
    engine = make_engine(db, clock, sender)
    await engine.start()
    try:
        await engine.run_once()
        await engine.drain()
    finally:
        await engine.stop()
    assert len(sender.sent) == 1
    assert await states(db) == ["sent"]


async def test_leases_keep_other_claimants_away(db: Database, clock: FakeClock) -> None:
    await add_personal(db, clock())
    repo = ReminderRepository(db)
    first = await claim(repo, now=clock(), owner="a:1", lease=timedelta(minutes=2), limit=10,
                              shards=ShardFilter())
    assert len(first) == 1
    assert await claim(repo, now=clock(), owner="b:1", lease=timedelta(minutes=2), limit=10,
                             shards=ShardFilter()) == []
    clock.advance(minutes=3)  # the lease expired: someone else takes over
    again = await claim(repo, now=clock(), owner="b:1", lease=timedelta(minutes=2), limit=10,
                              shards=ShardFilter())
    assert [c.batch_key for c in again] == [first[0].batch_key]


async def test_late_and_missed_at_start_up(db: Database, clock: FakeClock) -> None:
    await add_personal(db, clock() - timedelta(hours=7), text="too old")
    await add_personal(db, clock() - timedelta(hours=2), text="late one")
    sender = RecordingSender()
    engine = make_engine(db, clock, sender)
    await engine.start()
    try:
        await engine.run_once()
        await engine.drain()
    finally:
        await engine.stop()
    assert await states(db) == ["missed", "sent"]
    assert len(sender.sent) == 1 and "late one" in sender.sent[0][1] and "sent late" in sender.sent[0][1]


async def test_forbidden_marks_failed_without_retry(db: Database, clock: FakeClock) -> None:
    sender = RecordingSender(fail={77: SendError("403 Missing Access", permanent=True)})
    engine = make_engine(db, clock, sender)
    await add_personal(db, clock())
    await engine.run_once()
    await engine.drain()
    assert await states(db) == ["failed"]
    clock.advance(hours=1)
    assert await engine.run_once() == 0


async def test_server_errors_retry_with_backoff(db: Database, clock: FakeClock) -> None:
    sender = RecordingSender(fail={77: SendError("503 unavailable", permanent=False)})
    engine = make_engine(db, clock, sender)
    await add_personal(db, clock())
    await engine.run_once()
    await engine.drain()
    row = await db.fetchrow("SELECT state, attempts FROM reminders")
    assert row is not None and row["state"] == "pending" and row["attempts"] == 1
    assert await engine.run_once() == 0  # backing off
    clock.advance(seconds=2)
    assert await engine.run_once() == 1
    await engine.drain()
    assert await states(db) == ["sent"] and len(sender.sent) == 1


async def test_no_reminder_channel_fails_visibly(db: Database, clock: FakeClock) -> None:
    now = to_ms(clock())
    event_id = await db.fetchval(
        "INSERT INTO events (guild_id, title, kind, start_at, created_at, updated_at)"
        " VALUES ($1, 'X', 'meeting', $2, $2, $2) RETURNING id", GUILD, now + 3600_000)
    await db.execute(
        "INSERT INTO reminders (guild_id, event_id, moment, offset_seconds, due_at, state, created_at)"
        " VALUES ($1, $2, 'start', 3600, $3, 'pending', $3)", GUILD, event_id, now)
    engine = make_engine(db, clock, RecordingSender())
    await engine.run_once()
    await engine.drain()
    row = await db.fetchrow("SELECT state, error FROM reminders")
    assert row is not None and row["state"] == ReminderState.FAILED and "channel" in row["error"]


async def test_in_flight_is_bounded(db: Database, clock: FakeClock) -> None:
    for i in range(30):
        await add_personal(db, clock(), channel=100 + i)
    sender = RecordingSender(gate=asyncio.Event())
    engine = make_engine(db, clock, sender, max_in_flight=10, batch_size=4)
    # While sends are stuck, no more than max_in_flight rows are held in memory.
    assert await engine.run_once() == 10
    assert await engine.run_once() == 0
    sender.gate.set()  # type: ignore[union-attr]
    await engine.drain()
    while await engine.run_once():
        await engine.drain()
    assert len(sender.sent) == 30


async def test_shard_filter_claims_only_own_guilds(db: Database, clock: FakeClock) -> None:
    repo = ReminderRepository(db)
    rows = [(g << 22, 77, 5, "x", to_ms(clock()), to_ms(clock())) for g in range(6)]
    async with db.transaction() as tx:
        await repo.insert_many(tx, rows)
    mine = await claim(repo, now=clock(), owner="s0", lease=timedelta(minutes=1), limit=100,
                             shards=ShardFilter(count=2, ids=(0,)))
    assert sorted((c.guild_id or 0) >> 22 for c in mine) == [0, 2, 4]


@pytest.mark.parametrize("offset_hours", [1, 24])
async def test_planned_due_times_are_aware_utc(offset_hours: int) -> None:
    start = datetime(2014, 3, 31, 7, 0, tzinfo=UTC)
    planned = plan_event_reminders(event(start), [timedelta(hours=offset_hours)], datetime(2014, 1, 1, tzinfo=UTC))
    assert planned[0].due_at.utcoffset() == timedelta(0)


async def test_other_shards_overdue_rows_are_taken_over(db: Database, clock: FakeClock) -> None:
    repo = ReminderRepository(db)
    other = 1 << 22  # shard 1 of 2
    async with db.transaction() as tx:
        await repo.insert_many(tx, [(other, 77, 5, "x", to_ms(clock()), to_ms(clock()))])
    mine = ShardFilter(count=2, ids=(0,))
    lease = timedelta(seconds=30)
    assert await claim(repo, now=clock(), owner="s0", lease=lease, limit=10, shards=mine,
                             takeover_after=lease) == []
    clock.advance(seconds=31)  # its own process should have sent it by now: it is dead
    taken = await claim(repo, now=clock(), owner="s0", lease=lease, limit=10, shards=mine,
                              takeover_after=lease)
    assert [c.guild_id for c in taken] == [other]


async def test_rounds_claimed_together_or_while_busy_merge_into_one_message(
    db: Database, clock: FakeClock
) -> None:
    due = clock()
    for i in range(7):
        await add_personal(db, due + timedelta(seconds=i), text=f"item {i}")
    sender = RecordingSender()
    engine = make_engine(db, clock, sender, batch_size=2)  # four claim rounds
    clock.advance(seconds=10)
    await engine.run_once()
    await engine.drain()
    assert len(sender.sent) == 1
    assert sender.sent[0][1].count("item") == 7
    keys = {r["batch_key"] for r in await db.fetch("SELECT batch_key FROM reminders")}
    assert len(keys) == 1  # re-keyed before the send: a resend would carry the same nonce


async def test_a_batch_resumed_after_a_crash_is_not_merged(db: Database, clock: FakeClock) -> None:
    repo = ReminderRepository(db)
    await add_personal(db, clock(), text="sent before the crash")
    first = await claim(repo, now=clock(), owner="test:dead", lease=timedelta(minutes=2),
                              limit=10, shards=ShardFilter())
    await add_personal(db, clock(), text="new one")
    sender = RecordingSender()
    await sender.send(first[0].target, "x", nonce_for(first[0].batch_key, 0))  # it got out
    engine = make_engine(db, clock, sender)
    await engine.start()
    try:
        await engine.run_once()
        await engine.drain()
    finally:
        await engine.stop()
    # The resumed one was dropped by its nonce; the new one went out on its own.
    assert [c for _, c, _ in sender.sent][1:] == [
        c for _, c, _ in sender.sent if "new one" in c
    ]
    assert await states(db) == ["sent", "sent"]


async def test_global_budget_counts_until_a_window_after_the_response() -> None:
    from bot.discord_io.budget import GlobalBudget

    budget = GlobalBudget(3, window=0.2)
    for _ in range(3):
        await budget.acquire()
    blocked = asyncio.create_task(budget.acquire())
    await asyncio.sleep(0.05)
    assert not blocked.done()  # three in flight
    await budget.completed()
    await asyncio.sleep(0.1)
    assert not blocked.done()  # the answered one still counts for a window
    await asyncio.wait_for(blocked, 0.3)
