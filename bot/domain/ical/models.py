"""What reading a .ics file gives back (`ParsedCalendar`: the events read, ready to store, and
the warnings to show) and the limits every import keeps to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.models import EventKind, EventStatus, OccurrenceChange

MAX_OCCURRENCES = 100
MAX_EVENTS = 5000
EXPAND_BUDGET = 2.0  # seconds to expand the recurrences of one file


@dataclass(frozen=True, slots=True)
class ImportedEvent:
    """An event read from a .ics file, ready to be stored (times aware UTC)."""

    uid: str
    title: str
    kind: EventKind
    start: datetime
    end: datetime | None
    all_day: bool
    timezone: str
    location: str | None = None
    url: str | None = None
    description: str | None = None
    tentative: bool = False
    status: EventStatus = EventStatus.SCHEDULED
    #: A series kept as one: its rule as stored (bot.domain.recurrence), last occurrence, and
    #: changed (RECURRENCE-ID) or cancelled (EXDATE) occurrences.
    rrule: str | None = None
    series_end: datetime | None = None
    changes: tuple[OccurrenceChange, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedCalendar:
    """A .ics file as read, before anything is stored (what the import then did to the
    calendar is bot.domain.calendar.ImportResult)."""

    events: list[ImportedEvent]
    warnings: list[str] = field(default_factory=list)
