"""The audit log: every change, who made it and when."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.db.database import Database, Executor, Row, from_ms, to_ms
from bot.domain.models import AuditEntry


async def record(
    tx: Executor,
    *,
    guild_id: int | None,
    actor_id: int | None,
    action: str,
    target: str | None,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one audit row inside the caller's transaction."""
    await tx.execute(
        "INSERT INTO audit (guild_id, actor_id, action, target, detail, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        guild_id,
        actor_id,
        action,
        target,
        json.dumps(detail, default=str, ensure_ascii=False) if detail else None,
        to_ms(at),
    )


def _entry(r: Row) -> AuditEntry:
    return AuditEntry(
        id=r["id"],
        guild_id=r["guild_id"],
        actor_id=r["actor_id"],
        action=r["action"],
        target=r["target"],
        detail=r["detail"],
        created_at=from_ms(r["created_at"]),
    )


async def recent(db: Database, guild_id: int, limit: int = 50) -> list[AuditEntry]:
    rows = await db.fetch(
        "SELECT id, guild_id, actor_id, action, target, detail, created_at FROM audit"
        " WHERE guild_id = $1 ORDER BY id DESC LIMIT $2",
        guild_id,
        limit,
    )
    return [_entry(r) for r in rows]


async def for_target(db: Database, guild_id: int, target: str, action: str) -> list[AuditEntry]:
    """The rows of one action on one target (e.g. the edits of "comment:12"), oldest first."""
    rows = await db.fetch(
        "SELECT id, guild_id, actor_id, action, target, detail, created_at FROM audit"
        " WHERE target = $1 AND guild_id = $2 AND action = $3 ORDER BY id",
        target,
        guild_id,
        action,
    )
    return [_entry(r) for r in rows]
