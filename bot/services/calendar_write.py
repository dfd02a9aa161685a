"""One transaction of changes to a server's events: write -> replan -> audit.

`CalendarService._writing` opens it (and tells the reminder engine once it has committed, when
`changed` is set); the service's writes and the .ics import (bot.services.calendar_files) go
through it, so an event is never stored without its reminders replanned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.db import audit
from bot.db.database import Executor
from bot.db.events import EventRepository
from bot.db.reminders import ReminderRepository
from bot.domain.calendar import plan_key, times
from bot.domain.models import Event
from bot.domain.reminders import plan_reminders


@dataclass(slots=True)
class EventWrite:
    """One transaction of changes to a server's events (see CalendarService._writing)."""

    tx: Executor
    guild_id: int
    actor_id: int | None
    now: datetime
    offsets: list[timedelta]
    repo: EventRepository
    #: Set when reminders were written or removed: the engine is told after the commit.
    changed: bool = False

    async def save(self, before: Event | None, wanted: Event) -> Event:
        """Insert `wanted` (when `before` is None) or write it over `before`, and replan its
        reminders when what they depend on changed."""
        if before is None:
            event = await self.repo.insert(self.tx, wanted, self.now)
            await self.replan(event, rescheduled=False)
            return event
        event = await self.repo.update(self.tx, wanted, self.now)
        if plan_key(before) != plan_key(event):
            await self.replan(event, rescheduled=times(before) != times(event))
        return event

    async def save_new_uid(self, candidate: Event) -> Event | None:
        """Insert `candidate` unless its UID was stored by another writer since it was looked up
        (then None)."""
        event = await self.repo.insert_new_uid(self.tx, candidate, self.now)
        if event is not None:
            await self.replan(event, rescheduled=False)
        return event

    async def replan(self, event: Event, *, rescheduled: bool) -> None:
        """Replace the event's pending reminders; a series gets those of its next
        occurrences (with its changed and cancelled ones applied)."""
        changes = await self.repo.changes_of(self.tx, event.id) if event.rrule else []
        planned = plan_reminders(event, changes, self.offsets, self.now)
        await ReminderRepository.replace_for_event(
            self.tx, event, planned, rescheduled=rescheduled, now=self.now
        )
        self.changed = True

    async def remove(self, event: Event) -> None:
        """Delete the event and its pending reminders."""
        await ReminderRepository.delete_for_event(self.tx, event.id)
        await self.repo.delete(self.tx, self.guild_id, event.id)
        self.changed = True

    async def audit(self, action: str, target: str, detail: dict[str, Any] | None) -> None:
        await audit.record(
            self.tx, guild_id=self.guild_id, actor_id=self.actor_id, action=action,
            target=target, at=self.now, detail=detail,
        )
