"""End to end through the emulator: /calendar feed|subscribe|subscriptions|unsubscribe|refresh,
with the feed fetched over real HTTP and an outside calendar served on loopback."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import icalendar
import pytest

from bot.domain.clock import FakeClock
from bot.harness import RunningBot, World, run_bot_in_process
from tests.outside_calendar import OutsideCalendar, VEvent, calendar

pytestmark = pytest.mark.e2e

URL_RE = re.compile(r"(https?://\S+/calendar/[A-Za-z0-9_-]+\.ics)")


@pytest.fixture
async def served(world: World, db_url: str, clock: FakeClock) -> AsyncIterator[RunningBot]:
    """The bot serving its feed on a free loopback port, following loopback calendars."""
    async with run_bot_in_process(
        world.emu, db_url, clock=clock, http_port=0, subscriptions_allow_private=True
    ) as running:
        yield running


@pytest.fixture
async def outside() -> AsyncIterator[OutsideCalendar]:
    async with OutsideCalendar() as server:
        yield server


async def fetch(url: str, **headers: str) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
        return response.status, await response.read()


async def test_feed_is_not_served_without_http_port(world: World, bot: RunningBot) -> None:
    res = await world.run(world.alice, "calendar feed")
    assert res.ephemeral
    assert "not served" in res.content and "`HTTP_PORT`" in res.content
    assert "/event export" in res.content


async def test_feed_url_serves_the_calendar_and_reset_rotates_it(
    world: World, served: RunningBot
) -> None:
    await world.run(world.coordinator, "event add", title="ICANN 49", when="23-27 March 2014")
    res = await world.run(world.alice, "calendar feed")
    assert res.ephemeral and "Google Calendar" in res.content and "Outlook" in res.content
    assert "calendar apps elsewhere cannot reach it" in res.content and "`PUBLIC_URL`" in res.content
    m = URL_RE.search(res.content)
    assert m, res.content
    old = m.group(1)
    assert served.bot.web is not None and old.startswith(served.bot.web.public_url)
    status, body = await fetch(old)
    assert status == 200
    cal = icalendar.Calendar.from_ical(body)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["ICANN 49"]
    assert str(cal["X-WR-CALNAME"]) == world.guild.name

    res = await world.run(world.alice, "calendar feed", reset=True)
    assert res.ephemeral and "Only coordinators" in res.content
    assert (await fetch(old))[0] == 200

    res = await world.run(world.coordinator, "calendar feed", reset=True)
    assert res.ephemeral and "old address no longer works" in res.content
    m = URL_RE.search(res.content)
    assert m and m.group(1) != old
    assert (await fetch(old))[0] == 404
    assert (await fetch(m.group(1)))[0] == 200
    async with aiohttp.ClientSession() as http, http.get(
        f"{served.bot.web.public_url}/healthz"
    ) as response:
        assert response.status == 200 and (await response.json())["discord"] == "ready"


async def test_a_public_url_is_used_as_given(world: World, db_url: str) -> None:
    async with run_bot_in_process(
        world.emu, db_url, http_port=0, public_url="https://concord.example.org/"
    ):
        res = await world.run(world.alice, "calendar feed")
    assert "https://concord.example.org/calendar/" in res.content
    assert "cannot reach it" not in res.content


async def test_subscribe_refresh_list_unsubscribe(
    world: World, served: RunningBot, outside: OutsideCalendar, clock: FakeClock
) -> None:
    await world.run(world.coordinator, "reminders channel", channel=world.reminders)
    icann = datetime(2014, 3, 23, 9, tzinfo=UTC)
    outside.body = calendar([VEvent("1", "ICANN 49", icann), VEvent("2", "IGF MAG", icann)])

    res = await world.run(world.alice, "calendar subscribe", url=outside.url())
    assert res.ephemeral and "Only coordinators" in res.content
    res = await world.run(world.coordinator, "calendar subscribe", url="calendar.ics")
    assert res.ephemeral and "starting with http:// or https://" in res.content
    res = await world.run(world.coordinator, "calendar subscribe", url=outside.url("/page"))
    assert res.ephemeral and "not an iCalendar file" in res.content

    res = await world.run(world.coordinator, "calendar subscribe", url=outside.url())
    assert res.answer is not None and not res.answer.ephemeral, res.content  # public
    assert "Following **ITU events** as subscription #1: imported 2 events" in res.content
    posted = await world.emu.wait_for_messages(1, world.reminders)
    assert "Now following the calendar **ITU events**" in posted[0].content
    listing = await world.run(world.bob, "upcoming", days=366)
    assert "ICANN 49" in listing.content and "IGF MAG" in listing.content

    later = datetime(2014, 3, 25, 9, tzinfo=UTC)
    outside.body = calendar([VEvent("1", "ICANN 49", later)])
    res = await world.run(world.coordinator, "calendar refresh")
    assert res.ephemeral and "**#1 ITU events**: 1 moved, 1 removed (1 events)." in res.content
    posted = await world.emu.wait_for_messages(2, world.reminders)
    change = posted[1].content
    assert change.startswith("Changes in the calendar **ITU events** (subscription #1):")
    assert f"Moved: **ICANN 49** from <t:{int(icann.timestamp())}:F>" in change
    assert f"to <t:{int(later.timestamp())}:F>" in change
    assert "Removed from the calendar: **IGF MAG**" in change
    assert posted[1].nonce is not None and posted[1].allowed_mentions == {"parse": []}

    outside.fail = True
    clock.advance(minutes=5)
    res = await world.run(world.coordinator, "calendar refresh", id="1")
    assert "failed: it answered HTTP 500" in res.content and "its events are kept" in res.content
    res = await world.run(world.bob, "calendar subscriptions")
    assert res.ephemeral and "#1 ITU events" in res.content and outside.url() in res.content
    assert f"last checked <t:{int(clock.now.timestamp())}:F>" in res.content
    assert "failed: it answered HTTP 500" in res.content
    res = await world.run(world.coordinator, "calendar refresh", id="9")
    assert res.ephemeral and "no subscription" in res.content

    res = await world.run(world.coordinator, "calendar unsubscribe", id="1")
    assert "Stopped following **#1 ITU events**; removed its 1 events" in res.content
    assert res.answer is not None and not res.answer.ephemeral
    res = await world.run(world.bob, "calendar subscriptions")
    assert "follows no outside calendar" in res.content
    assert len(world.emu.channel_messages(world.reminders)) == 2
