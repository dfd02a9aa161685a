"""The live calendar feed over real HTTP on loopback (SPEC 11), on both backends: parsed by
`icalendar`, ETag and Last-Modified, rotation, a 404 that says nothing, the rate limit and the
health check."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import aiohttp
import icalendar
import pytest

from bot.domain.clock import FakeClock
from bot.errors import ConfigError
from bot.services import Services
from bot.web import FeedServer, RateLimiter

GUILD = 42
COORD = 7


@pytest.fixture
async def server(services: Services) -> AsyncIterator[FeedServer]:
    async with FeedServer(
        services.feeds, host="127.0.0.1", port=0, guild_name=lambda gid: "WSIS+10 MPP"
    ) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def get(
    http: aiohttp.ClientSession, url: str, **headers: str
) -> tuple[int, bytes, Mapping[str, str]]:
    """Status, body and headers (looked up case-insensitively)."""
    async with http.get(url, headers=headers) as response:
        return response.status, await response.read(), response.headers.copy()


async def test_the_feed_is_the_live_calendar_with_etag_and_last_modified(
    services: Services, server: FeedServer, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    await services.calendar.add(GUILD, COORD, title="ICANN 49", when="23-27 March 2014",
                                location="Singapore")
    url = f"{server.public_url}/calendar/{await services.feeds.secret(GUILD)}.ics"
    assert url.startswith(f"http://127.0.0.1:{server.port}/calendar/")

    status, body, headers = await get(http, url)
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")
    assert "Server" not in headers
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal["X-WR-CALNAME"]) == "WSIS+10 MPP"
    events = [c for c in cal.walk("VEVENT")]
    assert [str(e["SUMMARY"]) for e in events] == ["ICANN 49"]
    assert events[0]["DTSTART"].to_ical() == b"20140323"
    export = await services.calendar.export_ics(GUILD, name="WSIS+10 MPP")
    exported = icalendar.Calendar.from_ical(export.data)
    assert [str(e["UID"]) for e in exported.walk("VEVENT")] == [str(e["UID"]) for e in events]
    etag, modified = headers["ETag"], headers["Last-Modified"]

    # Asked again with its ETag or its date: 304, nothing sent.
    status, body, _ = await get(http, url, **{"If-None-Match": etag})
    assert status == 304 and body == b""
    status, _, _ = await get(http, url, **{"If-Modified-Since": modified})
    assert status == 304
    status, _, _ = await get(http, url, **{"If-None-Match": '"something-else"'})
    assert status == 200

    # A change to the calendar changes both.
    clock.advance(minutes=5)
    await services.calendar.add(GUILD, COORD, title="NETmundial", when="23-24 April 2014")
    status, body, headers = await get(http, url, **{"If-None-Match": etag})
    assert status == 200 and b"NETmundial" in body
    assert headers["ETag"] != etag and headers["Last-Modified"] != modified
    etag = headers["ETag"]

    # A removed event too (nothing's updated_at moves; the body does).
    clock.advance(minutes=5)
    events_now = await services.calendar.repo.all(GUILD)
    await services.calendar.remove(GUILD, COORD, events_now[-1].id)
    status, body, headers = await get(http, url, **{"If-None-Match": etag})
    assert status == 200 and b"NETmundial" not in body and headers["ETag"] != etag

    # HEAD works; writing does not.
    async with http.head(url) as response:
        assert response.status == 200
    async with http.post(url, data=b"x") as response:
        assert response.status == 405


async def test_rotation_makes_the_old_url_a_plain_404(
    services: Services, server: FeedServer, http: aiohttp.ClientSession
) -> None:
    old = await services.feeds.secret(GUILD)
    assert await services.feeds.secret(GUILD) == old  # stable until reset
    new = await services.feeds.reset(GUILD, COORD)
    assert new != old
    status, _, _ = await get(http, f"{server.public_url}/calendar/{new}.ics")
    assert status == 200
    unknown_path = await get(http, f"{server.public_url}/nothing-here")
    for path in (f"/calendar/{old}.ics", "/calendar/" + "A" * 32 + ".ics", f"/calendar/{new}",
                 "/calendar/..%2F..%2Fetc.ics"):
        status, body, headers = await get(http, server.public_url + path)
        assert (status, body) == (404, unknown_path[1]), path
        assert "ETag" not in headers
    audit = await services.db.fetchval(
        "SELECT COUNT(*) FROM audit WHERE action = 'calendar.feed.reset'"
    )
    assert audit == 1


async def test_requests_are_rate_limited_per_address(
    services: Services, http: aiohttp.ClientSession
) -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=3, now=lambda: now[0])
    async with FeedServer(services.feeds, host="127.0.0.1", port=0, limiter=limiter) as srv:
        url = f"{srv.public_url}/calendar/{await services.feeds.secret(GUILD)}.ics"
        statuses = [(await get(http, url))[0] for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        status, _, headers = await get(http, url)
        assert status == 429 and headers["Retry-After"] == "1"
        now[0] += 1.0  # one request a second comes back
        assert (await get(http, url))[0] == 200
    assert limiter.allow("192.0.2.1") == 0  # another address has its own bucket


async def test_healthz_says_whether_the_database_answers(
    services: Services, server: FeedServer, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{server.public_url}/healthz") as response:
        assert response.status == 200
        assert (await response.json())["database"] == "ok"


async def test_a_port_in_use_is_one_clear_start_up_error(services: Services) -> None:
    async with FeedServer(services.feeds, host="127.0.0.1", port=0) as first:
        second = FeedServer(services.feeds, host="127.0.0.1", port=first.port)
        with pytest.raises(ConfigError, match=f"can't serve the calendar feed on 127.0.0.1:{first.port}"):
            await second.start()
