"""1. Interaction latency: /upcoming, /comment and /comments list against a seeded database,
sequential and concurrent, through the emulator to the real `python -m bot` process."""

from __future__ import annotations

import asyncio
import gc
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

from bot.db import connect, to_ms
from bot.db.drafts import DraftRepository
from bot.domain.models import StakeholderGroup
from bot.emulator import DiscordEmulator, InteractionResult, User
from bot.harness import TOKEN, World, build_world

from .common import (
    MeasuredBot,
    Sizes,
    analyze,
    answer_latency,
    bulk_insert,
    cpu_seconds,
    fresh_database,
    running_bot,
    summary_ms,
    target,
)

SECTIONS = ["vision", "pillar-a", "pillar-b", "pillar-c", "pillar-d", "pillar-e",
            "target-a", "target-b", "target-c", "target-d", "target-e"]
GROUPS = list(StakeholderGroup)
KINDS = ("meeting", "deadline", "window")
LOREM = (
    "The review should recognise the role of all stakeholders in the governance of the"
    " Internet, and ask for the multistakeholder model to be strengthened at national and"
    " regional level, with capacity building for developing countries."
)

#: The options each command rotates through (so the measured mix is stated, not hidden).
UPCOMING_VARIANTS: list[dict[str, Any]] = [{}, {"days": 7}, {"kind": "deadline"}, {"days": 90}]
LIST_VARIANTS: list[dict[str, Any]] = [
    {},
    {"draft": "C11"},
    {"draft": "C11", "section": "pillar-b"},
    {"group": "Civil Society"},
    {"draft": "C7", "group": "Government"},
]


