"""Paging without Discord: pages and their buttons' custom ids, /upcoming's page text within
Discord's limit (the query itself: tests/storage/test_upcoming.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord
import pytest

from bot.domain.clock import FakeClock
from bot.domain.models import Event, EventKind, EventStatus
from bot.paging import CUSTOM_ID_LIMIT, Page, PageButton, page_view
from bot.ui import MESSAGE_LIMIT, PAGE_BUDGET
from cogs.calendar import UPCOMING_PAGE, upcoming_args, upcoming_text

G = 1000
OWNER = 12345678901234567890  # a 20-digit snowflake: the longest an owner can be


def ids(view: discord.ui.View | None) -> list[tuple[str, bool, str]]:
    assert view is not None
    buttons = [item.item for item in view.children if isinstance(item, PageButton)]
    return [(str(b.custom_id), b.disabled, str(b.label)) for b in buttons]


def test_page_footer_and_clamping() -> None:
    assert Page("only").content() == "only"
    assert Page.of(["a", "b", "c"], 1).content() == "b\n-# Page 2/3"
    assert Page.of(["a", "b", "c"], 9) == Page("c", 2, 3)  # the listing shrank
    assert Page("x", 2, 100, more=True).content() == "x\n-# Page 3/100+"
    assert Page.of([], 0).content() == "Nothing to show."


def test_buttons_carry_the_page_owner_and_arguments() -> None:
    assert page_view("comments", "C11::", OWNER, Page("a")) is None
    first = page_view("comments", "C11:pillar-b:2", OWNER, Page.of(["a", "b", "c"], 0))
    assert ids(first) == [
        (f"pg:comments:0:{OWNER}:C11:pillar-b:2", True, "◀ Previous"),
        (f"pg:comments:1:{OWNER}:C11:pillar-b:2", False, "Next ▶"),
    ]
    last = page_view("comments", "C11::", OWNER, Page.of(["a", "b", "c"], 2))
    assert ids(last) == [
        (f"pg:comments:1:{OWNER}:C11::", False, "◀ Previous"),
        (f"pg:comments:2:{OWNER}:C11::", True, "Next ▶"),
    ]
    match = PageButton.__discord_ui_compiled_template__.fullmatch(ids(last)[0][0])
    assert match is not None
    assert (match["pager"], match["index"], match["owner"], match["args"]) == (
        "comments", "1", str(OWNER), "C11::"
    )


def test_the_longest_custom_ids_fit() -> None:
    # A draft code of 20 characters, the longest section key and a group; /upcoming's options.
    longest = "C11/ABCDEFGHIJKLMNOP:pillar-z:4"
    view = page_view("comments", longest, OWNER, Page("x", 9998, 9999, more=True))
    assert view is not None
    assert all(len(custom_id) <= CUSTOM_ID_LIMIT for custom_id, _, _ in ids(view))
    args = upcoming_args(366, "deadline", datetime(2099, 12, 31, tzinfo=UTC))
    view = page_view("upcoming", args, OWNER, Page("x", 9998, 9999, more=True))
    assert view is not None
    assert all(len(custom_id) <= CUSTOM_ID_LIMIT for custom_id, _, _ in ids(view))
    with pytest.raises(ValueError, match="longer than 100"):
        PageButton("comments", 0, OWNER, "x" * 80, label="Next ▶")


def test_an_upcoming_page_fits_discord_whatever_the_titles(clock: FakeClock) -> None:
    now = clock()
    events = [
        Event(
            id=10**9 + i, guild_id=G, title="T" * 500, kind=EventKind.WINDOW, start=now,
            end=now + timedelta(days=40), all_day=True, timezone="America/Argentina/Buenos_Aires",
            location="L" * 300, tentative=True, status=EventStatus.POSTPONED,
        )
        for i in range(UPCOMING_PAGE)
    ]
    header = "**Upcoming windows** · next 366 days · more than 1,000"
    text = upcoming_text(header, events)
    assert len(text) <= PAGE_BUDGET
    assert len(Page(text, 9998, 9999, more=True).content()) <= MESSAGE_LIMIT
    assert all(f"**#{e.id}**" in text for e in events)  # shortened, none dropped
    short = [Event(id=i, guild_id=G, title=f"Meeting {i}", kind=EventKind.MEETING, start=now,
                   end=None, all_day=False, timezone="UTC") for i in range(UPCOMING_PAGE)]
    assert "Meeting 9 ·" in upcoming_text(header, short)  # short titles are left whole
