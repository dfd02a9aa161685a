"""Runs the measurements and writes results.json, results.md and the plots."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from . import burst, interactions, lateness, scale, when
from .common import BACKENDS, Sizes, machine, now_iso, versions, write_json

NAMES = ("interactions", "lateness", "burst", "scale", "when")

Measure = Callable[[str, Sizes, Path], Awaitable[Any]]
PER_BACKEND: dict[str, Measure] = {
    "interactions": interactions.run,
    "lateness": lateness.run,
    "burst": burst.run,
    "scale": scale.run,
    "when": when.run_first_event_add,
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _read_earlier(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


def _key(result: dict[str, Any]) -> tuple[str, str, str]:
    return (result["name"], result["backend"], result.get("case", ""))


async def run_all(
    sizes: Sizes,
    backends: Sequence[str],
    only: Sequence[str],
    out: Path,
    *,
    argv: Sequence[str] = (),
    plots: bool = True,
) -> dict[str, Any]:
    """Run the selected measurements on the selected backends; write the results to `out`."""
    for name in only:
        if name not in NAMES:
            raise ValueError(f"unknown measurement {name!r}; choose from {', '.join(NAMES)}")
    for backend in backends:
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}")
    began = time.perf_counter()
    meta: dict[str, Any] = {
        "date": now_iso(),
        "mode": sizes.name,
        "command": "python -m benchmarks " + " ".join(argv),
        "machine": machine(),
        "versions": await versions(backends),
        "sizes": sizes.as_dict(),
        # the machine may be shared: its load says how much of it the run had
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }
    results: list[dict[str, Any]] = []
    samples: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="concord-bench-") as tmp:
        workdir = Path(tmp)
        if "when" in only:
            log("when: parse costs")
            parsed = await when.run_parse(sizes)
            parsed["measured_at"] = now_iso()
            parsed["commit"] = meta["versions"].get("concord_commit")
            results.append(parsed)
        for backend in backends:
            for name in NAMES:
                if name not in only:
                    continue
                log(f"{name} on {backend}")
                # Start on a settled disk: the measurement before may have left hundreds of MB
                # to write back (the scale test's 1,000,000 reminders), and that writeback
                # stalled the next measurement's commits for up to 0.8 s (PostgreSQL's reminder
                # lateness p99 741 ms after it, 7.5 ms measured alone).
                await asyncio.to_thread(os.sync)
                # and on a settled heap: what the measurements before left in this process (the
                # emulator's records, the seeds) is kept out of the collector's full passes,
                # which otherwise paused the emulator mid-measurement as that heap grew.
                gc.collect()
                gc.freeze()
                t0 = time.perf_counter()
                produced = await PER_BACKEND[name](backend, sizes, workdir)
                for result in produced if isinstance(produced, list) else [produced]:
                    result["measured_at"] = now_iso()
                    result["commit"] = meta["versions"].get("concord_commit")
                    result["seconds"] = round(time.perf_counter() - t0, 1)
                    key = "/".join(k for k in _key(result) if k)
                    samples[key] = result.pop("samples_ms", None)
                    results.append(result)
                log(f"{name} on {backend}: {time.perf_counter() - t0:.1f} s")
    meta["run_seconds"] = round(time.perf_counter() - began, 1)
    meta["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    path = out / "results.json"
    earlier = _read_earlier(path) if set(only) != set(NAMES) else None
    if earlier is not None:
        # A partial run replaces its own entries in an earlier complete set.
        fresh = {_key(r) for r in results}
        results = [r for r in earlier.get("results", []) if _key(r) not in fresh] + results
        meta["partial_update_of"] = earlier.get("meta", {}).get("date")
    data = {"meta": meta, "results": results}
    write_json(path, data)
    from .report import write_markdown

    write_markdown(out / "results.md", data)
    if os.environ.get("CONCORD_BENCH_SAMPLES"):  # every latency, in completion order
        write_json(out / "samples.json", samples)
    if plots:
        from .plots import write_plots

        data["plots"] = write_plots(out, data, samples)
    log(f"wrote {out}/results.json, results.md and plots in {meta['run_seconds']} s")
    return data