async def seed(url: str, world: World, users: list[User], sizes: Sizes) -> dict[str, Any]:
    """10,000 events, 1,000 stakeholders, two drafts with 11 sections, 100,000 comments."""
    guild = world.guild.id
    now = datetime.now(UTC)
    now_ms = to_ms(now)
    timings: dict[str, float] = {}

    # Events every 12 h from ~2/3 of the span in the past: /upcoming's 30 days hold ~60.
    base = now - timedelta(hours=12 * (sizes.events * 2 // 3))
    event_rows = []
    for i in range(sizes.events):
        start = to_ms(base + timedelta(hours=12 * i))
        kind = KINDS[i % 3]
        end = start + (2 * 3600_000 if kind != "deadline" else 0)
        event_rows.append((guild, f"Meeting {i} of the WSIS+10 MPP", kind, start,
                           end if kind != "deadline" else None, 0, "UTC", f"Room {i % 40}",
                           0, "scheduled", now_ms, now_ms, end - start))
    timings["events_s"] = await bulk_insert(
        url, "events",
        ("guild_id", "title", "kind", "start_at", "end_at", "all_day", "timezone", "location",
         "tentative", "status", "created_at", "updated_at", "span_ms"),
        event_rows,
    )

    stakeholder_rows = [
        (guild, u.id, u.name, f"Organization {i}", GROUPS[i % len(GROUPS)].value, now_ms, now_ms)
        for i, u in enumerate(users)
    ]
    timings["stakeholders_s"] = await bulk_insert(
        url, "stakeholders",
        ("guild_id", "user_id", "display_name", "organization", "stakeholder_group",
         "created_at", "updated_at"),
        stakeholder_rows,
    )

    # Drafts and sections through the repository (a handful of rows), comments in bulk.
    db = await connect(url)
    try:
        repo = DraftRepository(db)
        section_ids: dict[str, list[int]] = {}
        draft_ids: dict[str, int] = {}
        for code in ("C11", "C7"):
            async with db.transaction() as tx:
                draft, _ = await repo.upsert(tx, guild, code, f"Action line {code}", "V1.2",
                                             actor_id=world.coordinator.id, at=now)
                draft_ids[code] = draft.id
                section_ids[code] = []
                for key in SECTIONS:
                    section, _ = await repo.set_section(
                        tx, draft, key, f"{key} text of {code}. {LOREM}",
                        actor_id=world.coordinator.id, at=now,
                    )
                    section_ids[code].append(section.id)
    finally:
        await db.close()

    comment_rows = []
    for i in range(sizes.comments):
        code = "C11" if i % 5 else "C7"  # 80 % on C11, 20 % on C7
        author = i % len(users)
        comment_rows.append((
            guild, draft_ids[code], section_ids[code][i % len(SECTIONS)], 1, users[author].id,
            f"Organization {author}", GROUPS[author % len(GROUPS)].value, "comment",
            f"Comment {i}. {LOREM}", now_ms - (sizes.comments - i) * 1000,
        ))
    timings["comments_s"] = await bulk_insert(
        url, "comments",
        ("guild_id", "draft_id", "section_id", "revision", "author_id", "organization",
         "stakeholder_group", "kind", "body", "created_at"),
        comment_rows,
    )
    began = time.perf_counter()
    await analyze(url)
    timings["analyze_s"] = time.perf_counter() - began
    return {"events": sizes.events, "comments": sizes.comments,
            "stakeholders": sizes.stakeholders,
            "seed_seconds": {k: round(v, 3) for k, v in timings.items()}}


def _check(res: InteractionResult, command: str) -> str | None:
    """A problem with an answer (errors, refusals), or None when it is a real answer."""
    if res.errors:
        return "; ".join(res.errors)
    text = res.text()
    if command == "comment" and "Recorded **#" not in text:
        return text[:200]
    if command == "upcoming" and "Upcoming" not in text:
        return text[:200]
    if command == "comments list" and "omments" not in text:
        return text[:200]
    if "went wrong" in text:
        return text[:200]
    return None


async def _invoke(world: World, users: list[User], command: str, i: int) -> InteractionResult:
    emu = world.emu
    if command == "upcoming":
        return await emu.invoke(world.alice, "upcoming", UPCOMING_VARIANTS[i % len(UPCOMING_VARIANTS)],
                                guild=world.guild, channel=world.channel, timeout=60)
    if command == "comment":
        options = {"draft": "C11", "section": SECTIONS[i % len(SECTIONS)],
                   "text": f"Benchmark comment {i}: {LOREM[: 60 + i % 100]}"}
        return await emu.invoke(users[i % len(users)], "comment", options,
                                guild=world.guild, channel=world.channel, timeout=60)
    options = LIST_VARIANTS[i % len(LIST_VARIANTS)]
    return await emu.invoke(world.bob, "comments list", options, guild=world.guild,
                            channel=world.channel, timeout=60)


async def _measure(world: World, users: list[User], command: str, n: int, concurrency: int,
                   offset: int) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    problems: list[str] = []

    async def one(i: int) -> None:
        try:
            res = await _invoke(world, users, command, offset + i)
        except Exception as exc:  # a timeout is a result too: counted, not hidden
            problems.append(f"{exc.__class__.__name__}: {exc}")
            return
        problem = _check(res, command)
        if problem:
            problems.append(problem)
        latencies.append(answer_latency(res))

    # The emulator runs in this process: its collector's full passes over everything the run
    # has kept (every interaction and message) paused it for up to 0.8 s, a tail that fell
    # on either bot at random. Each row runs with the heap settled and the collector off.
    gc.collect()
    gc.freeze()
    gc.disable()
    began = time.perf_counter()
    try:
        if concurrency <= 1:
            for i in range(n):
                await one(i)
        else:
            sem = asyncio.Semaphore(concurrency)

            async def limited(i: int) -> None:
                async with sem:
                    await one(i)

            await asyncio.gather(*(limited(i) for i in range(n)))
    finally:
        gc.enable()
    return latencies, problems, time.perf_counter() - began


COMMANDS = ("upcoming", "comment", "comments list")
#: Concord's p99 may be at most this many times the bare bot's (SPEC 13).
RATIO_TARGET = 3.0


async def _measure_bot(world: World, users: list[User], proc: MeasuredBot,
                       sizes: Sizes) -> tuple[dict[str, Any], dict[str, list[float]]]:
    """Every command, sequentially then concurrently, against the running `proc`."""
    bot_ps, driver_ps = psutil.Process(proc.pid), psutil.Process()
    results: dict[str, Any] = {}
    samples: dict[str, list[float]] = {}
    for command in COMMANDS:
        # warm-up (not counted): the first calls of each command, then one burst at the
        # measured concurrency, which opens the connections a pool keeps for such bursts
        await _measure(world, users, command, sizes.warmup, 1, offset=10_000_000)
        await _measure(world, users, command, sizes.concurrency, sizes.concurrency,
                       offset=20_000_000)
        for mode, concurrency in (("sequential", 1), ("concurrent", sizes.concurrency)):
            offset = 0 if mode == "sequential" else sizes.interactions
            bot_cpu, driver_cpu = cpu_seconds(bot_ps), cpu_seconds(driver_ps)
            lat, problems, elapsed = await _measure(
                world, users, command, sizes.interactions, concurrency, offset)
            bot_cpu = cpu_seconds(bot_ps) - bot_cpu
            driver_cpu = cpu_seconds(driver_ps) - driver_cpu
            key = f"/{command} {mode}"
            results[key] = {
                **summary_ms(lat),
                "concurrency": concurrency,
                "wall_s": round(elapsed, 3),
                "throughput_per_s": round(len(lat) / elapsed, 1),
                # CPU seconds per wall second: 1.0 is one core kept busy
                "bot_cpu_share": round(bot_cpu / elapsed, 3),
                "driver_cpu_share": round(driver_cpu / elapsed, 3),
                "bot_cpu_ms_per_interaction": round(bot_cpu * 1000 / max(1, len(lat)), 3),
                "bad_answers": len(problems),
                "bad_answer_sample": problems[:3],
            }
            samples[key] = [round(x * 1000, 3) for x in lat]
    return results, samples


def _pooled(
    first: dict[str, Any], first_samples: dict[str, list[float]],
    second: dict[str, Any], second_samples: dict[str, list[float]],
) -> tuple[dict[str, Any], dict[str, list[float]]]:
    """Two runs of the same load as one: percentiles over both runs' samples, CPU per
    interaction over both, bad answers added up."""
    results: dict[str, Any] = {}
    samples: dict[str, list[float]] = {}
    for key, a in first.items():
        b = second[key]
        both = first_samples[key] + second_samples[key]
        samples[key] = both
        results[key] = {
            **summary_ms([ms / 1000 for ms in both]),
            "bot_cpu_ms_per_interaction": round(
                (a["bot_cpu_ms_per_interaction"] * a["n"] + b["bot_cpu_ms_per_interaction"] * b["n"])
                / max(1, a["n"] + b["n"]), 3),
            "bad_answers": a["bad_answers"] + b["bad_answers"],
            "runs": [{k: r[k] for k in ("n", "p50_ms", "p99_ms", "bot_cpu_ms_per_interaction")}
                     for r in (a, b)],
        }
    return results, samples


async def _synced_again(emu: DiscordEmulator, syncs: int, timeout: float = 30) -> None:
    """Wait until a bot syncs its commands after the `syncs` already seen."""
    deadline = time.monotonic() + timeout
    while emu.command_syncs <= syncs:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the bot did not sync its commands within {timeout}s")
        await asyncio.sleep(0.01)


async def run(backend: str, sizes: Sizes, workdir: Path) -> dict[str, Any]:
    async with DiscordEmulator(token=TOKEN) as emu:
        world = build_world(emu)
        users = []
        for i in range(sizes.stakeholders):
            user = emu.add_user(f"stakeholder{i:04d}")
            emu.add_member(world.guild, user)
            users.append(user)
        async with fresh_database(backend, workdir, "interactions") as url:
            seeded = await seed(url, world, users, sizes)
            # The floor: the bare discord.py bot, same emulator, same load, just before Concord.
            async with running_bot(emu, url, workdir, f"interactions-bare-{backend}",
                                   module="benchmarks.bare") as proc:
                await emu.wait_for_commands(timeout=30)
                bare, bare_samples = await _measure_bot(world, users, proc, sizes)
            syncs, late_before = emu.command_syncs, emu.stats.late_responses
            async with running_bot(emu, url, workdir, f"interactions-{backend}") as proc:
                await _synced_again(emu, syncs)
                results, samples = await _measure_bot(world, users, proc, sizes)
                late = emu.stats.late_responses - late_before
                startup = proc.startup_s
            # ... and again just after it: the machine's load drifts, so the floor brackets
            # Concord in time and its samples from both runs are pooled.
            syncs = emu.command_syncs
            async with running_bot(emu, url, workdir, f"interactions-bare2-{backend}",
                                   module="benchmarks.bare") as proc:
                await _synced_again(emu, syncs)
                bare_after, bare_after_samples = await _measure_bot(world, users, proc, sizes)
            bare, bare_samples = _pooled(bare, bare_samples, bare_after, bare_after_samples)
    targets = []
    for key, m in results.items():
        floor = bare[key]
        m["bare"] = {k: floor[k] for k in ("n", "p50_ms", "p99_ms", "max_ms",
                                          "bot_cpu_ms_per_interaction", "bad_answers", "runs")}
        m["p50_ratio"] = round(m["p50_ms"] / floor["p50_ms"], 2)
        m["p99_ratio"] = round(m["p99_ms"] / floor["p99_ms"], 2)
        m["cpu_ratio"] = round(m["bot_cpu_ms_per_interaction"]
                               / max(floor["bot_cpu_ms_per_interaction"], 1e-3), 2)
        targets.append(target(f"{key} p99 / bare p99", m["p99_ratio"], RATIO_TARGET, "x",
                              op="<=", samples=min(m["n"], floor["n"] // 2)))
    samples.update({f"{k} bare": v for k, v in bare_samples.items()})
    return {
        "name": "interactions",
        "backend": backend,
        "bot": "subprocess (python -m bot); floor: subprocess (python -m benchmarks.bare)",
        "conditions": (
            f"{sizes.interactions} interactions per command sequentially and"
            f" {sizes.interactions} at {sizes.concurrency} concurrent, after {sizes.warmup}"
            f" sequential and {sizes.concurrency} concurrent warm-up calls per command (the"
            " burst opens the database connections a pool keeps for one); database of"
            f" {seeded['events']:,} events, {seeded['comments']:,} comments,"
            f" {seeded['stakeholders']:,} stakeholders; /comment by {len(users):,} different"
            " registered members; /upcoming rotates " + str(UPCOMING_VARIANTS)
            + "; /comments list rotates " + str(LIST_VARIANTS)
            + ". Latency = emulator time from INTERACTION_CREATE sent to the first response"
            " (to the completing edit for a deferred answer). The same load ran against the bare"
            " discord.py bot (`benchmarks/bare.py`: the same command names and options, a static"
            " answer, no database) on the same emulator just before and again just after"
            " Concord; its figures pool both runs (2 x the samples), and ratios are Concord /"
            " bare."
        ),
        "seed": seeded,
        "metrics": {"commands": results, "late_responses_over_3s": late,
                    "bot_startup_s": round(startup, 3)},
        "samples_ms": samples,
        "targets": targets,
    }
