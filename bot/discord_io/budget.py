"""Discord's global rate limit, counted where Discord counts it: the budget, and the aiohttp
trace on the bot's HTTP session that tells it when each response arrived."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from typing import Any

import aiohttp


class GlobalBudget:
    """Discord's global limit (50 requests in any second), counted where Discord counts it.

    A request is counted from the moment it is allowed to start until one window after its
    response arrived (`completed()`, fed by an HTTP trace on the bot's session). Discord receives
    a request between those two moments, so no second of Discord's count can hold more than
    `rate` of them, however the requests are delayed on the way, and no margin is needed.
    """

    def __init__(self, rate: float, window: float = 1.0) -> None:
        self.rate = max(1, int(rate))
        self.window = window
        self._in_flight = 0
        self._done: deque[float] = deque()
        self._changed = asyncio.Condition()
        self._urgent_waiting = 0

    def _used(self, now: float) -> int:
        while self._done and self._done[0] <= now - self.window:
            self._done.popleft()
        return self._in_flight + len(self._done)

    async def acquire(self, *, filler: bool = False) -> None:
        """Wait for a slot. A `filler` request (a DM, which no channel window holds back) takes
        one only while no other request waits: a channel whose 5-second window just reopened
        goes first, and DMs fill the budget around the channels instead of starving them."""
        async with self._changed:
            if not filler:
                self._urgent_waiting += 1
            try:
                while True:
                    now = time.monotonic()
                    if self._used(now) < self.rate and (not filler or not self._urgent_waiting):
                        self._in_flight += 1
                        return
                    timeout = self._done[0] + self.window - now if self._done else None
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), timeout)
            finally:
                if not filler:
                    self._urgent_waiting -= 1
                    self._changed.notify_all()  # fillers may go now

    async def completed(self) -> None:
        """A counted request got its response (or failed): it stays counted for one window."""
        async with self._changed:
            self._done.append(time.monotonic())
            self._in_flight = max(0, self._in_flight - 1)
            self._changed.notify_all()


class ChannelPacer:
    """Discord's per-channel limit on creating messages (5 in a window of 5 s that starts with
    the window's first message), kept on our side so that a send waits for its channel's window
    *before* it takes a slot of the global budget. A window is counted from when its first send
    completed, which is no earlier than Discord saw it, so the pacer never lets a sixth message
    through early; discord.py still honours the real bucket behind it."""

    def __init__(self, limit: int = 5, window: float = 5.0) -> None:
        self.limit = limit
        self.window = window
        self._count = 0
        self._start: float | None = None

    async def wait(self) -> None:
        while True:
            now = time.monotonic()
            if self._start is None or now >= self._start + self.window:
                self._count, self._start = 0, None
                return
            if self._count < self.limit:
                return
            await asyncio.sleep(self._start + self.window - now)

    def sent(self) -> None:
        """A send to the channel completed (or failed: it may still have counted)."""
        if self._start is None:
            self._start = time.monotonic()
        self._count += 1


def budget_trace(budget: GlobalBudget) -> aiohttp.TraceConfig:
    """Feed `budget` with every response to a request Discord counts (interaction callbacks
    and webhooks are exempt from the global limit). Give it to the client as `http_trace`."""

    async def done(_session: Any, _ctx: Any, params: Any) -> None:
        path = params.url.path
        if "/interactions/" not in path and "/webhooks/" not in path:
            await budget.completed()

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(done)
    trace.on_request_exception.append(done)
    return trace
