"""The calendar under faults (issue 11): hostile files, odd dates and concurrent writers, on
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time

from bot.domain.calendar import CalendarService
from bot.services import Services

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
