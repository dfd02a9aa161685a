"""3. A burst under Discord's limits: the emulator enforces 5 creates per 5 s per channel and
50 requests per second; the bot keeps its default DISCORD_GLOBAL_RATE (50/s).

Two cases: every reminder due in the same second (in the future, the bot running), and the same
number spread over different minutes, all already due at start-up (a backlog, so nothing merges
across minutes). With them come RSVP DM reminders (SPEC 10): `burst_dm_members` members each
Going to two meetings whose reminders fall due with the burst (the same minute for both), so
each member gets one DM, merged, and the bot opens one DM channel per member first. The delivery
time is compared with the physical lower bound
T = max(ceil(R/50) - 1, 5 * (ceil(n_busiest/5) - 1)) seconds for R requests: one per message
(channel or DM) and one per DM channel opened (SPEC 13).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bot.emulator import DiscordEmulator, RateLimits, User
from bot.harness import TOKEN, build_world

from .common import (
    Sizes,
    Tags,
    bulk_insert,
    fresh_database,
    percentile,
    reminder_columns,
    reminder_row,
    running_bot,
    target,
)
from .lateness import to_ms_now

#: same_second: due times spread over one second (what a busy minute looks like);
#: same_instant: all due at the very same millisecond (the most merging the engine can do);
#: backlog: spread over different minutes and all overdue at start-up.
CASES = ("same_second", "same_instant", "backlog")


def lower_bound(messages: int, busiest: int) -> int:
    return max(math.ceil(messages / 50) - 1, 5 * (math.ceil(busiest / 5) - 1), 0)


def _due_times(case: str, sizes: Sizes) -> tuple[list[int], float]:
    """Due instants (ms) for each reminder, and the instant the burst becomes due (wall s)."""
    n = sizes.burst_reminders
    if case in ("same_second", "same_instant"):
        start = math.ceil(time.time() + sizes.launch_margin_s)
        if start % 60 == 59:  # keep the whole second inside one minute
            start += 1
        spread = 1000 if case == "same_second" else 0
        return [start * 1000 + (i * spread) // n for i in range(n)], float(start)
    # backlog: minute m (1..M minutes ago) holds n/M reminders, each minute's inside it
    minutes = sizes.burst_minutes
    per_minute = math.ceil(n / minutes)
    this_minute = int(time.time() // 60)
    due = []
    for i in range(n):
        m = i // per_minute
        minute_start = (this_minute - 1 - m) * 60_000
        due.append(minute_start + (i % per_minute) * (60_000 // per_minute))
    return due, time.time()


EVENT_COLUMNS = ("id", "guild_id", "title", "kind", "start_at", "all_day", "timezone",
                 "tentative", "status", "uid", "created_at", "updated_at")
DM_COLUMNS = ("guild_id", "event_id", "moment", "offset_seconds", "due_at", "user_id", "state",
              "created_at")
HOUR_MS = 3_600_000


def dm_reminders(
    guild_id: int, members: list[User], due: list[int], created: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Two meetings per due minute ("DA<minute>", "DB<minute>"), an hour after it, and for
    each member the 1h reminder of both, as RSVP DM rows (an event reminder with the member's
    user_id, what bot.db.rsvp.plan_dms writes): member i is due with reminder i * N / K."""
    events: dict[int, tuple[int, int]] = {}
    event_rows: list[tuple[Any, ...]] = []
    rows: list[tuple[Any, ...]] = []
    for i, member in enumerate(members):
        at = due[(i * len(due)) // len(members)]
        minute = at // 60_000
        if minute not in events:
            base = 1_000_000 + 2 * len(events)
            events[minute] = (base, base + 1)
            for eid, name in zip(events[minute], ("DA", "DB"), strict=True):
                start = minute * 60_000 + HOUR_MS
                event_rows.append((eid, guild_id, f"{name}{len(events):03d} meeting", "meeting",
                                   start, 0, "UTC", 0, "scheduled", f"{eid}@bench",
                                   created, created))
        for eid in events[minute]:
            rows.append((guild_id, eid, "start", 3600, at, member.id, "pending",
                         min(created, at)))
    return event_rows, rows


async def run_case(backend: str, sizes: Sizes, workdir: Path, case: str) -> dict[str, Any]:
    n = sizes.burst_reminders
    limits = RateLimits(per_channel=(5, 5.0), global_per_second=50)
    async with DiscordEmulator(token=TOKEN, rate_limits=limits) as emu:
        world = build_world(emu)
        channels = [emu.add_channel(world.guild, f"burst-{i}") for i in range(sizes.burst_channels)]
        members = [emu.add_user(f"rsvp-{i}") for i in range(sizes.burst_dm_members)]
        for member in members:  # a bot DMs only members of a server it shares
            emu.add_member(world.guild, member)
        ours = {c.id for c in channels}
        async with fresh_database(backend, workdir, f"burst-{case}") as url:
            due, due_wall = _due_times(case, sizes)
            created = to_ms_now()
            await bulk_insert(url, "reminders", reminder_columns(), [
                reminder_row(world.guild.id, channels[i % len(channels)].id, world.alice.id,
                             f"B{i:05d} burst", due[i], min(created, due[i]))
                for i in range(n)
            ])
            if members:
                event_rows, dm_rows = dm_reminders(world.guild.id, members, due, created)
                await bulk_insert(url, "events", EVENT_COLUMNS, event_rows)
                await bulk_insert(url, "reminders", DM_COLUMNS, dm_rows)
            async with running_bot(emu, url, workdir, f"burst-{case}-{backend}") as proc:
                tags = Tags(emu, "B")
                complete = await tags.wait_for(n, timeout=n / 5 + 120)
                complete = await _all_dms(emu, members, timeout=len(members) / 10 + 60) and complete
                spawned = proc.spawned_wall
                startup = proc.startup_s
                ready_before_due = proc.identified_wall < due_wall
            dm_channels = {emu.dm_channel_id(u) for u in members} - {None}
            channel_sent = [m for m in emu.messages if m.channel_id in ours]
            dms = [m for m in emu.messages if m.channel_id in dm_channels]
            dms_whole = sum(1 for m in dms if m.content.count("Reminder: **D") == 2)
            sent = channel_sent + dms
            per_channel = Counter(m.channel_id for m in sent)
            opened = emu.stats.requests["POST /users/@me/channels"]
            status_429 = emu.stats.status_429
            window_max = emu.stats.global_window_max
    sent.sort(key=lambda m: m.created_at_wall)
    # How long after its 5 s window ended each channel's next window began (time from a
    # window's first message to the next window's first, minus 5 s): what T does not count.
    by_channel: dict[int, list[float]] = {}
    for m in sent:
        by_channel.setdefault(m.channel_id, []).append(m.created_at_wall)
    restarts = [times[k] - times[k - 5] - 5.0 for times in by_channel.values()
                for k in range(5, len(times), 5)]
    messages = len(channel_sent)
    requests = len(sent) + opened
    busiest = max(per_channel.values()) if per_channel else 0
    bound = lower_bound(requests, busiest)
    first, last = sent[0].created_at_wall, sent[-1].created_at_wall
    span = last - first
    if case != "backlog":
        origin, origin_name = due_wall, "the due second"
    else:
        origin, origin_name = spawned, "process start"
    ratio = span / bound if bound > 0 else None
    return {
        "name": "burst",
        "case": case,
        "backend": backend,
        "bot": "subprocess (python -m bot)",
        "conditions": (
            f"{n:,} reminders across {len(channels)} channels and {len(members):,} members"
            " each Going to two meetings reminded with them (one DM each, both merged), "
            + {
                "same_second": "due evenly within one second (bot already running)",
                "same_instant": "all due at the same millisecond (bot already running)",
            }.get(case, f"spread over {sizes.burst_minutes} different minutes, all already due"
                  " at start-up (a backlog)")
            + "; emulator enforcing 5 per 5 s per channel and 50/s globally; bot with the"
            " default DISCORD_GLOBAL_RATE=50. Delivery time = first to last reminder message,"
            " channel or DM (emulator created_at_wall); ratio = that / T, T counting one"
            " request per message and per DM channel opened."
        ),
        "metrics": {
            "reminders": n,
            "delivered": len(tags.seen),
            "complete": complete,
            "messages": messages,
            "reminders_per_message": round(n / messages, 2) if messages else None,
            "dm_members": len(members),
            "dm_messages": len(dms),
            "dm_messages_with_both_meetings": dms_whole,
            "dm_channels_opened": opened,
            "requests": requests,
            "busiest_channel_messages": busiest,
            "lower_bound_s": bound,
            "delivery_s": round(span, 3),
            "ratio": None if ratio is None else round(ratio, 3),
            "first_message_after_s": round(first - origin, 3),
            "last_message_after_s": round(last - origin, 3),
            "measured_from": origin_name,
            "window_restart_delay": None if not restarts else {
                "n": len(restarts),
                "p50_s": round(percentile(restarts, 50), 3),
                "max_s": round(max(restarts), 3),
                "mean_s": round(sum(restarts) / len(restarts), 3),
            },
            "status_429": status_429,
            "global_window_max": window_max,
            "ready_before_due": ready_before_due if case != "backlog" else None,
            "bot_startup_s": round(startup, 3),
        },
        "samples_ms": {"sent_offset_s": [round(m.created_at_wall - first, 4) for m in sent]},
        "targets": [
            target(f"{case} ratio to T", ratio, 1.10, "x", op="<="),
            target(f"{case} 429s", float(status_429), 0.0, "responses", op="<="),
        ],
    }


async def _all_dms(emu: DiscordEmulator, members: list[User], timeout: float) -> bool:
    """Wait until every member has a DM; False when `timeout` passes first."""
    deadline = time.monotonic() + timeout
    while sum(1 for u in members if emu.dm_messages(u)) < len(members):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def run(backend: str, sizes: Sizes, workdir: Path) -> list[dict[str, Any]]:
    return [await run_case(backend, sizes, workdir, case) for case in CASES]
