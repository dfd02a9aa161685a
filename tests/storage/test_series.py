"""Recurring events on SQLite and PostgreSQL (SPEC 10): a series holds reminders for its next
occurrences only; recording one sent (or missed) plans the following ones in the same
transaction, once; one occurrence changed or cancelled; listings show the occurrences."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.db.migrations import apply_migrations
from bot.db.reminder_followups import top_up_series
from bot.db.reminders import ReminderRepository
from bot.domain.clock import FakeClock
from bot.domain.models import ReminderState
from bot.errors import UserError
from bot.services import Services
from tests.storage.test_scheduler import RecordingSender, make_engine

G = 1 << 22
ACTOR = 42
CHANNEL = 555


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def weekly_call(services: Services, **kw: object) -> int:
    """Tuesdays 14:00 in Zurich from 18 March 2014, four times (DST begins 30 March)."""
    await services.settings.set_reminder_channel(G, ACTOR, CHANNEL)
    event = await services.calendar.add(
        G, ACTOR, title="Weekly call", when="18 March 2014 14:00", timezone="Europe/Zurich",
        repeat="weekly", **kw,
    )
    assert event.rrule is not None
    return event.id


async def pending(repo: ReminderRepository, event_id: int) -> list[tuple[datetime, datetime]]:
    """(occurrence start as the reminder names it, due) of pending rows, by due."""
    rows = await repo.db.fetch(
        "SELECT occurrence_at, due_at FROM reminders WHERE event_id = $1 AND state = 'pending'"
        " ORDER BY due_at",
        event_id,
    )
    return [
        (datetime.fromtimestamp(r["occurrence_at"] / 1000, UTC),
         datetime.fromtimestamp(r["due_at"] / 1000, UTC))
        for r in rows
    ]


async def test_only_the_next_occurrence_is_planned_and_a_send_plans_the_next(
    services: Services, clock: FakeClock
) -> None:
    eid = await weekly_call(services, count=4)
    repo = services.reminder_repo
    # 1 November 2013: only 18 March has reminders (7d, 1d and 1h before, 14:00 local = 13:00Z).
    assert await pending(repo, eid) == [
        (utc(2014, 3, 18, 13), utc(2014, 3, 11, 13)),
        (utc(2014, 3, 18, 13), utc(2014, 3, 17, 13)),
        (utc(2014, 3, 18, 13), utc(2014, 3, 18, 12)),
    ]
    sender = RecordingSender()
    engine = make_engine(services.db, clock, sender)
    clock.now = utc(2014, 3, 11, 13)
    assert await engine.run_once() == 1
    await engine.drain()
    assert "**Weekly call** starts" in sender.sent[0][1] and "<t:1395147600:F>" in sender.sent[0][1]
    # The send planned 25 March (its 7-day reminder is due when 18 March is).
    assert [o for o, _ in await pending(repo, eid)] == [utc(2014, 3, 18, 13)] * 2 + [
        utc(2014, 3, 25, 13)] * 3

    # Through the DST change: 1 April 14:00 is 12:00 UTC; its reminders keep local time.
    for day in (17, 18, 24, 25):
        clock.now = utc(2014, 3, day, 13) if day in (17, 24) else utc(2014, 3, day, 12)
        await engine.run_once()
        await engine.drain()
    left = await pending(repo, eid)
    assert (utc(2014, 4, 1, 12), utc(2014, 3, 31, 12)) in left  # 1d before: 14:00 CEST
    assert (utc(2014, 4, 1, 12), utc(2014, 4, 1, 11)) in left  # 1h before
    assert {o for o, _ in left} == {utc(2014, 4, 1, 12), utc(2014, 4, 8, 12)}


async def test_topping_up_twice_plans_once(services: Services, clock: FakeClock) -> None:
    eid = await weekly_call(services)  # open-ended
    repo = services.reminder_repo
    clock.now = utc(2014, 3, 11, 13, 30)
    for _ in range(2):  # a retry after a crash runs the same planning again
        async with services.db.transaction() as tx:
            await top_up_series(tx, {eid}, clock.now)
    rows = await pending(repo, eid)
    assert len(rows) == len(set(rows))
    assert {o for o, _ in rows} == {utc(2014, 3, 18, 13), utc(2014, 3, 25, 13)}


async def test_two_processes_topping_up_at_once_plan_once(
    services: Services, clock: FakeClock
) -> None:
    eid = await weekly_call(services)
    now = utc(2014, 3, 11, 13, 30)

    async def top_up() -> None:
        async with services.db.transaction() as tx:
            await top_up_series(tx, {eid}, now)

    await asyncio.gather(top_up(), top_up())
    rows = await pending(services.reminder_repo, eid)
    assert len(rows) == len(set(rows)) == 6


async def test_a_missed_occurrence_still_plans_the_next(services: Services, clock: FakeClock) -> None:
    eid = await weekly_call(services)
    engine = make_engine(services.db, clock, RecordingSender())
    clock.now = utc(2014, 3, 19)  # the bot was down through 18 March
    await engine.run_once()
    await engine.drain()
    rows = await pending(services.reminder_repo, eid)
    # 25 March (within 7 days) and 1 April (the first beyond: its 7-day reminder is to come).
    assert {o for o, _ in rows} == {utc(2014, 3, 25, 13), utc(2014, 4, 1, 12)}
    states = {r.state for r in await services.reminder_repo.for_event(eid)}
    assert ReminderState.MISSED in states


async def test_one_occurrence_moved_or_cancelled(services: Services, clock: FakeClock) -> None:
    eid = await weekly_call(services, count=4)
    cal = services.calendar
    clock.now = utc(2014, 3, 20)
    moved = await cal.edit_occurrence(
        G, ACTOR, eid, "1 April 2014", when="2 April 2014 10:00 CEST", title="Call (moved)"
    )
    assert moved.changes == ("when", "title")
    assert moved.after.start == utc(2014, 4, 2, 8) and moved.after.title == "Call (moved)"
    cancelled = await cal.edit_occurrence(G, ACTOR, eid, "25 March 2014", status="cancelled")
    assert cancelled.cancelled
    listed = await cal.upcoming(G, 30)
    assert [(e.start, e.title) for e in listed] == [
        (utc(2014, 4, 2, 8), "Call (moved)"),
        (utc(2014, 4, 8, 12), "Weekly call"),
    ]
    assert await cal.count_upcoming(G, 30) == 2
    assert await cal.count_upcoming_and_series(G, 30) == (2, True)
    assert await cal.upcoming(G, 30, series=True) == listed
    assert await cal.upcoming_page(G, 30, "all", None, size=1, index=1, cap=1_000) == (
        2, 1, listed[1:]
    )
    assert await cal.upcoming(G, 30, limit=1, offset=1) == listed[1:]
    # No reminder for the cancelled one; the moved one's reminders follow it, as rescheduled.
    rows = await services.reminder_repo.for_event(eid)
    live = [r for r in rows if r.state is ReminderState.PENDING]
    assert all(r.due_at > utc(2014, 3, 25, 13) for r in live)
    assert any(r.rescheduled and r.due_at == utc(2014, 4, 2, 7) for r in live)

    with pytest.raises(UserError, match="no occurrence on"):
        await cal.edit_occurrence(G, ACTOR, eid, "26 March 2014", status="cancelled")
    with pytest.raises(UserError, match="not postponed"):
        await cal.edit_occurrence(G, ACTOR, eid, "8 April 2014", status="postponed")
    # Restoring it brings its reminders back.
    await cal.edit_occurrence(G, ACTOR, eid, "25 March 2014", status="scheduled")
    assert {o for o, _ in await pending(services.reminder_repo, eid)} >= {utc(2014, 3, 25, 13)}


async def test_bad_repeat_creates_nothing(services: Services, clock: FakeClock) -> None:
    cal = services.calendar
    for kw, says in (
        ({"repeat": "weekly", "until": "1 June 2014", "count": 3}, "not both"),
        ({"repeat": "FREQ=SOMETIMES"}, "RRULE"),
        ({"until": "1 June 2014"}, "add `repeat`"),
        ({"repeat": "weekly", "until": "1 March 2014"}, "before the first occurrence"),
    ):
        with pytest.raises(UserError, match=says):
            await cal.add(G, ACTOR, title="Call", when="18 March 2014 14:00", **kw)
    assert await cal.repo.count(G) == 0


async def test_editing_the_series_moves_every_occurrence(
    services: Services, clock: FakeClock
) -> None:
    eid = await weekly_call(services, until="8 April 2014")
    cal = services.calendar
    await cal.edit_occurrence(G, ACTOR, eid, "25 March 2014", status="cancelled")
    edited = await cal.edit(G, ACTOR, eid, when="19 March 2014 15:00", timezone="Europe/Zurich")
    assert edited.after.series_end == utc(2014, 4, 2, 13)  # Wednesdays now, 15:00 CEST
    # 25 March is no longer an occurrence: its change went with it.
    assert await cal.repo.changes_of(services.db, eid) == []
    monthly = await cal.add(
        G, ACTOR, title="Monthly", when="18 March 2014 14:00", repeat="monthly", count=3
    )
    edited = await cal.edit(G, ACTOR, monthly.id, when="20 March 2014 14:00")
    assert edited.after.rrule == "FREQ=MONTHLY;BYMONTHDAY=20;COUNT=3"
    assert edited.after.start == utc(2014, 3, 20, 14)  # the server's zone: UTC
    edited = await cal.edit(G, ACTOR, eid, count=2)
    assert edited.after.rrule == "FREQ=WEEKLY;COUNT=2" and "repeat" in edited.changes
    edited = await cal.edit(G, ACTOR, eid, repeat="none")
    assert edited.after.rrule is None and edited.after.series_end is None


async def test_export_and_import_keep_the_series(services: Services, clock: FakeClock) -> None:
    eid = await weekly_call(services, count=4)
    cal = services.calendar
    await cal.edit_occurrence(G, ACTOR, eid, "25 March 2014", status="cancelled")
    await cal.edit_occurrence(G, ACTOR, eid, "1 April 2014", location="Room B")
    exported = await cal.export_ics(G)
    assert b"RRULE:FREQ=WEEKLY;COUNT=4" in exported.data and b"EXDATE" in exported.data
    again = await cal.import_ics(G, ACTOR, exported.data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    other = G + 1
    fresh = await cal.import_ics(other, ACTOR, exported.data)
    (series,) = await cal.repo.all(other)
    assert fresh.created == 1 and series.rrule == "FREQ=WEEKLY;COUNT=4"
    assert await cal.repo.changes_of(services.db, series.id) == await cal.repo.changes_of(
        services.db, eid
    )
    assert (await cal.export_ics(G, 30)).count == 0  # nothing within 30 days of November
    assert (await cal.export_ics(G, 200)).count == 1


async def test_migrations_apply_a_lower_version_that_arrives_later(services: Services) -> None:
    db = services.db
    await db.execute("DELETE FROM schema_version WHERE version = 2")
    await db.execute("DROP INDEX events_guild_span")
    await db.execute("ALTER TABLE events DROP COLUMN span_ms")
    assert await apply_migrations(db) >= 10
    assert await db.fetchval("SELECT COUNT(*) FROM schema_version WHERE version = 2") == 1



async def test_an_edit_and_a_send_at_once_do_not_deadlock(
    services: Services, clock: FakeClock
) -> None:
    """The edit locks the series, then deletes its pending reminders; the send records one of
    them and plans the next occurrences. Both take the series first, so the second waits."""
    eid = await weekly_call(services)
    (first, *_) = await services.reminder_repo.for_event(eid)
    now = utc(2014, 3, 11, 13)

    async def send() -> None:
        async with services.db.transaction() as tx:
            await ReminderRepository.mark_sent(tx, [first.id], now, 1)

    async with services.db.transaction() as tx:
        await services.calendar.repo.get_in(tx, G, eid, for_update=True)
        sending = asyncio.create_task(send())
        await asyncio.sleep(0.3)  # the send is now waiting on the series (PostgreSQL)
        await ReminderRepository.delete_for_event(tx, eid)
    await asyncio.wait_for(sending, 10)  # a deadlock would raise here (PostgreSQL aborts one)
    # The edit removed the pending rows first, so the send recorded nothing (an edit replans
    # in its own transaction; here it only deleted); whatever was planned is planned once.
    rows = await services.reminder_repo.for_event(eid)
    assert first.id not in {r.id for r in rows}
    assert all(r.state is ReminderState.PENDING for r in rows)
    planned = await pending(services.reminder_repo, eid)
    assert len(planned) == len(set(planned))


async def test_members_going_to_a_series_get_dms_for_the_occurrences_planned_later(
    services: Services, clock: FakeClock
) -> None:
    """RSVP meets series: an answer covers every occurrence, so the reminders a send plans for
    the following occurrence get their DM copies in the same transaction, once."""
    eid = await weekly_call(services, count=3)
    await services.calendar.set_reminder_offsets(G, ACTOR, "1h")
    await services.rsvp.answer(G, 7, eid, "going")
    await services.rsvp.answer(G, 8, eid, "not-going")
    sender = RecordingSender()
    engine = make_engine(services.db, clock, sender)
    for due in (utc(2014, 3, 18, 12), utc(2014, 3, 25, 12), utc(2014, 4, 1, 11)):
        clock.now = due
        await engine.run_once()
        await engine.drain()
    channel = [text for target, text, *_ in sender.sent if target == ("channel", CHANNEL)]
    dms = [text for target, text, *_ in sender.sent if target == ("dm", 7)]
    assert len(channel) == 3 and len(dms) == 3, sender.sent
    assert not [t for t, *_ in sender.sent if t == ("dm", 8)]
    assert "<t:1396353600:F>" in dms[-1]  # 1 April 14:00 Zurich (summer time) = 12:00Z
    rows = await services.db.fetch(
        "SELECT due_at, COUNT(*) AS n FROM reminders WHERE event_id = $1 AND user_id = 7"
        " GROUP BY due_at", eid,
    )
    assert [int(r["n"]) for r in rows] == [1, 1, 1]
