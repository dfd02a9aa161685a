"""What reminders an event gets, and what a reminder says. Pure: no database, no Discord.

Offsets in whole days or weeks are counted on the wall clock of the event's timezone, so a
meeting at 09:00 Europe/Zurich is reminded "7d" before at 09:00 local even when a DST change
lies in between; offsets in minutes and hours are exact durations.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.domain.models import Event, EventKind, EventStatus, Moment, PlannedReminder
from bot.domain.timefmt import ts
from bot.domain.when.zones import zone_or_utc

LATE_LIMIT = timedelta(hours=6)  # later than this at start-up: marked missed, not sent
DAY = timedelta(days=1)


def moments(event: Event) -> list[tuple[Moment, datetime]]:
    """The instants of `event` that matter, by name. Tentative, postponed and cancelled
    events have none: their date is not settled."""
    if event.status is not EventStatus.SCHEDULED or event.tentative:
        return []
    if event.kind is EventKind.MEETING:
        return [(Moment.START, event.start)]
    if event.kind is EventKind.DEADLINE:
        # An all-day deadline falls due at the end of its (last) day.
        return [(Moment.DEADLINE, event.end if event.all_day and event.end else event.start)]
    out = [(Moment.OPENS, event.start)]
    if event.end is not None:
        out.append((Moment.CLOSES, event.end))
    return out


def due_time(at: datetime, offset: timedelta, zone: str) -> datetime:
    """`at` minus `offset`; whole days counted on the local wall clock of `zone` (UTC's, which
    is exact, when the zone is unknown)."""
    if offset % DAY == timedelta(0):
        tz = zone_or_utc(zone)
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


def local_time(day_start: datetime, zone: str, at: time) -> datetime:
    """`at` on the local calendar day that begins at `day_start`, in `zone` (UTC when the zone
    is unknown), as an instant in `day_start`'s timezone."""
    tz = zone_or_utc(zone)
    day = day_start.astimezone(tz).date()
    return datetime.combine(day, at, tzinfo=tz).astimezone(day_start.tzinfo)


_VERBS = {
    Moment.START: "starts",
    Moment.DEADLINE: "is due",
    Moment.OPENS: "opens",
    Moment.CLOSES: "closes",
}


def event_reminder_text(
    *,
    title: str,
    moment: Moment,
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


def personal_reminder_text(
    *, text: str, created_at: datetime, late: bool = False, setter: int | None = None
) -> str:
    """A `/remind` reminder; in a channel (`setter` given) it names who set it, as a mention
    that renders but, sent with no allowed mentions, pings nobody."""
    head = f"Reminder from <@{setter}>:" if setter is not None else "Reminder:"
    out = f"{head} {text}\n-# set {ts(created_at, 'R')}"
    if late:
        out += " · sent late: I was offline when it was due"
    return out
