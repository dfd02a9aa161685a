"""What reminders an event gets, and what a reminder says. Pure: no database, no Discord.

Offsets in whole days or weeks are counted on the wall clock of the event's timezone, so a
meeting at 09:00 Europe/Zurich is reminded "7d" before at 09:00 local even when a DST change
lies in between; offsets in minutes and hours are exact durations.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from bot.domain.models import (
    Event,
    EventKind,
    EventStatus,
    Moment,
    OccurrenceChange,
    PlannedReminder,
)
from bot.domain.recurrence import occurrences_from
from bot.domain.timefmt import ts
from bot.domain.when.zones import zone_or_utc
from bot.i18n import N_, tr

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


#: Occurrences of a series that hold reminder rows at most (the rest are planned lazily).
MAX_PLANNED_OCCURRENCES = 20


def plan_series_reminders(
    event: Event,
    changes: Sequence[OccurrenceChange],
    offsets: list[timedelta],
    now: datetime,
) -> list[PlannedReminder]:
    """The reminders a series holds at `now`: those of its next occurrences only, so an
    open-ended series never fills the table. Planned are the occurrences whose moment lies
    within the longest offset of `now`, plus the first one beyond (its longest-offset reminder
    is due before any later occurrence needs one, and when it is sent the following occurrences
    are planned: bot.db.reminders); at most MAX_PLANNED_OCCURRENCES. A cancelled occurrence has
    none; one moved by itself is marked rescheduled."""
    if not offsets or not moments(event):  # postponed, cancelled or tentative: none
        return []
    horizon = now + max(offsets)
    planned: list[PlannedReminder] = []
    for occurrence in occurrences_from(event, changes, now, MAX_PLANNED_OCCURRENCES):
        moved = occurrence.occurrence_of is not None and occurrence.start != occurrence.occurrence_of
        for p in plan_event_reminders(occurrence, offsets, now):
            planned.append(
                PlannedReminder(p.moment, p.offset, p.due_at, occurrence.occurrence_of, moved)
            )
        if occurrence.start > horizon:
            break
    planned.sort(key=lambda p: p.due_at)
    return planned


def plan_reminders(
    event: Event, changes: Sequence[OccurrenceChange], offsets: list[timedelta], now: datetime
) -> list[PlannedReminder]:
    """An event's reminders: a series' next occurrences, else the event's own."""
    if event.rrule is not None:
        return plan_series_reminders(event, changes, offsets, now)
    return plan_event_reminders(event, offsets, now)


def local_time(day_start: datetime, zone: str, at: time) -> datetime:
    """`at` on the local calendar day that begins at `day_start`, in `zone` (UTC when the zone
    is unknown), as an instant in `day_start`'s timezone."""
    tz = zone_or_utc(zone)
    day = day_start.astimezone(tz).date()
    return datetime.combine(day, at, tzinfo=tz).astimezone(day_start.tzinfo)


# ------------------------------------------------------------------ repeating /remind

#: The `/remind repeat` choices, by stored rule name, and how they are shown.
REPEAT_LABELS = {
    "daily": N_("every day"),
    "weekdays": N_("every weekday"),
    "weekly": N_("every week"),
    "biweekly": N_("every 2 weeks"),
    "monthly": N_("every month"),
}
_REPEAT_DAYS = {"daily": 1, "weekly": 7, "biweekly": 14}


def repeat_rule(choice: str, first: datetime, zone: str) -> str:
    """The rule stored for a `/remind repeat` choice whose first occurrence is `first`.
    "monthly" keeps its day of the month ("monthly:31"), so a month that falls back to its
    last day does not pull the following months back with it."""
    if choice not in REPEAT_LABELS:
        raise ValueError(f"unknown repeat {choice!r}")
    if choice == "monthly":
        return f"monthly:{first.astimezone(zone_or_utc(zone)).day}"
    return choice


def repeat_label(rule: str, lang: str = "en") -> str:
    """ "every week", "every weekday" ... for a stored rule, in `lang`."""
    return tr(lang, REPEAT_LABELS.get(rule.split(":", 1)[0], N_("repeating")))


def _add_months(day: date, months: int, anchor: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(anchor, calendar.monthrange(year, month)[1]))


def _next_local_day(day: date, rule: str) -> date:
    name, _, arg = rule.partition(":")
    if name in _REPEAT_DAYS:
        return day + timedelta(days=_REPEAT_DAYS[name])
    if name == "weekdays":
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day
    if name == "monthly":
        return _add_months(day, 1, int(arg) if arg else day.day)
    raise ValueError(f"unknown repeat rule {rule!r}")


def first_occurrence(due: datetime, rule: str, zone: str) -> datetime:
    """`due`, or for "weekdays" the first weekday from it, at the same local time."""
    if rule != "weekdays":
        return due
    tz = zone_or_utc(zone)
    local = due.astimezone(tz)
    day = local.date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, local.time(), tzinfo=tz).astimezone(due.tzinfo)


def next_occurrence(due: datetime, rule: str, zone: str, *, after: datetime) -> datetime:
    """The first occurrence of `rule` after both `due` (an occurrence) and `after`, at
    `due`'s local clock time in `zone`: the calendar is counted on the wall clock, then the
    result turned back into `due`'s timezone, so 09:00 stays 09:00 across DST changes."""
    tz = zone_or_utc(zone)
    local = due.astimezone(tz)
    clock, day = local.time(), local.date()
    while True:
        day = _next_local_day(day, rule)
        at = datetime.combine(day, clock, tzinfo=tz).astimezone(due.tzinfo)
        if at > after and at > due:
            return at


_LINES = {
    Moment.START: N_("Reminder: **{title}** starts {when}"),
    Moment.DEADLINE: N_("Reminder: **{title}** is due {when}"),
    Moment.OPENS: N_("Reminder: **{title}** opens {when}"),
    Moment.CLOSES: N_("Reminder: **{title}** closes {when}"),
}
_LINE = N_("Reminder: **{title}** is {when}")
_LATE = N_("sent late: I was offline when it was due")


def event_reminder_text(
    *,
    title: str,
    moment: Moment,
    at: datetime,
    all_day: bool,
    location: str | None = None,
    rescheduled: bool = False,
    late: bool = False,
    lang: str = "en",
) -> str:
    """One reminder line, in `lang`: "Reminder: **C11 comment window** closes <t:..:R>
    (<t:..:F>)"."""
    when = f"{ts(at, 'R')} ({ts(at, 'F')})"
    text = tr(lang, _LINES.get(moment, _LINE), title=title, when=when)
    if location:
        text += f" · {location}"
    if rescheduled:
        text += " · " + tr(lang, "rescheduled")
    if late:
        text += " · " + tr(lang, _LATE)
    return text


def personal_reminder_text(
    *,
    text: str,
    created_at: datetime,
    late: bool = False,
    setter: int | None = None,
    lang: str = "en",
) -> str:
    """A `/remind` reminder, in `lang`; in a channel (`setter` given) it names who set it, as
    a mention that renders but, sent with no allowed mentions, pings nobody."""
    if setter is not None:
        head = tr(lang, "Reminder from {member}:", member=f"<@{setter}>")
    else:
        head = tr(lang, "Reminder:")
    out = f"{head} {text}\n-# " + tr(lang, "set {when}", when=ts(created_at, "R"))
    if late:
        out += " · " + tr(lang, _LATE)
    return out
