"""Shared pieces of the benchmark: sizes, databases, bulk seeding, the measured bot process,
percentiles and the machine description.

Every number the benchmark reports comes from a measurement taken in the same run; nothing here
holds a constant result.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import os
import platform
import shutil
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.db import connect
from bot.db.database import sqlite_path
from bot.emulator import DiscordEmulator, InteractionResult
from bot.harness import BotProcess

PG_ADMIN_URL = os.environ.get(
    "CONCORD_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_db_counter = itertools.count()


# ------------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class Sizes:
    """How big each measurement is: the full run (SPEC'd sizes) or a smoke run (tiny)."""

    name: str
    # 1. interactions
    events: int
    comments: int
    stakeholders: int
    interactions: int  # per command, per mode
    concurrency: int
    warmup: int  # interactions per command before measuring (not counted)
    # 2. reminder lateness
    lateness_reminders: int
    lateness_spread_s: float
    lateness_channels: int
    # 3. burst under Discord's limits
    burst_reminders: int
    burst_channels: int
    burst_minutes: int
    burst_dm_members: int  # members Going to two meetings due with the burst: one DM each
    # 4. scale
    pending_big: int
    pending_small: int
    rss_settle_s: float
    # 5. when
    when_reps: int
    when_cold_inputs: int
    # seconds between launching the bot and the first due reminder (it must be ready by then)
    launch_margin_s: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


FULL = Sizes(
    name="full",
    events=10_000,
    comments=100_000,
    stakeholders=1_000,
    interactions=1_000,
    concurrency=50,
    warmup=20,
    lateness_reminders=10_000,
    lateness_spread_s=60.0,
    lateness_channels=100,
    burst_reminders=2_000,
    burst_channels=40,
    burst_minutes=40,
    burst_dm_members=500,
    pending_big=1_000_000,
    pending_small=1_000,
    rss_settle_s=10.0,
    when_reps=200,
    when_cold_inputs=3,
    launch_margin_s=6.0,
)

SMOKE = Sizes(
    name="smoke",
    events=200,
    comments=1_000,
    stakeholders=50,
    interactions=50,
    concurrency=10,
    warmup=2,
    lateness_reminders=100,
    lateness_spread_s=0.5,
    lateness_channels=10,
    burst_reminders=60,
    burst_channels=30,
    burst_minutes=2,
    burst_dm_members=100,
    pending_big=1_000,
    pending_small=100,
    rss_settle_s=0.3,
    when_reps=3,
    when_cold_inputs=1,
    launch_margin_s=1.8,
)


# ------------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of `values` (not empty)."""
    if not values:
        raise ValueError("percentile of nothing")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return float(ordered[rank - 1])


def summary_ms(seconds: Sequence[float]) -> dict[str, float | int]:
    """n, p50, p90, p99, max and mean of `seconds`, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p90_ms": round(percentile(ms, 90), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "max_ms": round(max(ms), 3),
        "mean_ms": round(sum(ms) / len(ms), 3),
    }


def answer_latency(res: InteractionResult) -> float:
    """Seconds from INTERACTION_CREATE sent to the answer: the first response, or for a
    deferred command the completion (the edit or followup that answers it)."""
    if res.deferred:
        if res.completed_at_monotonic is None:
            raise RuntimeError(f"interaction {res.id} deferred and never completed")
        return res.completed_at_monotonic - res.created_at_monotonic
    latency = res.latency
    if latency is None:
        raise RuntimeError(f"interaction {res.id} got no response")
    return latency


#: Fewer samples than this and a p99 is just the largest few: not judged against a target.
MIN_P99_SAMPLES = 100


def target(metric: str, value: float | None, limit: float, unit: str, *, op: str = "<",
           samples: int | None = None) -> dict[str, Any]:
    """A target check: `value op limit`; `miss_by` is how far past the limit a miss is.
    A p99 of fewer than MIN_P99_SAMPLES `samples` is reported but neither met nor missed."""
    if value is None or (samples is not None and samples < MIN_P99_SAMPLES):
        note = None if value is None else f"too few samples ({samples}) for a p99"
        return {"metric": metric, "target": f"{op} {limit:g} {unit}",
                "value": None if value is None else round(value, 3), "met": None,
                "miss_by": None, "unit": unit, "note": note}
    met = value < limit if op == "<" else value <= limit
    miss = None if met else round(value - limit, 3)
    return {"metric": metric, "target": f"{op} {limit:g} {unit}", "value": round(value, 3),
            "met": met, "miss_by": miss, "unit": unit}


# ------------------------------------------------------------------------------- machine


def machine() -> dict[str, Any]:
    model = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ram = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
                break
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "ram_bytes": ram,
        "ram_gib": None if ram is None else round(ram / 2**30, 1),
        "platform": platform.platform(),
    }


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


async def versions(backends: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
    }
    for dist in ("discord.py", "aiosqlite", "asyncpg", "aiohttp", "apscheduler", "dateparser",
                 "matplotlib", "psutil"):
        out[dist] = _version(dist)
    if "postgresql" in backends:
        import asyncpg

        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        try:
            out["postgresql"] = await conn.fetchval("SHOW server_version")
        finally:
            await conn.close()
    with contextlib.suppress(Exception):
        proc = await asyncio.create_subprocess_exec(
            "git", "rev-parse", "--short", "HEAD", stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, cwd=REPO,
        )
        stdout, _ = await proc.communicate()
        out["concord_commit"] = stdout.decode().strip() or None
        proc = await asyncio.create_subprocess_exec(
            "git", "status", "--porcelain", "--", "bot", "cogs", stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, cwd=REPO,
        )
        stdout, _ = await proc.communicate()
        # uncommitted changes to the measured code, if any (the numbers are of the worktree)
        out["concord_uncommitted"] = stdout.decode().split()[1::2] or None
    return out


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ------------------------------------------------------------------------------- databases


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.asynccontextmanager
async def fresh_database(backend: str, workdir: Path, label: str) -> AsyncIterator[str]:
    """A DATABASE_URL for a new, migrated database; removed afterwards."""
    n = next(_db_counter)
    if backend == "sqlite":
        path = workdir / f"{label}-{n}.db"
        _remove_sqlite(path)
        url = f"sqlite:///{path}"
        db = await connect(url)
        await db.close()
        try:
            yield url
        finally:
            _remove_sqlite(path)
        return
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend}")
    import asyncpg

    name = f"concord_bench_{os.getpid()}_{n}"
    base = PG_ADMIN_URL.rpartition("/")[0]
    admin = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = f"{base}/{name}"
    try:
        db = await connect(url)
        await db.close()
        yield url
    finally:
        admin = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def bulk_insert(
    url: str, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> float:
    """Insert `rows` fast (SQLite: one executemany in one transaction; PostgreSQL: COPY);
    returns the seconds it took."""
    began = time.perf_counter()
    if url.startswith("sqlite:"):
        conn = sqlite3.connect(sqlite_path(url))
        try:
            with conn:
                conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)})"
                    f" VALUES ({', '.join('?' for _ in columns)})",
                    rows,
                )
        finally:
            conn.close()
    else:
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            await conn.copy_records_to_table(table, records=rows, columns=list(columns))
            await conn.execute(f"ANALYZE {table}")
        finally:
            await conn.close()
    return time.perf_counter() - began


async def analyze(url: str) -> None:
    """Refresh planner statistics after seeding (what a long-running database has), and let
    the disk write the seed back before measuring on it."""
    if url.startswith("sqlite:"):
        conn = sqlite3.connect(sqlite_path(url))
        try:
            conn.execute("ANALYZE")
        finally:
            conn.close()
    else:
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            # and the visibility map autovacuum keeps on a live server (index-only scans)
            await conn.execute("VACUUM ANALYZE")
            # Write the seed's pages out now: a checkpoint of 110,000 bulk-loaded rows, set
            # off later by the WAL's size, stalled every commit of the measurements after it
            # for up to a second (a reminder lateness p99 of 730 ms, against 7 ms alone).
            await conn.execute("CHECKPOINT")
        finally:
            await conn.close()
    await asyncio.to_thread(os.sync)


# ------------------------------------------------------------------------------- the bot


class MeasuredBot(BotProcess):
    """`python -m bot` (the real process) with its spawn and identify instants recorded.

    With CONCORD_BENCH_PROFILE=DIR set, the bot runs under cProfile and leaves DIR/<label>.prof;
    with CONCORD_BENCH_PYSPY=DIR, py-spy (a dev dependency) samples it into DIR/<label>.txt
    (collapsed stacks, as flamegraph.pl reads them).
    """

    def __init__(self, emu: DiscordEmulator, database_url: str, *, log_path: Path,
                 env: dict[str, str] | None = None, module: str = "bot") -> None:
        super().__init__(emu, database_url, log_path=log_path, env=env)
        self.module = module  # "benchmarks.bare" runs the bare discord.py bot instead
        self.spawned_wall: float = 0.0
        self.spawned_mono: float = 0.0
        self.identified_mono: float = 0.0
        self.identified_wall: float = 0.0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def startup_s(self) -> float:
        """Process start to the emulator's first IDENTIFY (then READY goes out at once)."""
        return self.identified_mono - self.spawned_mono

    async def start(self, *, ready_timeout: float = 60) -> None:
        before = self.emu.identify_count
        self._log = self.log_path.open("ab")
        self.spawned_wall = time.time()
        self.spawned_mono = time.monotonic()
        profile_dir = os.environ.get("CONCORD_BENCH_PROFILE")
        args = ["-m", self.module]
        if profile_dir:  # cProfile of the bot process, written when it stops (SIGTERM)
            args = ["-m", "cProfile", "-o", f"{profile_dir}/{self.log_path.stem}.prof", *args]
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, *args,
            env=self.environment(),
            stdout=self._log,
            stderr=self._log,
            cwd=str(self.log_path.parent) if self.module == "bot" else REPO,
        )
        spy_dir = os.environ.get("CONCORD_BENCH_PYSPY")
        if spy_dir:  # py-spy samples the bot until it exits: less distortion than cProfile
            spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
            await asyncio.create_subprocess_exec(
                spy, "record", "--pid", str(self.proc.pid), "--rate", "1000",
                "--nonblocking", "--format", "raw", "--output",
                f"{spy_dir}/{self.log_path.stem}.txt",
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )
        deadline = self.spawned_mono + ready_timeout
        while self.emu.identify_count <= before:
            if self.proc.returncode is not None:
                raise RuntimeError(f"bot exited with {self.proc.returncode}: {self.log_tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"bot did not connect: {self.log_tail()}")
            await asyncio.sleep(0.002)
        self.identified_mono = time.monotonic()
        self.identified_wall = time.time()


@contextlib.asynccontextmanager
async def running_bot(emu: DiscordEmulator, url: str, workdir: Path, label: str,
                      env: dict[str, str] | None = None,
                      module: str = "bot") -> AsyncIterator[MeasuredBot]:
    proc = MeasuredBot(emu, url, log_path=workdir / f"{label}.log", env=env, module=module)
    await proc.start()
    try:
        yield proc
    finally:
        await proc.stop()


def reminder_columns() -> tuple[str, ...]:
    return ("guild_id", "moment", "channel_id", "user_id", "body", "due_at", "state", "created_at")


def reminder_row(guild_id: int, channel_id: int | None, user_id: int, body: str, due_ms: int,
                 created_ms: int) -> tuple[Any, ...]:
    """A pending personal reminder, as ReminderRepository.insert_many would write it."""
    return (guild_id, "personal", channel_id, user_id, body, due_ms, "pending", created_ms)


class Tags:
    """Finds reminder tags (e.g. `L00042`) in the emulator's messages as they arrive."""

    def __init__(self, emu: DiscordEmulator, prefix: str) -> None:
        import re

        self.emu = emu
        self.pattern = re.compile(prefix + r"(\d{5,7})")
        self.seen: dict[int, float] = {}  # tag number -> created_at_wall of its message
        self._scanned = 0

    def scan(self) -> int:
        messages = self.emu.messages
        for m in messages[self._scanned :]:
            for tag in self.pattern.findall(m.content):
                self.seen.setdefault(int(tag), m.created_at_wall)
        self._scanned = len(messages)
        return len(self.seen)

    async def wait_for(self, n: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.scan() < n:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True


def cpu_seconds(process: Any) -> float:
    """User + system CPU seconds of a psutil.Process so far."""
    times = process.cpu_times()
    return float(times.user + times.system)


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
