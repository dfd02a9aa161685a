"""What reminders an event gets, and what a reminder says. Pure: no database, no Discord.

Offsets in whole days or weeks are counted on the wall clock of the event's timezone, so a
meeting at 09:00 Europe/Zurich is reminded "7d" before at 09:00 local even when a DST change
lies in between; offsets in minutes and hours are exact durations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.models import Event, EventKind, EventStatus
from bot.domain.timefmt import ts

LATE_LIMIT = timedelta(hours=6)  # later than this at start-up: marked missed, not sent
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    moment: str  # start | deadline | opens | closes
    offset: timedelta
    due_at: datetime


def moments(event: Event) -> list[tuple[str, datetime]]:
    """The instants of `event` that matter, by name. Tentative, postponed and cancelled
    events have none: their date is not settled."""
    if event.status is not EventStatus.SCHEDULED or event.tentative:
        return []
    if event.kind is EventKind.MEETING:
        return [("start", event.start)]
    if event.kind is EventKind.DEADLINE:
        # An all-day deadline falls due at the end of its (last) day.
        return [("deadline", event.end if event.all_day and event.end else event.start)]
    out = [("opens", event.start)]
    if event.end is not None:
        out.append(("closes", event.end))
    return out


def due_time(at: datetime, offset: timedelta, zone: str) -> datetime:
    """`at` minus `offset`; whole days counted on the local wall clock of `zone`."""
    if offset % DAY == timedelta(0):
        try:
            tz = ZoneInfo(zone)
        except (KeyError, ValueError):
            return at - offset
        local = at.astimezone(tz)
        wall = (local.replace(tzinfo=None) - offset).replace(tzinfo=tz)
        return wall.astimezone(at.tzinfo)
    return at - offset


def plan_event_reminders(
    event: Event, offsets: list[timedelta], now: datetime
) -> list[PlannedReminder]:
    """One reminder per moment per offset, skipping those already past at `now`."""
    planned = []
    for moment, at in moments(event):
        for offset in offsets:
            due = due_time(at, offset, event.timezone)
            if due > now:
                planned.append(PlannedReminder(moment, offset, due))
    planned.sort(key=lambda p: p.due_at)
    return planned


_VERBS = {"start": "starts", "deadline": "is due", "opens": "opens", "closes": "closes"}


def event_reminder_text(
    *,
    title: str,
    moment: str,
    at: datetime,
    all_day: bool,
    location: str | None = None,
    rescheduled: bool = False,
    late: bool = False,
) -> str:
    """One reminder line: "Reminder: **C11 comment window** closes <t:..:R> (<t:..:F>)"."""
    verb = _VERBS.get(moment, "is")
    when = f"{ts(at, 'R')} ({ts(at, 'F')})"
    text = f"Reminder: **{title}** {verb} {when}"
    if location:
        text += f" · {location}"
    if rescheduled:
        text += " · rescheduled"
    if late:
        text += " · sent late: I was offline when it was due"
    return text


def personal_reminder_text(*, text: str, created_at: datetime, late: bool = False) -> str:
    out = f"Reminder: {text}\n-# set {ts(created_at, 'R')}"
    if late:
        out += " · sent late: I was offline when it was due"
    return out
