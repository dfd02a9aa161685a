"""The reminder engine under faults (issue 11): crashes mid-batch, outages, takeovers, leases.

Each test runs on a real SQLite file and a real PostgreSQL database. A "crash" is a sender that
delivers some messages and then stops the engine dead, the way SIGKILL would: nothing after
the last delivered message is recorded.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.db import Database, to_ms
from bot.db.reminders import ReminderRepository, ShardFilter
from bot.domain.clock import FakeClock
from bot.reminders import ReminderEngine
from tests.storage.test_scheduler import (
    GUILD,
    RecordingSender,
    add_personal,
    claim,
    make_engine,
    states,
)


class Crash(BaseException):
    """The process dies here (a BaseException, like the cancellation SIGKILL never gives)."""


class CrashingSender(RecordingSender):
    """Delivers `deliver` messages, then dies on the next send."""

    def __init__(self, deliver: int) -> None:
        super().__init__()
        self.deliver = deliver

    async def send(
        self, target: tuple[str, int], content: str, nonce: str, *, mention_role: int | None = None
    ) -> int:
        if len(self.sent) >= self.deliver:
            raise Crash()
        return await super().send(target, content, nonce, mention_role=mention_role)


def delivered_items(sender: RecordingSender) -> list[str]:
    return re.findall(r"item \d+", "\n".join(c for _, c, _ in sender.sent))


async def run_until_crash(engine: ReminderEngine) -> None:
    try:
        await engine.run_once()
        await asyncio.wait_for(engine.drain(), 10)
    except Crash:
        pass
    # The worker task died with Crash; the engine is abandoned as a killed process would be.
    for task in list(engine._workers.values()):
        task.cancel()
    await asyncio.sleep(0)


# ------------------------------------------------------------------ 11.1 split batches


async def test_a_multi_part_batch_resent_late_posts_each_line_once(
    db: Database, clock: FakeClock
) -> None:
    due = clock()
    # 40 lines of ~100 characters due in the same minute to one channel: three messages.
    for i in range(40):
        await add_personal(db, due, text=f"item {i} " + "x" * 80)
    # Discord keeps every message of the first attempt (it drops a resend by its nonce).
    sender = CrashingSender(deliver=1)
    await run_until_crash(make_engine(db, clock, sender))
    assert len(sender.sent) == 1
    first_part = delivered_items(sender)
    assert 0 < len(first_part) < 40
    # The process comes back two minutes later: every line is now "sent late".
    clock.advance(minutes=2)
    resender = RecordingSender(seen_nonces=set(sender.seen_nonces), sent=list(sender.sent))
    engine = make_engine(db, clock, resender)
    await engine.start()
    try:
        await engine.run_once()
        await engine.drain()
    finally:
        await engine.stop()
    items = delivered_items(resender)
    assert sorted(items) == sorted(f"item {i}" for i in range(40))  # each line exactly once
    assert all(len(c) <= 2000 for _, c, _ in resender.sent)
    assert await states(db) == ["sent"] * 40


async def test_parts_already_delivered_are_recorded_before_the_next(
    db: Database, clock: FakeClock
) -> None:
    for i in range(40):
        await add_personal(db, clock(), text=f"item {i} " + "x" * 80)
    sender = CrashingSender(deliver=1)
    await run_until_crash(make_engine(db, clock, sender))
    rows = await db.fetch("SELECT body, state FROM reminders ORDER BY id")
    sent = [r["body"].split()[1] for r in rows if r["state"] == "sent"]
    assert sent and sorted(f"item {i}" for i in sent) == sorted(delivered_items(sender))


# ------------------------------------------------------------------ 11.16 missed everywhere


async def test_a_long_outage_while_running_marks_missed_instead_of_sending(
    db: Database, clock: FakeClock
) -> None:
    sender = RecordingSender()
    engine = make_engine(db, clock, sender)
    await engine.start()
    try:
        await add_personal(db, clock() + timedelta(minutes=5), text="stale")
        # The machine sleeps (or the database is down) for seven hours.
        clock.advance(hours=7)
        await engine.run_once()
        await engine.drain()
    finally:
        await engine.stop()
    assert sender.sent == []
    assert await states(db) == ["missed"]


async def test_a_takeover_marks_the_dead_shards_stale_reminders_missed(
    db: Database, clock: FakeClock
) -> None:
    repo = ReminderRepository(db)
    other = 1 << 22  # shard 1 of 2: its process died long ago
    async with db.transaction() as tx:
        await repo.insert_many(tx, [
            (other, 77, 5, "stale", to_ms(clock() - timedelta(hours=7)), to_ms(clock() - timedelta(days=1))),
            (other, 77, 5, "recent", to_ms(clock() - timedelta(minutes=5)), to_ms(clock() - timedelta(days=1))),
        ])
    sender = RecordingSender()
    engine = make_engine(db, clock, sender, shards=ShardFilter(count=2, ids=(0,)))
    await engine.start()
    try:
        await engine.run_once()
        await engine.drain()
    finally:
        await engine.stop()
    assert [c for _, c, _ in sender.sent if "stale" in c] == []
    assert any("recent" in c for _, c, _ in sender.sent)
    assert await states(db) == ["missed", "sent"]


# ------------------------------------------------------------------ 11.18 no spinning


class CountingRepo(ReminderRepository):
    claims = 0

    async def claim_due(self, **kw):  # type: ignore[no-untyped-def, override]
        self.claims += 1
        return await super().claim_due(**kw)


async def _claims_while(db: Database, clock: FakeClock, sender: RecordingSender) -> int:
    repo = CountingRepo(db)
    engine = ReminderEngine(repo, sender, clock, name="test", retry_base=30.0)
    await engine.start()
    try:
        await asyncio.sleep(0.6)
    finally:
        await engine.stop()
    return repo.claims


async def test_the_engine_does_not_spin_while_a_reminder_is_being_sent(
    db: Database, clock: FakeClock
) -> None:
    await add_personal(db, clock())
    sender = RecordingSender(gate=asyncio.Event())  # the channel is held: the send waits
    assert await _claims_while(db, clock, sender) <= 3


async def test_the_engine_does_not_spin_while_a_reminder_backs_off(
    db: Database, clock: FakeClock
) -> None:
    from bot.reminders import SendError

    await add_personal(db, clock())
    sender = RecordingSender(fail={77: SendError("503", permanent=False)})
    assert await _claims_while(db, clock, sender) <= 3


async def test_the_engine_does_not_spin_on_another_process_lease(
    db: Database, clock: FakeClock
) -> None:
    await add_personal(db, clock())
    await claim(
        ReminderRepository(db), now=clock(), owner="other:1", lease=timedelta(minutes=5), limit=10, shards=ShardFilter()
    )
    assert await _claims_while(db, clock, RecordingSender()) <= 3


async def test_the_alarm_is_set_for_a_backoff_and_a_lease_ending(
    db: Database, clock: FakeClock
) -> None:
    repo = ReminderRepository(db)
    await add_personal(db, clock())
    claimed = await claim(repo, now=clock(), owner="other:1", lease=timedelta(minutes=5),
                          limit=10, shards=ShardFilter())
    # Held by another process: claimable again when its lease ends, not before, not never.
    assert await repo.next_due(ShardFilter(), now=clock(), owner="me") == clock() + timedelta(minutes=5)
    async with db.transaction() as tx:
        await repo.retry_later(tx, [claimed[0].id], clock() + timedelta(seconds=8), "503")
    assert await repo.next_due(ShardFilter(), now=clock(), owner="other:1") == clock() + timedelta(seconds=8)


async def test_a_lease_renewal_does_not_overwrite_a_backoff(db: Database, clock: FakeClock) -> None:
    repo = ReminderRepository(db)
    await add_personal(db, clock())
    claimed = await claim(repo, now=clock(), owner="me", lease=timedelta(seconds=30),
                          limit=10, shards=ShardFilter())
    ids = [c.id for c in claimed]
    backoff = clock() + timedelta(minutes=10)
    async with db.transaction() as tx:
        await repo.retry_later(tx, ids, backoff, "503")
    # The renewal task had read the ids before the backoff was recorded.
    async with db.transaction() as tx:
        await repo.renew(tx, ids, "me", clock() + timedelta(seconds=30))
    lease = await db.fetchval("SELECT lease_until FROM reminders")
    assert lease == to_ms(backoff)


# ------------------------------------------------------------------ 11.19 all-day, DST


async def test_an_all_day_personal_reminder_fires_at_nine_local_on_a_dst_day(
    db: Database, clock: FakeClock
) -> None:
    from bot.services import Services

    services = Services.build(db, FakeClock(datetime(2014, 3, 20, 12, 0, tzinfo=UTC)))
    # Sunday 30 March 2014: Zurich moves from CET to CEST at 02:00; 09:00 CEST is 07:00 UTC.
    spring = await services.reminders.remind(
        guild_id=GUILD, user_id=5, when="30 March 2014", text="spring", timezone="Europe/Zurich"
    )
    assert spring.due_at == datetime(2014, 3, 30, 7, 0, tzinfo=UTC)
    # Sunday 26 October 2014: back to CET at 03:00; 09:00 CET is 08:00 UTC.
    autumn = await services.reminders.remind(
        guild_id=GUILD, user_id=5, when="26 October 2014", text="autumn", timezone="Europe/Zurich"
    )
    assert autumn.due_at == datetime(2014, 10, 26, 8, 0, tzinfo=UTC)


# ------------------------------------------------------------------ 11.2 a retried /remind


async def test_the_same_personal_reminder_set_twice_is_kept_once(
    db: Database, clock: FakeClock
) -> None:
    from bot.services import Services

    services = Services.build(db, clock)
    args: dict[str, Any] = {"guild_id": GUILD, "user_id": 5, "when": "in 2 hours", "timezone": "UTC"}
    first = await services.reminders.remind(text="send the comments", **args)
    again = await services.reminders.remind(text="send the comments", **args)
    assert again.id == first.id
    other = await services.reminders.remind(text="send the comments", channel_id=77, **args)
    assert other.id != first.id
    clock.advance(minutes=11)
    later = await services.reminders.remind(
        guild_id=GUILD, user_id=5, when=first.due_at.isoformat(), timezone="UTC",
        text="send the comments",
    )
    assert later.id not in (first.id, other.id)
    assert await db.fetchval("SELECT COUNT(*) FROM reminders") == 3
