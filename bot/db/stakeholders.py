"""Stakeholder profiles: a member's organization and stakeholder group, per server."""

from __future__ import annotations

from datetime import datetime

from bot.db.database import Database, Executor, Row, from_ms, opt_dt, to_ms
from bot.domain.models import Stakeholder, StakeholderGroup

_SELECT = (
    "SELECT guild_id, user_id, display_name, organization, stakeholder_group, created_at,"
    " updated_at, verified, verified_by, verified_at FROM stakeholders"
)


def _model(row: Row) -> Stakeholder:
    return Stakeholder(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        display_name=row["display_name"],
        organization=row["organization"],
        group=StakeholderGroup(row["stakeholder_group"]),
        created_at=from_ms(row["created_at"]),
        updated_at=from_ms(row["updated_at"]),
        verified=bool(row["verified"]),
        verified_by=row["verified_by"],
        verified_at=opt_dt(row["verified_at"]),
    )


class StakeholderRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    async def upsert(
        tx: Executor,
        guild_id: int,
        user_id: int,
        display_name: str,
        organization: str,
        group: StakeholderGroup,
        at: datetime,
    ) -> tuple[Stakeholder, bool]:
        """Create or update a profile; returns it and whether it was new."""
        existed = await tx.fetchval(
            "SELECT 1 FROM stakeholders WHERE guild_id = $1 AND user_id = $2",
            guild_id,
            user_id,
        )
        await tx.execute(
            "INSERT INTO stakeholders (guild_id, user_id, display_name, organization,"
            " stakeholder_group, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)"
            " ON CONFLICT (guild_id, user_id) DO UPDATE SET"
            " display_name = excluded.display_name, organization = excluded.organization,"
            " stakeholder_group = excluded.stakeholder_group, updated_at = excluded.updated_at",
            guild_id,
            user_id,
            display_name,
            organization,
            group.value,
            to_ms(at),
        )
        row = await tx.fetchrow(_SELECT + " WHERE guild_id = $1 AND user_id = $2", guild_id, user_id)
        assert row is not None
        return _model(row), not existed

    async def get(self, guild_id: int, user_id: int) -> Stakeholder | None:
        row = await self.db.fetchrow(_SELECT + " WHERE guild_id = $1 AND user_id = $2", guild_id, user_id)
        return None if row is None else _model(row)

    async def list(self, guild_id: int, group: StakeholderGroup | None = None) -> list[Stakeholder]:
        if group is None:
            rows = await self.db.fetch(
                _SELECT + " WHERE guild_id = $1 ORDER BY stakeholder_group, organization, user_id",
                guild_id,
            )
        else:
            rows = await self.db.fetch(
                _SELECT + " WHERE guild_id = $1 AND stakeholder_group = $2"
                " ORDER BY organization, user_id",
                guild_id,
                group.value,
            )
        return [_model(r) for r in rows]

    async def count(self, guild_id: int) -> int:
        return int(await self.db.fetchval("SELECT COUNT(*) FROM stakeholders WHERE guild_id = $1", guild_id))
