"""Writing: `export_ics` turns Concord's events into a VCALENDAR, one VEVENT each, all-day ones
as dates, timed ones in their own zone (with VTIMEZONEs) or UTC, Concord's fields as X-
properties; an event whose dates cannot be placed is left out and handed back."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo

from icalendar import Calendar, vRecur
from icalendar import Event as VEvent

from bot.domain.models import Event, EventStatus, OccurrenceChange
from bot.domain.when import MAX_YEAR, MIN_YEAR
from bot.domain.when.zones import zone, zone_or_utc

log = logging.getLogger(__name__)

PRODID = "-//Concord//Concord policy-process bot//EN"


def _uid(event: Event) -> str:
    return event.uid or f"concord-{event.guild_id}-{event.id}@concord"


def _local_date(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def export_ics(
    events: Iterable[Event],
    calname: str = "Concord",
    stamp: datetime | None = None,
    *,
    left_out: list[Event] | None = None,
    changes: Mapping[int, Sequence[OccurrenceChange]] | None = None,
) -> bytes:
    """A VCALENDAR with one VEVENT per event (and the VTIMEZONEs the timed ones use). A series
    is one VEVENT with its RRULE and an EXDATE per cancelled occurrence, followed by one VEVENT
    with its RECURRENCE-ID per changed occurrence (`changes`, by event id).

    An event whose dates lie outside the years kept (MIN_YEAR to MAX_YEAR, where or when it
    is; stored before `when` kept to them, or written by hand) is left out, and appended to
    `left_out` so the caller can say so: one odd event never breaks the export."""
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", calname)
    first: date | None = None
    last: date | None = None
    for event in events:
        own = list((changes or {}).get(event.id, ())) if event.rrule else []
        try:
            cancelled = [c for c in own if c.cancelled]
            vevents = [_vevent(event, stamp, cancelled), *_overrides(event, own, stamp)]
        except (OverflowError, ValueError) as err:
            log.info("left event %s out of the export: %s", event.id, err)
            if left_out is not None:
                left_out.append(event)
            continue
        for vevent in vevents:
            cal.add_component(vevent)
        start_day = event.start.date()
        end_day_utc = (event.series_end or event.end or event.start).date()
        if event.rrule is not None and event.series_end is None:  # open-ended: five years
            end_day_utc = max(end_day_utc, start_day + timedelta(days=5 * 366))
        first = start_day if first is None else min(first, start_day)
        last = end_day_utc if last is None else max(last, end_day_utc)
    if first is not None and last is not None:
        cal.add_missing_timezones(
            first_date=first - timedelta(days=366), last_date=last + timedelta(days=366)
        )
    return cal.to_ical()


def _rrule(event: Event, tz: tzinfo) -> vRecur:
    """The stored rule as a RECUR value; UNTIL a date for an all-day series (RFC 5545 wants
    UNTIL in DTSTART's form), else UTC."""
    assert event.rrule is not None
    rule = vRecur.from_ical(event.rrule)
    if event.all_day and "UNTIL" in rule:
        until = rule["UNTIL"][0]
        if isinstance(until, datetime):
            rule["UNTIL"] = [until.astimezone(tz).date()]
    return rule


def _moment(event: Event, at: datetime, tz: tzinfo, tz_name: str) -> date | datetime:
    """An occurrence's start in DTSTART's form (EXDATE, RECURRENCE-ID)."""
    if event.all_day:
        return _local_date(at, tz)
    return _timed(at, tz, tz_name)


def _overrides(event: Event, own: list[OccurrenceChange], stamp: datetime) -> list[VEvent]:
    """One VEVENT per changed (not cancelled) occurrence, with its RECURRENCE-ID."""
    out = []
    for change in own:
        if change.cancelled:
            continue
        start = change.start or change.occurrence_at
        if change.end is not None:
            end: datetime | None = change.end
        else:
            end = start + (event.end - event.start) if event.end is not None else None
        occurrence = replace(
            event, start=start, end=end, title=change.title or event.title,
            location=(change.location if change.location is not None else event.location)
            or None,
            occurrence_of=change.occurrence_at,
        )
        out.append(_vevent(occurrence, stamp))
    return out


def _vevent(
    event: Event, stamp: datetime, changes_cancelled: Sequence[OccurrenceChange] = ()
) -> VEvent:
    """One event as a VEVENT; ValueError or OverflowError when its dates cannot be placed."""
    tz = zone_or_utc(event.timezone)
    tz_name = event.timezone if zone(event.timezone) else "UTC"
    for moment in (event.start, event.end):
        if moment is not None and not (
            MIN_YEAR <= moment.year <= MAX_YEAR
            and MIN_YEAR <= moment.astimezone(tz).year <= MAX_YEAR
        ):
            raise ValueError(f"{moment.isoformat()} is outside {MIN_YEAR}-{MAX_YEAR}")
    vevent = VEvent()
    vevent.add("uid", _uid(event))
    vevent.add("summary", event.title)
    vevent.add("dtstamp", (event.updated_at or event.created_at or stamp).astimezone(UTC))
    if event.all_day:
        day = _local_date(event.start, tz)
        end_day = _local_date(event.end, tz) if event.end else day + timedelta(days=1)
        vevent.add("dtstart", day)
        vevent.add("dtend", max(end_day, day + timedelta(days=1)))
    else:
        vevent.add("dtstart", _timed(event.start, tz, tz_name))
        if event.end is not None:
            vevent.add("dtend", _timed(event.end, tz, tz_name))
    for name, value in (
        ("location", event.location),
        ("url", event.url),
        ("description", event.description),
    ):
        if value:
            vevent.add(name, value)
    if event.status is EventStatus.CANCELLED:
        vevent.add("status", "CANCELLED")
    elif event.tentative:
        vevent.add("status", "TENTATIVE")
    else:
        vevent.add("status", "CONFIRMED")
    if event.rrule is not None and event.occurrence_of is None:
        vevent.add("rrule", _rrule(event, tz))
        for change in changes_cancelled:
            vevent.add("exdate", _moment(event, change.occurrence_at, tz, tz_name))
    if event.occurrence_of is not None:
        vevent.add("recurrence-id", _moment(event, event.occurrence_of, tz, tz_name))
    vevent.add("categories", [event.kind.value])
    vevent.add("x-concord-kind", event.kind.value)
    vevent.add("x-concord-status", event.status.value)
    vevent.add("x-concord-timezone", tz_name)
    if event.tentative:
        vevent.add("x-concord-tentative", "TRUE")
    return vevent


def _timed(moment: datetime, tz: tzinfo, tz_name: str) -> datetime:
    if tz_name == "UTC":
        return moment.astimezone(UTC)
    return moment.astimezone(tz)
