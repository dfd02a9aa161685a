"""What recording reminders plans next, inside the same transaction: overdue rows marked
missed, a repeating reminder's next occurrence, and a series' following occurrences (with the
DM copies for members Going or Maybe)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.db.database import Executor, from_ms, opt_ms, to_ms
from bot.db.events import EventRepository
from bot.db.reminder_rows import SELECT, chunks, each_chunk, in_list, reminder_model
from bot.db.rsvp import plan_dms
from bot.domain.models import Event, PlannedReminder, Reminder
from bot.domain.offsets import parse_offsets
from bot.domain.reminders import next_occurrence, plan_series_reminders
from bot.errors import UserError

DEFAULT_OFFSETS = "7d,1d,1h"

log = logging.getLogger(__name__)


async def mark_missed_overdue(
    tx: Executor,
    now: datetime,
    shard_sql: str,
    *,
    late_limit: timedelta,
    takeover_ms: int | None = None,
) -> list[Reminder]:
    """Inside a transaction: free pending rows more than `late_limit` overdue become `missed`.
    `shard_sql` may refer to $3 (the takeover bound, `takeover_ms`)."""
    cutoff = to_ms(now - late_limit)
    args: list[Any] = [cutoff, to_ms(now)]
    if "$3" in shard_sql:
        args.append(takeover_ms if takeover_ms is not None else cutoff)
    rows = await tx.fetch(
        SELECT.replace(" FROM reminders", " FROM reminders r")
        + " WHERE r.state = 'pending' AND r.due_at < $1"
        + " AND (r.lease_until IS NULL OR r.lease_until < $2)"
        + shard_sql,
        *args,
    )
    ids = [r["id"] for r in rows]
    series = {int(r["event_id"]) for r in rows if r["event_id"] is not None}
    await lock_series(tx, series)  # before the rows: the order an edit takes them in
    await each_chunk(
        tx,
        "UPDATE reminders SET state = 'missed', claimed_by = NULL,"
        " lease_until = NULL, error = 'more than 6 hours late' WHERE id IN ({ids})",
        ids,
    )
    for r in rows:
        log.warning(
            "reminder %s was due %s, more than 6 hours ago; marked missed",
            r["id"], from_ms(r["due_at"]).isoformat(),
        )
    missed = [reminder_model(r) for r in rows]
    await add_next(tx, [m for m in missed if m.repeat], now)
    await top_up_series(tx, series, now)
    return missed


async def lock_series(tx: Executor, event_ids: set[int]) -> None:
    """Lock the rows of these events (PostgreSQL), in id order, before their reminders are
    recorded: an edit locks the event, then its reminders, so taking them in that order here
    too means the two wait for each other instead of deadlocking."""
    if tx.dialect != "postgresql" or not event_ids:
        return
    ordered = sorted(event_ids)
    for chunk in chunks(ordered):
        await tx.fetch(
            f"SELECT id FROM events WHERE id IN ({in_list(chunk)}) ORDER BY id FOR UPDATE", *chunk
        )


async def insert_planned(
    tx: Executor,
    event: Event,
    planned: Sequence[PlannedReminder],
    *,
    rescheduled: bool,
    now: datetime,
) -> None:
    if planned:
        await tx.executemany(
            "INSERT INTO reminders (guild_id, event_id, moment, offset_seconds, due_at,"
            " state, rescheduled, created_at, occurrence_at)"
            " VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8)",
            [
                (
                    event.guild_id,
                    event.id,
                    p.moment,
                    int(p.offset.total_seconds()),
                    to_ms(p.due_at),
                    int(rescheduled or p.rescheduled),
                    to_ms(now),
                    opt_ms(p.occurrence),
                )
                for p in planned
            ],
        )


async def series_of(tx: Executor, ids: Sequence[int]) -> set[int]:
    """The series whose pending occurrence reminders are among `ids` (before they are
    recorded as sent or failed)."""
    found: set[int] = set()
    for chunk in chunks(list(ids)):
        rows = await tx.fetch(
            f"SELECT DISTINCT event_id FROM reminders WHERE id IN ({in_list(chunk)})"
            " AND occurrence_at IS NOT NULL AND state = 'pending'",
            *chunk,
        )
        found.update(int(r["event_id"]) for r in rows if r["event_id"] is not None)
    return found


async def top_up_series(tx: Executor, event_ids: set[int], now: datetime) -> None:
    """Inside the transaction that records a series' reminders sent, missed or failed: plan
    the reminders of its following occurrences (bot.domain.reminders.plan_series_reminders)
    that are not stored yet, in any state. The series' row is locked on PostgreSQL, so two
    processes recording at once take turns and the second finds the first's rows: a crash
    neither loses the following occurrences nor plans them twice."""
    for event_id in sorted(event_ids):
        lock = " FOR UPDATE" if tx.dialect == "postgresql" else ""
        row = await tx.fetchrow(
            "SELECT guild_id, rrule FROM events WHERE id = $1" + lock, event_id
        )
        if row is None or row["rrule"] is None:
            continue
        event = await EventRepository.get_in(tx, int(row["guild_id"]), event_id)
        if event is None:
            continue
        text = await tx.fetchval(
            "SELECT reminder_offsets FROM guild_settings WHERE guild_id = $1", event.guild_id
        )
        try:
            offsets = parse_offsets(text or DEFAULT_OFFSETS)
        except UserError:
            offsets = parse_offsets(DEFAULT_OFFSETS)
        changes = await EventRepository.changes_of(tx, event_id)
        planned = plan_series_reminders(event, changes, offsets, now)
        if not planned:
            continue
        first = min(p.occurrence for p in planned if p.occurrence is not None)
        stored = await tx.fetch(
            "SELECT occurrence_at, moment, offset_seconds FROM reminders"
            " WHERE event_id = $1 AND occurrence_at >= $2",
            event_id, to_ms(first),
        )
        have = {(int(r["occurrence_at"]), r["moment"], r["offset_seconds"]) for r in stored}
        new = [
            p for p in planned
            if (opt_ms(p.occurrence), p.moment.value, int(p.offset.total_seconds())) not in have
        ]
        await insert_planned(tx, event, new, rescheduled=False, now=now)
        if new:
            await plan_dms(tx, event_id, now)  # copies for Going / Maybe of the new ones


async def add_next(tx: Executor, done: Sequence[Reminder], now: datetime) -> None:
    """Inside the transaction that records `done` (repeating reminders just sent or missed):
    each gets its next occurrence after `now`, with the same number, text, place, rule and
    timezone."""
    rows = []
    for r in done:
        if not r.repeat:
            continue
        due = next_occurrence(r.due_at, r.repeat, r.timezone or "UTC", after=now)
        rows.append((
            r.guild_id, to_ms(due), r.channel_id, r.user_id, r.text, r.user_id, to_ms(now),
            r.member_seq, r.repeat, r.timezone, r.id,
        ))
    if rows:
        await tx.executemany(
            "INSERT INTO reminders (guild_id, moment, due_at, channel_id, user_id, body,"
            " state, created_by, created_at, member_seq, repeat, timezone, language)"
            " VALUES ($1, 'personal', $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10,"
            " (SELECT language FROM reminders WHERE id = $11))",
            rows,
        )
