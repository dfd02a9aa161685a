"""Reminder rows: the database is the truth; the engine claims due rows in batches.

A claim marks rows with the claimant and a lease; rows stay `pending` until their send is
recorded. Each claimed row gets a `batch_key` (the message it goes out in) that survives a
crash, so a resend after a crash carries the same nonce and Discord drops the duplicate.

Every write takes the caller's transaction (`tx`): the engine and the reminder service open
it with `repo.db.transaction()`. Reads run on the database.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.db.database import Database, Executor, Row, from_ms, opt_dt, to_ms
from bot.db.reminder_followups import (
    add_next,
    insert_planned,
    lock_series,
    mark_missed_overdue,
    series_of,
    top_up_series,
)
from bot.db.reminder_rows import COLUMNS, SELECT, chunks, each_chunk, in_list, reminder_model
from bot.db.rsvp import plan_dms
from bot.db.shards import ShardFilter  # re-exported: callers import it from here too
from bot.domain.models import Claimed, Event, Moment, PlannedReminder, Reminder

log = logging.getLogger(__name__)

_MEMBER_LOCK = 727281  # advisory lock class: one member's own reminders (numbering, retries)


class ReminderRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---------------------------------------------------------------- writing reminders

    @staticmethod
    async def replace_for_event(
        tx: Executor,
        event: Event,
        planned: Sequence[PlannedReminder],
        *,
        rescheduled: bool,
        now: datetime,
    ) -> None:
        """Inside the event's own transaction: drop its pending reminders, add `planned`, and
        plan the DMs of the members who are Going or Maybe (bot.db.rsvp) beside them."""
        await tx.execute(
            "DELETE FROM reminders WHERE event_id = $1 AND state = 'pending'", event.id
        )
        await insert_planned(tx, event, planned, rescheduled=rescheduled, now=now)
        await plan_dms(tx, event.id, now)

    @staticmethod
    async def delete_for_event(tx: Executor, event_id: int) -> None:
        await tx.execute("DELETE FROM reminders WHERE event_id = $1 AND state = 'pending'", event_id)

    @staticmethod
    async def same_personal(
        tx: Executor,
        *,
        user_id: int,
        channel_id: int | None,
        due_at: datetime,
        text: str,
        since: datetime,
        repeat: str | None = None,
    ) -> Reminder | None:
        """The newest pending personal reminder with this member, moment, text, place and
        repeat rule set since `since`, if any."""
        row = await tx.fetchrow(
            SELECT + " WHERE user_id = $1 AND moment = 'personal' AND due_at = $2"
            " AND body = $3 AND state = 'pending' AND created_at >= $4"
            " AND channel_id IS NOT DISTINCT FROM $5 AND repeat IS NOT DISTINCT FROM $6"
            " ORDER BY id DESC LIMIT 1",
            user_id,
            to_ms(due_at),
            text,
            to_ms(since),
            channel_id,
            repeat,
        )
        return None if row is None else reminder_model(row)

    @staticmethod
    async def lock_member(tx: Executor, user_id: int) -> None:
        """Inside a transaction that adds or changes `user_id`'s own reminders: on PostgreSQL,
        two at once for the same member take turns (SQLite's writer lock already does), so
        each gets its own number and a retry finds the first."""
        if tx.dialect == "postgresql":
            await tx.execute(
                "SELECT pg_advisory_xact_lock($1, $2)", _MEMBER_LOCK, user_id & 0x7FFFFFFF
            )

    @staticmethod
    async def add_personal(
        tx: Executor,
        *,
        guild_id: int | None,
        user_id: int,
        channel_id: int | None,
        due_at: datetime,
        text: str,
        now: datetime,
        repeat: str | None = None,
        timezone: str | None = None,
        language: str | None = None,
    ) -> Reminder:
        """A member's own reminder, numbered 1 + the highest number the member ever had (so a
        number is never reused, cancelled or sent). Call `lock_member` first in `tx`. With
        `repeat`, its next occurrence (in `timezone`) follows when it is sent or missed.
        `language` is the member's, for its DM (SPEC 12)."""
        seq = await tx.fetchval(
            "SELECT COALESCE(MAX(member_seq), 0) + 1 FROM reminders WHERE user_id = $1", user_id
        )
        rid = await tx.fetchval(
            "INSERT INTO reminders (guild_id, moment, due_at, channel_id, user_id, body,"
            " state, created_by, created_at, member_seq, repeat, timezone, language)"
            " VALUES ($1, 'personal', $2, $3, $4, $5, 'pending', $4, $6, $7, $8, $9, $10)"
            " RETURNING id",
            guild_id,
            to_ms(due_at),
            channel_id,
            user_id,
            text,
            to_ms(now),
            int(seq),
            repeat,
            timezone,
            language,
        )
        row = await tx.fetchrow(SELECT + " WHERE id = $1", rid)
        assert row is not None
        return reminder_model(row)

    @staticmethod
    async def cancel_personal(
        tx: Executor, *, guild_id: int, user_id: int, member_seq: int
    ) -> Reminder | None:
        """Cancel `user_id`'s pending reminder number `member_seq` set in this server; None
        when they have no such pending reminder here. A row the engine holds right now is not
        pending once its send is recorded, and a cancelled row is never claimed again."""
        row = await tx.fetchrow(
            SELECT + " WHERE user_id = $1 AND member_seq = $2 AND guild_id = $3"
            " AND moment = 'personal' AND state = 'pending'",
            user_id,
            member_seq,
            guild_id,
        )
        if row is None:
            return None
        await tx.execute(
            "UPDATE reminders SET state = 'cancelled' WHERE id = $1 AND state = 'pending'",
            row["id"],
        )
        return reminder_model(row)

    @staticmethod
    async def insert_many(tx: Executor, rows: Sequence[tuple[Any, ...]]) -> None:
        """Bulk insert (guild_id, channel_id, user_id, body, due_at_ms, created_at_ms) personal
        reminders: tests and the benchmark fill the table with it."""
        await tx.executemany(
            "INSERT INTO reminders (guild_id, moment, channel_id, user_id, body, due_at, state,"
            " created_at) VALUES ($1, 'personal', $2, $3, $4, $5, 'pending', $6)",
            rows,
        )

    # ------------------------------------------------------------------- reading

    async def get(self, reminder_id: int) -> Reminder | None:
        row = await self.db.fetchrow(SELECT + " WHERE id = $1", reminder_id)
        return None if row is None else reminder_model(row)

    async def for_event(self, event_id: int) -> list[Reminder]:
        rows = await self.db.fetch(SELECT + " WHERE event_id = $1 ORDER BY due_at, id", event_id)
        return [reminder_model(r) for r in rows]

    async def pending_for_guild(
        self, guild_id: int, *, user_id: int, limit: int = 200
    ) -> list[tuple[Reminder, str | None]]:
        """A server's pending event reminders and `user_id`'s own, soonest first, each with
        its event's title (None for personal reminders). An event reminder's RSVP DMs are
        copies of it, left out."""
        columns = ", ".join(f"r.{c}" for c in COLUMNS)
        rows = await self.db.fetch(
            f"SELECT {columns}, e.title AS event_title FROM reminders r"
            " LEFT JOIN events e ON e.id = r.event_id"
            " WHERE r.guild_id = $1 AND r.state = 'pending'"
            " AND ((r.event_id IS NOT NULL AND r.user_id IS NULL)"
            " OR (r.event_id IS NULL AND r.user_id = $2))"
            " ORDER BY r.due_at, r.id LIMIT $3",
            guild_id,
            user_id,
            limit,
        )
        return [(reminder_model(r), r["event_title"]) for r in rows]

    async def personal_for_member(
        self, guild_id: int, user_id: int, limit: int = 500
    ) -> list[Reminder]:
        """`user_id`'s own pending reminders set in this server, soonest first."""
        rows = await self.db.fetch(
            SELECT + " WHERE guild_id = $1 AND user_id = $2 AND moment = 'personal'"
            " AND state = 'pending' ORDER BY due_at, id LIMIT $3",
            guild_id,
            user_id,
            limit,
        )
        return [reminder_model(r) for r in rows]

    async def all_for_guild(self, guild_id: int) -> list[Reminder]:
        """Every reminder of a server, whatever its state, by due time (the export)."""
        rows = await self.db.fetch(SELECT + " WHERE guild_id = $1 ORDER BY due_at, id", guild_id)
        return [reminder_model(r) for r in rows]

    async def count_by_state(self) -> dict[str, int]:
        rows = await self.db.fetch("SELECT state, COUNT(*) AS n FROM reminders GROUP BY state")
        return {r["state"]: int(r["n"]) for r in rows}

    async def earliest_pending(self, shards: ShardFilter) -> datetime | None:
        """The due time of the earliest reminder not yet sent, held or not (the demo waits
        on it)."""
        value = await self.db.fetchval(
            "SELECT MIN(r.due_at) FROM reminders r WHERE r.state = 'pending'" + shards.sql()
        )
        return None if value is None else from_ms(int(value))

    async def next_due(
        self, shards: ShardFilter, *, now: datetime, owner: str | None = None
    ) -> datetime | None:
        """When a claim could next find something: the earliest due row that no lease holds,
        or the earliest end of a lease (another process's, or a backoff). Rows that `owner`
        is sending right now are left out: waking for them would only spin."""
        now_ms = to_ms(now)
        free = await self.db.fetchval(
            "SELECT MIN(r.due_at) FROM reminders r WHERE r.state = 'pending'"
            " AND (r.lease_until IS NULL OR r.lease_until < $1)" + shards.sql(),
            now_ms,
        )
        held = await self.db.fetchval(
            "SELECT MIN(r.lease_until) FROM reminders r WHERE r.lease_until >= $1"
            " AND r.state = 'pending' AND (r.claimed_by IS NULL OR r.claimed_by <> $2)"
            + shards.sql(),
            now_ms,
            owner or "",
        )
        found = [int(v) for v in (free, held) if v is not None]
        return from_ms(min(found)) if found else None

    # ------------------------------------------------------------------- the engine's side

    @staticmethod
    async def mark_missed(
        tx: Executor, now: datetime, shards: ShardFilter, *, late_limit: timedelta
    ) -> list[Reminder]:
        """Pending reminders more than `late_limit` overdue become `missed`; returns them."""
        return await mark_missed_overdue(tx, now, shards.sql(), late_limit=late_limit)

    @staticmethod
    async def release_claims(tx: Executor, owner_prefix: str, me: str) -> int:
        """Claims held by an earlier run of this same process (killed mid-send) are freed at
        once instead of waiting for their lease."""
        rows = await tx.fetch(
            "SELECT id FROM reminders WHERE state = 'pending' AND claimed_by LIKE $1"
            " AND claimed_by <> $2",
            owner_prefix + "%",
            me,
        )
        ids = [r["id"] for r in rows]
        await each_chunk(tx, "UPDATE reminders SET lease_until = NULL WHERE id IN ({ids})", ids)
        return len(ids)

    async def claim_due(
        self,
        tx: Executor,
        *,
        now: datetime,
        owner: str,
        lease: timedelta,
        limit: int,
        shards: ShardFilter,
        late_limit: timedelta,
        late_after: timedelta = timedelta(seconds=60),
        takeover_after: timedelta | None = None,
    ) -> list[Claimed]:
        """Claim up to `limit` due reminders of our shards and give each its message key.
        Rows more than `late_limit` overdue are marked missed first. `tx` must be a real
        transaction: on PostgreSQL the claim locks its rows until it commits.

        With `takeover_after`, rows of other shards that are that much overdue are claimed
        too: their process is dead or stuck, and the reminders must still go out.
        """
        now_ms = to_ms(now)
        lock = " FOR UPDATE OF r SKIP LOCKED" if self.db.dialect == "postgresql" else ""
        takeover_ms = now_ms - int((takeover_after or timedelta(days=36500)).total_seconds() * 1000)
        # However long the outage, and whoever's shard it is: `late_limit` late is missed.
        await mark_missed_overdue(
            tx, now, shards.sql(or_due_before="$3"), late_limit=late_limit, takeover_ms=takeover_ms
        )
        shard_sql = shards.sql(or_due_before="$3")
        id_rows = await tx.fetch(
            "SELECT r.id FROM reminders r WHERE r.state = 'pending' AND r.due_at <= $1"
            " AND (r.lease_until IS NULL OR r.lease_until < $1)"
            + shard_sql
            + " ORDER BY r.due_at, r.id LIMIT $2"
            + lock,
            now_ms,
            limit,
            *([takeover_ms] if shard_sql else []),
        )
        ids = [r["id"] for r in id_rows]
        if not ids:
            return []
        await tx.execute(
            "UPDATE reminders SET claimed_by = $1, lease_until = $2,"
            " late = CASE WHEN due_at < $3 THEN 1 ELSE late END"
            f" WHERE id IN ({in_list(ids, 4)})",
            owner,
            now_ms + int(lease.total_seconds() * 1000),
            now_ms - int(late_after.total_seconds() * 1000),
            *ids,
        )
        rows = await tx.fetch(
            "SELECT r.id, r.guild_id, r.event_id, r.moment, r.due_at, r.channel_id,"
            " r.user_id, r.body, r.rescheduled, r.late, r.attempts, r.batch_key,"
            " r.created_at, r.part, COALESCE(x.title, e.title) AS title,"
            # An occurrence of a series: its own times (as changed, else the series' times
            # moved to it) and its own title and place when it was changed by itself.
            " CASE WHEN r.occurrence_at IS NULL THEN e.start_at"
            " ELSE COALESCE(x.start_at, r.occurrence_at) END AS start_at,"
            " CASE WHEN r.occurrence_at IS NULL OR e.end_at IS NULL THEN e.end_at"
            " ELSE COALESCE(x.end_at, COALESCE(x.start_at, r.occurrence_at) + e.span_ms)"
            " END AS end_at,"
            " e.all_day, COALESCE(x.location, e.location) AS location,"
            " g.reminder_channel_id, g.reminder_role_id,"
            # SPEC 12: a DM in its member's language (fixed when a /remind was set; an RSVP
            # copy of an event reminder in the member's chosen one), a channel message in the
            # server's.
            " CASE WHEN r.channel_id IS NULL AND r.language IS NOT NULL THEN r.language"
            " WHEN r.channel_id IS NULL AND r.user_id IS NOT NULL AND r.event_id IS NOT NULL"
            " THEN COALESCE(u.language, g.language, 'en')"
            " ELSE COALESCE(g.language, 'en') END AS language"
            " FROM reminders r LEFT JOIN events e ON e.id = r.event_id"
            " LEFT JOIN event_occurrences x ON x.event_id = r.event_id"
            " AND x.occurrence_at = r.occurrence_at"
            " LEFT JOIN guild_settings g ON g.guild_id = r.guild_id"
            " LEFT JOIN user_settings u ON u.user_id = r.user_id"
            f" WHERE r.id IN ({in_list(ids)}) ORDER BY r.due_at, r.id",
            *ids,
        )
        # Rows that already had a key (claimed before a crash) keep it: same message, same
        # nonce. New rows due in the same minute for the same place share a new key.
        groups: dict[tuple[int | None, int | None, int], list[Row]] = defaultdict(list)
        for r in rows:
            if r["batch_key"] is None:
                channel = _channel(r)
                user = None if channel else r["user_id"]
                groups[(channel, user, r["due_at"] // 60000)].append(r)
        keys: dict[int, str] = {}
        for members in groups.values():
            key = f"{members[0]['id']}"
            member_ids = [m["id"] for m in members]
            for mid in member_ids:
                keys[mid] = key
            await each_chunk(
                tx, "UPDATE reminders SET batch_key = $1 WHERE id IN ({ids})", member_ids, key
            )
        claimed = []
        for r in rows:
            claimed.append(
                Claimed(
                    id=r["id"],
                    guild_id=r["guild_id"],
                    event_id=r["event_id"],
                    moment=Moment(r["moment"]),
                    due_at=from_ms(r["due_at"]),
                    channel_id=_channel(r),
                    user_id=r["user_id"],
                    body=r["body"],
                    rescheduled=bool(r["rescheduled"]),
                    late=bool(r["late"]),  # read after the claim's UPDATE set it
                    attempts=r["attempts"],
                    batch_key=r["batch_key"] or keys[r["id"]],
                    created_at=from_ms(r["created_at"]),
                    resumed=r["batch_key"] is not None,
                    title=r["title"],
                    event_start=opt_dt(r["start_at"]),
                    event_end=opt_dt(r["end_at"]),
                    all_day=bool(r["all_day"]),
                    location=r["location"],
                    part=r["part"],
                    mention_role=_mention_role(r),
                    language=r["language"],
                )
            )
        return claimed

    @staticmethod
    async def rekey(tx: Executor, ids: Sequence[int], batch_key: str) -> None:
        """Move rows into another message (before it is sent), so a resend after a crash
        carries that message's nonce."""
        await each_chunk(
            tx, "UPDATE reminders SET batch_key = $1 WHERE state = 'pending' AND id IN ({ids})",
            ids, batch_key,
        )

    @staticmethod
    async def set_parts(tx: Executor, parts: Sequence[Sequence[int]]) -> None:
        """Record how a batch is split into messages (row ids per part, in order), before
        the first send: a resend after a crash sends exactly these messages again."""
        for index, ids in enumerate(parts):
            await each_chunk(
                tx, "UPDATE reminders SET part = $1 WHERE state = 'pending' AND id IN ({ids})",
                ids, index,
            )

    @staticmethod
    async def renew(tx: Executor, ids: Sequence[int], owner: str, until: datetime) -> None:
        await each_chunk(
            tx,
            "UPDATE reminders SET lease_until = $1 WHERE claimed_by = $2"
            " AND state = 'pending' AND id IN ({ids})",
            ids, to_ms(until), owner,
        )

    @staticmethod
    async def mark_sent(tx: Executor, ids: Sequence[int], at: datetime, message_id: int | None) -> None:
        """Record `ids` as sent. Those that repeat get their next occurrence in this same
        transaction, so a crash neither loses the series nor doubles it."""
        # claimed_by stays: it records which process sent it.
        sent = "UPDATE reminders SET state = 'sent', sent_at = $1, message_id = $2," \
            " lease_until = NULL, error = NULL WHERE state = 'pending' AND id IN ({ids})"
        repeating: list[Reminder] = []
        series = await series_of(tx, ids)
        await lock_series(tx, series)
        for chunk in chunks(list(ids)):
            # One query finds (and records) the repeating rows: a row cancelled meanwhile is
            # no longer pending, so it is neither sent nor followed.
            rows = await tx.fetch(
                sent.format(ids=in_list(chunk, 3)) + " AND repeat IS NOT NULL RETURNING "
                + ", ".join(COLUMNS),
                to_ms(at), message_id, *chunk,
            )
            repeating.extend(reminder_model(r) for r in rows)
        await each_chunk(tx, sent, ids, to_ms(at), message_id)
        await add_next(tx, repeating, at)
        await top_up_series(tx, series, at)

    @staticmethod
    async def mark_failed(
        tx: Executor, ids: Sequence[int], error: str, now: datetime | None = None
    ) -> None:
        """Record `ids` as failed; given `now`, a series still gets its following
        occurrences planned (the engine always gives it)."""
        series = await series_of(tx, ids)
        await lock_series(tx, series)
        await each_chunk(
            tx,
            "UPDATE reminders SET state = 'failed', error = $1, claimed_by = NULL,"
            " lease_until = NULL WHERE state = 'pending' AND id IN ({ids})",
            ids, error[:500],
        )
        if now is not None:
            await top_up_series(tx, series, now)

    @staticmethod
    async def retry_later(tx: Executor, ids: Sequence[int], until: datetime, error: str) -> None:
        """Keep them pending but unclaimable until `until` (a backoff after a 5xx). The claim
        is given up, so a lease renewal already on its way cannot shorten the backoff."""
        await each_chunk(
            tx,
            "UPDATE reminders SET attempts = attempts + 1, lease_until = $1, error = $2,"
            " claimed_by = NULL WHERE state = 'pending' AND id IN ({ids})",
            ids, to_ms(until), error[:500],
        )


def _channel(r: Row) -> int | None:
    """Where a claimed row goes: its own channel, else (an event's) the server's reminder
    channel; None means a DM to its user (a personal reminder, or an event reminder that
    carries a user: an RSVP DM)."""
    if r["channel_id"]:
        return int(r["channel_id"])
    if r["event_id"] is not None and r["user_id"] is None and r["reminder_channel_id"]:
        return int(r["reminder_channel_id"])
    return None


def _mention_role(r: Row) -> int | None:
    """The role a claimed row's message pings: the server's reminder role, for an event
    reminder posted in the reminder channel; nothing for DMs and personal reminders."""
    if _channel(r) is None or r["event_id"] is None or r["channel_id"]:
        return None
    return int(r["reminder_role_id"]) if r["reminder_role_id"] else None
