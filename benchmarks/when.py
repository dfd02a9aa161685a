"""5. `when` parsing: warm per-call cost over typical inputs, the first call in a fresh process
with and without warm_up(), and the first /event add after the real bot starts."""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.domain.when import parse_when, warm_up
from bot.emulator import DiscordEmulator
from bot.errors import UserError
from bot.harness import TOKEN, build_world

from .common import Sizes, answer_latency, fresh_database, running_bot, summary_ms, target

#: What people type in `when` (SPEC section 3), plus two that are no date (the error path).
INPUTS = [
    "24 January 2014 18:00 CET",
    "next friday 9am",
    "in 3 days",
    "23-27 March 2014",
    "20 October - 7 November 2014",
    "31 March - 11 April 2014",
    "from 19 December 2013 to 24 January 2014",
    "2014-04-23/2014-04-24",
    "TBD (late January 2014)",
    "tomorrow 14:00",
    "2014-03-23 09:00",
    "23 March 2014 09:00",
    "16-18 December 2013",
    "whenever you like",
    "last next",
]
#: The inputs of the fresh-process measurement: dateparser success, own form, failure.
COLD_INPUTS = ["next friday 9am", "23-27 March 2014", "whenever you like"]

_COLD_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from datetime import UTC, datetime
from bot.domain.when import parse_when, warm_up
t1 = time.perf_counter()
warm = warm_up() if sys.argv[1] == "warm" else None
t2 = time.perf_counter()
try:
    parse_when(sys.argv[2], datetime.now(UTC), "UTC")
except Exception:
    pass
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "warm_up_s": warm, "first_call_s": t3 - t2}))
"""


def _call(text: str, now: datetime) -> None:
    try:
        parse_when(text, now, "Europe/Geneva")
    except UserError:
        pass


def _costs(reps: int, now: datetime) -> dict[str, Any]:
    per_input: dict[str, Any] = {}
    every: list[float] = []
    collections = sum(s["collections"] for s in gc.get_stats())
    for text in INPUTS:
        times = []
        for _ in range(reps):
            began = time.perf_counter()
            _call(text, now)
            times.append(time.perf_counter() - began)
        every += times
        per_input[text] = summary_ms(times)
    collections = sum(s["collections"] for s in gc.get_stats()) - collections
    return {"per_input": per_input, "all": summary_ms(every), "gc_collections": collections}


def warm_costs(reps: int) -> dict[str, Any]:
    """After warm_up(): as the process is, then again with the heap frozen (gc.freeze(), so
    the collector no longer walks the objects made at start-up)."""
    warm_up()
    now = datetime.now(UTC)
    as_is = _costs(reps, now)
    gc.collect()
    gc.freeze()
    try:
        frozen = _costs(reps, now)
    finally:
        gc.unfreeze()
    return {**as_is, "gc_frozen": {"all": frozen["all"], "gc_collections": frozen["gc_collections"],
                                   "worst_input_p99_ms": max(v["p99_ms"] for v in frozen["per_input"].values())}}


async def cold_first_call(text: str, mode: str) -> dict[str, float | None]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _COLD_SCRIPT, mode, text,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"cold parse failed: {err.decode()[-500:]}")
    data: dict[str, float | None] = json.loads(out.decode().strip().splitlines()[-1])
    return {k.removesuffix("_s") + "_ms": (None if v is None else round(v * 1000, 3))
            for k, v in data.items()}


async def run_parse(sizes: Sizes) -> dict[str, Any]:
    warm = warm_costs(sizes.when_reps)
    cold: dict[str, Any] = {}
    for text in COLD_INPUTS[: sizes.when_cold_inputs]:
        cold[text] = {
            "fresh_process_ms": await cold_first_call(text, "cold"),
            "after_warm_up_ms": await cold_first_call(text, "warm"),
        }
    worst_warm = max(v["p99_ms"] for v in warm["per_input"].values())
    return {
        "name": "when",
        "backend": "n/a",
        "bot": "in this process (parse_when) and fresh `python -c` subprocesses",
        "conditions": (
            f"parse_when over {len(INPUTS)} typical inputs, {sizes.when_reps} calls each after"
            " warm_up(), zone Europe/Geneva; first call in a fresh `python -c` process that"
            " imports and calls once, without and with warm_up() first (import_ms is the"
            " module import)."
        ),
        "metrics": {"warm": warm, "first_call": cold},
        "targets": [
            target("warm p99 over all inputs", warm["all"]["p99_ms"], 5.0, "ms",
                   samples=int(warm["all"]["n"])),
            target("warm p99 of the slowest input", worst_warm, 5.0, "ms",
                   samples=sizes.when_reps),
        ],
    }


async def run_first_event_add(backend: str, sizes: Sizes, workdir: Path) -> dict[str, Any]:
    """The first interactions after start-up: no cold parse inside them (warm_up ran)."""
    latencies = []
    answers = []
    async with DiscordEmulator(token=TOKEN) as emu:
        world = build_world(emu)
        async with (
            fresh_database(backend, workdir, "first-event") as url,
            running_bot(emu, url, workdir, f"first-event-{backend}") as proc,
        ):
            await emu.wait_for_commands(timeout=30)
            await emu.wait_for_ready(timeout=30)
            for i, when in enumerate(["next friday 9am", "23-27 March 2014", "in 3 days"]):
                # past: "23-27 March 2014" is over by the real clock, and a past event is refused
                res = await world.run(world.coordinator, "event add", title=f"Meeting {i}",
                                      when=when, kind="meeting", past=True, timeout=30)
                latencies.append(answer_latency(res))
                answers.append(res.text()[:120])
            since_ready = time.monotonic() - proc.identified_mono
    ok = all("Added to the calendar" in a for a in answers)
    return {
        "name": "first_event_add",
        "backend": backend,
        "bot": "subprocess (python -m bot)",
        "conditions": (
            "the first three /event add right after the bot is ready (commands synced, READY"
            " received): when = 'next friday 9am' (dateparser), '23-27 March 2014',"
            " 'in 3 days'."
        ),
        "metrics": {
            "first_ms": round(latencies[0] * 1000, 3),
            "second_ms": round(latencies[1] * 1000, 3),
            "third_ms": round(latencies[2] * 1000, 3),
            "answers_ok": ok,
            "answer_sample": answers[0],
            "measured_within_s_of_ready": round(since_ready, 3),
        },
        "targets": [target("first /event add after start-up", latencies[0] * 1000, 25.0, "ms")],
    }
