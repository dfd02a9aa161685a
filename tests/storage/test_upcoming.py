"""/upcoming's query on both backends: one page of rows at a time, and a capped count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.clock import FakeClock
from bot.domain.models import Event, EventKind
from bot.services import Services

G = 1000


async def test_upcoming_reads_one_page_and_counts_up_to_a_cap(
    services: Services, clock: FakeClock
) -> None:
    now = clock()
    events = [
        Event(id=0, guild_id=G, title=f"E{i}",
              kind=EventKind.DEADLINE if i % 2 else EventKind.MEETING,
              start=now + timedelta(hours=1 + i), end=None, all_day=False, timezone="UTC")
        for i in range(1_500)
    ]
    await services.calendar.repo.insert_many(events, now)
    cal = services.calendar
    everything = await cal.upcoming(G, 366)
    assert len(everything) == 1_500
    page = await cal.upcoming(G, 366, limit=11, offset=20)
    assert page == everything[20:31]
    assert await cal.upcoming(G, 366, limit=11, offset=1_495) == everything[1_495:]
    assert await cal.upcoming(G, 366, "deadline", limit=3, offset=1) == [
        e for e in everything if e.kind is EventKind.DEADLINE
    ][1:4]
    assert await cal.count_upcoming(G, 366, cap=1_000) == 1_001  # more than 1,000
    assert await cal.count_upcoming(G, 366, cap=2_000) == 1_500
    assert await cal.count_upcoming(G, 10, "meeting", cap=1_000) == 120
    assert await cal.count_upcoming(G + 1, 366) == 0
    # the count and "has this server any series" come in one statement
    assert await cal.count_upcoming_and_series(G, 10, "meeting", cap=1_000) == (120, False)
    with pytest.raises(Exception, match="from 1 to 366"):
        await cal.count_upcoming(G, 0)


async def test_upcoming_page_reads_a_page_with_its_count(
    services: Services, clock: FakeClock
) -> None:
    """The page and its capped count in one statement; a page past the end is the last one
    (the calendar shrank since the button was made); nothing upcoming is a count of 0."""
    now = clock()
    cal = services.calendar
    assert await cal.upcoming_page(G, 30, "all", now, size=10, index=0, cap=1_000) == (0, 0, [])
    events = [
        Event(id=0, guild_id=G, title=f"E{i}", kind=EventKind.MEETING,
              start=now + timedelta(hours=1 + i), end=None, all_day=False, timezone="UTC")
        for i in range(25)
    ]
    await cal.repo.insert_many(events, now)
    everything = await cal.upcoming(G, 30)
    assert await cal.upcoming_page(G, 30, "all", now, size=10, index=1, cap=1_000) == (
        25, 1, everything[10:21]
    )
    assert await cal.upcoming_page(G, 30, "all", now, size=10, index=7, cap=1_000) == (
        25, 2, everything[20:]
    )
    assert await cal.upcoming_page(G, 30, "all", now, size=10, index=0, cap=20) == (
        21, 0, everything[:11]  # "more than 20"
    )
    assert await cal.upcoming_page(G, 30, "deadline", now, size=10, index=0, cap=1_000) == (
        0, 0, []
    )
