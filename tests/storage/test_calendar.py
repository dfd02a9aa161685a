"""The calendar service and its repository, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from bot.db import Database, audit
from bot.db.reminders import ReminderRepository
from bot.domain.calendar import parse_ref, read_ics, to_event, write_ics
from bot.domain.clock import FakeClock
from bot.domain.models import Event, EventKind, EventStatus
from bot.errors import UserError
from bot.services import Services
from bot.services.calendar import CalendarService

G = 1000
OTHER = 2000
ACTOR = 42
FIELDS = ("title", "kind", "start", "end", "all_day", "timezone", "location", "url",
          "description", "tentative", "status", "uid")


@pytest.fixture
def cal(services: Services) -> CalendarService:
    return services.calendar


@pytest.fixture
def reminders(db: Database) -> ReminderRepository:
    return ReminderRepository(db)


def dt(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


async def test_add_plans_reminders_and_audits(
    cal: CalendarService, reminders: ReminderRepository, db: Database
) -> None:
    fired: list[int] = []
    cal._notify = lambda: fired.append(1)
    event = await cal.add(
        G, ACTOR, title="  ICANN   49 ", when="23-27 March 2014", location="Singapore",
        timezone="Asia/Singapore",
    )
    assert event.title == "ICANN 49" and event.kind is EventKind.MEETING and event.all_day
    assert event.timezone == "Asia/Singapore" and event.uid and event.created_by == ACTOR
    assert event.start == dt(2014, 3, 22, 16) and event.end == dt(2014, 3, 27, 16)
    planned = await reminders.for_event(event.id)
    assert [r.due_at for r in planned] == [
        dt(2014, 3, 15, 16), dt(2014, 3, 21, 16), dt(2014, 3, 22, 15)
    ]
    assert all(r.moment == "start" and not r.rescheduled for r in planned)
    entries = await audit.recent(db, G)
    assert entries[0].action == "event.add" and entries[0].target == f"event:{event.id}"
    assert fired == [1]
    assert await cal.get(G, event.id) == event
    assert await cal.get(G, f"#{event.id} ICANN 49 · 23 Mar 2014") == event
    assert await cal.get(G, "icann 49") == event


async def test_event_and_reminders_share_one_transaction(
    cal: CalendarService, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ReminderRepository, "replace_for_event", staticmethod(broken))
    with pytest.raises(RuntimeError):
        await cal.add(G, ACTOR, title="ICANN 49", when="23-27 March 2014")
    assert await cal.repo.count(G) == 0


async def test_offsets_already_past_are_skipped(cal: CalendarService, reminders: ReminderRepository) -> None:
    event = await cal.add(G, ACTOR, title="Soon", when="3 November 2013 12:00")  # in 2 days
    assert [r.offset_seconds for r in await reminders.for_event(event.id)] == [86400, 3600]


async def test_edit_time_reschedules_and_other_edits_keep_reminders(
    cal: CalendarService, reminders: ReminderRepository, db: Database
) -> None:
    event = await cal.add(G, ACTOR, title="ICANN 49", when="23-27 March 2014")
    first = await reminders.for_event(event.id)
    edited = await cal.edit(G, ACTOR, event.id, title="ICANN 49 Singapore", location="Singapore")
    assert edited.changes == ("title", "location")
    assert [r.id for r in await reminders.for_event(event.id)] == [r.id for r in first]

    edited = await cal.edit(G, ACTOR, str(event.id), when="24-28 March 2014")
    assert edited.changes == ("when",) and edited.after.start == dt(2014, 3, 24)
    moved = await reminders.for_event(event.id)
    assert len(moved) == 3 and all(r.rescheduled for r in moved)
    assert moved[0].due_at == dt(2014, 3, 17)
    assert (await audit.recent(db, G))[0].action == "event.edit"

    nothing = await cal.edit(G, ACTOR, event.id, title="ICANN 49 Singapore")
    assert nothing.changes == ()


async def test_cancel_and_postpone_remove_pending_reminders(
    cal: CalendarService, reminders: ReminderRepository
) -> None:
    event = await cal.add(G, ACTOR, title="IGF 2014", when="2-5 September 2014")
    await cal.edit(G, ACTOR, event.id, status="postponed")
    assert await reminders.for_event(event.id) == []
    back = await cal.edit(G, ACTOR, event.id, status="scheduled")
    assert back.after.status is EventStatus.SCHEDULED
    assert len(await reminders.for_event(event.id)) == 3
    await cal.edit(G, ACTOR, event.id, status="cancelled")
    assert await reminders.for_event(event.id) == []
    removed = await cal.remove(G, ACTOR, event.id)
    assert removed.id == event.id and await cal.repo.get(G, event.id) is None


async def test_validation(cal: CalendarService) -> None:
    cases = [
        dict(title="   ", when="1 May 2014"),
        dict(title="x" * 201, when="1 May 2014"),
        dict(title="T", when="1 May 2014", url="javascript:alert(1)"),
        dict(title="T", when="1 May 2014", url="www.itu.int"),
        dict(title="T", when="1 May 2014", description="d" * 1001),
        dict(title="T", when="1 May 2014", location="l" * 201),
        dict(title="T", when="24 January 2014 - 19 December 2013"),
        dict(title="T", when="next blursday"),
        dict(title="T", when="1 May 2014", kind="party"),
        dict(title="T", when="1 May 2014", timezone="Mars/Olympus"),
    ]
    for case in cases:
        with pytest.raises(UserError) as err:
            await cal.add(G, ACTOR, **case)  # type: ignore[arg-type]
        message = str(err.value)
        assert message.endswith(".") and "\n" not in message, message
    assert await cal.repo.count(G) == 0
    with pytest.raises(UserError, match=r"^There is no event #12 here; `/upcoming` lists them\.$"):
        await cal.get(G, "12")
    with pytest.raises(UserError, match="There is no event #7 here"):
        await cal.edit(G, ACTOR, "#7", title="x")
    with pytest.raises(UserError, match="at least one thing"):
        await cal.edit(G, ACTOR, "#7")
    with pytest.raises(UserError, match="There is no event #99"):
        await cal.remove(G, ACTOR, 99)
    event = await cal.add(G, ACTOR, title="Ok", when="1 May 2014", url="https://itu.int", location="x")
    cleared = await cal.edit(G, ACTOR, event.id, url="-", location="-")
    assert cleared.after.url is None and cleared.after.location is None
    with pytest.raises(UserError):
        await cal.get(OTHER, event.id)  # another server's event is not found
    assert parse_ref("#12 ICANN 49") == 12 and parse_ref("12abc") is None


async def test_timezone_edit_keeps_wall_clock(cal: CalendarService) -> None:
    event = await cal.add(G, ACTOR, title="Call", when="17 February 2014 10:00-13:00")
    assert event.timezone == "UTC" and event.start == dt(2014, 2, 17, 10)
    edited = await cal.edit(G, ACTOR, event.id, timezone="Europe/Geneva")
    assert edited.after.timezone == "Europe/Zurich"
    assert edited.after.start == dt(2014, 2, 17, 9) and edited.after.end == dt(2014, 2, 17, 12)


async def test_upcoming_window_ordering_and_kind(cal: CalendarService, clock: FakeClock) -> None:
    now = clock()
    await cal.add(G, ACTOR, title="Past", when="1 October 2013", past=True)
    await cal.add(G, ACTOR, title="Long window", when="1 September 2013 - 31 January 2014", kind="window")
    await cal.add(G, ACTOR, title="Later", when="20 December 2013")
    await cal.add(G, ACTOR, title="Soon", when="3 November 2013 09:00", kind="deadline")
    await cal.add(G, ACTOR, title="Other server", when="3 November 2013")
    await cal.add(OTHER, ACTOR, title="Elsewhere", when="3 November 2013")
    await cal.add(G, ACTOR, title="Next year", when="1 March 2014")
    await cal.add(G, ACTOR, title="Instant now-1h", when="1 November 2013 11:00", past=True)
    titles = [e.title for e in await cal.upcoming(G, 30)]
    assert titles == ["Long window", "Other server", "Soon"]
    titles = [e.title for e in await cal.upcoming(G, 60)]
    assert titles == ["Long window", "Other server", "Soon", "Later"]
    assert [e.title for e in await cal.upcoming(G, 60, "deadline")] == ["Soon"]
    assert [e.title for e in await cal.upcoming(G, 60, "all")][-1] == "Later"
    assert [e.title for e in await cal.upcoming(G, 2, now=now + timedelta(days=120))] == ["Next year"]
    with pytest.raises(UserError):
        await cal.upcoming(G, 0)


async def test_upcoming_with_10000_events_finds_the_next_30_days(
    cal: CalendarService, clock: FakeClock
) -> None:
    """Its speed is measured by the benchmark (benchmarks/interactions.py), not here."""
    now = clock()
    base = now - timedelta(days=3000)
    events = [
        Event(id=0, guild_id=G, title=f"E{i}", kind=EventKind.MEETING,
              start=base + timedelta(hours=12 * i), end=base + timedelta(hours=12 * i + 2),
              all_day=False, timezone="UTC")
        for i in range(10_000)
    ]
    await cal.repo.insert_many(events, now)
    found = await cal.upcoming(G, 30)
    assert len(found) == 61  # both ends of [now, now + 30 days] included
    assert all(now <= e.start <= now + timedelta(days=30) for e in found)


async def test_import_twice_updates_and_never_duplicates(
    cal: CalendarService, reminders: ReminderRepository, repo_root: Path
) -> None:
    data = SAMPLE.encode()
    first = await cal.import_ics(G, ACTOR, data)
    # The yearly panel meeting is kept as one series of two occurrences.
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0)
    assert any("link" in w for w in first.warnings)
    assert first.skipped == 1  # no DTSTART
    second = await cal.import_ics(G, ACTOR, data)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)
    assert await cal.repo.count(G) == 4
    (panel,) = [e for e in await cal.repo.all(G) if e.title == "High-Level Panel meeting"]
    assert panel.rrule == "FREQ=YEARLY;COUNT=2" and panel.series_end == dt(2015, 1, 21)

    moved = data.replace(b"DTSTART;VALUE=DATE:20140323", b"DTSTART;VALUE=DATE:20140324")
    third = await cal.import_ics(G, ACTOR, moved)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 3)
    icann = third.events[0]
    assert icann.title == "ICANN 49" and icann.start == dt(2014, 3, 24)
    assert all(r.rescheduled for r in await reminders.for_event(icann.id))

    events = {e.title: e for e in await cal.repo.all(G)}
    assert events["WSIS+10 submissions"].kind is EventKind.WINDOW
    assert events["High-Level Panel meeting"].tentative
    assert events["Timed call"].timezone == "Europe/Zurich"
    assert events["Timed call"].start == dt(2014, 2, 17, 9)

    for bad in (b"hello", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", b"\xff\xfe\x00garbage"):
        with pytest.raises(UserError):
            await cal.import_ics(G, ACTOR, bad)
    with pytest.raises(UserError, match="1 MB"):
        await cal.import_ics(G, ACTOR, b"BEGIN:VCALENDAR" + b"x" * 1_000_001)


async def test_export_import_round_trip_is_unchanged(cal: CalendarService, clock: FakeClock) -> None:
    await cal.add(G, ACTOR, title="ICANN 49", when="23-27 March 2014", location="Singapore",
                  url="https://icann.org", description="ICANN's first public forum of 2014.\nTwo lines; commas, too.")
    await cal.add(G, ACTOR, title="Call", when="17 February 2014 10:00-13:00 CET")
    await cal.add(G, ACTOR, title="Deadline", when="24 January 2014 18:00", kind="deadline",
                  timezone="America/Sao_Paulo")
    await cal.add(G, ACTOR, title="Panel", when="TBD (late January 2014)")
    await cal.add(G, ACTOR, title="Plenipot", when="20 October - 7 November 2014", timezone="Asia/Seoul")
    window = await cal.add(G, ACTOR, title="Submissions", when="from 19 December 2013 to 24 January 2014",
                           kind="window")
    utc = await cal.add(G, ACTOR, title="UTC instant", when="2014-04-23T10:00Z")
    await cal.edit(G, ACTOR, window.id, status="postponed")
    await cal.edit(G, ACTOR, utc.id, status="cancelled")
    before = await cal.repo.all(G)

    exported = await cal.export_ics(G)
    assert exported.count == 7
    parsed = icalendar.Calendar.from_ical(exported.data)
    assert len(list(parsed.walk("VEVENT"))) == 7

    again = await cal.import_ics(G, ACTOR, exported.data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    assert await cal.repo.all(G) == before

    copied = await cal.import_ics(OTHER, ACTOR, exported.data)
    assert copied.created == 7 and not copied.warnings
    after = await cal.repo.all(OTHER)
    for a, b in zip(before, after, strict=True):
        assert [getattr(a, f) for f in FIELDS] == [getattr(b, f) for f in FIELDS], a.title

    window_only = await cal.export_ics(G, days=60)
    assert window_only.count == 1  # the submissions window, postponed but still listed


async def test_read_and_write_ics_directly() -> None:
    items, result = read_ics(SAMPLE.encode(), default_zone="UTC")
    assert len(items) == 4 and result.skipped == 1  # the yearly panel is one series
    event = to_event(items[0], G, created_by=None)
    data = write_ics([replace(event, id=1)], now=dt(2013, 11, 1))
    assert b"DTSTART;VALUE=DATE:20140323" in data and b"DTEND;VALUE=DATE:20140328" in data


async def test_sample_calendar_loads(cal: CalendarService, repo_root: Path) -> None:
    sample = repo_root / "data" / "calendar.ics"
    result = await cal.import_ics(G, ACTOR, sample.read_bytes())
    assert result.created >= 5 and result.skipped == 0
    titles = " ".join(e.title for e in await cal.repo.all(G))
    assert "ICANN 49" in titles


async def test_draft_window_event(cal: CalendarService, reminders: ReminderRepository, db: Database) -> None:
    await db.execute(
        "INSERT INTO drafts (guild_id, code, title, created_at, updated_at) VALUES ($1, 'C11', 'C11', 0, 0)",
        G,
    )
    draft_id = int(await db.fetchval("SELECT id FROM drafts WHERE code = 'C11'"))
    window = await cal.upsert_draft_window(
        guild_id=G, draft_id=draft_id, code="C11", title="C11 comment window", opens=dt(2013, 12, 19),
        closes=dt(2014, 1, 25), timezone="UTC", actor_id=ACTOR,
    )
    assert window.kind is EventKind.WINDOW and window.all_day and window.draft_id == draft_id
    assert window.uid == f"c11-comment-window@{G}.concord"  # stable: from server and code
    planned = await reminders.for_event(window.id)
    assert {r.moment for r in planned} == {"opens", "closes"} and len(planned) == 6
    same = await cal.upsert_draft_window(
        guild_id=G, draft_id=draft_id, code="C11", title="C11 comment window", opens=dt(2013, 12, 19),
        closes=dt(2014, 1, 25), timezone="UTC", actor_id=ACTOR,
    )
    assert same == window
    moved = await cal.upsert_draft_window(
        guild_id=G, draft_id=draft_id, code="C11", title="C11 comment window", opens=dt(2013, 12, 19, 9),
        closes=dt(2014, 1, 31, 17), timezone="Europe/Zurich", actor_id=ACTOR,
    )
    assert moved.id == window.id and not moved.all_day
    assert all(r.rescheduled for r in await reminders.for_event(window.id))
    with pytest.raises(UserError, match="/draft window"):
        await cal.edit(G, ACTOR, window.id, title="Mine now")
    with pytest.raises(UserError, match="/draft window"):
        await cal.remove(G, ACTOR, window.id)
    with pytest.raises(UserError):
        await cal.upsert_draft_window(
            guild_id=G, draft_id=draft_id, code="C11", title="x", opens=dt(2014, 1, 2), closes=dt(2014, 1, 1),
            timezone="UTC", actor_id=ACTOR,
        )
    assert await cal.remove_draft_window(guild_id=G, draft_id=draft_id, actor_id=ACTOR) is not None
    assert await cal.repo.get(G, window.id) is None
    # The draft has no window left either.
    row = await db.fetchrow("SELECT window_opens, window_event_id FROM drafts WHERE id = $1", draft_id)
    assert row is not None and row["window_opens"] is None and row["window_event_id"] is None


async def test_replan_guild_after_offsets_change(
    services: Services, cal: CalendarService, reminders: ReminderRepository
) -> None:
    meeting = await cal.add(G, ACTOR, title="ICANN 49", when="23-27 March 2014")
    moved = await cal.add(G, ACTOR, title="IGF", when="2 September 2014")
    await cal.edit(G, ACTOR, moved.id, when="3 September 2014")
    past = await cal.add(G, ACTOR, title="Past", when="1 October 2013", past=True)
    cancelled = await cal.add(G, ACTOR, title="Off", when="1 May 2014")
    await cal.edit(G, ACTOR, cancelled.id, status="cancelled")
    await services.settings.set_reminder_offsets(G, ACTOR, "2w,2d")
    assert await cal.replan_guild(G) == 2
    assert [r.offset_seconds for r in await reminders.for_event(meeting.id)] == [14 * 86400, 2 * 86400]
    assert all(r.rescheduled for r in await reminders.for_event(moved.id))
    assert await reminders.for_event(past.id) == []
    assert await reminders.for_event(cancelled.id) == []


async def test_search_for_autocomplete(cal: CalendarService) -> None:
    a = await cal.add(G, ACTOR, title="ICANN 49", when="23-27 March 2014")
    b = await cal.add(G, ACTOR, title="IGF 2014", when="2-5 September 2014")
    c = await cal.add(G, ACTOR, title="Past 100%_ thing", when="1 October 2013", past=True)
    assert [e.id for e in await cal.search(G, "")] == [a.id, b.id, c.id]
    assert [e.id for e in await cal.search(G, "ic")] == [a.id]
    assert [e.id for e in await cal.search(G, f"#{b.id}")] == [b.id]
    assert [e.id for e in await cal.search(G, "100%_")] == [c.id]
    assert await cal.search(G, "_x") == []


SAMPLE = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//sample//EN\r
BEGIN:VEVENT\r
UID:icann49@sample\r
SUMMARY:ICANN 49\r
DTSTART;VALUE=DATE:20140323\r
DTEND;VALUE=DATE:20140328\r
LOCATION:Singapore\r
URL:ftp://icann.org\r
END:VEVENT\r
BEGIN:VEVENT\r
SUMMARY:WSIS+10 submissions\r
DTSTART;VALUE=DATE:20131219\r
DTEND;VALUE=DATE:20140125\r
CATEGORIES:window\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:panel@sample\r
SUMMARY:High-Level Panel meeting\r
DTSTART;VALUE=DATE:20140121\r
DTEND;VALUE=DATE:20140201\r
STATUS:TENTATIVE\r
RRULE:FREQ=YEARLY;COUNT=2\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:call@sample\r
SUMMARY:Timed call\r
DTSTART;TZID=Europe/Zurich:20140217T100000\r
DTEND;TZID=Europe/Zurich:20140217T130000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:nostart@sample\r
SUMMARY:No start\r
END:VEVENT\r
END:VCALENDAR\r
"""
