"""End to end through the emulator: /calendar feed|subscribe|subscriptions|unsubscribe|refresh,
with the feed fetched over real HTTP and an outside calendar served on loopback."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import icalendar
import pytest

from bot.domain.clock import FakeClock
from bot.harness import BotProcess, RunningBot, World, run_bot_in_process
from tests.outside_calendar import OutsideCalendar, VEvent, calendar

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
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

    res = await world.run(world.coordinator, "calendar refresh")
    assert res.ephemeral and "follows no outside calendar" in res.content
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
    choices = await world.complete(world.coordinator, "calendar unsubscribe", "id", id="IT")
    assert choices == [{"name": "#1 ITU events", "value": "1"}]
    listing = await world.run(world.bob, "upcoming", days=366)
    assert "ICANN 49" in listing.content and "IGF MAG" in listing.content

    later = datetime(2014, 3, 25, 9, tzinfo=UTC)
    outside.body = calendar([VEvent("1", "ICANN 49", later)])
    res = await world.run(world.coordinator, "calendar refresh")
    assert res.ephemeral and "**#1 ITU events**: 1 moved, 1 removed (1 event)." in res.content
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
    assert "Stopped following **#1 ITU events**; removed its 1 event and" in res.content
    assert res.answer is not None and not res.answer.ephemeral
    res = await world.run(world.bob, "calendar subscriptions")
    assert "follows no outside calendar" in res.content
    assert len(world.emu.channel_messages(world.reminders)) == 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_for_http(url: str, timeout: float = 20) -> int:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            return (await fetch(url))[0]
        except aiohttp.ClientConnectionError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)


@pytest.mark.slow
async def test_python_m_bot_serves_while_it_runs_and_stops_with_it(
    world: World, db_url: str, tmp_path: Path
) -> None:
    port = free_port()
    proc = BotProcess(world.emu, db_url, log_path=tmp_path / "bot.log",
                      env={"HTTP_PORT": str(port), "HTTP_HOST": "127.0.0.1"})
    await proc.start()
    try:
        assert await wait_for_http(f"http://127.0.0.1:{port}/healthz") == 200
        assert (await fetch(f"http://127.0.0.1:{port}/calendar/{'x' * 32}.ics"))[0] == 404
    finally:
        await proc.stop()
    assert proc.proc is not None and proc.proc.returncode == 0, proc.log_tail()
    assert "Traceback" not in proc.log_tail(500)  # the subscriptions' alarm ran cleanly too
    with pytest.raises(aiohttp.ClientConnectionError):
        await fetch(f"http://127.0.0.1:{port}/healthz")


@pytest.mark.slow
async def test_the_demo_serves_the_feed_while_it_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "demo", "--out", str(tmp_path), "--now", "2014-01-10",
        cwd=tmp_path, env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        url = None
        async with asyncio.timeout(60):
            while url is None:
                line = (await proc.stdout.readline()).decode()
                assert line, "the demo ended before showing its feed"
                if "calendar feed, served while the demo runs:" in line:
                    url = line.split(": ", 1)[1].strip()
        status, body = await fetch(url)
        assert status == 200
        events = icalendar.Calendar.from_ical(body).walk("VEVENT")
        assert len(events) == 16  # the sample calendar's 15 events and C11's comment window
        proc.stdin.write(b"/calendar feed\n/quit\n")
        await proc.stdin.drain()
        out = (await asyncio.wait_for(proc.stdout.read(), 60)).decode()
        assert f"[only you] This server's calendar, always up to date: {url}" in out
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.mark.slow
async def test_a_feed_port_in_use_stops_python_m_bot_with_one_line(
    world: World, db_url: str, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = BotProcess(world.emu, db_url, log_path=tmp_path / "bot.log",
                          env={"HTTP_PORT": str(port)})
        with pytest.raises(RuntimeError, match="bot exited with 2"):
            await proc.start()
        await proc.stop()
    log = proc.log_tail()
    assert f"error: can't serve the calendar feed on 127.0.0.1:{port}" in log
    assert "set HTTP_PORT to a free port" in log and "Traceback" not in log
