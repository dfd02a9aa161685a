"""2. Reminder lateness: reminders spread over a minute across many channels, emulator and bot
without rate limits; lateness = the emulator's created time of the message minus the due time."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psutil

from bot.db import to_ms
from bot.emulator import DiscordEmulator
from bot.harness import TOKEN, build_world

from .common import (
    Sizes,
    Tags,
    bulk_insert,
    fresh_database,
    reminder_columns,
    reminder_row,
    running_bot,
    summary_ms,
    target,
)

UNLIMITED_RATE = "1000"


async def run(backend: str, sizes: Sizes, workdir: Path) -> dict[str, Any]:
    n = sizes.lateness_reminders
    async with DiscordEmulator(token=TOKEN, rate_limits=None) as emu:
        world = build_world(emu)
        channels = [emu.add_channel(world.guild, f"lateness-{i}") for i in range(sizes.lateness_channels)]
        async with fresh_database(backend, workdir, "lateness") as url:
            first_due = time.time() + sizes.launch_margin_s
            spacing = sizes.lateness_spread_s / n
            due_ms = [round((first_due + i * spacing) * 1000) for i in range(n)]
            created = to_ms_now()
            await bulk_insert(url, "reminders", reminder_columns(), [
                reminder_row(world.guild.id, channels[i % len(channels)].id, world.alice.id,
                             f"L{i:05d} lateness probe", due_ms[i], created)
                for i in range(n)
            ])
            env = {"DISCORD_GLOBAL_RATE": UNLIMITED_RATE, "DISCORD_CHANNEL_RATE": "0"}
            async with running_bot(emu, url, workdir, f"lateness-{backend}", env=env) as proc:
                ready_before_due = proc.identified_wall < first_due
                ps = psutil.Process(proc.pid)
                cpu_before = ps.cpu_times()
                tags = Tags(emu, "L")
                complete = await tags.wait_for(n, timeout=sizes.lateness_spread_s + sizes.launch_margin_s + 60)
                cpu_after = ps.cpu_times()
                last_sent = max(tags.seen.values()) if tags.seen else first_due
                window = max(0.001, last_sent - first_due)
                bot_cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
                startup = proc.startup_s
    lateness = [tags.seen[i] - due_ms[i] / 1000 for i in sorted(tags.seen)]
    stats = summary_ms(lateness)
    return {
        "name": "lateness",
        "backend": backend,
        "bot": "subprocess (python -m bot)",
        "conditions": (
            f"{n:,} personal reminders due evenly over {sizes.lateness_spread_s:g} s across"
            f" {len(channels)} channels (all pending before start-up, first due"
            f" {sizes.launch_margin_s:g} s after launch); emulator and bot without rate limits"
            f" (emulator RateLimits=None, bot DISCORD_GLOBAL_RATE={UNLIMITED_RATE},"
            " DISCORD_CHANNEL_RATE=0)."
            " Lateness = emulator SentMessage.created_at_wall minus the reminder's due time."
        ),
        "metrics": {
            "reminders": n,
            "delivered": len(tags.seen),
            "complete": complete,
            "messages": len(emu.messages),
            "lateness": stats,
            "ready_before_first_due": ready_before_due,
            "bot_startup_s": round(startup, 3),
            "bot_cpu_s_during": round(bot_cpu, 3),
            "bot_cpu_share": round(bot_cpu / window, 3),
        },
        "samples_ms": {
            "due_offset_s": [round(i * spacing, 4) for i in sorted(tags.seen)],
            "lateness_ms": [round(x * 1000, 3) for x in lateness],
        },
        "targets": [target("lateness p99", stats["p99_ms"], 200.0, "ms", samples=len(lateness))],
    }


def to_ms_now() -> int:
    from datetime import UTC, datetime

    return to_ms(datetime.now(UTC))
