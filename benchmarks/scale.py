"""4. Scale: start-up time and steady memory of the bot process with many pending reminders
(all due in the future), compared in the same run with few."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

from bot.emulator import DiscordEmulator
from bot.harness import TOKEN, build_world

from .common import (
    Sizes,
    bulk_insert,
    fresh_database,
    reminder_columns,
    reminder_row,
    running_bot,
    target,
)

CHANNELS = 100
HORIZON_S = 30 * 86400  # due over the next 30 days, from an hour from now


def _rows(guild: int, channels: list[int], user: int, n: int) -> Iterator[tuple[Any, ...]]:
    now_ms = int(time.time() * 1000)
    first = now_ms + 3600_000
    step = max(1, HORIZON_S * 1000 // max(n, 1))
    for i in range(n):
        yield reminder_row(guild, channels[i % len(channels)], user, f"P{i:07d} pending",
                           first + i * step, now_ms)


async def run_one(backend: str, sizes: Sizes, workdir: Path, pending: int) -> dict[str, Any]:
    async with DiscordEmulator(token=TOKEN) as emu:
        world = build_world(emu)
        channels = [emu.add_channel(world.guild, f"scale-{i}").id for i in range(CHANNELS)]
        async with fresh_database(backend, workdir, f"scale-{pending}") as url:
            fill_s = await bulk_insert(url, "reminders", reminder_columns(),
                                       _rows(world.guild.id, channels, world.alice.id, pending))
            async with running_bot(emu, url, workdir, f"scale-{pending}-{backend}") as proc:
                ps = psutil.Process(proc.pid)
                rss_ready = ps.memory_info().rss
                await asyncio.sleep(sizes.rss_settle_s)
                samples = []
                for _ in range(5):
                    samples.append(ps.memory_info().rss)
                    await asyncio.sleep(0.1)
                startup = proc.startup_s
                cpu = ps.cpu_times()
            sent = len(emu.messages)
    return {
        "pending": pending,
        "fill_s": round(fill_s, 3),
        "startup_s": round(startup, 3),
        "rss_at_ready_mb": round(rss_ready / 2**20, 1),
        "rss_steady_mb": round(samples[-1] / 2**20, 1),
        "rss_steady_max_mb": round(max(samples) / 2**20, 1),
        "rss_measured_after_s": round(sizes.rss_settle_s, 1),
        "bot_cpu_s": round(cpu.user + cpu.system, 3),
        "messages_sent": sent,
    }


async def run(backend: str, sizes: Sizes, workdir: Path) -> dict[str, Any]:
    small = await run_one(backend, sizes, workdir, sizes.pending_small)
    big = await run_one(backend, sizes, workdir, sizes.pending_big)
    return {
        "name": "scale",
        "backend": backend,
        "bot": "subprocess (python -m bot)",
        "conditions": (
            f"{big['pending']:,} vs {small['pending']:,} pending personal reminders due over the"
            f" next 30 days across {CHANNELS} channels; start-up = process start to the"
            " emulator's first IDENTIFY (READY follows at once); RSS of the bot process"
            f" (psutil) {sizes.rss_settle_s:g} s after that."
        ),
        "metrics": {"small": small, "big": big,
                    "startup_delta_s": round(big["startup_s"] - small["startup_s"], 3),
                    "rss_delta_mb": round(big["rss_steady_mb"] - small["rss_steady_mb"], 1)},
        "targets": [
            target(f"start-up with {big['pending']:,} pending", big["startup_s"], 3.0, "s"),
            target(f"steady RSS with {big['pending']:,} pending", big["rss_steady_mb"], 250.0, "MB"),
        ],
    }
