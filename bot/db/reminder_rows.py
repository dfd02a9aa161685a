"""Reminder rows as the repositories read them: the columns, the model, and IN lists in
chunks (shared by `bot.db.reminders` and `bot.db.reminder_followups`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.db.database import Executor, Row, from_ms, opt_dt
from bot.domain.models import Moment, Reminder, ReminderState

COLUMNS = (
    "id", "guild_id", "event_id", "moment", "offset_seconds", "due_at", "channel_id", "user_id",
    "body", "state", "rescheduled", "late", "attempts", "batch_key", "sent_at", "error",
    "created_at", "member_seq", "repeat", "timezone",
)
SELECT = f"SELECT {', '.join(COLUMNS)} FROM reminders"


def reminder_model(r: Row) -> Reminder:
    return Reminder(
        id=r["id"],
        guild_id=r["guild_id"],
        event_id=r["event_id"],
        moment=Moment(r["moment"]),
        offset_seconds=r["offset_seconds"],
        due_at=from_ms(r["due_at"]),
        channel_id=r["channel_id"],
        user_id=r["user_id"],
        text=r["body"],
        state=ReminderState(r["state"]),
        rescheduled=bool(r["rescheduled"]),
        late=bool(r["late"]),
        attempts=r["attempts"],
        batch_key=r["batch_key"],
        sent_at=opt_dt(r["sent_at"]),
        error=r["error"],
        created_at=opt_dt(r["created_at"]),
        member_seq=r["member_seq"],
        repeat=r["repeat"],
        timezone=r["timezone"],
    )


def in_list(ids: Sequence[int], start: int = 1) -> str:
    """`$1, $2, ...` for an IN list (parameters, never interpolated values)."""
    return ", ".join(f"${i}" for i in range(start, start + len(ids)))


def chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


async def each_chunk(tx: Executor, sql: str, ids: Sequence[int], *args: Any) -> None:
    """Run `sql` once per 500 of `ids`: its `{ids}` becomes their parameters, numbered after
    `args` (which come first)."""
    for chunk in chunks(list(ids)):
        await tx.execute(sql.format(ids=in_list(chunk, len(args) + 1)), *args, *chunk)
