"""The database layer on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

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


async def test_migrations_create_the_whole_schema(db: Database) -> None:
    assert await table_names(db) >= TABLES
    assert await db.fetchval("SELECT MAX(version) FROM schema_version") == available()[-1][0]


async def test_migrations_are_idempotent(db: Database) -> None:
    version = await apply_migrations(db)
    assert version == available()[-1][0]
    assert await db.fetchval("SELECT COUNT(*) FROM schema_version") == len(available())


async def test_sqlite_pragmas(tmp_path: Path) -> None:
    db = await connect(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        assert (await db.fetchval("PRAGMA journal_mode")).lower() == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert await db.fetchval("PRAGMA user_version") == available()[-1][0]
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
