"""The calendar in and out as iCalendar (RFC 5545), through the `icalendar` library.

Export: one VEVENT per event. All-day events are `DTSTART;VALUE=DATE` with an exclusive
`DTEND;VALUE=DATE`; timed events carry `TZID` of the event's zone (with its VTIMEZONE), or UTC
(`Z`). Concord's own fields travel as X- properties (`X-CONCORD-KIND`, `X-CONCORD-STATUS`,
`X-CONCORD-TIMEZONE`, `X-CONCORD-TENTATIVE`), so an export imports back unchanged.

Import: all-day and timed events, `TZID`, UTC and floating times (read in the calendar's
`X-WR-TIMEZONE`, else `default_tz`). A recurring VEVENT (RRULE/RDATE, minus EXDATE, with
RECURRENCE-ID overrides) is expanded into one event per occurrence, each with the UID
`"{uid}#{occurrence}"` (`#20140317` for dates, `#20140317T090000Z` for times), so importing the
file again finds the same events. At most MAX_OCCURRENCES occurrences are kept per series, and a
warning says so when a series is longer or unbounded (rather than refusing the whole file).
Events without DTSTART are skipped with a warning.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from icalendar import Calendar, Component
from icalendar import Event as VEvent

from bot.domain.models import Event, EventKind, EventStatus
from bot.errors import UserError

log = logging.getLogger(__name__)

__all__ = ["MAX_OCCURRENCES", "ImportResult", "ImportedEvent", "export_ics", "import_ics"]

PRODID = "-//Concord//Concord policy-process bot//EN"
MAX_OCCURRENCES = 100
MAX_EVENTS = 5000


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


# --------------------------------------------------------------------------- zones


def _zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    if name == "UTC":
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _zone_name(tz: tzinfo | None) -> str | None:
    """The IANA name of a tzinfo icalendar produced, if it has one."""
    if tz is None:
        return None
    if tz is UTC:
        return "UTC"
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)
    if isinstance(key, str) and _zone(key) is not None:
        return key
    return None


# --------------------------------------------------------------------------- export


def _uid(event: Event) -> str:
    return event.uid or f"concord-{event.guild_id}-{event.id}@concord"


def _local_date(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def export_ics(
    events: Iterable[Event], calname: str = "Concord", stamp: datetime | None = None
) -> bytes:
    """A VCALENDAR with one VEVENT per event (and the VTIMEZONEs the timed ones use)."""
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", calname)
    first: date | None = None
    last: date | None = None
    for event in events:
        tz = _zone(event.timezone) or UTC
        tz_name = event.timezone if _zone(event.timezone) else "UTC"
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
        vevent.add("categories", [event.kind.value])
        vevent.add("x-concord-kind", event.kind.value)
        vevent.add("x-concord-status", event.status.value)
        vevent.add("x-concord-timezone", tz_name)
        if event.tentative:
            vevent.add("x-concord-tentative", "TRUE")
        cal.add_component(vevent)
        start_day = event.start.date()
        end_day_utc = (event.end or event.start).date()
        first = start_day if first is None else min(first, start_day)
        last = end_day_utc if last is None else max(last, end_day_utc)
    if first is not None and last is not None:
        cal.add_missing_timezones(
            first_date=first - timedelta(days=366), last_date=last + timedelta(days=366)
        )
    return cal.to_ical()


def _timed(moment: datetime, tz: tzinfo, tz_name: str) -> datetime:
    if tz_name == "UTC":
        return moment.astimezone(UTC)
    return moment.astimezone(tz)


# --------------------------------------------------------------------------- import


def _text(component: Component, name: str) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
        if value is None:
            return None
    out = str(value)
    return out if out.strip() else None


def _bad_file(detail: str) -> UserError:
    detail = "".join(ch for ch in " ".join(detail.split()) if ch.isprintable())
    if len(detail) > 100:
        detail = detail[:97] + "..."
    return UserError(
        f"That file isn't a valid iCalendar (.ics) file: {detail}; "
        "export it again as .ics from your calendar app."
    )


def _parse_error(err: Exception) -> str:
    text = str(err)
    if "Content line could not be parsed" in text:
        line = text.split(":", 1)[1].split(":", 1)[0].strip() if ":" in text else ""
        line = "".join(ch for ch in line if ch.isprintable() and ch != "\ufffd")[:40]
        return (
            f"the line {line} is not an iCalendar line"
            if line.strip("'")
            else ("a line is not an iCalendar line")
        )
    return text or type(err).__name__


@dataclass(slots=True)
class _Reader:
    default_tz: str
    warnings: list[str]

    def moment(self, value: Any, floating: str) -> tuple[datetime | date, str | None]:
        """A DTSTART/DTEND value as an aware datetime (or a date) and its zone's name."""
        if isinstance(value, datetime):
            if value.tzinfo is None:
                zone = _zone(floating) or UTC
                return value.replace(tzinfo=zone), floating if _zone(floating) else "UTC"
            return value, _zone_name(value.tzinfo)
        if isinstance(value, date):
            return value, None
        raise ValueError(f"not a date: {value!r}")


