"""One small database interface over aiosqlite and asyncpg.

Queries are written once, in PostgreSQL's numbered-placeholder style (``$1``); on SQLite they
run as ``?1`` (SQLite's own numbered parameters), so repositories hold a single set of SQL. The
few places where the dialects differ ask ``db.dialect``.

Instants are stored as epoch milliseconds (BIGINT) in both backends: comparisons and indexes are
plain integer ones, and nothing depends on either driver's datetime handling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from bot.db.quick import (
    CHECKPOINT_EVERY,
    QuickReader,
    QuickWriter,
    busy,
    open_connection,
    passive_checkpoint,
)
from bot.errors import ConfigError, DatabaseUnavailable
from bot.text import clean_control, has_control

log = logging.getLogger(__name__)

Row = Any  # sqlite3.Row or asyncpg.Record: both index by column name
Lock = tuple[int, int]  # a PostgreSQL advisory lock's two keys

_PLACEHOLDER = re.compile(r"\$(\d+)")


def to_ms(dt: datetime) -> int:
    """An aware datetime as epoch milliseconds."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime reached the database layer")
    return round(dt.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    """Epoch milliseconds as an aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def opt_ms(dt: datetime | None) -> int | None:
    return None if dt is None else to_ms(dt)


def opt_dt(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


def inert(args: Sequence[Any]) -> Sequence[Any]:
    """Parameters with control characters removed from their text: PostgreSQL refuses NUL and
    SQLite would keep it, so neither backend stores them (the same rows on both)."""
    if any(isinstance(a, str) and has_control(a) for a in args):
        return tuple(clean_control(a) if isinstance(a, str) else a for a in args)
    return args


class Executor(Protocol):
    """What both a database and a transaction's connection offer."""

    dialect: str

    async def execute(self, sql: str, *args: Any) -> None: ...
    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...
    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...
    async def fetchrow(self, sql: str, *args: Any) -> Row | None: ...
    async def fetchval(self, sql: str, *args: Any) -> Any: ...


class Database:
    """Base class; use :func:`connect`."""

    dialect: str = ""
    url: str = ""

    async def execute(self, sql: str, *args: Any) -> None:
        async with self.transaction() as tx:
            await tx.execute(sql, *args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        raise NotImplementedError

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, *args: Any) -> Any:
        row = await self.fetchrow(sql, *args)
        return None if row is None else row[0]

    async def write_one(self, sql: str, *args: Any) -> Row | None:
        """One write statement committed on its own (no BEGIN/COMMIT around it), and the first
        row it returns; on SQLite at once on the loop's thread (`bot.db.quick`)."""
        return await self.fetchrow(sql, *args)

    async def fetchval_unflushed(self, sql: str, *args: Any) -> Any:
        """`fetchval` of one write committed on its own without waiting for the disk flush,
        for records whose loss in a crash of the database server is harmless: the log is
        written in order, so any durable commit made after this one flushes it too (the
        interaction claim: an interaction whose effects were committed keeps its claim).
        SQLite in WAL mode with synchronous=NORMAL never waits for the disk at commit."""
        return await self.fetchval(sql, *args)

    def transaction(self, lock: Lock | None = None) -> Any:
        """An async context manager yielding an Executor: one transaction. `lock` (two ints)
        names a PostgreSQL advisory transaction lock taken as the transaction begins, in the
        same round trip as BEGIN; SQLite's BEGIN IMMEDIATE already locks the whole file."""
        raise NotImplementedError

    @property
    def quick(self) -> Executor:
        """Where the hot paths read outside a transaction: bounded, indexed reads (a page, a
        count with a cap, a row by key). On SQLite they run at once on the event loop's thread
        (`bot.db.quick`); elsewhere this is the database itself."""
        return self  # type: ignore[return-value]

    def quick_transaction(self, lock: Lock | None = None) -> Any:
        """`transaction` for a few bounded statements on a hot path (one comment recorded);
        on SQLite run at once on the loop's thread (`bot.db.quick`)."""
        return self.transaction(lock)

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


# --------------------------------------------------------------------------------------- SQLite


class _SqliteConn:
    """A transaction's view of the one SQLite connection."""

    dialect = "sqlite"

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def execute(self, sql: str, *args: Any) -> None:
        await self._db._conn.execute(self._db.convert(sql), inert(args))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._db._conn.executemany(self._db.convert(sql), [tuple(inert(r)) for r in rows])

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return list(await self._db._conn.execute_fetchall(self._db.convert(sql), inert(args)))

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        rows = await self._db._conn.execute_fetchall(self._db.convert(sql), inert(args))
        return rows[0] if rows else None

    async def fetchval(self, sql: str, *args: Any) -> Any:
        row = await self.fetchrow(sql, *args)
        return None if row is None else row[0]


class SqliteDatabase(Database):
    """SQLite through aiosqlite: one connection in WAL mode, foreign keys on.

    A single aiosqlite connection runs statements in order on its own thread; an asyncio lock
    makes each transaction exclusive, so statements of concurrent coroutines never interleave
    inside another's transaction.
    """

    dialect = "sqlite"

    def __init__(self, url: str, conn: Any) -> None:
        self.url = url
        self._conn = conn
        self._lock = asyncio.Lock()
        self._cache: dict[str, str] = {}
        self._file_lock: Any = None
        self._reader: QuickReader | None = None
        self._writer: QuickWriter | None = None
        self._checkpoints: set[asyncio.Task[None]] = set()
        self._checkpointed_at = 0  # the writer's commits when the last checkpoint began
        self._path = ""

    def _open_quick(self, path: str) -> None:
        """The loop-thread connections of `bot.db.quick` (none for ":memory:", which each
        connection would see as a database of its own)."""
        if path == ":memory:":
            return
        self._path = path
        self._reader = QuickReader(
            open_connection(path, read_only=True), self.convert, inert, self
        )
        self._writer = QuickWriter(open_connection(path, read_only=False), self.convert, inert)

    @property
    def quick(self) -> Executor:
        return self if self._reader is None else self._reader  # type: ignore[return-value]

    @asynccontextmanager
    async def quick_transaction(self, lock: Lock | None = None) -> AsyncIterator[Executor]:
        writer = self._writer
        if writer is None:
            async with self.transaction() as tx:
                yield tx
            return
        async with self._lock:
            await writer.begin()
            try:
                yield writer  # type: ignore[misc]
            except BaseException:
                writer.rollback()
                raise
            else:
                writer.commit()
        self._after_quick_commit()

    async def write_one(self, sql: str, *args: Any) -> Row | None:
        """At once on the loop's thread; while another process holds the write lock, on
        aiosqlite's thread (which waits busy_timeout for it)."""
        writer = self._writer
        if writer is not None:
            async with self._lock:
                try:
                    row = await writer.fetchrow(sql, *args)
                except sqlite3.OperationalError as exc:
                    if not busy(exc):
                        raise
                else:
                    writer.commits += 1
                    self._after_quick_commit()
                    return row
        return await self.fetchrow(sql, *args)

    async def fetchval_unflushed(self, sql: str, *args: Any) -> Any:
        row = await self.write_one(sql, *args)
        return None if row is None else row[0]

    def _after_quick_commit(self) -> None:
        """Every CHECKPOINT_EVERY commits of the loop-thread writer (which never checkpoints
        itself), a passive checkpoint in the background, on a worker thread and a connection
        of its own, first without any lock of ours: a passive checkpoint neither waits for nor
        blocks SQLite's readers and writers (under the database's lock, every claim waited
        for it: a 9 ms answer every 67 comments in the benchmark). The log starts again from
        its beginning only after a checkpoint that copied all of it, which writes made
        meanwhile prevent (SQLite reports a checkpoint whole when it copied the log as it
        was when it began); so when the writer committed meanwhile, a second pass copies that
        rest while this process's writers wait (a few pages), or the log would grow under
        steady writing."""
        assert self._writer is not None
        if self._writer.commits - self._checkpointed_at >= CHECKPOINT_EVERY and not self._checkpoints:
            self._checkpointed_at = self._writer.commits
            task = asyncio.get_running_loop().create_task(self._checkpoint())
            self._checkpoints.add(task)
            task.add_done_callback(self._checkpoints.discard)

    async def _checkpoint(self) -> None:
        assert self._writer is not None
        try:
            commits = self._writer.commits
            whole = await asyncio.to_thread(passive_checkpoint, self._path)
            if not whole or self._writer.commits != commits:  # written to meanwhile
                async with self._lock:
                    await asyncio.to_thread(passive_checkpoint, self._path)
        except Exception:
            log.warning("WAL checkpoint failed; SQLite retries at the next one", exc_info=True)

    def convert(self, sql: str) -> str:
        out = self._cache.get(sql)
        if out is None:
            out = _PLACEHOLDER.sub(r"?\1", sql)
            self._cache[sql] = out
        return out

    @classmethod
    async def open(cls, url: str, path: str, *, exclusive: bool = False) -> SqliteDatabase:
        """Open (creating) the file; with `exclusive`, refuse when another process holds it.
        Every failure is a ConfigError naming the file and what to do."""
        import aiosqlite

        lock = None
        if path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"can't create the folder {Path(path).parent} for DATABASE_URL"
                    f" ({exc.strerror}): choose a writable place, e.g. sqlite:///data/concord.db"
                ) from None
            if exclusive:
                lock = _lock_file(path)
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            _unlock(lock)
            raise ConfigError(
                f"can't open {path} ({exc}): check the path in DATABASE_URL and its permissions"
            ) from None
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA busy_timeout=5000")
            # A read that writes nothing does not prove the file writable: ask for a write lock.
            await conn.execute("BEGIN IMMEDIATE")
            await conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            await conn.close()  # its thread would keep the process alive
            _unlock(lock)
            raise ConfigError(_sqlite_problem(path, exc)) from None
        db = cls(url, conn)
        db._file_lock = lock
        try:
            db._open_quick(path)
        except sqlite3.Error as exc:
            await db.close()
            raise ConfigError(_sqlite_problem(path, exc)) from None
        return db

    # One trip to aiosqlite's thread per statement (execute_fetchall runs, fetches and closes
    # the cursor there), not three (execute, fetch, close): each trip wakes that thread.

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        async with self._lock:
            return list(await self._conn.execute_fetchall(self.convert(sql), inert(args)))

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        async with self._lock:
            rows = await self._conn.execute_fetchall(self.convert(sql), inert(args))
        return rows[0] if rows else None

    @asynccontextmanager
    async def transaction(self, lock: Lock | None = None) -> AsyncIterator[_SqliteConn]:
        async with self._lock:
            # aiosqlite runs each statement in its own thread: a task cancelled while it awaits
            # BEGIN (a scheduler stopped at shutdown) does not stop the BEGIN, whose write lock
            # would then be held for the connection's life. Wait for it and give it back.
            begin = asyncio.ensure_future(self._conn.execute("BEGIN IMMEDIATE"))
            try:
                await asyncio.shield(begin)
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await begin
                    await self._conn.execute("ROLLBACK")
                raise
            try:
                yield _SqliteConn(self)
            except BaseException:
                await asyncio.shield(self._conn.execute("ROLLBACK"))
                raise
            else:
                await self._conn.execute("COMMIT")

    async def close(self) -> None:
        for task in list(self._checkpoints):
            with contextlib.suppress(BaseException):
                await task
        for quick in (self._reader, self._writer):
            if quick is not None:
                quick.close()
        self._reader = self._writer = None
        await self._conn.close()
        _unlock(self._file_lock)
        self._file_lock = None


