"""Faults a test injects: failed responses (``fail_next``) and held channels (``hold_channel``)."""

from __future__ import annotations

import contextlib
import time

from aiohttp import web

from .models import Channel
from .rest import Handler, HTTPError, json_response
from .state import EmulatorState
from .validation import snowflake


class Faults(EmulatorState):
    """Test controls that make the emulator fail the way Discord does."""

    def fail_next(
        self, route_substring: str, status: int, count: int = 1, *, after_processing: bool = False
    ) -> None:
        """Answer the next ``count`` requests whose "METHOD /path" contains the substring with
        ``status`` (e.g. 500 or 403) instead of handling them. With ``after_processing`` the
        request IS handled (a message gets created) and only the response is lost, as when
        Discord times out behind Cloudflare; discord.py then retries 500/502/504/524."""
        self._failures.append([route_substring, status, count, after_processing])

    def hold_channel(self, channel_id: Channel | int, seconds: float) -> None:
        """For ``seconds``, the channel's message route reports Remaining 0 and creates get 429."""
        self._holds[snowflake(channel_id)] = time.monotonic() + seconds

    async def _injected_failure(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse | None:
        """The failure ``fail_next`` asked for this request, if any (None: handle it normally)."""
        key = f"{request.method} {request.path}"
        for entry in self._failures:
            if entry[0] in key and entry[2] > 0:
                entry[2] -= 1
                if entry[2] <= 0:
                    self._failures.remove(entry)
                status = int(entry[1])
                if entry[3]:
                    with contextlib.suppress(HTTPError):
                        await handler(request)
                if status == 429:
                    self.stats.status_429 += 1
                    return json_response(
                        {
                            "message": "You are being rate limited.",
                            "retry_after": 0.1,
                            "global": False,
                        },
                        429,
                        {"Via": "1.1 google", "Retry-After": "1"},
                    )
                return json_response({"message": f"{status}: injected failure", "code": 0}, status)
        return None
