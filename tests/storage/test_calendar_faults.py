"""The calendar under faults (issue 11): hostile files, odd dates and concurrent writers, on
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bot.services import Services
from bot.services.calendar import CalendarService

G = 1000
ACTOR = 42


def ics(*lines: str) -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *lines, "END:VCALENDAR"]
    return ("\r\n".join(body) + "\r\n").encode()


def vevent(*lines: str) -> tuple[str, ...]:
    return ("BEGIN:VEVENT", *lines, "END:VEVENT")


def cal_of(services: Services) -> CalendarService:
    return services.calendar


# --------------------------------------------------------------------------- 4: hostile rules


@pytest.mark.slow
async def test_hostile_rule_does_not_block_the_event_loop(services: Services) -> None:
    """A rule that never matches (and that no quick check spots) is expanded off the event
    loop, within a time budget: the loop keeps ticking and the import answers with a warning."""
    data = ics(
        *vevent(
            "UID:h@x",
            "SUMMARY:Hostile",
            "DTSTART:20140301T090000Z",
            "RRULE:FREQ=SECONDLY;BYYEARDAY=1;BYMONTH=2",
        ),
        *vevent("UID:ok@x", "SUMMARY:Fine", "DTSTART;VALUE=DATE:20140101"),
    )
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    started = time.monotonic()
    try:
        result = await cal_of(services).import_ics(G, ACTOR, data)
    finally:
        task.cancel()
    took = time.monotonic() - started
    assert took < 4
    assert ticks >= 20  # the loop ran while the rule was expanded
    assert result.created == 2
    assert any("took too long to expand" in w for w in result.warnings)


# --------------------------------------------------------------------------- 15: bad events


async def test_nul_and_control_characters_import_on_both_backends(services: Services) -> None:
    """PostgreSQL refuses a NUL in text; the import strips C0 controls (but tab and newlines)."""
    data = ics(
        *vevent(
            "UID:nul\x00@x",
            "SUMMARY:ICANN\x00 49\x07",
            "LOCATION:Singa\x00pore",
            "DESCRIPTION:first\\nsecond\x1b",
            "DTSTART;VALUE=DATE:20140323",
        ),
        *vevent("UID:ok@x", "SUMMARY:Fine", "DTSTART;VALUE=DATE:20140101"),
    )
    result = await cal_of(services).import_ics(G, ACTOR, data)
    assert result.created == 2 and result.warnings == []
    stored = await cal_of(services).repo.by_uid(services.db, G, "nul@x")
    assert stored is not None
    assert (stored.title, stored.location, stored.description) == (
        "ICANN 49", "Singapore", "first\nsecond"
    )


async def test_one_bad_event_is_reported_and_the_rest_imported(services: Services) -> None:
    data = ics(
        *vevent("UID:a@x", "SUMMARY:Good", "DTSTART;VALUE=DATE:20140101"),
        *vevent("UID:b@x", "SUMMARY:Overflow", "DTSTART;TZID=America/New_York:99991231T230000"),
        *vevent("UID:c@x", "SUMMARY:Also good", "DTSTART:20140102T090000Z"),
    )
    result = await cal_of(services).import_ics(G, ACTOR, data)
    assert result.created == 2 and result.skipped == 1
    assert len(result.warnings) == 1 and result.warnings[0].startswith('Skipped "Overflow": ')
    assert [e.title for e in await cal_of(services).repo.all(G)] == ["Good", "Also good"]


# --------------------------------------------------------------------------- 14: concurrent imports


async def test_the_same_file_imported_twice_at_once(services: Services) -> None:
    """Both imports succeed and the events exist once; on PostgreSQL the second used to hit the
    unique index on (guild_id, uid) and got a generic apology."""
    data = ics(
        *(
            line
            for n in range(1, 21)
            for line in vevent(f"UID:e{n}@x", f"SUMMARY:Event {n}", f"DTSTART;VALUE=DATE:201403{n:02}")
        )
    )
    first, second = await asyncio.gather(
        cal_of(services).import_ics(G, ACTOR, data), cal_of(services).import_ics(G, ACTOR, data)
    )
    assert first.total == second.total == 20
    assert first.created + second.created == 20
    assert first.skipped == second.skipped == 0
    events = await cal_of(services).repo.all(G)
    assert len(events) == 20 and len({e.uid for e in events}) == 20
    reminders = await services.db.fetchval(
        "SELECT COUNT(*) FROM reminders WHERE guild_id = $1 AND state = 'pending'", G
    )
    assert reminders == 20 * 3  # 7d, 1d and 1h before each: none doubled


async def test_a_uid_stored_after_the_lookup_is_updated_not_duplicated(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever wrote the UID between the import's lookup and its insert, the insert gives way
    (ON CONFLICT DO NOTHING) and the import updates that event."""
    calendar = cal_of(services)
    await calendar.import_ics(G, ACTOR, ics(*vevent("UID:a@x", "SUMMARY:Old", "DTSTART:20140301T090000Z")))

    async def missed(*args: object, **kwargs: object) -> dict[str, object]:
        return {}

    monkeypatch.setattr(calendar.repo, "by_uids", missed)
    result = await calendar.import_ics(
        G, ACTOR, ics(*vevent("UID:a@x", "SUMMARY:New", "DTSTART:20140301T090000Z"))
    )
    assert (result.created, result.updated) == (0, 1)
    assert [e.title for e in await calendar.repo.all(G)] == ["New"]


# --------------------------------------------------------------------------- 20: racing edits


