"""RSVP on both backends (SPEC 10): answers, the DM rows they plan beside the channel
reminders, what happens to those rows when the event or the answer changes, missed after
6 hours like any reminder, and a member whose DMs are closed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.domain.clock import FakeClock
from bot.domain.rsvp import RsvpStatus
from bot.errors import UserError
from bot.reminders import ReminderEngine, SendError
from bot.services import Services
from tests.storage.test_scheduler import RecordingSender

GUILD = 1 << 22
COORD, ALICE, BOB = 10, 11, 12
START = datetime(2014, 3, 23, 9, 0, tzinfo=UTC)


async def meeting(services: Services, title: str = "ICANN 49", when: str = "23 March 2014 09:00") -> int:
    await services.calendar.set_reminder_offsets(GUILD, COORD, "1d,1h")
    event = await services.calendar.add(GUILD, COORD, title=title, when=when, kind="meeting")
    return event.id


async def dm_rows(db: Database, user_id: int) -> list[tuple[str, datetime, str]]:
    rows = await db.fetch(
        "SELECT moment, due_at, state FROM reminders WHERE user_id = $1 AND event_id IS NOT NULL"
        " ORDER BY due_at, id",
        user_id,
    )
    return [(r["moment"], datetime.fromtimestamp(r["due_at"] / 1000, UTC), r["state"]) for r in rows]


async def test_answers_plan_and_drop_dm_rows(services: Services, db: Database) -> None:
    eid = await meeting(services)
    done = await services.rsvp.answer(GUILD, ALICE, eid, "going")
    assert done.previous is None and done.dms_ahead == 2
    due = [START - timedelta(days=1), START - timedelta(hours=1)]
    assert await dm_rows(db, ALICE) == [("start", d, "pending") for d in due]
    # Going -> Maybe keeps them (once); Not going drops them; Maybe again brings them back.
    done = await services.rsvp.answer(GUILD, ALICE, eid, "maybe")
    assert done.previous is RsvpStatus.GOING and len(await dm_rows(db, ALICE)) == 2
    done = await services.rsvp.answer(GUILD, ALICE, eid, "not-going")
    assert done.dms_ahead == 0 and await dm_rows(db, ALICE) == []
    await services.rsvp.answer(GUILD, ALICE, eid, "maybe")
    assert len(await dm_rows(db, ALICE)) == 2
    counts = await services.rsvp.counts(eid)
    assert (counts.going, counts.maybe, counts.not_going) == (0, 1, 0)
    # The channel reminders are untouched: one per offset.
    channel = await db.fetchval(
        "SELECT COUNT(*) FROM reminders WHERE event_id = $1 AND user_id IS NULL", eid
    )
    assert channel == 2


async def test_moving_or_postponing_the_event_moves_the_dms(
    services: Services, db: Database
) -> None:
    eid = await meeting(services)
    await services.rsvp.answer(GUILD, ALICE, eid, "going")
    await services.rsvp.answer(GUILD, BOB, eid, "not-going")
    await services.calendar.edit(GUILD, COORD, eid, when="24 March 2014 09:00")
    later = START + timedelta(days=1)
    assert [d for _, d, _ in await dm_rows(db, ALICE)] == [later - timedelta(days=1),
                                                         later - timedelta(hours=1)]
    assert await dm_rows(db, BOB) == []
    await services.calendar.edit(GUILD, COORD, eid, status="postponed")
    assert await dm_rows(db, ALICE) == []
    await services.calendar.edit(GUILD, COORD, eid, status="scheduled")
    assert len(await dm_rows(db, ALICE)) == 2
    await services.calendar.remove(GUILD, COORD, eid)
    assert await dm_rows(db, ALICE) == []


async def test_refusals(services: Services, clock: FakeClock) -> None:
    eid = await meeting(services)
    deadline = await services.calendar.add(
        GUILD, COORD, title="Submissions", when="24 January 2014 18:00", kind="deadline"
    )
    with pytest.raises(UserError, match="not a meeting"):
        await services.rsvp.answer(GUILD, ALICE, deadline.id, "going")
    with pytest.raises(UserError, match="not-going"):
        await services.rsvp.answer(GUILD, ALICE, eid, "perhaps")
    with pytest.raises(UserError, match="not a meeting"):
        await services.rsvp.attendees(GUILD, deadline.id)
    clock.now = START + timedelta(hours=2)
    with pytest.raises(UserError, match="over"):
        await services.rsvp.answer(GUILD, ALICE, eid, "going")


async def test_dm_rows_are_missed_after_six_hours_like_any_reminder(
    services: Services, db: Database, clock: FakeClock
) -> None:
    eid = await meeting(services)
    await services.rsvp.answer(GUILD, ALICE, eid, "going")
    sender = RecordingSender()
    clock.now = START - timedelta(days=1) + timedelta(hours=7)  # the 1d one is 7 hours late
    engine = ReminderEngine(services.reminder_repo, sender, clock)
    await engine.run_once()
    await engine.drain()
    assert sender.sent == []
    assert [s for _, _, s in await dm_rows(db, ALICE)] == ["missed", "pending"]
    clock.now = START - timedelta(minutes=30)  # the 1h one: 30 minutes late, sent late
    await engine.run_once()
    await engine.drain()
    dms = [(t, c) for t, c, _ in sender.sent if t[0] == "dm"]
    assert len(dms) == 1 and dms[0][0] == ("dm", ALICE) and "sent late" in dms[0][1]
    assert [s for _, _, s in await dm_rows(db, ALICE)] == ["missed", "sent"]


async def test_closed_dms_are_recorded_and_not_planned_again(
    services: Services, db: Database, clock: FakeClock
) -> None:
    eid = await meeting(services)
    other = await meeting(services, "WSIS Forum", "24 March 2014 09:00")
    await services.rsvp.answer(GUILD, ALICE, eid, "going")
    await services.rsvp.answer(GUILD, ALICE, other, "going")
    sender = RecordingSender()
    sender.fail[ALICE] = SendError("403 Cannot send messages to this user", permanent=True,
                                   dms_closed=True)
    clock.now = START - timedelta(days=1)
    engine = ReminderEngine(services.reminder_repo, sender, clock)
    await engine.run_once()
    await engine.drain()
    assert [s for _, _, s in await dm_rows(db, ALICE)] == ["failed"] * 4
    assert await services.rsvp.repo.refused(ALICE)
    # Replanning the event (an edit) plans no DMs for her while her DMs are closed.
    await services.calendar.edit(GUILD, COORD, other, when="25 March 2014 09:00")
    assert [s for _, _, s in await dm_rows(db, ALICE)] == ["failed"] * 4
    # Answering again opens the door: her DMs for that meeting are planned again.
    done = await services.rsvp.answer(GUILD, ALICE, other, "maybe")
    assert done.dms_were_closed and done.dms_ahead == 2
    assert not await services.rsvp.repo.refused(ALICE)


async def test_an_answer_racing_an_edit_follows_the_new_time(
    services: Services, db: Database
) -> None:
    """The answer locks the event's row (PostgreSQL), so its DMs copy the reminders the edit
    leaves, whichever commits first; on SQLite the writer lock already serializes them."""
    eid = await meeting(services)
    for attempt in range(5):
        when = f"{24 + attempt} March 2014 09:00"
        await asyncio.gather(
            services.rsvp.answer(GUILD, ALICE, eid, "going"),
            services.calendar.edit(GUILD, COORD, eid, when=when),
        )
        channel = await db.fetch(
            "SELECT due_at FROM reminders WHERE event_id = $1 AND user_id IS NULL"
            " AND state = 'pending' ORDER BY due_at",
            eid,
        )
        dms = await db.fetch(
            "SELECT due_at FROM reminders WHERE event_id = $1 AND user_id = $2"
            " AND state = 'pending' ORDER BY due_at",
            eid,
            ALICE,
        )
        assert [r["due_at"] for r in dms] == [r["due_at"] for r in channel], attempt
