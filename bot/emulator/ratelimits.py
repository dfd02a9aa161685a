"""Rate limits: the global window (requests per second) and per-channel message-create buckets
with Discord's headers; ``hold_channel`` (faults) makes a bucket report Remaining 0."""

from __future__ import annotations

import hashlib
import time

from aiohttp import web

from .models import Stats
from .rest import json_response
from .state import EmulatorState

MESSAGE_CREATE_BUCKET = hashlib.md5(b"POST /channels/{channel.id}/messages").hexdigest()[:32]


class ChannelBucket:
    __slots__ = ("count", "window_start")

    def __init__(self) -> None:
        self.window_start = 0.0
        self.count = 0


class RateLimiting(EmulatorState):
    """The global window (checked by the middleware) and the per-channel create buckets."""

    def _global_limit(self, now: float) -> web.Response | None:
        """Count a non-exempt request in the 1 s window; a 429 (global) when it is full."""
        window = self._global_window
        while window and window[0] <= now - 1.0:
            window.popleft()
        limits = self.rate_limits
        glimit = limits.global_per_second if limits is not None else None
        if glimit is not None and len(window) >= glimit:
            retry = max(0.001, window[0] + 1.0 - now)
            self.stats.status_429 += 1
            self.stats.status_429_global += 1
            return json_response(
                {
                    "message": "You are being rate limited.",
                    "retry_after": round(retry, 3),
                    "global": True,
                    "code": 0,
                },
                429,
                {
                    "Via": "1.1 google",
                    "Retry-After": str(max(1, round(retry))),
                    "X-RateLimit-Global": "true",
                    "X-RateLimit-Scope": "global",
                },
            )
        window.append(now)
        if len(window) > self.stats.global_window_max:
            self.stats.global_window_max = len(window)
        return None

    def _ratelimit_headers(self, channel_id: int, now: float) -> tuple[dict[str, str], float]:
        """Headers for the channel's message-create route; also returns seconds until allowed
        (0 when a create may go through now). Counts the create when allowed."""
        limits = self.rate_limits
        per_channel = limits.per_channel if limits is not None else None
        hold_until = self._holds.get(channel_id)
        if hold_until is not None and hold_until <= now:
            del self._holds[channel_id]
            hold_until = None
        if per_channel is None and hold_until is None:
            return {}, 0.0
        limit, window = per_channel if per_channel is not None else (5, 5.0)
        blocked_for = 0.0
        if per_channel is not None:
            bucket = self._buckets.get(channel_id)
            if bucket is None:
                bucket = self._buckets[channel_id] = ChannelBucket()
            if now >= bucket.window_start + window:
                bucket.window_start = now
                bucket.count = 0
            if bucket.count >= limit:
                blocked_for = bucket.window_start + window - now
            elif hold_until is None:
                bucket.count += 1
            remaining = max(0, limit - bucket.count)
            reset_after = bucket.window_start + window - now
        else:
            remaining = limit
            reset_after = 0.0
        if hold_until is not None:
            held = hold_until - now
            blocked_for = max(blocked_for, held)
            remaining = 0
            reset_after = max(reset_after, held)
        reset_after = max(reset_after, 0.001)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": MESSAGE_CREATE_BUCKET,
        }
        return headers, blocked_for

    def reset_stats(self) -> None:
        self.stats = Stats()
        self._global_window.clear()
