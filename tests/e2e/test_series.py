"""Recurring meetings end to end (SPEC 10): the real bot and discord.py client on the emulator.
A weekly series across the spring DST change with its reminders at 14:00 local, one occurrence
cancelled, /upcoming and /event show, and the RRULE round trip through /event export and
/event import (and an outside calendar's series)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest

from bot.domain.clock import FakeClock
from bot.harness import RunningBot, World
from tests.e2e.test_reminders import poke_and_drain

pytestmark = pytest.mark.e2e


def stamp(year: int, month: int, day: int, hour: int) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp())


async def add_weekly_call(world: World) -> int:
    await world.run(world.coordinator, "reminders channel", channel=world.reminders)
    res = await world.run(
        world.coordinator, "event add", title="Weekly call", when="18 March 2014 14:00",
        timezone="Europe/Zurich", repeat="weekly", count=4,
    )
    assert not res.ephemeral, res.content
    m = re.search(r"#(\d+)", res.content)
    assert m
    # 18 March 14:00 in Zurich is 13:00 UTC; the last of four, 8 April, is 12:00 UTC (CEST).
    assert f"<t:{stamp(2014, 3, 18, 13)}:F>" in res.content
    assert (
        f"Repeats every Tuesday at 14:00 Zurich time, 4 times until <t:{stamp(2014, 4, 8, 12)}:D>"
        in res.content
    )
    return int(m.group(1))


async def test_weekly_series_across_dst_reminds_at_local_time(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    eid = await add_weekly_call(world)
    # Only the first occurrence holds reminders (1 November 2013: it is months away).
    rows = await bot.services.reminder_repo.for_event(eid)
    assert len(rows) == 3

    res = await world.run(
        world.coordinator, "event edit", id=str(eid), occurrence="25 March 2014",
        status="cancelled",
    )
    assert not res.ephemeral and "Cancelled" in res.content
    assert f"<t:{stamp(2014, 3, 25, 13)}:F>" in res.content

    # Each reminder when due, 7 days, 1 day and 1 hour before 14:00 local; the 25th is skipped
    # and from 1 April (summer time) 14:00 local is 12:00 UTC.
    expected = [
        ((2014, 3, 11, 13), (2014, 3, 18, 13)),
        ((2014, 3, 17, 13), (2014, 3, 18, 13)),
        ((2014, 3, 18, 12), (2014, 3, 18, 13)),
        ((2014, 3, 25, 13), (2014, 4, 1, 12)),  # 7 days before 1 April 14:00 CEST: 14:00 CET
        ((2014, 3, 31, 12), (2014, 4, 1, 12)),
        ((2014, 4, 1, 11), (2014, 4, 1, 12)),
        ((2014, 4, 1, 12), (2014, 4, 8, 12)),
        ((2014, 4, 7, 12), (2014, 4, 8, 12)),
        ((2014, 4, 8, 11), (2014, 4, 8, 12)),
    ]
    for n, (due, starts) in enumerate(expected, start=1):
        clock.now = datetime(*due, tzinfo=UTC) - timedelta(minutes=1)
        await poke_and_drain(bot)
        assert len(world.emu.channel_messages(world.reminders)) == n - 1, due  # not early
        clock.now = datetime(*due, tzinfo=UTC)
        await poke_and_drain(bot)
        posted = world.emu.channel_messages(world.reminders)
        assert len(posted) == n, due
        assert "**Weekly call** starts" in posted[-1].content
        assert f"<t:{stamp(*starts)}:F>" in posted[-1].content, (due, posted[-1].content)
    assert await bot.services.reminder_repo.count_by_state() == {"sent": 9}


async def test_upcoming_and_show_list_the_occurrences(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    eid = await add_weekly_call(world)
    await world.run(
        world.coordinator, "event edit", id=str(eid), occurrence="1 April 2014",
        when="2 April 2014 10:00 CEST", title="Weekly call (moved)",
    )
    clock.now = datetime(2014, 3, 10, tzinfo=UTC)
    res = await world.run(world.bob, "upcoming", days=60)
    lines = [ln for ln in res.content.splitlines() if f"**#{eid}**" in ln]
    assert len(lines) == 4 and all("repeats" in ln for ln in lines)
    assert f"<t:{stamp(2014, 4, 2, 8)}:F>" in lines[2] and "Weekly call (moved)" in lines[2]
    assert "· 4" in res.content.splitlines()[0]

    res = await world.run(world.bob, "event show", id=str(eid))
    assert "Repeats every Tuesday at 14:00 Zurich time, 4 times" in res.content
    assert f"Next: <t:{stamp(2014, 3, 18, 13)}:F>" in res.content
    assert f"moved to <t:{stamp(2014, 4, 2, 8)}:F>" in res.content


async def test_bad_series_input_gets_one_private_sentence(world: World, bot: RunningBot) -> None:
    eid = await add_weekly_call(world)
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("event add", {"title": "X", "when": "18 March 2014 14:00", "repeat": "weekly",
                       "until": "30 June 2014", "count": 3}, "not both"),
        ("event add", {"title": "X", "when": "18 March 2014 14:00",
                       "repeat": "FREQ=WEEKLY;BYDAY=XX"}, "RRULE"),
        ("event add", {"title": "X", "when": "18 March 2014 14:00", "repeat": "now and then"},
         "monthly on the first Tuesday"),
        ("event add", {"title": "X", "when": "18 March 2014 14:00", "count": 3}, "add `repeat`"),
        ("event edit", {"id": str(eid), "occurrence": "26 March 2014", "status": "cancelled"},
         "has no occurrence on <t:"),
        ("event edit", {"id": str(eid), "occurrence": "25 March 2014", "kind": "deadline"},
         "belong to the whole series"),
    ]
    for command, options, says in cases:
        res = await world.run(world.coordinator, command, **options)
        assert res.ephemeral and says in res.content, (options, res.content)
        assert "\n" not in res.content.strip()
    assert await bot.services.calendar.repo.count(world.guild.id) == 1


OUTSIDE_ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Outside//Calendar//EN\r
BEGIN:VEVENT\r
UID:igf-mag@outside\r
SUMMARY:IGF MAG call\r
DTSTART;TZID=Europe/Zurich:20140304T160000\r
DTEND;TZID=Europe/Zurich:20140304T170000\r
RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=5\r
EXDATE;TZID=Europe/Zurich:20140318T160000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:igf-mag@outside\r
RECURRENCE-ID;TZID=Europe/Zurich:20140401T160000\r
SUMMARY:IGF MAG call (Paris)\r
DTSTART;TZID=Europe/Zurich:20140402T160000\r
DTEND;TZID=Europe/Zurich:20140402T170000\r
LOCATION:Paris\r
END:VEVENT\r
END:VCALENDAR\r
"""


