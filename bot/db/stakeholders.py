"""Stakeholder profiles: a member's organization and stakeholder group, per server, and whether
a coordinator verified them."""

from __future__ import annotations

from datetime import datetime

from bot.db.database import Database, Executor, Row, from_ms, opt_dt, to_ms
from bot.domain.models import Stakeholder

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
        group=row["stakeholder_group"],
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
        group: str,
        at: datetime,
        *,
        verified_by: int | None = None,
    ) -> tuple[Stakeholder, bool]:
        """Create or update a profile; returns it and whether it was new. The profile is
        verified by `verified_by` when given, and unverified otherwise."""
        existed = await tx.fetchval(
            "SELECT 1 FROM stakeholders WHERE guild_id = $1 AND user_id = $2",
            guild_id,
            user_id,
        )
        verified = verified_by is not None
        await tx.execute(
            "INSERT INTO stakeholders (guild_id, user_id, display_name, organization,"
            " stakeholder_group, created_at, updated_at, verified, verified_by, verified_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)"
            " ON CONFLICT (guild_id, user_id) DO UPDATE SET"
            " display_name = excluded.display_name, organization = excluded.organization,"
            " stakeholder_group = excluded.stakeholder_group, updated_at = excluded.updated_at,"
            " verified = excluded.verified, verified_by = excluded.verified_by,"
            " verified_at = excluded.verified_at",
            guild_id,
            user_id,
            display_name,
            organization,
            group,
            to_ms(at),
            1 if verified else 0,
            verified_by,
            to_ms(at) if verified else None,
        )
        row = await tx.fetchrow(_SELECT + " WHERE guild_id = $1 AND user_id = $2", guild_id, user_id)
        assert row is not None
        return _model(row), not existed

    @staticmethod
    async def verify(tx: Executor, guild_id: int, user_id: int, by: int, at: datetime) -> Stakeholder | None:
        """Mark a profile verified by `by`; None if the member has none."""
        await tx.execute(
            "UPDATE stakeholders SET verified = 1, verified_by = $3, verified_at = $4, updated_at = $4"
            " WHERE guild_id = $1 AND user_id = $2",
            guild_id,
            user_id,
            by,
            to_ms(at),
        )
        row = await tx.fetchrow(_SELECT + " WHERE guild_id = $1 AND user_id = $2", guild_id, user_id)
        return None if row is None else _model(row)

    @staticmethod
    async def remove(tx: Executor, guild_id: int, user_id: int) -> Stakeholder | None:
        """Delete a profile and return it (None if there was none). Comments keep the
        attribution they were made with: it is stored on each comment."""
        row = await tx.fetchrow(_SELECT + " WHERE guild_id = $1 AND user_id = $2", guild_id, user_id)
        if row is None:
            return None
        await tx.execute("DELETE FROM stakeholders WHERE guild_id = $1 AND user_id = $2", guild_id, user_id)
        return _model(row)

    async def get(self, guild_id: int, user_id: int, tx: Executor | None = None) -> Stakeholder | None:
        row = await (tx or self.db.quick).fetchrow(
            _SELECT + " WHERE guild_id = $1 AND user_id = $2", guild_id, user_id
        )
        return None if row is None else _model(row)

    async def get_with_mode(self, guild_id: int, user_id: int) -> tuple[Stakeholder, str] | None:
        """The profile and the server's verification mode ("open" unless set), in one
        statement (/comment needs both)."""
        row = await self.db.quick.fetchrow(
            "SELECT s.guild_id, s.user_id, s.display_name, s.organization, s.stakeholder_group,"
            " s.created_at, s.updated_at, s.verified, s.verified_by, s.verified_at,"
            " g.verification_mode FROM stakeholders s"
            " LEFT JOIN guild_settings g ON g.guild_id = s.guild_id"
            " WHERE s.guild_id = $1 AND s.user_id = $2",
            guild_id, user_id,
        )
        if row is None:
            return None
        return _model(row), row["verification_mode"] or "open"

    async def list(
        self, guild_id: int, group: str | None = None, verified: bool | None = None
    ) -> list[Stakeholder]:
        """The server's profiles, optionally of one group and/or one verification state."""
        where: list[str] = ["guild_id = $1"]
        args: list[object] = [guild_id]
        if group is not None:
            args.append(group)
            where.append(f"stakeholder_group = ${len(args)}")
        if verified is not None:
            args.append(1 if verified else 0)
            where.append(f"verified = ${len(args)}")
        rows = await self.db.fetch(
            _SELECT + " WHERE " + " AND ".join(where) + " ORDER BY stakeholder_group, organization, user_id",
            *args,
        )
        return [_model(r) for r in rows]

    async def count(self, guild_id: int, verified: bool | None = None) -> int:
        """The server's profiles, or those of one verification state."""
        if verified is None:
            return int(
                await self.db.fetchval("SELECT COUNT(*) FROM stakeholders WHERE guild_id = $1", guild_id)
            )
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM stakeholders WHERE guild_id = $1 AND verified = $2",
                guild_id,
                1 if verified else 0,
            )
        )
