"""RSVP answers, the DM reminders they earn, and members whose DMs are closed.

A member who is Going or Maybe gets each of the event's reminders by DM as well. Those DMs are
rows of the reminders table: an event reminder that carries the member's `user_id` (the
channel reminder has none), planned from the event's pending channel reminders. The engine
claims them like any other row and sends each member's rows due in the same minute as one DM,
so several events sharing a reminder time make one DM, with the same nonce, lease and
missed-after-6-hours rules as the channel.

Writes take the caller's transaction (`tx`); reads run on the database.
"""

from __future__ import annotations

from datetime import datetime

from bot.db.database import Database, Executor, Row, from_ms, to_ms
from bot.domain.rsvp import DM_STATUSES, Rsvp, RsvpCounts, RsvpStatus

_SELECT = "SELECT event_id, user_id, guild_id, status, updated_at, source FROM event_rsvps"
_IN_DM = ", ".join(f"'{s}'" for s in DM_STATUSES)  # constants of the domain, not user input
#: Why the engine's rows fail, and planning skips, a member whose DMs are closed.
DMS_CLOSED = "the member does not accept DMs from the bot"


def _model(r: Row) -> Rsvp:
    return Rsvp(
        event_id=r["event_id"],
        user_id=r["user_id"],
        guild_id=r["guild_id"],
        status=RsvpStatus(r["status"]),
        updated_at=from_ms(r["updated_at"]),
        source=r["source"],
    )


async def plan_dms(
    tx: Executor, event_id: int, now: datetime, *, user_id: int | None = None
) -> int:
    """Inside the transaction that wrote the event's channel reminders (or an answer): one DM
    row per pending channel reminder still in the future, for each member who is Going or
    Maybe (only `user_id`, when given) and does not refuse DMs. Returns how many rows."""
    args: list[object] = [event_id, to_ms(now)]
    only = ""
    if user_id is not None:
        args.append(user_id)
        only = " AND v.user_id = $3"
    rows = await tx.fetch(
        "INSERT INTO reminders (guild_id, event_id, moment, offset_seconds, due_at, user_id,"
        " state, rescheduled, created_at, occurrence_at)"
        " SELECT r.guild_id, r.event_id, r.moment, r.offset_seconds, r.due_at, v.user_id,"
        " 'pending', r.rescheduled, $2, r.occurrence_at"
        " FROM reminders r JOIN event_rsvps v ON v.event_id = r.event_id"
        " WHERE r.event_id = $1 AND r.user_id IS NULL AND r.channel_id IS NULL"
        " AND r.state = 'pending' AND r.due_at > $2"
        f" AND v.status IN ({_IN_DM})"
        " AND NOT EXISTS (SELECT 1 FROM dm_refused d WHERE d.user_id = v.user_id)"
        # A series plans its next occurrences as earlier ones pass: copy only what has no
        # copy on its way or delivered for this member yet.
        " AND NOT EXISTS (SELECT 1 FROM reminders c WHERE c.event_id = r.event_id"
        " AND c.user_id = v.user_id AND c.due_at = r.due_at AND c.moment = r.moment"
        " AND c.offset_seconds = r.offset_seconds AND c.state IN ('pending', 'sent'))"
        + only
        + " RETURNING id",
        *args,
    )
    return len(rows)


async def drop_dms(tx: Executor, event_id: int, user_id: int, now: datetime) -> None:
    """The member's future DM rows for this event (a DM already due is on its way: kept)."""
    await tx.execute(
        "DELETE FROM reminders WHERE event_id = $1 AND user_id = $2 AND state = 'pending'"
        " AND due_at > $3",
        event_id,
        user_id,
        to_ms(now),
    )


async def record_dms_refused(tx: Executor, user_id: int, at: datetime, error: str) -> int:
    """A DM to `user_id` was refused for good (their privacy settings): remember it, and fail
    their other pending event DMs now instead of sending each into the same closed door.
    Returns how many other rows were failed."""
    await tx.execute(
        "INSERT INTO dm_refused (user_id, since, error) VALUES ($1, $2, $3)"
        " ON CONFLICT (user_id) DO UPDATE SET since = excluded.since, error = excluded.error",
        user_id,
        to_ms(at),
        error[:500],
    )
    rows = await tx.fetch(
        "UPDATE reminders SET state = 'failed', error = $2, claimed_by = NULL,"
        " lease_until = NULL WHERE user_id = $1 AND event_id IS NOT NULL"
        " AND state = 'pending' RETURNING id",
        user_id,
        DMS_CLOSED,
    )
    return len(rows)


class RsvpRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    async def set(
        tx: Executor, *, event_id: int, guild_id: int, user_id: int, status: RsvpStatus,
        at: datetime, source: str = "concord",
    ) -> RsvpStatus | None:
        """Store the member's answer; returns their previous one (None when it is the first).
        `source` is where it came from: "concord", or "discord" for Discord's Interested."""
        before = await tx.fetchval(
            "SELECT status FROM event_rsvps WHERE event_id = $1 AND user_id = $2",
            event_id,
            user_id,
        )
        await tx.execute(
            "INSERT INTO event_rsvps (event_id, user_id, guild_id, status, updated_at, source)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id, user_id) DO UPDATE SET"
            " status = excluded.status, updated_at = excluded.updated_at,"
            " source = excluded.source",
            event_id,
            user_id,
            guild_id,
            status.value,
            to_ms(at),
            source,
        )
        return None if before is None else RsvpStatus(before)

    @staticmethod
    async def clear_refused(tx: Executor, user_id: int) -> bool:
        """Forget that the member's DMs were closed (they answered again); True if they were."""
        rows = await tx.fetch("DELETE FROM dm_refused WHERE user_id = $1 RETURNING user_id", user_id)
        return bool(rows)

    async def refused(self, user_id: int) -> bool:
        return await self.db.fetchval("SELECT 1 FROM dm_refused WHERE user_id = $1", user_id) is not None

    async def counts(self, event_id: int) -> RsvpCounts:
        rows = await self.db.fetch(
            "SELECT status, COUNT(*) AS n FROM event_rsvps WHERE event_id = $1 GROUP BY status",
            event_id,
        )
        found = {r["status"]: int(r["n"]) for r in rows}
        return RsvpCounts(
            going=found.get(RsvpStatus.GOING.value, 0),
            maybe=found.get(RsvpStatus.MAYBE.value, 0),
            not_going=found.get(RsvpStatus.NOT_GOING.value, 0),
        )

    async def for_event(self, event_id: int) -> list[Rsvp]:
        """Every answer to the event, earliest first."""
        rows = await self.db.fetch(
            _SELECT + " WHERE event_id = $1 ORDER BY updated_at, user_id", event_id
        )
        return [_model(r) for r in rows]

    async def get(self, event_id: int, user_id: int) -> Rsvp | None:
        row = await self.db.fetchrow(
            _SELECT + " WHERE event_id = $1 AND user_id = $2", event_id, user_id
        )
        return None if row is None else _model(row)

    async def dms_ahead(self, event_id: int, user_id: int, now: datetime) -> int:
        """How many of the event's reminders will still reach the member by DM."""
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM reminders WHERE event_id = $1 AND user_id = $2"
                " AND state = 'pending' AND due_at > $3",
                event_id,
                user_id,
                to_ms(now),
            )
        )