async def test_rrule_round_trip_and_an_outside_series(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    eid = await add_weekly_call(world)
    await world.run(
        world.coordinator, "event edit", id=str(eid), occurrence="25 March 2014",
        status="cancelled",
    )
    res = await world.run(world.alice, "event export")
    (name, data), = [a for m in res.messages for a in m.attachments]
    cal = icalendar.Calendar.from_ical(data)
    (vevent,) = cal.walk("VEVENT")
    assert vevent["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=4"
    assert b"EXDATE;TZID=Europe/Zurich:20140325T140000" in data

    res = await world.run(world.coordinator, "event import", attachments={"file": (name, data)})
    assert "0 new, 0 updated, 1 unchanged" in res.text()
    assert await bot.services.calendar.repo.count(world.guild.id) == 1

    res = await world.run(
        world.coordinator, "event import", attachments={"file": ("mag.ics", OUTSIDE_ICS)}
    )
    assert "1 new, 0 updated" in res.text()
    assert await bot.services.calendar.repo.count(world.guild.id) == 2
    m = re.search(r"\*\*#(\d+)\*\* IGF MAG call", res.text())
    assert m
    res = await world.run(world.bob, "event show", id=m.group(1))
    assert "Repeats every 2 weeks on Tuesday at 16:00 Zurich time, 5 times" in res.content
    assert f"<t:{stamp(2014, 3, 18, 15)}:F>: cancelled" in res.content
    assert "called IGF MAG call (Paris)" in res.content and "at Paris" in res.content

    clock.now = datetime(2014, 3, 1, tzinfo=UTC)
    res = await world.run(world.bob, "upcoming", days=60)
    mag = [ln for ln in res.content.splitlines() if "IGF MAG" in ln]
    # 4 March, 18 March (cancelled: not listed), 1 April (moved to the 2nd, in Paris), 15 and
    # 29 April.
    assert len(mag) == 4
    assert any("IGF MAG call (Paris)" in ln and "Paris" in ln for ln in mag)
