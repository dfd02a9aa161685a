"""End to end through the emulator: /event add|edit|remove|show|import|export and /upcoming."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from bot.domain.clock import FakeClock
from bot.domain.models import Event, EventKind
from bot.harness import RunningBot, World
from tests.e2e.test_paging import button

pytestmark = pytest.mark.e2e

SEED_ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//seed//EN\r
BEGIN:VEVENT\r
UID:icann49@seed\r
SUMMARY:ICANN 49\r
DTSTART;VALUE=DATE:20140323\r
DTEND;VALUE=DATE:20140328\r
LOCATION:Singapore\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:netmundial@seed\r
SUMMARY:Global Multistakeholder Meeting on the Future of Internet Governance\r
DTSTART;VALUE=DATE:20140423\r
DTEND;VALUE=DATE:20140425\r
LOCATION:Sao Paulo\\, Brazil\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:submissions@seed\r
SUMMARY:WSIS+10 submissions\r
DTSTART;VALUE=DATE:20131219\r
DTEND;VALUE=DATE:20140125\r
CATEGORIES:window\r
END:VEVENT\r
END:VCALENDAR\r
"""

ID_RE = re.compile(r"\*\*#(\d+)\*\*")


def event_id(content: str) -> int:
    m = re.search(r"#(\d+)", content)
    assert m, content
    return int(m.group(1))


async def test_add_show_edit_remove(world: World, bot: RunningBot) -> None:
    res = await world.run(
        world.coordinator, "event add", title="ICANN 49", when="23-27 March 2014",
        location="Singapore", url="https://icann.org/meetings",
    )
    assert not res.ephemeral
    eid = event_id(res.content)
    assert f"#{eid} ICANN 49" in res.content and "meeting" in res.content
    assert re.search(r"<t:\d+:D> – <t:\d+:D>", res.content) and ":R>" in res.content
    assert "Singapore" in res.content and "https://icann.org/meetings" in res.content
    reminders = await bot.services.reminder_repo.for_event(eid)
    assert len(reminders) == 3 and not any(r.rescheduled for r in reminders)

    res = await world.run(world.bob, "event show", id=str(eid))
    assert "ICANN 49" in res.content and "Singapore" in res.content

    res = await world.run(world.coordinator, "event edit", id=f"#{eid}", when="24 March 2014 09:00")
    assert "Updated when" in res.content and ":F>" in res.content and "rescheduled" in res.content
    reminders = await bot.services.reminder_repo.for_event(eid)
    assert reminders and all(r.rescheduled for r in reminders)

    res = await world.run(world.coordinator, "event edit", id=str(eid), status="postponed")
    assert "postponed" in res.content and "removed" in res.content
    assert await bot.services.reminder_repo.for_event(eid) == []

    res = await world.run(world.coordinator, "event remove", id=str(eid))
    assert f"Removed **#{eid} ICANN 49**" in res.content
    res = await world.run(world.bob, "event show", id=str(eid))
    assert res.ephemeral and res.content == f"There is no event #{eid} here; `/upcoming` lists them."


async def test_timed_and_tentative_confirmations(world: World, bot: RunningBot) -> None:
    res = await world.run(
        world.coordinator, "event add", title="Submission deadline",
        when="24 January 2014 18:00 CET", kind="deadline",
    )
    assert re.search(r"<t:\d+:F> \(<t:\d+:R>\)", res.content) and "deadline" in res.content
    event = await bot.services.calendar.get(world.guild.id, event_id(res.content))
    assert event.timezone == "Europe/Paris" and not event.all_day
    assert int(event.start.timestamp()) == 1390582800  # 17:00 UTC

    res = await world.run(
        world.coordinator, "event add", title="High-Level Panel meeting",
        when="TBD (late January 2014)",
    )
    assert "tentative" in res.content
    assert await bot.services.reminder_repo.for_event(event_id(res.content)) == []


