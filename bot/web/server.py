"""The web server (aiohttp, which discord.py already brings): read-only, two routes.

- `GET /calendar/<secret>.ics`: the server's live calendar, with ETag / If-None-Match (304)
  and Last-Modified / If-Modified-Since. Anything that is not a current secret gets the same
  plain 404 as any unknown path, saying nothing about which servers exist.
- `GET /healthz`: 200 when the database answers (503 when it does not), with the Discord
  connection's state, for a process supervisor.

Requests are rate-limited per client address (a token bucket; 429 with Retry-After). Only GET
and HEAD are answered. Behind a reverse proxy every client has the proxy's address, so the
proxy should limit too.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from aiohttp import web

from bot.domain.feeds import default_public_url
from bot.errors import ConfigError
from bot.services.feed import FeedService

log = logging.getLogger(__name__)

CALENDAR_TYPE = "text/calendar"


class RateLimiter:
    """A token bucket per client address: `burst` requests at once, `per_minute` sustained."""

    def __init__(
        self, per_minute: float = 60, burst: int = 20, *,
        now: Callable[[], float] = time.monotonic, max_clients: int = 10_000,
    ) -> None:
        self.rate = per_minute / 60
        self.burst = burst
        self.now = now
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, client: str) -> float:
        """0 when `client` may make a request now, else the seconds until it may."""
        now = self.now()
        tokens, at = self._buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate
        if len(self._buckets) >= self.max_clients and client not in self._buckets:
            self._forget_full(now)
        self._buckets[client] = (tokens - 1, now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        """Drop clients whose bucket has refilled (they are as if new)."""
        full = [
            c for c, (t, at) in self._buckets.items()
            if t + (now - at) * self.rate >= self.burst
        ]
        for client in full:
            del self._buckets[client]
        if len(self._buckets) >= self.max_clients:  # all busy: forget the oldest half
            for client in sorted(self._buckets, key=lambda c: self._buckets[c][1])[
                : self.max_clients // 2
            ]:
                del self._buckets[client]


class FeedServer:
    """Serves the feed on `host`:`port` (0: any free port) while it is open:
    `async with FeedServer(...) as server: server.public_url ...`."""

    def __init__(
        self,
        feeds: FeedService,
        *,
        host: str,
        port: int,
        public_url: str | None = None,
        guild_name: Callable[[int], str | None] = lambda _gid: None,
        discord_state: Callable[[], str] = lambda: "unknown",
        limiter: RateLimiter | None = None,
    ) -> None:
        self.feeds = feeds
        self.host = host
        self.port = port
        self._public_url = public_url
        self.guild_name = guild_name
        self.discord_state = discord_state
        self.limiter = limiter or RateLimiter()
        self._runner: web.AppRunner | None = None

    @property
    def public_url(self) -> str:
        return self._public_url or default_public_url(self.host, self.port)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._limit])
        app.on_response_prepare.append(_no_server_header)
        app.router.add_get("/calendar/{name}", self.calendar)
        app.router.add_get("/healthz", self.healthz)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = None
            raise ConfigError(
                f"can't serve the calendar feed on {self.host}:{self.port}"
                f" ({os.strerror(exc.errno).lower() if exc.errno else exc}): set HTTP_PORT to a"
                " free port, or unset it"
            ) from None
        if self.port == 0:
            server = getattr(site, "_server", None)
            sockets = getattr(server, "sockets", None) or []
            self.port = int(sockets[0].getsockname()[1])
        log.info("serving the calendar feed on %s:%s (public URL %s)", self.host, self.port,
                 self.public_url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FeedServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ handlers

    @web.middleware
    async def _limit(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        wait = self.limiter.allow(request.remote or "?")
        if wait > 0:
            return web.Response(
                status=429, text="Too many requests\n",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        return await handler(request)

    async def calendar(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        feed = await self.feeds.find(name[: -len(".ics")]) if name.endswith(".ics") else None
        if feed is None:
            raise web.HTTPNotFound()
        body = await self.feeds.body(feed, name=self.guild_name(feed.guild_id))
        modified = body.last_modified.astimezone(UTC).replace(microsecond=0)
        headers = {
            "ETag": body.etag,
            "Last-Modified": format_datetime(modified, usegmt=True),
            "Cache-Control": "private, max-age=300",
            "X-Content-Type-Options": "nosniff",
        }
        if _not_modified(request, body.etag, modified):
            return web.Response(status=304, headers=headers)
        return web.Response(
            body=body.data, headers=headers, content_type=CALENDAR_TYPE, charset="utf-8"
        )

    async def healthz(self, request: web.Request) -> web.Response:
        try:
            await self.feeds.db.fetchval("SELECT 1")
        except Exception as exc:
            log.warning("health check: the database did not answer (%s)", exc.__class__.__name__)
            return web.json_response(
                {"status": "failing", "database": "unreachable", "discord": self.discord_state()},
                status=503,
            )
        return web.json_response(
            {"status": "ok", "database": "ok", "discord": self.discord_state()}
        )


async def _no_server_header(request: web.Request, response: web.StreamResponse) -> None:
    """The feed says nothing about what serves it."""
    response.headers.popall("Server", None)


def _not_modified(request: web.Request, etag: str, modified: datetime) -> bool:
    """RFC 9110: If-None-Match decides when present; else If-Modified-Since."""
    match = request.headers.get("If-None-Match")
    if match is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return modified <= when
    return False
