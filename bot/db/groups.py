"""A server's own stakeholder groups (beside the five WSIS groups every server has)."""

from __future__ import annotations

from datetime import datetime

from bot.db.database import Database, Executor, to_ms


class GroupRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def names(self, guild_id: int, tx: Executor | None = None) -> list[str]:
        """The server's own groups, in the order they were added."""
        rows = await (tx or self.db).fetch(
            "SELECT name FROM guild_groups WHERE guild_id = $1 ORDER BY created_at, key", guild_id
        )
        return [r["name"] for r in rows]

    @staticmethod
    async def add(
        tx: Executor, guild_id: int, name: str, key: str, created_by: int | None, at: datetime
    ) -> bool:
        """Add a group; False if the server has one with that key already."""
        added = await tx.fetchval(
            "INSERT INTO guild_groups (guild_id, name, key, created_by, created_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (guild_id, key) DO NOTHING RETURNING key",
            guild_id, name, key, created_by, to_ms(at),
        )
        return added is not None

    @staticmethod
    async def remove(tx: Executor, guild_id: int, key: str) -> bool:
        removed = await tx.fetchval(
            "DELETE FROM guild_groups WHERE guild_id = $1 AND key = $2 RETURNING key", guild_id, key
        )
        return removed is not None

    @staticmethod
    async def profiles_using(tx: Executor, guild_id: int, name: str) -> int:
        return int(
            await tx.fetchval(
                "SELECT COUNT(*) FROM stakeholders WHERE guild_id = $1 AND stakeholder_group = $2",
                guild_id, name,
            )
        )

