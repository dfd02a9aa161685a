"""PostgreSQL through an asyncpg pool: the `Database` of `bot.db.database` for a server that
several bot processes share."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from bot.db.database import Database, Lock, Row, inert
from bot.errors import ConfigError


class _PgConn:
    dialect = "postgresql"

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def execute(self, sql: str, *args: Any) -> None:
        await self._conn.execute(sql, *inert(args))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, [tuple(inert(r)) for r in rows])

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return list(await self._conn.fetch(sql, *inert(args)))

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self._conn.fetchrow(sql, *inert(args))

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._conn.fetchval(sql, *inert(args))


async def _keep_session(conn: Any) -> None:
    """What a connection given back to the pool needs beyond asyncpg's own clean-up (which
    rolls back a transaction left open): nothing. asyncpg's default also sends "SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL", a second round trip for
    every pooled statement, for session state Concord never makes: its advisory locks are
    transaction locks, it declares no cursors outside a transaction, listens to nothing and
    sets no session settings after connecting."""


class PostgresDatabase(Database):
    """PostgreSQL through an asyncpg pool."""

    dialect = "postgresql"

    def __init__(self, url: str, pool: Any, unflushed: Any = None) -> None:
        self.url = url
        self._pool = pool
        # Connections whose commits do not wait for the WAL flush (fetchval_unflushed).
        self._unflushed = unflushed or pool

    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:
        """Open a pool; every failure is a ConfigError saying what to fix."""
        import asyncpg

        try:
            # A statement that takes a minute is a stalled server or network: give up on it
            # (the member is told) rather than hold the interaction forever.
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=10, timeout=10, command_timeout=60,
                reset=_keep_session,
            )
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
                raise
            raise ConfigError(_postgres_problem(url, exc)) from None
        try:
            unflushed = await asyncpg.create_pool(
                url, min_size=1, max_size=10, timeout=10, command_timeout=60,
                server_settings={"synchronous_commit": "off"}, reset=_keep_session,
            )
        except BaseException as exc:
            await pool.close()
            if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
                raise
            raise ConfigError(_postgres_problem(url, exc)) from None
        return cls(url, pool, unflushed)

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return list(await self._pool.fetch(sql, *inert(args)))

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self._pool.fetchrow(sql, *inert(args))

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._pool.fetchval(sql, *inert(args))

    async def execute(self, sql: str, *args: Any) -> None:
        await self._pool.execute(sql, *inert(args))

    async def fetchval_unflushed(self, sql: str, *args: Any) -> Any:
        return await self._unflushed.fetchval(sql, *inert(args))

    @asynccontextmanager
    async def transaction(self, lock: Lock | None = None) -> AsyncIterator[_PgConn]:
        async with self._pool.acquire() as conn:
            if lock is None:
                async with conn.transaction():
                    yield _PgConn(conn)
                return
            # BEGIN and the lock in one simple-protocol round trip (two ints: nothing to quote)
            first, second = (int(part) for part in lock)
            await conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({first}, {second})")
            try:
                yield _PgConn(conn)
            except BaseException:
                # asyncpg rolls back at release what this could not (a broken connection)
                with contextlib.suppress(Exception):
                    await asyncio.shield(conn.execute("ROLLBACK"))
                raise
            await conn.execute("COMMIT")

    async def close(self) -> None:
        if self._unflushed is not self._pool:
            await self._unflushed.close()
        await self._pool.close()


def _postgres_problem(url: str, exc: BaseException) -> str:
    from urllib.parse import urlsplit

    import asyncpg

    parts = urlsplit(url)
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    name = (parts.path or "/").lstrip("/") or parts.username or "postgres"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return (
            f"PostgreSQL at {where} says database {name!r} does not exist: create it"
            f" (createdb {name}) or fix the name in DATABASE_URL"
        )
    if isinstance(exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError):
        return (
            f"PostgreSQL at {where} refused the login as {parts.username or 'the default user'!r}:"
            " check the user and password in DATABASE_URL"
        )
    if isinstance(exc, TimeoutError):
        return f"PostgreSQL at {where} did not answer within 10 s: check that it is up and reachable"
    if isinstance(exc, OSError):
        return (
            f"can't reach PostgreSQL at {where} ({exc.strerror or exc}): is it running, and is"
            " the host and port in DATABASE_URL right?"
        )
    return f"can't use PostgreSQL at {where} ({exc.__class__.__name__}: {exc}): check DATABASE_URL"
