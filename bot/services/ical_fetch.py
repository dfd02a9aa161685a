"""Fetching an outside calendar, bounded and only from public addresses (SPEC 11).

- http and https only; at most MAX_REDIRECTS redirects (each hop checked again), a loop is
  named as such; FETCH_SECONDS for the whole check; at most MAX_FEED_BYTES of body (the
  declared length and the bytes read are both checked).
- Unless private addresses are allowed, a host that is an address literal must be public, and
  a name is resolved once by `GuardedResolver`: every address it resolves to must be public,
  and the connection goes to those checked addresses (no second lookup a rebinding DNS server
  could answer differently).
- Conditional: the stored ETag and Last-Modified are sent; 304 means unchanged.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from bot.domain.feeds import (
    FETCH_SECONDS,
    MAX_FEED_BYTES,
    MAX_REDIRECTS,
    FetchRefused,
    check_body,
    is_public_address,
)

log = logging.getLogger(__name__)

USER_AGENT = "Concord calendar subscription (+https://github.com/concord)"
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True, slots=True)
class Fetched:
    """A calendar body (None when the server said it has not changed since the last check)."""

    data: bytes | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def body_hash(self) -> str | None:
        return None if self.data is None else hashlib.sha256(self.data).hexdigest()


class GuardedResolver(AbstractResolver):
    """Resolves a name and refuses it when any of its addresses is not public; the connector
    connects to exactly the addresses returned here."""

    def __init__(
        self,
        is_allowed: Callable[[str], bool] = is_public_address,
        inner: AbstractResolver | None = None,
    ) -> None:
        self._inner = inner or ThreadedResolver()
        self.is_allowed = is_allowed

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            if not self.is_allowed(result["host"]):
                raise FetchRefused(
                    f"{host} is on a private or local network ({result['host']}); only calendars"
                    " on the public Internet can be followed"
                )
        return results

    async def close(self) -> None:
        await self._inner.close()


def _check_hop(url: str, allow_private: bool, is_allowed: Callable[[str], bool]) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchRefused(f"it redirects to {url[:100]}, which is not an http(s) address")
    host = parts.hostname
    if allow_private:
        return
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        raise FetchRefused(
            f"{host} is this machine; only calendars on the public Internet can be followed"
        )
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return  # a name: GuardedResolver checks what it resolves to
    if not is_allowed(host):
        raise FetchRefused(
            f"{host} is on a private or local network; only calendars on the public Internet"
            " can be followed"
        )


async def fetch_calendar(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    allow_private: bool = False,
    max_bytes: int = MAX_FEED_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    seconds: float = FETCH_SECONDS,
    is_allowed: Callable[[str], bool] = is_public_address,
) -> Fetched:
    """GET an iCalendar URL within the limits above; raises FetchRefused with the reason.
    `is_allowed` says which addresses are public (tests narrow it)."""
    try:
        async with asyncio.timeout(seconds):
            return await _fetch(
                url, etag, last_modified, allow_private, max_bytes, max_redirects, is_allowed
            )
    except TimeoutError:
        raise FetchRefused(f"it did not answer completely within {seconds:g} seconds") from None
    except FetchRefused:
        raise
    except aiohttp.ClientConnectorError as exc:
        cause = exc.os_error if isinstance(exc.os_error, FetchRefused) else None
        if cause is not None:
            raise cause from None
        error = exc.os_error
        reason = os.strerror(error.errno) if error.errno else (error.strerror or "no answer")
        raise FetchRefused(f"could not connect to {exc.host} ({reason.lower()})") from None
    except aiohttp.ClientError as exc:
        raise FetchRefused(f"the connection failed ({exc.__class__.__name__})") from None
    except OSError as exc:
        raise FetchRefused(f"the connection failed ({exc.strerror or exc})") from None


async def _fetch(
    url: str,
    etag: str | None,
    last_modified: str | None,
    allow_private: bool,
    max_bytes: int,
    max_redirects: int,
    is_allowed: Callable[[str], bool],
) -> Fetched:
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    connector = aiohttp.TCPConnector(
        resolver=None if allow_private else GuardedResolver(is_allowed),
        use_dns_cache=False,
        limit=2,
    )
    seen = [url]
    async with aiohttp.ClientSession(connector=connector, trust_env=False) as session:
        current = url
        while True:
            _check_hop(current, allow_private, is_allowed)
            async with session.get(current, headers=headers, allow_redirects=False) as response:
                if response.status in _REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchRefused(f"it answered {response.status} without saying where to")
                    nxt = urljoin(current, location)
                    if nxt in seen:
                        raise FetchRefused("it redirects in a loop; check the address")
                    if len(seen) > max_redirects:
                        raise FetchRefused(f"it redirects more than {max_redirects} times")
                    seen.append(nxt)
                    current = nxt
                    continue
                if response.status == 304:
                    return Fetched(None, etag, last_modified)
                if response.status != 200:
                    raise FetchRefused(
                        f"it answered HTTP {response.status} {response.reason or ''}".strip()
                    )
                data = await _read_capped(response, max_bytes)
                check_body(data)
                return Fetched(
                    data, response.headers.get("ETag"), response.headers.get("Last-Modified")
                )


async def _read_capped(response: Any, max_bytes: int) -> bytes:
    too_big = FetchRefused(
        f"the calendar is larger than {max_bytes / 1_000_000:g} MB; follow a smaller one"
        " (fewer months)"
    )
    if response.content_length is not None and response.content_length > max_bytes:
        raise too_big
    data = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        data += chunk
        if len(data) > max_bytes:
            raise too_big
    return bytes(data)
