"""A repeating /remind through the engine, on SQLite and PostgreSQL (SPEC 10): only the next
occurrence is stored, added in the transaction that records the send (or the miss), at the
same local time; cancelling the pending one stops the series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db.reminders import ReminderRepository
from bot.domain.clock import FakeClock
from bot.domain.models import ReminderState
from bot.services import Services
from tests.storage.test_scheduler import RecordingSender, make_engine

GUILD = 1 << 22


async def remind_weekly(services: Services, clock: FakeClock) -> None:
    # Monday 24 March 2014 09:00 in Zurich (08:00 UTC); the clocks change on the 30th.
    clock.now = datetime(2014, 3, 23, 12, 0, tzinfo=UTC)
    made = await services.reminders.remind(
        guild_id=GUILD, user_id=5, when="24 March 2014 9:00", text="weekly call",
        timezone="Europe/Zurich", repeat="weekly",
    )
    assert made.due_at == datetime(2014, 3, 24, 8, 0, tzinfo=UTC)
    assert made.repeat is not None and made.member_seq == 1


async def test_a_sent_occurrence_schedules_the_next_at_the_same_local_time(
    services: Services, clock: FakeClock
) -> None:
    await remind_weekly(services, clock)
    sender = RecordingSender()
    engine = make_engine(services.db, clock, sender)
    clock.now = datetime(2014, 3, 24, 8, 0, tzinfo=UTC)
    assert await engine.run_once() == 1
    await engine.drain()
    assert len(sender.sent) == 1 and "weekly call" in sender.sent[0][1]
    pending = await services.reminders.mine(GUILD, 5)
    assert len(pending) == 1
    nxt = pending[0]
    assert nxt.due_at == datetime(2014, 3, 31, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert (nxt.member_seq, nxt.text, nxt.channel_id, nxt.repeat, nxt.timezone) == (
        1, "weekly call", None, pending[0].repeat, "Europe/Zurich")
    assert nxt.repeat is not None

    # The next one goes out in its turn and plans the one after.
    clock.now = datetime(2014, 3, 31, 7, 0, tzinfo=UTC)
    assert await engine.run_once() == 1
    await engine.drain()
    assert len(sender.sent) == 2
    assert [r.due_at for r in await services.reminders.mine(GUILD, 5)] == [
        datetime(2014, 4, 7, 7, 0, tzinfo=UTC)]


async def test_cancelling_stops_the_series(services: Services, clock: FakeClock) -> None:
    await remind_weekly(services, clock)
    await services.reminders.cancel(GUILD, 5, 1)
    sender = RecordingSender()
    engine = make_engine(services.db, clock, sender)
    clock.now = datetime(2014, 3, 24, 8, 0, tzinfo=UTC)
    assert await engine.run_once() == 0
    await engine.drain()
    clock.advance(days=30)
    assert await engine.run_once() == 0
    assert sender.sent == [] and await services.reminders.mine(GUILD, 5) == []
    rows = await services.db.fetch("SELECT state FROM reminders")
    assert [r["state"] for r in rows] == ["cancelled"]


async def test_cancelling_after_a_send_stops_the_next(services: Services, clock: FakeClock) -> None:
    await remind_weekly(services, clock)
    sender = RecordingSender()
    engine = make_engine(services.db, clock, sender)
    clock.now = datetime(2014, 3, 24, 8, 0, tzinfo=UTC)
    await engine.run_once()
    await engine.drain()
    await services.reminders.cancel(GUILD, 5, 1)
    clock.now = datetime(2014, 3, 31, 7, 0, tzinfo=UTC)
    assert await engine.run_once() == 0
    assert len(sender.sent) == 1 and await services.reminders.mine(GUILD, 5) == []


async def test_a_missed_occurrence_schedules_the_next(services: Services, clock: FakeClock) -> None:
    await remind_weekly(services, clock)
    sender = RecordingSender()
    engine = make_engine(services.db, clock, sender)
    # The bot was down from before the 24th until the 25th at noon: that one is missed.
    clock.now = datetime(2014, 3, 25, 12, 0, tzinfo=UTC)
    assert await engine.run_once() == 0
    await engine.drain()
    assert sender.sent == []
    repo = ReminderRepository(services.db)
    states = [r.state for r in await repo.all_for_guild(GUILD)]
    assert states == [ReminderState.MISSED, ReminderState.PENDING]
    assert [r.due_at for r in await services.reminders.mine(GUILD, 5)] == [
        datetime(2014, 3, 31, 7, 0, tzinfo=UTC)]


async def test_a_batch_of_many_sends_only_repeats_the_repeating(
    services: Services, clock: FakeClock
) -> None:
    await remind_weekly(services, clock)
    for i in range(5):
        await services.reminders.remind(
            guild_id=GUILD, user_id=5, when="24 March 2014 9:00", text=f"once {i}",
            timezone="Europe/Zurich",
        )
    sender = RecordingSender()
    engine = make_engine(services.db, clock, sender)
    clock.now = datetime(2014, 3, 24, 8, 0, tzinfo=UTC)
    assert await engine.run_once() == 6
    await engine.drain()
    assert len(sender.sent) == 1  # one DM: same member, same minute
    mine = await services.reminders.mine(GUILD, 5)
    assert [(r.member_seq, r.text) for r in mine] == [(1, "weekly call")]
    assert mine[0].due_at == datetime(2014, 3, 24, 8, 0, tzinfo=UTC) + timedelta(days=7, hours=-1)
