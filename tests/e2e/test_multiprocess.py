"""Several `python -m bot` processes sharing one PostgreSQL: every reminder exactly once."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db import connect, to_ms
from bot.db.reminders import ReminderRepository
from bot.emulator import Channel, DiscordEmulator, Guild
from bot.harness import BotProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.parametrize("backend", ["postgresql"])]


def guilds_on_both_shards(emu: DiscordEmulator, per_shard: int = 2) -> list[Guild]:
    """Guild ids carry their creation millisecond; make guilds until both shards have some."""
    found: dict[int, list[Guild]] = {0: [], 1: []}
    while min(len(v) for v in found.values()) < per_shard:
        guild = emu.add_guild(f"process-{sum(len(v) for v in found.values())}")
        found[(guild.id >> 22) % 2].append(guild)
        time.sleep(0.0011)
    return found[0][:per_shard] + found[1][:per_shard]


async def burst(db_url: str, channels: list[tuple[Guild, Channel]], n: int, start: datetime) -> None:
    rows = []
    for i in range(n):
        guild, channel = channels[i % len(channels)]
        due = start + timedelta(milliseconds=(4000 * i) // n)
        rows.append((guild.id, channel.id, 1, f"P{i:03d}", to_ms(due), to_ms(due)))
    db = await connect(db_url)
    try:
        async with db.transaction() as tx:
            await ReminderRepository.insert_many(tx, rows)
    finally:
        await db.close()


def delivered(emu: DiscordEmulator) -> Counter[str]:
    return Counter(re.findall(r"P\d{3}", "\n".join(m.content for m in emu.messages)))


async def wait_all(emu: DiscordEmulator, n: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(delivered(emu)) < n and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # a duplicate would show up now


def processes(emu: DiscordEmulator, db_url: str, tmp_path: Path) -> list[BotProcess]:
    return [
        BotProcess(emu, db_url, log_path=tmp_path / f"bot{i}.log",
                   env={"SHARD_COUNT": "2", "SHARD_IDS": str(i), "REMINDER_LEASE_SECONDS": "3"})
        for i in (0, 1)
    ]


async def senders(db_url: str) -> Counter[str]:
    db = await connect(db_url)
    try:
        rows = await db.fetch("SELECT claimed_by, state FROM reminders")
    finally:
        await db.close()
    assert {r["state"] for r in rows} == {"sent"}
    return Counter((r["claimed_by"] or "?").split(":")[0] for r in rows)


async def test_two_processes_share_500_reminders(emulator: DiscordEmulator, db_url: str, tmp_path: Path) -> None:
    guilds = guilds_on_both_shards(emulator)
    channels = [(g, emulator.add_channel(g, f"ch{j}")) for g in guilds for j in range(3)]
    procs = processes(emulator, db_url, tmp_path)
    for proc in procs:
        await proc.start()
    await emulator.wait_for_ready(sessions=2, timeout=20)
    try:
        await burst(db_url, channels, 500, datetime.now(UTC) + timedelta(seconds=2))
        await wait_all(emulator, 500, timeout=60)
    finally:
        for proc in procs:
            await proc.stop()
    seen = delivered(emulator)
    assert len(seen) == 500 and max(seen.values()) == 1
    by = await senders(db_url)
    assert set(by) == {"shards-0-of-2", "shards-1-of-2"}, by


async def test_killing_one_of_two_mid_burst_loses_nothing(
    emulator: DiscordEmulator, db_url: str, tmp_path: Path
) -> None:
    guilds = guilds_on_both_shards(emulator)
    channels = [(g, emulator.add_channel(g, f"ch{j}")) for g in guilds for j in range(3)]
    procs = processes(emulator, db_url, tmp_path)
    for proc in procs:
        await proc.start()
    await emulator.wait_for_ready(sessions=2, timeout=20)
    try:
        await burst(db_url, channels, 500, datetime.now(UTC) + timedelta(seconds=2))
        deadline = time.monotonic() + 30
        while emulator.stats.message_creates < 60 and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        procs[0].kill()
        await procs[0].wait()
        await wait_all(emulator, 500, timeout=60)
    finally:
        for proc in procs:
            await proc.stop()
    seen = delivered(emulator)
    missing = sorted({f"P{i:03d}" for i in range(500)} - set(seen))
    assert not missing, missing[:10]
    assert max(seen.values()) == 1, [k for k, v in seen.items() if v > 1]
    by = await senders(db_url)
    assert by["shards-1-of-2"] > 250, by  # the survivor sent its own share and took over the rest
