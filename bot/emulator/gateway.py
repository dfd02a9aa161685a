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
# Discord's HEARTBEAT_ACK reaches a bot one network round trip after its heartbeat; the emulator
# waits this long before sending op 11. An instant loopback ACK races discord.py's keep-alive
# thread (it records the send time only after the event loop has sent the heartbeat), which
# then computes its latency from the previous heartbeat: "Can't keep up, shard ID 0 websocket
# is 41.3s behind". See Rapptz/discord.py#10448.
HEARTBEAT_ACK_DELAY = 0.05
# no heartbeat for this many intervals: the connection is a zombie and is closed, like Discord
HEARTBEAT_TIMEOUT_FACTOR = 1.5
SESSION_TIMED_OUT = 4009
DECODE_ERROR = 4002
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
        self.opened_at = time.monotonic()
        self.last_heartbeat = self.opened_at  # monotonic time of the last op 1 received
        self.last_heartbeat_seq: int | None = None
        self.heartbeats = 0  # op 1 received
        self.acks = 0  # op 11 sent
        self.zombie = False  # closed by the emulator for missing heartbeats

    def start(self) -> None:
        self.writer = asyncio.get_running_loop().create_task(self._write_loop())

    def send(self, msg: dict[str, Any]) -> None:
        if not self.closed:
            self.queue.put_nowait(msg)

    def heartbeat(self, seq: int | None, ack_delay: float) -> None:
        """Record an op 1 and answer it with op 11 after `ack_delay` s (the simulated RTT)."""
        self.heartbeats += 1
        self.last_heartbeat = time.monotonic()
        self.last_heartbeat_seq = seq
        if ack_delay <= 0:
            self._ack()
        else:
            asyncio.get_running_loop().call_later(ack_delay, self._ack)

    def _ack(self) -> None:
        if not self.closed:
            self.send({"op": 11, "d": None, "s": None, "t": None})
            self.acks += 1

    async def watch_heartbeats(self, timeout: float) -> None:
        """Close the connection (4009) once no heartbeat came for `timeout` s, as Discord does
        with a zombied connection."""
        while not self.closed:
            remaining = self.last_heartbeat + timeout - time.monotonic()
            if remaining > 0:
                await asyncio.sleep(remaining)
                continue
            self.zombie = True
            log.info("gateway: no heartbeat for %.1fs, closing the connection", timeout)
            await self.close(code=SESSION_TIMED_OUT, message=b"Session timed out.")
            return

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