def _categories_kind(component: Component) -> EventKind | None:
    raw = component.get("CATEGORIES")
    if raw is None:
        return None
    values = raw if isinstance(raw, list) else [raw]
    for item in values:
        cats = getattr(item, "cats", None) or [str(item)]
        for cat in cats:
            try:
                return EventKind(str(cat).strip().lower())
            except ValueError:
                continue
    return None


def _kind(component: Component) -> EventKind:
    raw = _text(component, "X-CONCORD-KIND")
    if raw:
        try:
            return EventKind(raw.strip().lower())
        except ValueError:
            pass
    return _categories_kind(component) or EventKind.MEETING


def _status(component: Component) -> tuple[EventStatus, bool]:
    """(status, tentative) from X-CONCORD-STATUS/-TENTATIVE, else the iCalendar STATUS."""
    ical_status = (_text(component, "STATUS") or "").strip().upper()
    tentative = ical_status == "TENTATIVE" or (
        (_text(component, "X-CONCORD-TENTATIVE") or "").strip().upper() == "TRUE"
    )
    raw = _text(component, "X-CONCORD-STATUS")
    if raw:
        try:
            return EventStatus(raw.strip().lower()), tentative
        except ValueError:
            pass
    if ical_status == "CANCELLED":
        return EventStatus.CANCELLED, tentative
    return EventStatus.SCHEDULED, tentative


def _fallback_uid(component: Component) -> str:
    start = component.get("DTSTART")
    raw = f"{_text(component, 'SUMMARY')}|{start.to_ical() if start is not None else ''}"
    return f"import-{hashlib.sha1(raw.encode()).hexdigest()[:16]}@concord"


def _occurrence_key(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return moment.strftime("%Y%m%d")


def import_ics(data: bytes, default_tz: str = "UTC") -> ImportResult:
    """Read a .ics file into events; a file that is not iCalendar is a UserError."""
    if isinstance(data, str):  # be forgiving with callers that decoded already
        data = data.encode()
    if not data.strip():
        raise _bad_file("it is empty")
    try:
        cal = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError) as err:
        raise _bad_file(_parse_error(err)) from None
    if not isinstance(cal, Calendar) or cal.name != "VCALENDAR":
        raise _bad_file("it has no VCALENDAR")
    floating = _text(cal, "X-WR-TIMEZONE")
    if not _zone(floating):
        floating = default_tz if _zone(default_tz) else "UTC"
    assert floating is not None
    reader = _Reader(default_tz=floating, warnings=[])

    masters: list[VEvent] = []
    overrides: dict[tuple[str, str], VEvent] = {}
    for component in cal.walk("VEVENT"):
        if not isinstance(component, VEvent):
            continue
        if component.get("RECURRENCE-ID") is not None and component.get("UID") is not None:
            try:
                rid = component.decoded("RECURRENCE-ID")
                rid_value, _ = reader.moment(rid, floating)
            except (ValueError, TypeError, KeyError):
                masters.append(component)
                continue
            overrides[(str(component.get("UID")), _occurrence_key(rid_value))] = component
        else:
            masters.append(component)

    events: list[ImportedEvent] = []
    for component in masters:
        title = _text(component, "SUMMARY") or "Untitled event"
        try:
            events.extend(_read_event(component, reader, floating, overrides))
        except _Skip as skip:
            reader.warnings.append(f'Skipped "{title[:80]}": {skip}.')
        if len(events) > MAX_EVENTS:
            reader.warnings.append(f"Only the first {MAX_EVENTS} events were imported.")
            events = events[:MAX_EVENTS]
            break
    return ImportResult(events=events, warnings=reader.warnings)