async def test_refusals(world: World, bot: RunningBot) -> None:
    res = await world.run(world.alice, "event add", title="Mine", when="24 January 2014")
    assert res.ephemeral and "Only coordinators" in res.content

    res = await world.run(world.coordinator, "event add", title="X", when="next blursday")
    assert res.ephemeral and "couldn't read" in res.content and "Traceback" not in res.content

    res = await world.run(
        world.coordinator, "event add", title="Backwards", when="24 January 2014 - 19 December 2013"
    )
    assert res.ephemeral and "ends before it starts" in res.content

    res = await world.run(world.coordinator, "event add", title="Bad link", when="1 May 2014",
                          url="ftp://example.org")
    assert res.ephemeral and "http" in res.content

    res = await world.run(world.coordinator, "event edit", id="99", title="Nope")
    assert res.ephemeral and res.content == "There is no event #99 here; `/upcoming` lists them."
    res = await world.run(world.coordinator, "event remove", id="#12")
    assert res.ephemeral and "There is no event #12 here" in res.content
    res = await world.run(world.alice, "event remove", id="1")
    assert res.ephemeral and "Only coordinators" in res.content
    assert await bot.services.calendar.repo.count(world.guild.id) == 0


async def test_autocomplete_and_no_pings(world: World, bot: RunningBot) -> None:
    await world.run(world.coordinator, "event add", title="ICANN 49", when="23-27 March 2014")
    await world.run(world.coordinator, "event add", title="IGF 2014", when="2-5 September 2014")
    res = await world.run(world.coordinator, "event add", title="@everyone party <@&1>",
                          when="1 December 2013")
    mentions = res.original.allowed_mentions or {} if res.original else {}
    assert mentions.get("parse") == [] and not mentions.get("roles")

    choices = await world.complete(world.alice, "event show", "id", id="IC")
    assert [c["name"] for c in choices] == ["#1 ICANN 49 · 23 Mar 2014"]
    assert choices[0]["value"] == "1"
    choices = await world.complete(world.alice, "event edit", "id", id="")
    assert len(choices) == 3 and choices[0]["name"].startswith("#3 ")  # soonest first
    choices = await world.complete(world.alice, "event show", "id", id="2")
    assert [c["value"] for c in choices] == ["2"]

    res = await world.run(world.bob, "upcoming", days=366)
    assert "@everyone party" in res.content
    mentions = res.original.allowed_mentions or {} if res.original else {}
    assert mentions.get("parse") == []


async def test_import_and_export(world: World, bot: RunningBot) -> None:
    res = await world.run(world.coordinator, "event import", attachments={"file": ("seed.ics", SEED_ICS)})
    assert res.deferred and res.ephemeral
    assert "3 new, 0 updated" in res.text() and "ICANN 49" in res.text()
    res = await world.run(world.coordinator, "event import", attachments={"file": ("seed.ics", SEED_ICS)})
    assert "0 new, 0 updated, 3 unchanged" in res.text()
    assert await bot.services.calendar.repo.count(world.guild.id) == 3

    res = await world.run(world.coordinator, "event import", attachments={"file": ("notes.pdf", b"%PDF")})
    assert res.ephemeral and ".ics" in res.content and not res.deferred
    res = await world.run(world.coordinator, "event import", attachments={"file": ("bad.ics", b"hello")})
    assert res.ephemeral and "couldn't read bad.ics" in res.text()
    big = b"BEGIN:VCALENDAR\r\n" + b"X" * 1_100_000
    res = await world.run(world.coordinator, "event import", attachments={"file": ("big.ics", big)})
    assert res.ephemeral and "1 MB" in res.content
    res = await world.run(world.alice, "event import", attachments={"file": ("seed.ics", SEED_ICS)})
    assert res.ephemeral and "Only coordinators" in res.content

    res = await world.run(world.alice, "event export")
    # Deferred privately; the file is a public follow-up (SPEC 3).
    assert res.deferred and res.answer is not None and not res.answer.ephemeral
    files = [a for m in res.messages for a in m.attachments]
    assert len(files) == 1 and files[0][0].endswith(".ics")
    cal = icalendar.Calendar.from_ical(files[0][1])
    summaries = sorted(str(e.get("summary")) for e in cal.walk("VEVENT"))
    assert summaries == sorted(
        ["ICANN 49", "Global Multistakeholder Meeting on the Future of Internet Governance",
         "WSIS+10 submissions"]
    )
    assert "3 events" in res.text()

    res = await world.run(world.alice, "event export", days=60)  # 1 Nov 2013 + 60 days
    files = [a for m in res.messages for a in m.attachments]
    cal = icalendar.Calendar.from_ical(files[0][1])
    assert [str(e.get("summary")) for e in cal.walk("VEVENT")] == ["WSIS+10 submissions"]


