"""Short SQLite statements run at once on the event loop's thread (speed, SPEC 13).

aiosqlite runs every statement on its own thread. For a bounded, indexed statement (a claim, a
page of events, one comment written) the trip costs more than the statement: the queue wakes the
thread, the thread hands the result back through the loop's self-pipe, and the two threads pass
the GIL to each other (measured: a third of the bot's CPU in the interaction benchmark was that
thread's hand-over, for statements of tens of microseconds). So the hot paths opt in:

- `QuickReader`, `SqliteDatabase.quick`: reads outside any transaction, on a read-only
  connection of their own. In WAL mode a reader never waits for writers; the rare
  "busy" (a checkpoint restarting the log) falls back to the ordinary, threaded read.
- `QuickWriter`: the writes of `SqliteDatabase.quick_transaction` and the interaction claim,
  on a second connection, always under the database's asyncio lock (so they never interleave
  with a threaded transaction of this process). It never waits for the file's write lock on
  the loop: BEGIN IMMEDIATE is tried without a busy timeout and, while another process holds
  the lock, tried again after asyncio sleeps, for as long as the threaded connection's
  busy_timeout would have waited. It never checkpoints on the loop either (wal_autocheckpoint
  off): the database checkpoints on a worker thread every CHECKPOINT_EVERY commits.

Everything else (exports, coverage, imports, the reminder engine's scans) stays on aiosqlite's
thread, where a long statement does not hold up the loop.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

Row = Any

#: As long as the threaded connection's PRAGMA busy_timeout.
BUSY_TIMEOUT_S = 5.0
#: Commits of the writer between two checkpoints (a commit adds two or three pages to the
#: log, so about 2,500 pages; SQLite's own default checkpoints at 1,000). A checkpoint syncs
#: the log and the database file to disk, and a commit that writes the log meanwhile may
#: wait for that sync: measured at 200 commits, every 67th /comment took 7-8 ms instead of
#: 1.5; fewer, larger checkpoints touch fewer answers.
CHECKPOINT_EVERY = 1000


def busy(exc: BaseException) -> bool:
    """Whether `exc` is SQLite saying another connection holds what the statement needs."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def open_connection(path: str, *, read_only: bool) -> sqlite3.Connection:
    """A connection for the loop's thread: autocommit, rows by name, no busy wait."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout=0")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    if read_only:
        conn.execute("PRAGMA query_only=ON")
    else:
        conn.execute("PRAGMA wal_autocheckpoint=0")
    return conn


def passive_checkpoint(path: str) -> bool:
    """Copy what the log holds into the database file, as far as no reader still needs it
    (for a worker thread: it opens, checkpoints and closes a connection of its own); whether
    all of the log was copied, so that the next write starts the log again from its start."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        busy_, log, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return not busy_ and log == copied
    finally:
        conn.close()


class _Statements:
    """What a reader and the writer share: a connection of the loop's thread, the dialect's
    placeholders, and fetchrow / fetchval derived from fetch."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection, convert: Callable[[str], str],
                 args: Callable[[Sequence[Any]], Sequence[Any]]) -> None:
        self._conn = conn
        self._convert = convert
        self._args = args

    def _rows(self, sql: str, args: Sequence[Any]) -> list[Row]:
        # fetchall ends the statement (and, outside a transaction, its read transaction: the
        # next read sees every commit made before it).
        return self._conn.execute(self._convert(sql), self._args(args)).fetchall()

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return self._rows(sql, args)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, *args: Any) -> Any:
        row = await self.fetchrow(sql, *args)
        return None if row is None else row[0]


class QuickReader(_Statements):
    """Reads at once on the loop's thread; `fallback` (the threaded database) when busy."""

    def __init__(self, conn: sqlite3.Connection, convert: Callable[[str], str],
                 args: Callable[[Sequence[Any]], Sequence[Any]], fallback: Any) -> None:
        super().__init__(conn, convert, args)
        self._fallback = fallback

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        try:
            return self._rows(sql, args)
        except sqlite3.OperationalError as exc:
            if not busy(exc):
                raise
        return list(await self._fallback.fetch(sql, *args))

    async def execute(self, sql: str, *args: Any) -> None:
        raise TypeError("QuickReader only reads; write in a transaction")

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise TypeError("QuickReader only reads; write in a transaction")

    def close(self) -> None:
        self._conn.close()


class QuickWriter(_Statements):
    """A transaction's statements at once on the loop's thread (the caller holds the lock)."""

    def __init__(self, conn: sqlite3.Connection, convert: Callable[[str], str],
                 args: Callable[[Sequence[Any]], Sequence[Any]]) -> None:
        super().__init__(conn, convert, args)
        self.commits = 0

    async def begin(self) -> None:
        """BEGIN IMMEDIATE; while another process holds the write lock, sleep and try again
        (the loop keeps running), up to BUSY_TIMEOUT_S, then raise SQLite's "locked"."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        pause = 0.001
        while True:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not busy(exc) or time.monotonic() + pause > deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    def commit(self) -> None:
        self._conn.execute("COMMIT")
        self.commits += 1

    def rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    async def execute(self, sql: str, *args: Any) -> None:
        self._conn.execute(self._convert(sql), self._args(args)).close()

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._conn.executemany(self._convert(sql), [tuple(self._args(r)) for r in rows]).close()

    def close(self) -> None:
        self.rollback()
        self._conn.close()
