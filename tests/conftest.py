"""Shared fixtures: a real database on both backends, an injected clock, the emulator and the bot.

Every test that asks for `db` (or anything built on it) runs twice: on a fresh SQLite file and
on a fresh PostgreSQL database cloned from a migrated template. Where no PostgreSQL server is
reachable the PostgreSQL half is skipped with a message saying so; with CONCORD_REQUIRE_POSTGRES=1
(as `.ci/run` sets) it fails instead.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.db import Database, connect
from bot.domain.clock import FakeClock
from bot.services import Services

PG_ADMIN_URL = os.environ.get("CONCORD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("CONCORD_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]
_counter = itertools.count()


def _pg_url(name: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


class PostgresServer:
    """Creates one migrated template database per test session and clones it per test."""

    def __init__(self) -> None:
        self.template = f"concord_tmpl_{os.getpid()}"
        self.ready: bool | None = None
        self.reason = ""

    async def _admin(self) -> Any:
        import asyncpg

        return await asyncpg.connect(PG_ADMIN_URL, timeout=3)

    async def ensure_template(self) -> None:
        if self.ready is not None:
            return
        try:
            conn = await self._admin()
        except Exception as exc:
            self.ready = False
            self.reason = f"no PostgreSQL at {PG_ADMIN_URL} ({exc.__class__.__name__}: {exc})"
            return
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.template}"')
            await conn.execute(f'CREATE DATABASE "{self.template}"')
        finally:
            await conn.close()
        db = await connect(_pg_url(self.template))
        await db.close()
        self.ready = True

    async def create(self) -> str:
        name = f"concord_t_{os.getpid()}_{next(_counter)}"
        conn = await self._admin()
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        finally:
            await conn.close()
        return name

    async def drop(self, name: str) -> None:
        conn = await self._admin()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    async def drop_template(self) -> None:
        if self.ready:
            await self.drop(self.template)


_PG = PostgresServer()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _PG.ready:
        asyncio.run(_PG.drop_template())


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def db_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A DATABASE_URL for an empty, migrated database of the requested backend."""
    if backend == "sqlite":
        path = tmp_path / "concord.db"
        db = await connect(f"sqlite:///{path}")
        await db.close()
        yield f"sqlite:///{path}"
        return
    await _PG.ensure_template()
    if not _PG.ready:
        message = f"PostgreSQL half skipped: {_PG.reason}"
        if REQUIRE_PG:
            pytest.fail(message)
        pytest.skip(message)
    name = await _PG.create()
    try:
        yield _pg_url(name)
    finally:
        await _PG.drop(name)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = await connect(db_url)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2013, 11, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def services(db: Database, clock: FakeClock) -> Services:
    return Services.build(db, clock)


@pytest.fixture
def repo_root() -> Iterator[Path]:
    yield Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------ the emulator and the bot

from bot.emulator import DiscordEmulator  # noqa: E402
from bot.harness import TOKEN, RunningBot, World, build_world, run_bot_in_process  # noqa: E402


@pytest.fixture
async def emulator() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator(token=TOKEN) as emu:
        yield emu


@pytest.fixture
def world(emulator: DiscordEmulator) -> World:
    return build_world(emulator)


@pytest.fixture
async def bot(world: World, db_url: str, clock: FakeClock) -> AsyncIterator[RunningBot]:
    """The real ConcordBot, in this process, talking to the emulator; its clock is `clock`."""
    async with run_bot_in_process(world.emu, db_url, clock=clock) as running:
        yield running
