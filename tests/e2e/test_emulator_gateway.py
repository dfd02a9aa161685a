"""The emulator's gateway heartbeats behave like Discord's (issue 11 item 23).

discord.py's keep-alive thread records when it sent a heartbeat only after the event loop has
sent it; a gateway that answers at once on loopback can have its ACK handled first, and
discord.py then measures its latency from the previous heartbeat ("Can't keep up, shard ID 0
websocket is 41.3s behind" with the real 41.25 s interval). The emulator answers after a
simulated network round trip, checks the heartbeat's payload and closes connections that stop
heartbeating.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import aiohttp
import discord.gateway
import pytest

from bot.domain.clock import FakeClock
from bot.emulator import DiscordEmulator
from bot.harness import TOKEN, RunningBot, build_world, run_bot_in_process


@pytest.fixture
def backend() -> str:
    """Heartbeats do not depend on the database: run these on SQLite only."""
    return "sqlite"


@contextlib.contextmanager
def busy_thread() -> Iterator[None]:
    """A thread spinning in Python: contention for the GIL and a core, as a busy machine gives
    the demo. It makes discord.py's keep-alive thread slow to note its send time."""
    stop = threading.Event()

    def spin() -> None:
        n = 0
        while not stop.is_set():
            n += 1

    t = threading.Thread(target=spin, name="busy", daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()


@pytest.fixture
def ack_latencies(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every latency discord.py computes when a HEARTBEAT_ACK arrives."""
    seen: list[float] = []
    original = discord.gateway.KeepAliveHandler.ack

    def ack(self: discord.gateway.KeepAliveHandler) -> None:
        original(self)
        seen.append(self.latency)

    monkeypatch.setattr(discord.gateway.KeepAliveHandler, "ack", ack)
    return seen


@pytest.mark.slow
async def test_bot_heartbeats_are_acked_and_latency_stays_small(
    db_url: str,
    clock: FakeClock,
    ack_latencies: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="discord.gateway")
    interval = 0.4
    async with DiscordEmulator(token=TOKEN, heartbeat_interval_ms=int(interval * 1000)) as emu:
        build_world(emu)
        async with run_bot_in_process(emu, db_url, clock=clock) as running:
            with busy_thread():
                await asyncio.sleep(6 * interval)
            await asyncio.sleep(0.1)  # the last ACK's round trip
            [session] = emu.sessions.values()
            conn = session.conn
            assert conn is not None
            assert conn.heartbeats >= 5 and conn.acks == conn.heartbeats
            # d of op 1 is the last sequence number the bot received
            assert conn.last_heartbeat_seq == session.seq
            bot_latency = running.bot.latency
    assert len(ack_latencies) >= 5
    # an ACK handled before discord.py noted its send time reads as a whole interval behind
    assert max(ack_latencies) < interval / 2, ack_latencies
    assert bot_latency < interval / 2
    assert emu.identify_count == 1 and emu.resume_count == 0 and emu.zombie_closes == 0
    assert not [r for r in caplog.records if "behind" in r.getMessage()]
    assert not [r for r in caplog.records if "stopped responding" in r.getMessage()]


async def test_heartbeat_request_is_answered(emulator: DiscordEmulator, bot: RunningBot) -> None:
    [session] = emulator.sessions.values()
    conn = session.conn
    assert conn is not None and emulator.heartbeat_interval_ms == 41250
    before = conn.heartbeats
    emulator.request_heartbeats()  # op 1 from the gateway: heartbeat now, not in 41 s
    deadline = time.monotonic() + 3
    while conn.acks <= before and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert conn.heartbeats == before + 1 and conn.acks == before + 1
    assert conn.last_heartbeat_seq == session.seq
    assert bot.bot.latency < 1


async def _hello_and_identify(
    ws: aiohttp.ClientWebSocketResponse,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """HELLO's and READY's payloads."""
    hello = await ws.receive_json()
    assert hello["op"] == 10
    await ws.send_json({"op": 2, "d": {"token": TOKEN, "intents": 0}})
    ready = await ws.receive_json()
    assert ready["t"] == "READY"
    return dict(hello["d"]), dict(ready["d"])


async def _until_op(ws: aiohttp.ClientWebSocketResponse, op: int) -> dict[str, Any]:
    while True:
        msg = await ws.receive_json(timeout=3)
        if msg["op"] == op:
            return dict(msg)


async def test_heartbeat_payload_is_validated() -> None:
    async with DiscordEmulator(token=TOKEN) as emu, aiohttp.ClientSession() as s:
        async with s.ws_connect(emu.gateway_url + "?v=10&encoding=json") as ws:
            await _hello_and_identify(ws)
            for d in (None, 0, 1):  # null before any dispatch, then the last sequence
                await ws.send_json({"op": 1, "d": d})
                ack = await _until_op(ws, 11)
                assert ack["d"] is None
            assert emu.heartbeats_received == 3
        for bad in ("1", -1, True, {"seq": 1}, 1.5):
            async with s.ws_connect(emu.gateway_url + "?v=10&encoding=json") as ws:
                await _hello_and_identify(ws)
                await ws.send_json({"op": 1, "d": bad})
                closing = await ws.receive(timeout=3)
                assert closing.type == aiohttp.WSMsgType.CLOSE, closing
                assert ws.close_code == 4002
        assert emu.heartbeats_received == 3
        assert [e for e in emu.errors if e[0] == "GATEWAY op 1" and e[1] == 4002]
        assert len([e for e in emu.errors if e[0] == "GATEWAY op 1"]) == 5


async def test_heartbeat_ack_takes_a_round_trip() -> None:
    async with (
        DiscordEmulator(token=TOKEN, heartbeat_ack_delay=0.05) as emu,
        aiohttp.ClientSession() as s,
        s.ws_connect(emu.gateway_url + "?v=10&encoding=json") as ws,
    ):
        await _hello_and_identify(ws)
        sent = time.monotonic()
        await ws.send_json({"op": 1, "d": 1})
        await _until_op(ws, 11)
        assert time.monotonic() - sent >= 0.045


async def test_connection_without_heartbeats_is_closed() -> None:
    async with (
        DiscordEmulator(token=TOKEN, heartbeat_interval_ms=200) as emu,
        aiohttp.ClientSession() as s,
    ):
        # heartbeating every interval keeps the connection open
        async with s.ws_connect(emu.gateway_url + "?v=10&encoding=json") as ws:
            hello, _ = await _hello_and_identify(ws)
            assert hello["heartbeat_interval"] == 200
            for _ in range(5):
                await ws.send_json({"op": 1, "d": 1})
                await _until_op(ws, 11)
                await asyncio.sleep(0.15)
            assert not ws.closed and emu.zombie_closes == 0
        # a connection that stops heartbeating is a zombie: closed after interval * 1.5
        async with s.ws_connect(emu.gateway_url + "?v=10&encoding=json") as ws:
            _, ready = await _hello_and_identify(ws)
            session_id = ready["session_id"]
            started = time.monotonic()
            await ws.send_json({"op": 1, "d": 1})
            await _until_op(ws, 11)
            msg = await ws.receive(timeout=3)
            while msg.type == aiohttp.WSMsgType.TEXT:
                msg = await ws.receive(timeout=3)
            waited = time.monotonic() - started
            assert msg.type == aiohttp.WSMsgType.CLOSE and ws.close_code == 4009
            assert 0.28 <= waited < 1.5
        deadline = time.monotonic() + 3
        while emu.zombie_closes == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert emu.zombie_closes == 1
        # the timed-out session cannot be resumed
        async with s.ws_connect(emu.gateway_url + "?v=10&encoding=json") as ws:
            await ws.receive_json()
            await ws.send_json({"op": 6, "d": {"token": TOKEN, "session_id": session_id, "seq": 1}})
            assert (await _until_op(ws, 9))["d"] is False
