"""Gateway side of the emulator: websocket connections and (resumable) sessions."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import zlib
from collections import deque
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250
REPLAY_BUFFER = 2000


class GatewayConnection:
    """One websocket. Messages are queued synchronously and written in order by a writer task."""

    def __init__(self, ws: web.WebSocketResponse, *, compress: bool) -> None:
        self.ws = ws
        self.compressor: Any = zlib.compressobj() if compress else None
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.writer: asyncio.Task[None] | None = None
        self.closed = False
        self.session: GatewaySession | None = None

    def start(self) -> None:
        self.writer = asyncio.get_running_loop().create_task(self._write_loop())

    def send(self, msg: dict[str, Any]) -> None:
        if not self.closed:
            self.queue.put_nowait(msg)

    async def _write_loop(self) -> None:
        try:
            while True:
                msg = await self.queue.get()
                if msg is None:
                    return
                raw = json.dumps(msg, separators=(",", ":"))
                if self.compressor is not None:
                    data = self.compressor.compress(raw.encode()) + self.compressor.flush(
                        zlib.Z_SYNC_FLUSH
                    )
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(raw)
        except asyncio.CancelledError:
            self.closed = True
        except Exception as e:  # the socket went away mid-write
            log.debug("gateway writer stopped: %r", e)
            self.closed = True

    async def close(self, code: int = 1000, message: bytes = b"") -> None:
        self.closed = True
        self.queue.put_nowait(None)
        if self.writer is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self.writer, 2)
        if not self.ws.closed:
            with contextlib.suppress(Exception):
                await self.ws.close(code=code, message=message)


class GatewaySession:
    """A gateway session (survives its connection so it can be RESUMEd)."""

    def __init__(self, session_id: str, shard_id: int, shard_count: int, intents: int) -> None:
        self.session_id = session_id
        self.shard_id = shard_id
        self.shard_count = max(1, shard_count)
        self.intents = intents
        self.seq = 0
        self.conn: GatewayConnection | None = None
        self.buffer: deque[dict[str, Any]] = deque(maxlen=REPLAY_BUFFER)
        self.identified_at = time.monotonic()
        self.ready = False
        self.dispatched: int = 0

    @property
    def live(self) -> bool:
        return self.conn is not None and not self.conn.closed

    def owns(self, guild_id: int | None) -> bool:
        if guild_id is None:
            return self.shard_id == 0
        return (guild_id >> 22) % self.shard_count == self.shard_id

    def dispatch(self, event: str, data: Any) -> None:
        self.seq += 1
        self.dispatched += 1
        msg = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.buffer.append(msg)
        if self.conn is not None:
            self.conn.send(msg)

    def replay_after(self, seq: int) -> None:
        if self.conn is None:
            return
        for msg in self.buffer:
            if msg["s"] > seq:
                self.conn.send(msg)
