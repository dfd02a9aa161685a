"""SQLite's statements on the loop's thread (bot.db.quick): they see what was committed, they
never make the loop wait for another process's write lock, and the log stays checkpointed."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from bot.db import connect
from bot.db import quick as quick_module
from bot.db.database import SqliteDatabase, database_problem


async def open_file(tmp_path: Path) -> SqliteDatabase:
    db = await connect(f"sqlite:///{tmp_path / 'q.db'}")
    assert isinstance(db, SqliteDatabase)
    return db


def hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's writer, as SQLite sees it: a connection in BEGIN IMMEDIATE."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


async def ticks_while(awaitable: object) -> tuple[object, int]:
    """Run `awaitable` while a task counts turns of the loop: a blocked loop counts none."""
    count = 0
    stop = False

    async def tick() -> None:
        nonlocal count
        while not stop:
            count += 1
            await asyncio.sleep(0.001)

    ticker = asyncio.create_task(tick())
    try:
        result = await awaitable  # type: ignore[misc]
    finally:
        stop = True
        await ticker
    return result, count


async def test_quick_reads_and_writes_see_each_others_commits(tmp_path: Path) -> None:
    db = await open_file(tmp_path)
    try:
        assert db.quick is not db  # a connection of its own, on the loop's thread
        async with db.transaction() as tx:  # the threaded connection
            await tx.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        assert await db.quick.fetchval("SELECT value FROM meta WHERE key = $1", "a") == "1"
        async with db.quick_transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
            # not committed yet: neither the reader nor the threaded connection sees it
            assert await db.quick.fetchval("SELECT value FROM meta WHERE key = 'b'") is None
        assert await db.quick.fetchval("SELECT value FROM meta WHERE key = 'b'") == "2"
        assert await db.fetchval("SELECT value FROM meta WHERE key = 'b'") == "2"
        row = await db.write_one(
            "UPDATE meta SET value = $1 WHERE key = $2 RETURNING value", "3", "b"
        )
        assert row is not None and row["value"] == "3"
        assert await db.fetchval("SELECT value FROM meta WHERE key = 'b'") == "3"
    finally:
        await db.close()


async def test_a_quick_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = await open_file(tmp_path)
    try:
        with pytest.raises(RuntimeError):
            async with db.quick_transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
                raise RuntimeError("boom")
        assert await db.fetchval("SELECT COUNT(*) FROM meta") == 0
        async with db.quick_transaction() as tx:  # the writer is usable again
            await tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
        assert await db.fetchval("SELECT COUNT(*) FROM meta") == 1
    finally:
        await db.close()


async def test_quick_and_threaded_transactions_of_one_process_never_interleave(
    tmp_path: Path,
) -> None:
    """Two writers in one process (the loop's and aiosqlite's thread) take turns under the
    database's lock: a quick transaction waiting for a threaded one neither fails nor writes
    inside it."""
    db = await open_file(tmp_path)
    try:
        inside = asyncio.Event()
        release = asyncio.Event()

        async def threaded() -> None:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ('t', '1')")
                inside.set()
                await release.wait()
                await tx.execute("UPDATE meta SET value = '2' WHERE key = 't'")

        async def quick() -> str:
            async with db.quick_transaction() as tx:
                value = await tx.fetchval("SELECT value FROM meta WHERE key = 't'")
                await tx.execute("INSERT INTO meta (key, value) VALUES ('q', $1)", str(value))
            return str(value)

        first = asyncio.create_task(threaded())
        await inside.wait()
        second = asyncio.create_task(quick())
        await asyncio.sleep(0.05)
        assert not second.done()  # waiting for the threaded transaction, not failing
        release.set()
        await first
        assert await second == "2"  # it ran after the threaded transaction committed
    finally:
        await db.close()


async def test_another_process_holding_the_lock_does_not_block_the_loop(
    tmp_path: Path,
) -> None:
    """While another process holds the write lock, a quick transaction waits with the loop
    running, and writes once the lock is given back."""
    db = await open_file(tmp_path)
    other = hold_write_lock(tmp_path / "q.db")
    try:
        async def write(key: str) -> None:
            async with db.quick_transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ($1, 'v')", key)

        task = asyncio.create_task(write("k"))
        await asyncio.sleep(0.2)
        assert not task.done()
        other.execute("ROLLBACK")
        _, ticks = await ticks_while(task)
        assert await db.fetchval("SELECT value FROM meta WHERE key = 'k'") == "v"

        other.execute("BEGIN IMMEDIATE")
        began = time.monotonic()
        waiting = asyncio.create_task(write("k2"))
        _, ticks = await ticks_while(asyncio.sleep(0.3))
        assert ticks > 50  # the loop kept turning (1 ms sleeps) while the write waited
        assert not waiting.done()
        other.execute("ROLLBACK")
        await waiting
        assert time.monotonic() - began < quick_module.BUSY_TIMEOUT_S
    finally:
        other.close()
        await db.close()


async def test_a_lock_held_too_long_is_the_usual_locked_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the busy timeout the quick transaction gives up with SQLite's "locked", which the
    bot turns into "nothing was saved" (bot.app.NOT_SAVED), as for the threaded connection."""
    monkeypatch.setattr(quick_module, "BUSY_TIMEOUT_S", 0.3)
    db = await open_file(tmp_path)
    other = hold_write_lock(tmp_path / "q.db")
    try:
        with pytest.raises(sqlite3.OperationalError) as raised:
            async with db.quick_transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
        problem = database_problem(raised.value)
        assert problem is not None and not problem.maybe_recorded
    finally:
        other.execute("ROLLBACK")
        other.close()
        await db.close()
    db = await open_file(tmp_path)
    try:
        assert await db.fetchval("SELECT COUNT(*) FROM meta") == 0
    finally:
        await db.close()


