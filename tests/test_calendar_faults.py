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