async def test_two_edits_of_one_event_at_once_both_survive(services: Services) -> None:
    calendar = cal_of(services)
    event = await calendar.add(G, ACTOR, title="ICANN 49", when="23-27 March 2014")
    await asyncio.gather(
        calendar.edit(G, ACTOR, event.id, title="ICANN 49 Singapore"),
        calendar.edit(G, ACTOR, event.id, location="Singapore"),
        calendar.edit(G, ACTOR, event.id, when="24-28 March 2014"),
    )
    stored = await calendar.repo.get(G, event.id)
    assert stored is not None
    assert (stored.title, stored.location) == ("ICANN 49 Singapore", "Singapore")
    assert stored.start.date().isoformat() == "2014-03-24"


async def test_draft_window_event_and_draft_are_one_transaction(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while recording the draft's window leaves no window event behind."""
    from bot.db import audit

    await services.drafts.create(G, ACTOR, "C11", "Cooperation", None)
    real = audit.record

    async def failing(tx: object, **kwargs: object) -> None:
        if kwargs.get("action") == "draft.window":
            raise RuntimeError("disk full")
        await real(tx, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(RuntimeError):
        await services.windows.set_window(G, ACTOR, "C11", "19 December 2013 - 24 January 2014", "UTC")
    monkeypatch.setattr(audit, "record", real)
    draft = await services.drafts.require(G, "C11")
    assert draft.window_opens is None and draft.window_event_id is None
    assert await cal_of(services).repo.all(G) == []
    # and it works when nothing fails, the draft pointing at its event
    result = await services.windows.set_window(
        G, ACTOR, "C11", "19 December 2013 - 24 January 2014", "UTC"
    )
    assert result.event is not None and result.draft.window_event_id == result.event.id
    assert result.draft.window_opens == result.event.start


async def test_two_window_settings_at_once_make_one_event(services: Services) -> None:
    await services.drafts.create(G, ACTOR, "C11", "Cooperation", None)
    await asyncio.gather(
        services.windows.set_window(G, ACTOR, "C11", "19 December 2013 - 24 January 2014", "UTC"),
        services.windows.set_window(G, ACTOR, "C11", "20 December 2013 - 25 January 2014", "UTC"),
    )
    events = await cal_of(services).repo.all(G)
    draft = await services.drafts.require(G, "C11")
    assert len(events) == 1 and draft.window_event_id == events[0].id
    assert (draft.window_opens, draft.window_closes) == (events[0].start, events[0].end)


# --------------------------------------------------------------------------- 10: odd stored dates


async def test_export_survives_an_event_in_the_year_9999(services: Services, clock: object) -> None:
    from datetime import UTC, datetime

    from bot.domain.models import Event, EventKind

    calendar = cal_of(services)
    fine = await calendar.add(G, ACTOR, title="ICANN 49", when="23-27 March 2014")
    odd = Event(
        id=0, guild_id=G, title="Typo", kind=EventKind.MEETING,
        start=datetime(9999, 12, 31, 20, tzinfo=UTC), end=datetime(9999, 12, 31, 23, tzinfo=UTC),
        all_day=False, timezone="Pacific/Kiritimati", uid="typo@x",
    )
    await calendar.repo.insert_many([odd], datetime(2013, 11, 1, tzinfo=UTC))
    export = await calendar.export_ics(G)
    assert export.count == 1 and export.data.count(b"BEGIN:VEVENT") == 1
    assert fine.uid is not None and fine.uid.encode() in export.data
    (typo,) = [e for e in await calendar.repo.all(G) if e.title == "Typo"]
    assert export.left_out == (typo,)


# --------------------------------------------------------------------------- 20: offsets


async def test_new_offsets_and_their_reminders_are_one_transaction(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    calendar = cal_of(services)
    event = await calendar.add(G, ACTOR, title="ICANN 49", when="23-27 March 2014")
    before = [r.due_at for r in await services.reminder_repo.for_event(event.id)]

    async def broken(*_args: object) -> None:
        raise RuntimeError("the process dies while replanning")

    monkeypatch.setattr(calendar.repo, "rescheduled_event_ids", broken)
    with pytest.raises(RuntimeError):
        await calendar.set_reminder_offsets(G, ACTOR, "2d")
    # Neither half happened: the old offsets and their reminders stand together.
    assert (await services.settings.get(G)).reminder_offsets == "7d,1d,1h"
    assert [r.due_at for r in await services.reminder_repo.for_event(event.id)] == before
    monkeypatch.undo()
    settings, replanned = await calendar.set_reminder_offsets(G, ACTOR, "2d")
    assert settings.reminder_offsets == "2d" and replanned == 1
    assert len(await services.reminder_repo.for_event(event.id)) == 1


async def test_two_settings_changed_at_once_both_stay(services: Services) -> None:
    await asyncio.gather(
        services.settings.set_reminder_offsets(G, ACTOR, "2d"),
        services.settings.set_timezone(G, ACTOR, "Europe/Zurich"),
    )
    settings = await services.settings.get(G)
    assert (settings.reminder_offsets, settings.timezone) == ("2d", "Europe/Zurich")


# --------------------------------------------------------------------------- 2: a retried add


async def test_the_same_event_added_twice_is_one_event(services: Services) -> None:
    calendar = cal_of(services)
    fields: dict[str, Any] = {"title": "ICANN 49", "when": "23-27 March 2014"}
    first, second = await asyncio.gather(
        calendar.add_or_find(G, ACTOR, **fields), calendar.add_or_find(G, ACTOR, **fields)
    )
    assert first.event.id == second.event.id and [first.new, second.new].count(True) == 1
    # Someone else, another time or another title is another event.
    assert (await calendar.add_or_find(G, ACTOR + 1, **fields)).new
    assert (await calendar.add_or_find(G, ACTOR, title="ICANN 49", when="24-27 March 2014")).new
    assert (await calendar.add_or_find(G, ACTOR, title="ICANN 50", when="23-27 March 2014")).new
    assert await services.db.fetchval("SELECT COUNT(*) FROM events") == 4
