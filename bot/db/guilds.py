"""Server settings, members' own settings, and the key/value meta table."""

from __future__ import annotations

from datetime import datetime

from bot.db.database import Database, Executor, to_ms
from bot.domain.models import GuildSettings, VerificationMode

_COLUMNS = (
    "timezone",
    "reminder_channel_id",
    "reminder_offsets",
    "coordinator_role_id",
    "verification_mode",
    "reminder_role_id",
    "language",
)


class GuildRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, guild_id: int, tx: Executor | None = None) -> GuildSettings:
        row = await (tx or self.db.quick).fetchrow(
            "SELECT guild_id, timezone, reminder_channel_id, reminder_offsets, coordinator_role_id,"
            " verification_mode, reminder_role_id, language FROM guild_settings WHERE guild_id = $1",
            guild_id,
        )
        if row is None:
            return GuildSettings(guild_id=guild_id)
        return GuildSettings(
            guild_id=row["guild_id"],
            timezone=row["timezone"],
            reminder_channel_id=row["reminder_channel_id"],
            reminder_offsets=row["reminder_offsets"],
            coordinator_role_id=row["coordinator_role_id"],
            verification_mode=VerificationMode(row["verification_mode"]),
            reminder_role_id=row["reminder_role_id"],
            language=row["language"],
        )

    @staticmethod
    async def update(tx: Executor, guild_id: int, *, at: datetime, **changes: object) -> None:
        """Set some of the settings (keyword names are the column names). Only the named
        columns are written, so two settings changed at once both stay."""
        unknown = set(changes) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        await tx.execute(
            "INSERT INTO guild_settings (guild_id, updated_at) VALUES ($1, $2)"
            " ON CONFLICT (guild_id) DO NOTHING",
            guild_id,
            to_ms(at),
        )
        names = sorted(changes)
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=3))
        await tx.execute(
            f"UPDATE guild_settings SET updated_at = $2, {assignments} WHERE guild_id = $1",
            guild_id,
            to_ms(at),
            *(changes[name] for name in names),
        )

    async def stored(self, guild_id: int) -> GuildSettings | None:
        """The server's settings as stored, or None when it never set any (`get` gives the
        defaults then)."""
        if await self.db.fetchval("SELECT 1 FROM guild_settings WHERE guild_id = $1", guild_id):
            return await self.get(guild_id)
        return None


class UserRepository:
    """A member's own settings, kept per user across servers."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def timezone(self, user_id: int) -> str | None:
        value = await self.db.fetchval("SELECT timezone FROM user_settings WHERE user_id = $1", user_id)
        return value if isinstance(value, str) else None

    @staticmethod
    async def set_timezone(tx: Executor, user_id: int, zone: str | None, at: datetime) -> None:
        await tx.execute(
            "INSERT INTO user_settings (user_id, timezone, updated_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (user_id) DO UPDATE SET timezone = excluded.timezone,"
            " updated_at = excluded.updated_at",
            user_id,
            zone,
            to_ms(at),
        )

    async def language(self, user_id: int) -> str | None:
        """The member's own language, or None (automatic: their Discord client's)."""
        value = await self.db.fetchval("SELECT language FROM user_settings WHERE user_id = $1", user_id)
        return value if isinstance(value, str) else None

    @staticmethod
    async def set_language(tx: Executor, user_id: int, language: str | None, at: datetime) -> None:
        await tx.execute(
            "INSERT INTO user_settings (user_id, language, updated_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (user_id) DO UPDATE SET language = excluded.language,"
            " updated_at = excluded.updated_at",
            user_id,
            language,
            to_ms(at),
        )

    async def timezones_in_guild(self, guild_id: int) -> dict[int, str | None]:
        """The own time zones of a server's stakeholders, by user id (None where one was
        cleared; absent where none was ever set)."""
        rows = await self.db.fetch(
            "SELECT u.user_id, u.timezone FROM user_settings u"
            " JOIN stakeholders s ON s.user_id = u.user_id WHERE s.guild_id = $1",
            guild_id,
        )
        return {r["user_id"]: r["timezone"] for r in rows}


class MetaRepository:
    """Small facts the bot keeps about itself (the synced command tree's hash)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, key: str) -> str | None:
        value = await self.db.fetchval("SELECT value FROM meta WHERE key = $1", key)
        return value if isinstance(value, str) else None

    async def set(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            key,
            value,
        )

    @staticmethod
    async def claim(tx: Executor, key: str, value: str) -> bool:
        """Set `key` unless it is set; True when this call set it (once, however many try)."""
        row = await tx.fetchval(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING"
            " RETURNING key",
            key,
            value,
        )
        return row is not None