async def test_a_claim_under_a_held_lock_waits_on_the_thread_then_succeeds(
    tmp_path: Path,
) -> None:
    """write_one (the interaction claim) falls back to aiosqlite's thread while the lock is
    held; the loop keeps running and the claim is made once the lock is given back."""
    db = await open_file(tmp_path)
    other = hold_write_lock(tmp_path / "q.db")
    try:
        claim = asyncio.create_task(
            db.fetchval_unflushed(
                "INSERT INTO interactions (id, created_at) VALUES ($1, $2)"
                " ON CONFLICT (id) DO NOTHING RETURNING id", 42, 1,
            )
        )
        _, ticks = await ticks_while(asyncio.sleep(0.2))
        assert ticks > 30 and not claim.done()
        other.execute("ROLLBACK")
        assert await claim == 42
        again = await db.fetchval_unflushed(
            "INSERT INTO interactions (id, created_at) VALUES ($1, $2)"
            " ON CONFLICT (id) DO NOTHING RETURNING id", 42, 1,
        )
        assert again is None  # the same interaction is claimed once
    finally:
        other.close()
        await db.close()


async def test_the_log_is_checkpointed_although_the_writer_never_checkpoints(
    tmp_path: Path,
) -> None:
    """The loop-thread writer has wal_autocheckpoint off; the database checkpoints on a
    worker thread every CHECKPOINT_EVERY commits, finishing under its lock when writes went
    on meanwhile, so that even under steady writing the log is reused, not grown."""
    db = await open_file(tmp_path)
    wal = tmp_path / "q.db-wal"
    commits = quick_module.CHECKPOINT_EVERY * 3
    try:
        for i in range(commits):
            async with db.quick_transaction() as tx:
                await tx.execute(
                    "INSERT INTO meta (key, value) VALUES ($1, $2)", f"k{i}", "x" * 500
                )
            await asyncio.sleep(0)  # as between two interactions: the loop turns
        while db._checkpoints:  # the last one, in the background
            await asyncio.sleep(0.01)
        frames = (wal.stat().st_size - 32) // (4096 + 24)
        # 3,000 commits of two or three pages each wrote about 7,200 frames; the log's
        # high-water mark stays well under that because it was started again
        assert frames < 4000, frames
        assert await db.quick.fetchval("SELECT COUNT(*) FROM meta") == commits
    finally:
        await db.close()


async def test_memory_databases_have_no_quick_connections() -> None:
    """":memory:" is a database per connection: everything stays on the one connection."""
    db = await connect("sqlite:///:memory:")
    try:
        assert db.quick is db
        async with db.quick_transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
        assert await db.quick.fetchval("SELECT value FROM meta") == "v"
    finally:
        await db.close()
