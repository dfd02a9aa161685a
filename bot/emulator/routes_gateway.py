"""The ``/gateway`` websocket: HELLO, IDENTIFY, RESUME, heartbeats and member chunks, and which
live session (shard) an interaction goes to. Connections and sessions are in ``gateway.py``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from typing import Any

from aiohttp import WSMsgType, web

from .gateway import DECODE_ERROR, HEARTBEAT_TIMEOUT_FACTOR, GatewayConnection, GatewaySession
from .world import World


class GatewayServer(World):
    """The gateway side: the websocket handler, its ops, and waiting for sessions."""

    async def _ws_gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True, timeout=2.0)
        await ws.prepare(request)
        conn = GatewayConnection(ws, compress=request.query.get("compress") == "zlib-stream")
        conn.start()
        self._connections.add(conn)
        interval = self.heartbeat_interval_ms
        conn.send({"op": 10, "d": {"heartbeat_interval": interval}, "s": None, "t": None})
        watchdog = asyncio.create_task(
            conn.watch_heartbeats(interval / 1000 * HEARTBEAT_TIMEOUT_FACTOR)
        )
        try:
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    msg = json.loads(frame.data)
                elif frame.type == WSMsgType.BINARY:
                    msg = json.loads(frame.data.decode())
                else:
                    break
                if not await self._gateway_op(conn, msg):
                    break
        except (ConnectionResetError, json.JSONDecodeError):
            pass
        finally:
            self._connections.discard(conn)
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
            if conn.zombie:  # Discord: the timed-out session cannot be resumed
                self.zombie_closes += 1
                if session is not None and session.conn is None:
                    self.sessions.pop(session.session_id, None)
                await asyncio.wait([watchdog], timeout=3)  # its close handshake
            watchdog.cancel()
            await conn.close()
            self._signal_sessions()
        return ws

    async def _gateway_op(self, conn: GatewayConnection, msg: dict[str, Any]) -> bool:
        op = msg.get("op")
        d = msg.get("d")
        if op == 1:
            # d is the last sequence number the client received, or null before any dispatch
            if d is not None and (not isinstance(d, int) or isinstance(d, bool) or d < 0):
                self.errors.append(("GATEWAY op 1", DECODE_ERROR, f"invalid heartbeat d={d!r}"))
                await conn.close(code=DECODE_ERROR, message=b"Decode error.")
                return False
            self.heartbeats_received += 1
            conn.heartbeat(d, self.heartbeat_ack_delay)
        elif op == 2:
            token = str((d or {}).get("token", ""))
            if token.removeprefix("Bot ") != self.token:
                await conn.close(code=4004, message=b"Authentication failed.")
                return False
            shard = (d or {}).get("shard") or [0, 1]
            session = GatewaySession(
                uuid.uuid4().hex, int(shard[0]), int(shard[1]), int((d or {}).get("intents", 0))
            )
            self.identify_count += 1
            session.conn = conn
            conn.session = session
            self.sessions[session.session_id] = session
            guilds = [g for g in self.guilds.values() if session.owns(g.id)]
            session.dispatch(
                "READY",
                {
                    "v": 10,
                    "user": self._me_json(),
                    "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                    "session_id": session.session_id,
                    "session_type": "normal",
                    "resume_gateway_url": self.gateway_url,
                    "shard": [session.shard_id, session.shard_count],
                    "application": {"id": str(self.application_id), "flags": 0},
                    "private_channels": [],
                    "relationships": [],
                    "presences": [],
                    "guild_join_requests": [],
                    "geo_ordered_rtc_regions": [],
                    "user_settings": {},
                    "auth": {},
                },
            )
            for g in guilds:
                session.dispatch("GUILD_CREATE", self._guild_json(g))
            session.ready = True
            self._signal_sessions()
        elif op == 6:
            sid = str((d or {}).get("session_id", ""))
            token = str((d or {}).get("token", ""))
            found = self.sessions.get(sid)
            if found is None or token.removeprefix("Bot ") != self.token:
                conn.send({"op": 9, "d": False, "s": None, "t": None})
                return True
            old = found.conn
            if old is not None and old is not conn:
                old.session = None
                await old.close(code=4009)
            found.conn = conn
            conn.session = found
            self.resume_count += 1
            found.replay_after(int((d or {}).get("seq") or 0))
            found.dispatch("RESUMED", {})
            self._signal_sessions()
        elif op == 8:
            gid = int((d or {}).get("guild_id", 0))
            chunk_guild = self.guilds.get(gid)
            if chunk_guild is not None and conn.session is not None:
                conn.session.dispatch(
                    "GUILD_MEMBERS_CHUNK",
                    {
                        "guild_id": str(chunk_guild.id),
                        "members": [m.to_json() for m in chunk_guild.members.values()],
                        "chunk_index": 0,
                        "chunk_count": 1,
                        "not_found": [],
                        "presences": [],
                        "nonce": (d or {}).get("nonce"),
                    },
                )
        return True

    def _live_session_for(self, guild_id: int | None) -> GatewaySession | None:
        best: GatewaySession | None = None
        for s in self.sessions.values():
            if (
                s.live
                and s.ready
                and s.owns(guild_id)
                and (best is None or s.identified_at > best.identified_at)
            ):
                best = s
        return best

    async def _wait_session(self, guild_id: int | None, timeout: float) -> GatewaySession:
        deadline = time.monotonic() + timeout
        while True:
            s = self._live_session_for(guild_id)
            if s is not None:
                return s
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no live gateway session owns guild {guild_id}")
            ev = self._sessions_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ev.wait(), remaining)

    def _signal_sessions(self) -> None:
        self._sessions_changed.set()
        self._sessions_changed = asyncio.Event()

    async def wait_for_ready(self, timeout: float = 10, sessions: int = 1) -> None:
        """Wait until ``sessions`` live gateway sessions have IDENTIFIED and got READY."""
        deadline = time.monotonic() + timeout
        while sum(1 for s in self.sessions.values() if s.live and s.ready) < sessions:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no READY gateway session after {timeout}s")
            ev = self._sessions_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ev.wait(), remaining)

    async def disconnect_all(self, code: int = 4000, *, resumable: bool = True) -> None:
        """Drop every gateway connection (the client reconnects; with RESUME if resumable)."""
        for s in list(self.sessions.values()):
            if not resumable:
                self.sessions.pop(s.session_id, None)
        for conn in list(self._connections):
            await conn.close(code=code)

    def request_heartbeats(self) -> None:
        """Send op 1 to every live connection: Discord's request for an immediate heartbeat."""
        for conn in list(self._connections):
            conn.send({"op": 1, "d": None, "s": None, "t": None})