class _Skip(Exception):
    """An event that cannot be imported; the message says why (for the warnings list)."""


def _read_event(
    component: VEvent,
    reader: _Reader,
    floating: str,
    overrides: dict[tuple[str, str], VEvent],
) -> list[ImportedEvent]:
    if component.get("DTSTART") is None:
        raise _Skip("it has no start date (DTSTART)")
    uid = _text(component, "UID") or _fallback_uid(component)
    first = _single(component, reader, floating, uid)
    rules = component.get("RRULE")
    rdates = _rdates(component)
    if rules is None and not rdates:
        return [first]
    occurrences, capped = _expand(component, first, reader, rdates)
    if capped:
        reader.warnings.append(
            f'"{first.title[:80]}" repeats more than {MAX_OCCURRENCES} times; '
            f"only the first {MAX_OCCURRENCES} were imported."
        )
    out = []
    length = None if first.end is None else first.end - first.start
    for moment in occurrences:
        key = _occurrence_key(moment)
        override = overrides.get((uid, key))
        if override is not None:
            try:
                event = _single(override, reader, floating, uid)
            except _Skip:
                continue
        else:
            start = _to_utc(moment, first.timezone)
            if first.all_day:
                assert isinstance(moment, date) and not isinstance(moment, datetime)
                end_local = moment + (
                    _local_days(first) if first.end is not None else timedelta(days=1)
                )
                end: datetime | None = _to_utc(end_local, first.timezone)
            else:
                end = None if length is None else start + length
            event = ImportedEvent(
                uid="",
                title=first.title,
                kind=first.kind,
                start=start,
                end=end,
                all_day=first.all_day,
                timezone=first.timezone,
                location=first.location,
                url=first.url,
                description=first.description,
                tentative=first.tentative,
                status=first.status,
            )
        out.append(_with_uid(event, f"{uid}#{key}"))
    return out


def _with_uid(event: ImportedEvent, uid: str) -> ImportedEvent:
    return ImportedEvent(
        uid=uid,
        title=event.title,
        kind=event.kind,
        start=event.start,
        end=event.end,
        all_day=event.all_day,
        timezone=event.timezone,
        location=event.location,
        url=event.url,
        description=event.description,
        tentative=event.tentative,
        status=event.status,
    )


def _local_days(event: ImportedEvent) -> timedelta:
    tz = _zone(event.timezone) or UTC
    assert event.end is not None
    return _local_date(event.end, tz) - _local_date(event.start, tz)


def _to_utc(moment: datetime | date, timezone: str) -> datetime:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC)
    tz = _zone(timezone) or UTC
    return datetime.combine(moment, time(0), tzinfo=tz).astimezone(UTC)


def _rdates(component: VEvent) -> list[datetime | date]:
    out: list[datetime | date] = []
    try:
        for value in component.rdates:
            moment = value[0] if isinstance(value, tuple) else value
            if isinstance(moment, date):
                out.append(moment)
    except (ValueError, TypeError, AttributeError):
        pass
    return out


def _exdates(component: VEvent) -> set[str]:
    try:
        return {_occurrence_key(x) for x in component.exdates if isinstance(x, date)}
    except (ValueError, TypeError, AttributeError):
        return set()


def _expand(
    component: VEvent,
    first: ImportedEvent,
    reader: _Reader,
    rdates: list[datetime | date],
) -> tuple[list[datetime | date], bool]:
    """The occurrence starts of a recurring event (at most MAX_OCCURRENCES), and whether more
    were left out."""
    from dateutil.rrule import rruleset, rrulestr

    raw_start = component.decoded("DTSTART")
    start, _ = reader.moment(raw_start, reader.default_tz)
    all_day = not isinstance(start, datetime)
    if all_day:
        assert isinstance(start, date)
        dtstart = datetime.combine(start, time(0))
    else:
        assert isinstance(start, datetime)
        dtstart = start
    rules = component.get("RRULE")
    rule_list = rules if isinstance(rules, list) else ([rules] if rules is not None else [])
    recurrence = rruleset()
    for rule in rule_list:
        until = rule.get("UNTIL")
        text = rule.to_ical().decode()
        parts = [p for p in text.split(";") if not p.upper().startswith("UNTIL=")]
        try:
            parsed = rrulestr(";".join(parts), dtstart=dtstart)
            if until:
                parsed = parsed.replace(until=_until(until[0], dtstart))  # type: ignore[union-attr]
        except (ValueError, TypeError) as err:
            reader.warnings.append(
                f'"{first.title[:80]}" has a repeat rule I cannot read ({err}); '
                "only its first date was imported."
            )
            return [start], False
        recurrence.rrule(parsed)  # type: ignore[arg-type]
    for extra in rdates:
        if all_day:
            recurrence.rdate(datetime.combine(_as_date(extra), time(0)))
        elif isinstance(extra, datetime):
            recurrence.rdate(extra if extra.tzinfo else extra.replace(tzinfo=dtstart.tzinfo))
    if not rule_list:
        recurrence.rdate(dtstart)
    excluded = _exdates(component)
    out: list[datetime | date] = []
    capped = False
    for moment in itertools.islice(recurrence, MAX_OCCURRENCES * 4):
        value: datetime | date = moment.date() if all_day else moment
        if _occurrence_key(value) in excluded:
            continue
        if len(out) == MAX_OCCURRENCES:
            capped = True
            break
        out.append(value)
    return out, capped


