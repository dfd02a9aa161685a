"""The database layer on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db import Database, connect, from_ms, to_ms
from bot.db.database import sqlite_path
from bot.db.guilds import GuildRepository, MetaRepository, UserRepository
from bot.db.migrations import apply_migrations, available, statements
from bot.domain.clock import FakeClock
from bot.services.settings import SettingsService

TABLES = {
    "meta", "guild_settings", "user_settings", "stakeholders", "drafts", "events", "sections",
    "section_revisions", "comments", "reminders", "audit", "schema_version",
}


async def table_names(db: Database) -> set[str]:
    if db.dialect == "sqlite":
        rows = await db.fetch("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = await db.fetch(
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
        )
    return {r["name"] for r in rows}


LATEST = available()[-1][0]


async def test_migrations_create_the_whole_schema(db: Database) -> None:
    assert await table_names(db) >= TABLES
    assert await db.fetchval("SELECT MAX(version) FROM schema_version") == LATEST


async def test_migrations_are_idempotent(db: Database) -> None:
    version = await apply_migrations(db)
    assert version == LATEST
    assert await db.fetchval("SELECT COUNT(*) FROM schema_version") == len(available())


async def test_a_migration_missed_below_the_highest_is_applied(db: Database) -> None:
    """Branches number their migrations apart (V11 may land before V9): each migration is
    applied by its number, not only those above the highest applied."""
    await db.execute("DROP TABLE feed_announcements")
    await db.execute("DROP TABLE subscriptions")
    await db.execute("DROP TABLE calendar_feeds")
    await db.execute("DELETE FROM schema_version WHERE version = 11")
    assert await apply_migrations(db) == LATEST
    assert {"calendar_feeds", "subscriptions", "feed_announcements"} <= await table_names(db)


async def test_sqlite_pragmas(tmp_path: Path) -> None:
    db = await connect(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        assert (await db.fetchval("PRAGMA journal_mode")).lower() == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert await db.fetchval("PRAGMA user_version") == LATEST
    finally:
        await db.close()


async def test_a_transaction_cancelled_while_it_begins_leaves_no_lock(tmp_path: Path) -> None:
    """A task cancelled while BEGIN IMMEDIATE is still in aiosqlite's thread (a scheduler
    stopped at shutdown, say): BEGIN runs anyway, and the write lock it takes must be given
    back, or the next process on the file finds the database locked for good."""
    path = tmp_path / "x.db"
    db = await connect(f"sqlite:///{path}")
    try:
        async def write() -> None:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")

        task = asyncio.create_task(write())
        await asyncio.sleep(0)  # the task is now awaiting BEGIN IMMEDIATE
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await db.fetch("SELECT 1")  # queued behind BEGIN in aiosqlite's thread: BEGIN has run
        other = sqlite3.connect(path, timeout=0.5, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # 'database is locked' while the lock is held
            other.execute("ROLLBACK")
        finally:
            other.close()
        assert await db.fetch("SELECT key FROM meta WHERE key = 'k'") == []
    finally:
        await db.close()


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ($1, $2)", "k", "v")
            raise RuntimeError("boom")
    assert await db.fetchval("SELECT COUNT(*) FROM meta") == 0


async def test_foreign_keys_cascade(db: Database) -> None:
    now = to_ms(datetime(2014, 1, 1, tzinfo=UTC))
    draft_id = await db.fetchval(
        "INSERT INTO drafts (guild_id, code, title, created_at, updated_at)"
        " VALUES (1, 'C11', 'T', $1, $1) RETURNING id",
        now,
    )
    await db.execute(
        "INSERT INTO sections (draft_id, key, position, updated_at) VALUES ($1, 'vision', 0, $2)",
        draft_id,
        now,
    )
    await db.execute("DELETE FROM drafts WHERE id = $1", draft_id)
    assert await db.fetchval("SELECT COUNT(*) FROM sections") == 0


async def test_guild_settings_defaults_and_audit(db: Database) -> None:
    repo = GuildRepository(db)
    assert (await repo.get(5)).timezone == "UTC"
    at = datetime(2014, 1, 1, tzinfo=UTC)
    settings = SettingsService(db, repo, UserRepository(db), FakeClock(at))
    updated = await settings.set_timezone(5, 9, "Europe/Paris")
    assert updated.timezone == "Europe/Paris" and updated.reminder_offsets == "7d,1d,1h"
    row = await db.fetchrow("SELECT actor_id, action FROM audit")
    assert row is not None and row["actor_id"] == 9 and row["action"] == "settings.update"


async def test_meta_roundtrip(db: Database) -> None:
    meta = MetaRepository(db)
    assert await meta.get("x") is None
    await meta.set("x", "1")
    await meta.set("x", "2")
    assert await meta.get("x") == "2"


def test_time_conversion_is_exact_and_aware() -> None:
    dt = datetime(2014, 3, 30, 1, 0, 0, 123000, tzinfo=UTC)
    assert from_ms(to_ms(dt)) == dt
    with pytest.raises(ValueError):
        to_ms(datetime(2014, 1, 1))  # noqa: DTZ001 - the point of the test


def test_sqlite_url_paths() -> None:
    assert sqlite_path("sqlite:///data/concord.db") == "data/concord.db"
    assert sqlite_path("sqlite:////tmp/x.db") == "/tmp/x.db"


def test_id_macro_per_dialect() -> None:
    sql = "CREATE TABLE t (id __ID__);"
    assert "AUTOINCREMENT" in statements(sql, "sqlite")[0]
    assert "IDENTITY" in statements(sql, "postgresql")[0]


async def test_unknown_scheme_is_refused() -> None:
    from bot.errors import ConfigError

    with pytest.raises(ConfigError, match="must start with sqlite:///"):
        await connect("mysql://x")


async def test_a_lower_migration_merged_later_is_still_applied(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Areas reserve numbers (languages have V13): a V10 merged after V13 ran must still run.
    import bot.db.migrations as migrations

    applied = {r["version"] for r in await db.fetch("SELECT version FROM schema_version")}
    late = next((n for n in range(1, LATEST) if n not in applied), LATEST + 1)
    found = available()
    monkeypatch.setattr(
        migrations, "available",
        lambda: sorted([*found, (late, "late_merge", "CREATE TABLE late_merge (x INTEGER)")]),
    )
    version = await apply_migrations(db)
    assert version == max(LATEST, late)
    assert "late_merge" in await table_names(db)
    assert await db.fetchval("SELECT COUNT(*) FROM schema_version WHERE version = $1", late) == 1
    assert await apply_migrations(db) == version  # and only once


async def test_a_transaction_can_begin_with_an_advisory_lock(db: Database) -> None:
    """`transaction(lock)`: on PostgreSQL BEGIN and the advisory lock go in one round trip, and
    two transactions with the same lock take turns; an error rolls back and frees the lock."""
    order: list[str] = []

    async def one(name: str, hold: float) -> None:
        async with db.transaction((727001, 2)) as tx:
            order.append(f"{name}+")
            await asyncio.sleep(hold)
            await tx.execute("INSERT INTO meta (key, value) VALUES ($1, 'v')", name)
            order.append(f"{name}-")

    await asyncio.gather(one("a", 0.1), one("b", 0))
    assert order in (["a+", "a-", "b+", "b-"], ["b+", "b-", "a+", "a-"])
    with pytest.raises(RuntimeError):
        async with db.transaction((727001, 2)) as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('c', 'v')")
            raise RuntimeError("boom")
    await asyncio.wait_for(one("d", 0), 5)  # the lock was given back with the rollback
    rows = await db.fetch("SELECT key FROM meta WHERE key IN ('a', 'b', 'c', 'd') ORDER BY key")
    assert [r["key"] for r in rows] == ["a", "b", "d"]
