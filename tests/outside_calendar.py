"""An outside calendar for the subscription tests: a real aiohttp server on 127.0.0.1 whose feed
the test changes between checks, plus the misbehaving addresses a subscription must refuse."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web


@dataclass
class VEvent:
    uid: str
    summary: str
    start: datetime
    end: datetime | None = None
    status: str | None = None  # iCalendar STATUS (CONFIRMED, CANCELLED, TENTATIVE)
    concord_status: str | None = None  # X-CONCORD-STATUS (scheduled, postponed, cancelled)

    def lines(self) -> list[str]:
        out = [
            "BEGIN:VEVENT",
            f"UID:{self.uid}",
            f"SUMMARY:{self.summary}",
            "DTSTAMP:20131101T000000Z",
            f"DTSTART:{self.start.strftime('%Y%m%dT%H%M%SZ')}",
        ]
        if self.end is not None:
            out.append(f"DTEND:{self.end.strftime('%Y%m%dT%H%M%SZ')}")
        if self.status:
            out.append(f"STATUS:{self.status}")
        if self.concord_status:
            out.append(f"X-CONCORD-STATUS:{self.concord_status}")
        out.append("END:VEVENT")
        return out


def calendar(events: Sequence[VEvent], name: str | None = "ITU events") -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//outside//EN"]
    if name:
        lines.append(f"X-WR-CALNAME:{name}")
    for event in events:
        lines += event.lines()
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


class OutsideCalendar:
    """`/cal.ics` serves `self.body` with an ETag (304 on If-None-Match); `/other.ics` serves
    `self.other`; `/big.ics` is over 1 MB (declared), `/big-chunked.ics` too (undeclared);
    `/loop-a` and `/loop-b` redirect to each other; `/hop/<n>` redirects n times to /cal.ics;
    `/page` is a web page; `/away?to=URL` redirects there; `/slow.ics` trickles; `/broken.ics` claims to be a calendar and is not; `/gone` is a 500."""

    def __init__(self) -> None:
        self.body = calendar([])
        self.other = calendar([])
        self.requests: list[tuple[str, str | None]] = []  # (path, If-None-Match)
        self.not_modified = 0
        self.fail = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    def url(self, path: str = "/cal.ics", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    async def __aenter__(self) -> OutsideCalendar:
        app = web.Application()
        app.router.add_get("/cal.ics", self._cal)
        app.router.add_get("/other.ics", self._other)
        app.router.add_get("/big.ics", self._big)
        app.router.add_get("/big-chunked.ics", self._big_chunked)
        app.router.add_get("/loop-a", self._loop("/loop-b"))
        app.router.add_get("/loop-b", self._loop("/loop-a"))
        app.router.add_get("/hop/{n}", self._hop)
        app.router.add_get("/page", self._page)
        app.router.add_get("/away", self._away)
        app.router.add_get("/slow.ics", self._slow)
        app.router.add_get("/broken.ics", self._broken)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server: Any = getattr(site, "_server", None)
        self.port = int(server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _cal(self, request: web.Request) -> web.StreamResponse:
        match = request.headers.get("If-None-Match")
        self.requests.append((request.path, match))
        if self.fail:
            return web.Response(status=500, text="down for maintenance")
        etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'
        if match == etag:
            self.not_modified += 1
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=self.body, content_type="text/calendar", headers={"ETag": etag})

    async def _other(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path, None))
        return web.Response(body=self.other, content_type="text/calendar")

    async def _big(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"BEGIN:VCALENDAR\r\n" + b"X" * 1_200_000,
                            content_type="text/calendar")

    async def _big_chunked(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/calendar"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b"BEGIN:VCALENDAR\r\n")
        for _ in range(20):
            await response.write(b"X" * 64_000)
        await response.write_eof()
        return response

    @staticmethod
    def _loop(to: str) -> Any:
        async def handler(request: web.Request) -> web.StreamResponse:
            raise web.HTTPFound(to)

        return handler

    async def _hop(self, request: web.Request) -> web.StreamResponse:
        n = int(request.match_info["n"])
        raise web.HTTPFound("/cal.ics" if n <= 1 else f"/hop/{n - 1}")

    async def _slow(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/calendar"})
        await response.prepare(request)
        await response.write(b"BEGIN:VCALENDAR\r\n")
        await asyncio.sleep(2)  # the client gives up long before
        with contextlib.suppress(ConnectionError):
            await response.write_eof()
        return response

    async def _away(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(request.query["to"])

    async def _page(self, request: web.Request) -> web.StreamResponse:
        return web.Response(text="<!DOCTYPE html><html><body>Our events</body></html>",
                            content_type="text/html")

    async def _broken(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"BEGIN:VCALENDAR\r\nthis is not\r\n", content_type="text/calendar")
