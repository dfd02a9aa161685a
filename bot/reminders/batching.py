"""How claimed reminders become messages: one line per reminder, the rows due in the same
minute for the same place in one message (split between lines at Discord's length limit),
and a nonce per message that a resend after a crash repeats.

Pure: the engine stores what is decided here (a batch's new key, its split) before it sends.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Container, Sequence
from dataclasses import dataclass, field, replace

from bot.domain.models import Claimed, Moment
from bot.domain.reminders import event_reminder_text, personal_reminder_text
from bot.limits import MESSAGE_LIMIT, NONCE_LIMIT
from bot.ui import inert


def reminder_line(item: Claimed) -> str:
    """The line a claimed reminder is sent as. Titles, places and a member's own text are
    inert (Markdown escaped, bidirectional overrides removed) here, where the line is made,
    so the length `split_rows` measures is the length sent."""
    if item.event_id is not None and item.title is not None:
        at = item.event_end if item.moment is Moment.CLOSES else item.event_start
        if item.moment is Moment.DEADLINE and item.all_day and item.event_end is not None:
            at = item.event_end
        return event_reminder_text(
            title=inert(item.title),
            moment=item.moment,
            at=at or item.due_at,
            all_day=item.all_day,
            location=inert(item.location) if item.location else None,
            rescheduled=item.rescheduled,
            late=item.late,
            lang=item.language,
        )
    return personal_reminder_text(
        text=inert(item.body or ""),
        created_at=item.created_at,
        late=item.late,
        # In a channel it names who set it (the message allows no mentions: nobody is pinged).
        setter=item.user_id if item.channel_id else None,
        lang=item.language,
    )


def message_role(items: Sequence[Claimed]) -> int | None:
    """The role a message of these rows pings: the server's reminder role when it carries an
    event reminder for the reminder channel, else none."""
    return next((i.mention_role for i in items if i.mention_role), None)


def mention_prefix(role: int | None) -> str:
    """What a message that pings `role` starts with (nothing when it pings nobody)."""
    return f"<@&{role}> " if role else ""


def split_message(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into messages of at most `limit` characters, splitting only between lines
    (a single over-long line is split at the limit)."""
    parts: list[str] = []
    current = ""
    for line in lines:
        pieces = [line[i : i + limit] for i in range(0, len(line), limit)] or [""]
        for piece in pieces:
            if not current:
                current = piece
            elif len(current) + 1 + len(piece) <= limit:
                current += "\n" + piece
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts


def split_rows(items: Sequence[Claimed], limit: int = MESSAGE_LIMIT) -> list[list[Claimed]]:
    """Group rows into messages of at most `limit` characters, measuring each line in its
    longest form (sent late), so the same groups still fit when they are resent late. Room
    is kept in every message for the role mention it may start with."""
    limit -= len(mention_prefix(message_role(items)))
    groups: list[list[Claimed]] = []
    size = 0
    for item in items:
        length = len(reminder_line(replace(item, late=True)))
        if groups and size + 1 + length <= limit:
            groups[-1].append(item)
            size += 1 + length
        else:
            groups.append([item])
            size = length
    return groups


def nonce_for(batch_key: str, part: int | str) -> str:
    """The nonce of one message of a batch: the same on every resend of that message."""
    nonce = f"c{batch_key}.{part}"
    if len(nonce) > NONCE_LIMIT:  # ids never get this long, but the limit is Discord's
        nonce = nonce[-NONCE_LIMIT:]
    return nonce


@dataclass
class Batch:
    """The rows that go out together under one key (one message, or a few when long)."""

    key: str
    items: list[Claimed] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [i.id for i in self.items]

    @property
    def minute(self) -> int:
        return int(self.items[0].due_at.timestamp()) // 60

    @property
    def mergeable(self) -> bool:
        # A batch resumed after a crash may already be on Discord under its own nonce.
        return not any(i.resumed for i in self.items)


def batches_of(claimed: Sequence[Claimed], skip: Container[int] = ()) -> list[Batch]:
    """The claimed rows grouped by their batch key, in order, leaving out the ids in `skip`
    (rows already on their way)."""
    batches: dict[str, Batch] = {}
    for item in claimed:
        if item.id in skip:
            continue
        batches.setdefault(item.batch_key, Batch(item.batch_key)).items.append(item)
    return list(batches.values())


def merge_same_minute(batch: Batch, queue: deque[Batch]) -> tuple[Batch, list[int]]:
    """Take the queued batches due in the same minute as `batch` out of `queue` and fold them
    into it: one message. Returns the merged batch and the ids that must be re-keyed to
    `batch.key` before the send (none when nothing was merged)."""
    if not batch.mergeable:
        return batch, []
    others = [b for b in queue if b.mergeable and b.minute == batch.minute]
    if not others:
        return batch, []
    for other in others:
        queue.remove(other)
    moved = [i for b in others for i in b.items]
    return Batch(batch.key, batch.items + moved), [i.id for i in moved]


def parts_of(batch: Batch) -> tuple[list[tuple[int, list[Claimed]]], list[list[int]]]:
    """The batch's messages as (part number, rows), and the split to store before the first
    send (row ids per part number; empty when there is nothing new to store).

    A new batch is split once, with every line measured as if it were sent late; a resumed
    batch keeps the split it had, and rows without a part go in new parts after it."""
    items = sorted(batch.items, key=lambda i: i.id)
    known: dict[int, list[Claimed]] = {}
    for item in items:
        if item.part is not None:
            known.setdefault(item.part, []).append(item)
    new = [i for i in items if i.part is None]
    store: list[list[int]] = []
    if new:
        first = max(known, default=-1) + 1
        groups = split_rows(new)
        store = [[] for _ in range(first)] + [[i.id for i in g] for g in groups]
        for offset, group in enumerate(groups):
            known[first + offset] = group
    return sorted(known.items()), store