def _lock_file(path: str) -> Any:
    """Hold `<path>.lock` for this process's lifetime (the kernel frees it on any exit, even
    SIGKILL); a second bot on the same file finds it held and stops."""
    import fcntl

    lock_path = f"{path}.lock"
    try:
        handle = open(lock_path, "a+")  # noqa: SIM115 - held until close()
    except OSError as exc:
        raise ConfigError(
            f"can't write {lock_path} beside the database ({exc.strerror}):"
            " the database folder must be writable"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise ConfigError(
            f"another Concord process is already using {path}; SQLite is for one process:"
            " stop the other one, or use PostgreSQL (DATABASE_URL=postgresql://...) to run"
            " several"
        ) from None
    return handle


def _unlock(handle: Any) -> None:
    if handle is not None:
        handle.close()


def _sqlite_problem(path: str, exc: Exception) -> str:
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text:
        return (
            f"{path} is not an SQLite database (or is damaged): point DATABASE_URL at"
            " Concord's database file, or at a new file name to start a new one"
        )
    if "readonly" in text or "read-only" in text or "permission" in text or "unable to open" in text:
        return (
            f"can't write {path} ({exc}): make the file and its folder writable for this user,"
            " or point DATABASE_URL elsewhere"
        )
    return f"can't use {path} ({exc}): check DATABASE_URL"


def database_problem(exc: BaseException) -> DatabaseUnavailable | None:
    """`exc` as a database that could not take the work in time, or None for anything else.

    SQLite's "locked" comes before anything is written (the transaction rolled back); a lost
    or timed-out PostgreSQL connection may have lost the reply to a commit that was made.
    """
    import asyncpg

    if isinstance(exc, DatabaseUnavailable):
        return exc
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return DatabaseUnavailable(str(exc), maybe_recorded=False)
        return None
    if isinstance(
        exc,
        asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.CannotConnectNowError
        | asyncpg.TooManyConnectionsError
        | ConnectionError
        | TimeoutError,
    ):
        return DatabaseUnavailable(str(exc), maybe_recorded=True)
    return None


def sqlite_path(url: str) -> str:
    """``sqlite:///data/x.db`` -> ``data/x.db``; ``sqlite:////tmp/x.db`` -> ``/tmp/x.db``."""
    rest = url.split(":", 1)[1]
    if rest.startswith("///"):
        return rest[3:]
    if rest.startswith("//"):
        return rest[2:]
    return rest


async def connect(url: str, *, migrate: bool = True, exclusive: bool = False) -> Database:
    """Open the database named by ``url`` and apply pending migrations. With `exclusive`
    (the bot itself), an SQLite file already used by another process is refused. Problems of
    set-up raise ConfigError with one line saying what to fix."""
    db: Database
    if url.startswith("sqlite:"):
        db = await SqliteDatabase.open(url, sqlite_path(url), exclusive=exclusive)
    elif url.startswith(("postgresql:", "postgres:")):
        from bot.db.postgres import PostgresDatabase  # it builds on this module

        db = await PostgresDatabase.open(url)
    else:
        raise ConfigError(
            f"DATABASE_URL must start with sqlite:/// (a file, the default) or postgresql://"
            f" (a server); it starts with {url.split(':', 1)[0]!r}"
        )
    if migrate:
        from bot.db.migrations import apply_migrations

        try:
            await apply_migrations(db)
        except BaseException as exc:
            await db.close()
            if db.dialect == "sqlite" and isinstance(exc, _sqlite_errors()):
                raise ConfigError(_sqlite_problem(sqlite_path(url), exc)) from None
            raise
    return db


def _sqlite_errors() -> tuple[type[Exception], ...]:
    return (sqlite3.Error,)
