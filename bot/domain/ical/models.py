"""What an import gives back (`ImportResult`: the events read, ready to store, and the warnings
to show) and the limits every import keeps to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.models import EventKind, EventStatus

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


@dataclass(frozen=True, slots=True)
class ImportResult:
    events: list[ImportedEvent]
    warnings: list[str] = field(default_factory=list)
