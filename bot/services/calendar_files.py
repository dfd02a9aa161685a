"""The calendar service's iCalendar side: reading a .ics file off the event loop, storing what
it holds (matched by UID), and writing the export off the event loop.

The conversion itself is pure, in bot.domain.calendar and bot.domain.ical; the transaction is
the service's (an EventWrite), so an import is one transaction for the whole file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from bot.domain import ical
from bot.domain.calendar import (
    IcsExport,
    ImportResult,
    apply_to,
    changes,
    local_window_uid,
    read_ics,
    to_event,
    write_ics,
)
from bot.domain.models import Event, OccurrenceChange
from bot.errors import UserError
from bot.i18n import Msg
from bot.services.calendar_write import EventWrite

log = logging.getLogger(__name__)

READ_DEADLINE = 15.0  # seconds to parse and expand one file (ical.EXPAND_BUDGET of it)


async def read_ics_off_loop(
    data: bytes, *, default_zone: str, filename: str = "calendar.ics"
) -> tuple[list[ical.ImportedEvent], ImportResult]:
    """`read_ics` on a worker thread, so that parsing and expanding a large or hostile file
    never holds the event loop; a file that takes longer than READ_DEADLINE is refused."""
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(read_ics, data, default_zone=default_zone, filename=filename),
            timeout=READ_DEADLINE,
        )
    except TimeoutError:
        log.warning("reading %s took more than %ss; refused", filename, READ_DEADLINE)
        raise UserError(Msg(
            "{file} took too long to read; import a smaller calendar (fewer months or fewer"
            " repeating events).", file=filename[:60],
        )) from None


async def store_imported(
    write: EventWrite,
    items: Sequence[ical.ImportedEvent],
    result: ImportResult,
    *,
    filename: str,
) -> None:
    """Create or update the events of a file in `write`'s transaction, de-duplicated by UID,
    counting each in `result`; a draft's comment window is left alone (with a warning)."""
    guild_id, repo = write.guild_id, write.repo
    # Any server's window of draft C11 is this server's window of C11 (one, never two).
    items = [replace(i, uid=local_window_uid(i.uid, guild_id)) for i in items]
    # Two imports of one file at once: the second waits, then finds the first's events
    # (SQLite's transactions take turns already).
    await repo.lock_imports(write.tx, guild_id)
    existing = await repo.by_uids(write.tx, guild_id, [i.uid for i in items])
    created_ids: list[int] = []
    updated_ids: list[int] = []
    for item in items:
        before = existing.get(item.uid)
        if before is None:
            new = await write.save_new_uid(to_event(item, guild_id, created_by=write.actor_id))
            if new is not None:
                await _store_changes(write, new, item)
                result.created += 1
                created_ids.append(new.id)
                result.events.append(new)
                continue
            # Another writer stored this UID since we looked: update theirs.
            before = await repo.by_uid(write.tx, guild_id, item.uid)
            assert before is not None
        if before.draft_id is not None:
            result.skipped += 1
            result.warnings.append(
                f'"{item.title[:60]}" is a draft\'s comment window here; change it with'
                " `/draft window`."
            )
            continue
        wanted = apply_to(item, before)
        stored_changes = await repo.changes_of(write.tx, before.id) if before.rrule else []
        if not changes(before, wanted) and list(item.changes) == stored_changes:
            result.unchanged += 1
            continue
        event = await write.save(before, wanted)
        await _store_changes(write, event, item, stored_changes)
        write.changed = True
        result.updated += 1
        updated_ids.append(event.id)
        result.events.append(event)
    await write.audit(
        "event.import", f"file:{filename[:100]}",
        {
            "created": created_ids, "updated": updated_ids,
            "unchanged": result.unchanged, "skipped": result.skipped,
        },
    )


async def _store_changes(
    write: EventWrite,
    event: Event,
    item: ical.ImportedEvent,
    stored: Sequence[OccurrenceChange] = (),
) -> None:
    """Make a series' changed and cancelled occurrences those of the file, and replan its
    reminders when they differ."""
    if list(item.changes) == list(stored):
        return
    for change in stored:
        await write.repo.clear_change(write.tx, event.id, change.occurrence_at)
    for change in item.changes:
        await write.repo.set_change(write.tx, event.id, change, write.now)
    await write.replan(event, rescheduled=False)


async def write_ics_off_loop(
    events: list[Event],
    *,
    name: str | None,
    now: datetime,
    changes: Mapping[int, Sequence[OccurrenceChange]] | None = None,
) -> IcsExport:
    """The events as an iCalendar file, written on a worker thread (a large calendar is CPU
    work); events whose dates cannot be exported are left out and listed."""
    left_out: list[Event] = []
    data = await asyncio.to_thread(
        write_ics, events, name=name, now=now, left_out=left_out, changes=changes
    )
    return IcsExport(data, len(events) - len(left_out), tuple(left_out))