async def test_upcoming_pages_500_events(world: World, bot: RunningBot, clock: FakeClock) -> None:
    now = clock()
    events = [
        Event(
            id=0, guild_id=world.guild.id, title=f"Meeting {i} " + "x" * (i % 60),
            kind=EventKind.DEADLINE if i % 3 == 0 else EventKind.MEETING,
            start=now + timedelta(hours=1 + i), end=None, all_day=False, timezone="UTC",
            location="Geneva" if i % 2 else None,
        )
        for i in range(500)
    ]
    await bot.services.calendar.repo.insert_many(events, now)
    res = await world.run(world.bob, "upcoming", days=30)
    msg = res.original
    assert msg is not None and not res.ephemeral
    assert str(button(msg, "Next")["custom_id"]).startswith("pg:upcoming:1:")
    seen: list[int] = []
    pages = 0
    while True:
        assert len(msg.content) <= 2000
        seen.extend(int(x) for x in ID_RE.findall(msg.content))
        pages += 1
        m = re.search(r"Page (\d+)/(\d+)", msg.content)
        assert m and int(m.group(1)) == pages
        if int(m.group(1)) == int(m.group(2)):
            break
        click = await world.emu.click(world.bob, msg, button(msg, "Next")["custom_id"], guild=world.guild,
                                      channel=world.channel)
        assert click.original is not None
        msg = click.original
    assert pages > 10
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 500

    # Another member cannot turn someone else's pages.
    click = await world.emu.click(world.alice, msg, button(msg, "Previous")["custom_id"], guild=world.guild,
                                  channel=world.channel)
    assert click.ephemeral or any(m.ephemeral for m in click.messages)

    res = await world.run(world.bob, "upcoming", days=30, kind="deadline")
    assert "Upcoming deadlines" in res.content and "meeting ·" not in res.content

    res = await world.run(world.bob, "upcoming", days=1, kind="window")
    assert res.ephemeral and "No windows in the next 1 day." in res.content


async def test_export_says_what_it_left_out(world: World, bot: RunningBot, clock: FakeClock) -> None:
    """An event stored in the year 9999 (before `when` kept to 1900-2200) broke /event export
    for everyone; now it is left out, by number, and the rest exported."""
    await world.run(world.coordinator, "event add", title="ICANN 49", when="23-27 March 2014")
    odd = Event(
        id=0, guild_id=world.guild.id, title="Typo", kind=EventKind.MEETING,
        start=datetime(9999, 12, 31, 20, tzinfo=UTC), end=None, all_day=False,
        timezone="Pacific/Kiritimati", uid="typo@x",
    )
    await bot.services.calendar.repo.insert_many([odd], clock())
    res = await world.run(world.alice, "event export")
    files = [a for m in res.messages for a in m.attachments]
    assert len(files) == 1
    cal = icalendar.Calendar.from_ical(files[0][1])
    assert [str(e.get("summary")) for e in cal.walk("VEVENT")] == ["ICANN 49"]
    text = res.text()
    assert "1 event in the calendar" in text
    assert "Left out #2 (Typo): its date is outside the years 1900 to 2200" in text