def _as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _until(value: Any, dtstart: datetime) -> datetime:
    """UNTIL in the same awareness as DTSTART (dateutil refuses a mix)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(23, 59, 59))
        if dtstart.tzinfo is not None:
            value = value.replace(tzinfo=dtstart.tzinfo)
        return value
    if dtstart.tzinfo is None:
        return (
            value.replace(tzinfo=None)
            if value.tzinfo is None
            else value.astimezone(UTC).replace(tzinfo=None)
        )
    if value.tzinfo is None:
        return value.replace(tzinfo=dtstart.tzinfo)
    return value


def _single(component: Component, reader: _Reader, floating: str, uid: str) -> ImportedEvent:
    """One VEVENT as it stands (no recurrence)."""
    title = _text(component, "SUMMARY") or "Untitled event"
    try:
        start_raw = component.decoded("DTSTART")
        start, start_zone = reader.moment(start_raw, floating)
    except (ValueError, TypeError, KeyError) as err:
        raise _Skip(f"its start date cannot be read ({err})") from None
    end_value: datetime | date | None = None
    try:
        if component.get("DTEND") is not None:
            end_value, _ = reader.moment(component.decoded("DTEND"), floating)
        elif component.get("DURATION") is not None:
            duration = component.decoded("DURATION")
            if isinstance(duration, timedelta):
                end_value = start + duration
    except (ValueError, TypeError, KeyError):
        reader.warnings.append(f'"{title[:80]}": its end cannot be read; kept without an end.')
    status, tentative = _status(component)
    concord_zone = _text(component, "X-CONCORD-TIMEZONE")
    if concord_zone and not _zone(concord_zone):
        concord_zone = None
    all_day = not isinstance(start, datetime)
    if all_day:
        assert isinstance(start, date)
        timezone = concord_zone or floating
        first_day = start
        if isinstance(end_value, datetime):
            end_value = end_value.date()
        last_exclusive = end_value if isinstance(end_value, date) else None
        if last_exclusive is None or last_exclusive <= first_day:
            if last_exclusive is not None and last_exclusive < first_day:
                reader.warnings.append(
                    f'"{title[:80]}" ends before it starts; kept as a one-day event.'
                )
            last_exclusive = first_day + timedelta(days=1)
        start_utc = _to_utc(first_day, timezone)
        end_utc: datetime | None = _to_utc(last_exclusive, timezone)
    else:
        assert isinstance(start, datetime)
        timezone = start_zone or concord_zone or floating
        start_utc = start.astimezone(UTC)
        if isinstance(end_value, datetime):
            end_utc = end_value.astimezone(UTC)
        elif isinstance(end_value, date):
            end_utc = _to_utc(end_value, timezone)
        else:
            end_utc = None
        if end_utc is not None and end_utc <= start_utc:
            if end_utc < start_utc:
                reader.warnings.append(
                    f'"{title[:80]}" ends before it starts; kept without an end.'
                )
            end_utc = None
    return ImportedEvent(
        uid=uid,
        title=title,
        kind=_kind(component),
        start=start_utc,
        end=end_utc,
        all_day=all_day,
        timezone=timezone,
        location=_text(component, "LOCATION"),
        url=_text(component, "URL"),
        description=_text(component, "DESCRIPTION"),
        tentative=tentative,
        status=status,
    )
