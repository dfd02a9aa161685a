"""Discord's own events (SPEC 11): the per-server setting, the mirror rows (Concord event ->
Discord scheduled event) and the RSVP answers that come from Discord's "Interested".

Writes take the caller's transaction (`tx`); reads run on the database.
"""

from __future__ import annotations

from datetime import datetime

from bot.db.database import Database, Executor, Row, opt_dt, to_ms
from bot.db.events import _SELECT as _EVENTS
from bot.db.events import _model as _event
from bot.db.shards import ShardFilter
from bot.domain.discord_events import CANCELLED, CREATING, LIVE, MirrorRow
from bot.domain.models import Event
from bot.domain.rsvp import RsvpStatus

_MIRROR = (
    "SELECT event_id, guild_id, discord_id, state, synced, attempts, retry_at, error"
    " FROM discord_event_mirrors"
)
#: Where an RSVP answer came from (event_rsvps.source).
FROM_CONCORD, FROM_DISCORD = "concord", "discord"


def _row(r: Row) -> MirrorRow:
    retry = int(r["retry_at"] or 0)
    return MirrorRow(
        event_id=int(r["event_id"]),
        guild_id=int(r["guild_id"]),
        discord_id=None if r["discord_id"] is None else int(r["discord_id"]),
        state=r["state"],
        synced=r["synced"],
        attempts=int(r["attempts"]),
        retry_at=opt_dt(retry) if retry else None,
        error=r["error"],
    )


class DiscordEventRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ the setting

    async def enabled(self, guild_id: int) -> bool:
        value = await self.db.fetchval(
            "SELECT enabled FROM discord_event_settings WHERE guild_id = $1", guild_id
        )
        return bool(value)

    @staticmethod
    async def set_enabled(
        tx: Executor, guild_id: int, enabled: bool, actor_id: int | None, at: datetime
    ) -> bool:
        """Store the setting; returns what it was."""
        before = await tx.fetchval(
            "SELECT enabled FROM discord_event_settings WHERE guild_id = $1", guild_id
        )
        await tx.execute(
            "INSERT INTO discord_event_settings (guild_id, enabled, updated_by, updated_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (guild_id) DO UPDATE SET"
            " enabled = excluded.enabled, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at",
            guild_id,
            int(enabled),
            actor_id,
            to_ms(at),
        )
        return bool(before)

    async def guilds_to_mirror(self, shards: ShardFilter) -> list[int]:
        """Servers of our shards with the setting on, or with Discord events still to clean up."""
        rows = await self.db.fetch(
            "SELECT guild_id FROM discord_event_settings WHERE enabled = 1"
            + shards.sql("guild_id")
            + " UNION SELECT guild_id FROM discord_event_mirrors WHERE 1 = 1"
            + shards.sql("guild_id")
        )
        return sorted({int(r["guild_id"]) for r in rows})

    # ------------------------------------------------------------------ what to mirror

    async def meetings_to_come(self, guild_id: int, now: datetime) -> list[Event]:
        """The server's meetings that start after `now`, cancelled ones included, and its
        series of meetings with an occurrence still to come (a series mirrors its next one)."""
        rows = await self.db.fetch(
            _EVENTS + " WHERE guild_id = $1 AND kind = 'meeting' AND (start_at > $2"
            " OR (rrule IS NOT NULL AND (series_end IS NULL OR series_end > $2)))"
            " ORDER BY start_at, id",
            guild_id,
            to_ms(now),
        )
        return [_event(r) for r in rows]

    async def events_by_id(self, guild_id: int, ids: list[int]) -> list[Event]:
        if not ids:
            return []
        marks = ", ".join(f"${i + 2}" for i in range(len(ids)))
        rows = await self.db.fetch(
            _EVENTS + f" WHERE guild_id = $1 AND id IN ({marks})", guild_id, *ids
        )
        return [_event(r) for r in rows]

    # ------------------------------------------------------------------ mirror rows

    async def mirrors(self, guild_id: int) -> list[MirrorRow]:
        rows = await self.db.fetch(_MIRROR + " WHERE guild_id = $1 ORDER BY event_id", guild_id)
        return [_row(r) for r in rows]

    async def mirror(self, event_id: int) -> MirrorRow | None:
        row = await self.db.fetchrow(_MIRROR + " WHERE event_id = $1", event_id)
        return None if row is None else _row(row)

    async def by_discord_id(self, guild_id: int, discord_id: int) -> MirrorRow | None:
        row = await self.db.fetchrow(
            _MIRROR + " WHERE guild_id = $1 AND discord_id = $2", guild_id, discord_id
        )
        return None if row is None else _row(row)

    @staticmethod
    async def intend_create(tx: Executor, event_id: int, guild_id: int, at: datetime) -> None:
        """Before the call that creates the Discord event: a row saying it may exist, with no
        id yet (a cancelled row starts again: the event came back and gets a new one)."""
        await tx.execute(
            "INSERT INTO discord_event_mirrors (event_id, guild_id, discord_id, state, synced,"
            " attempts, retry_at, error, updated_at) VALUES ($1, $2, NULL, $3, NULL, 0, 0, NULL, $4)"
            " ON CONFLICT (event_id) DO UPDATE SET discord_id = NULL, state = excluded.state,"
            " synced = NULL, updated_at = excluded.updated_at",
            event_id,
            guild_id,
            CREATING,
            to_ms(at),
        )

    @staticmethod
    async def mark_live(
        tx: Executor, event_id: int, discord_id: int, synced: str, at: datetime
    ) -> None:
        await tx.execute(
            "UPDATE discord_event_mirrors SET discord_id = $2, state = $3, synced = $4,"
            " attempts = 0, retry_at = 0, error = NULL, updated_at = $5 WHERE event_id = $1",
            event_id,
            discord_id,
            LIVE,
            synced,
            to_ms(at),
        )

    @staticmethod
    async def mark_cancelled(tx: Executor, event_id: int, at: datetime) -> None:
        await tx.execute(
            "UPDATE discord_event_mirrors SET state = $2, attempts = 0, retry_at = 0,"
            " error = NULL, updated_at = $3 WHERE event_id = $1",
            event_id,
            CANCELLED,
            to_ms(at),
        )

    @staticmethod
    async def mark_failed(
        tx: Executor, event_id: int, error: str, retry_at: datetime, at: datetime
    ) -> None:
        await tx.execute(
            "UPDATE discord_event_mirrors SET attempts = attempts + 1, retry_at = $2,"
            " error = $3, updated_at = $4 WHERE event_id = $1",
            event_id,
            to_ms(retry_at),
            error[:500],
            to_ms(at),
        )

    @staticmethod
    async def forget(tx: Executor, event_id: int) -> None:
        await tx.execute("DELETE FROM discord_event_mirrors WHERE event_id = $1", event_id)

    # ------------------------------------------------------------------ Interested -> Maybe

    @staticmethod
    async def answer_of(
        tx: Executor, event_id: int, user_id: int
    ) -> tuple[RsvpStatus, str] | None:
        """The member's answer to the event and where it came from, if they answered."""
        row = await tx.fetchrow(
            "SELECT status, source FROM event_rsvps WHERE event_id = $1 AND user_id = $2",
            event_id,
            user_id,
        )
        return None if row is None else (RsvpStatus(row["status"]), row["source"])

    @staticmethod
    async def remove_answer(tx: Executor, event_id: int, user_id: int) -> None:
        await tx.execute(
            "DELETE FROM event_rsvps WHERE event_id = $1 AND user_id = $2", event_id, user_id
        )

    async def sources(self, event_id: int) -> dict[int, str]:
        """Where each answer to the event came from, by member."""
        rows = await self.db.fetch(
            "SELECT user_id, source FROM event_rsvps WHERE event_id = $1", event_id
        )
        return {int(r["user_id"]): r["source"] for r in rows}
