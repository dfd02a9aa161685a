"""Reading a file: `import_ics` checks it is iCalendar, groups each VCALENDAR's VEVENTs into
series by UID (masters and RECURRENCE-ID overrides), reads each event or expands each series,
and gathers the warnings; one bad event never refuses the file."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from datetime import UTC, date, datetime, time
from time import monotonic as time_monotonic

from icalendar import Calendar, Component
from icalendar import Event as VEvent

from bot.domain.ical.expand import Expander, OutOfTime, never_matches
from bot.domain.ical.models import (
    EXPAND_BUDGET,
    MAX_EVENTS,
    MAX_OCCURRENCES,
    ImportedEvent,
    ParsedCalendar,
)
from bot.domain.ical.vevent import Reader, Skip, occurrence_key, one_line, read_vevent, text_of
from bot.domain.models import Event, EventStatus, OccurrenceChange
from bot.domain.recurrence import is_occurrence, make_series, normalize_rule
from bot.domain.when.zones import zone, zone_or_utc
from bot.errors import UserError
from bot.i18n import Msg

log = logging.getLogger(__name__)


def _bad_file(detail: str) -> UserError:
    detail = "".join(ch for ch in " ".join(detail.split()) if ch.isprintable())
    if len(detail) > 100:
        detail = detail[:97] + "..."
    return UserError(Msg(
        "That file isn't a valid iCalendar (.ics) file: {detail}; export it again as .ics from"
        " your calendar app.", detail=detail,
    ))


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


def _fallback_uid(component: Component) -> str:
    start = component.get("DTSTART")
    raw = f"{text_of(component, 'SUMMARY')}|{start.to_ical() if start is not None else ''}"
    return f"import-{hashlib.sha1(raw.encode()).hexdigest()[:16]}@concord"


def import_ics(
    data: bytes, default_tz: str = "UTC", *, budget: float = EXPAND_BUDGET
) -> ParsedCalendar:
    """Read a .ics file into events; a file that is not iCalendar is a UserError.

    Recurrences are expanded by recurring-ical-events within `budget` seconds for the whole
    file (each series on a helper thread, so a rule that never matches cannot hold the caller
    longer than that); a series left without time keeps its first date, with a warning.
    """
    if isinstance(data, str):  # be forgiving with callers that decoded already
        data = data.encode()
    data = data.translate(None, _CONTROLS)  # PostgreSQL refuses NUL; none of them is text
    if not data.strip():
        raise _bad_file("it is empty")
    try:
        parsed = Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError) as err:
        raise _bad_file(_parse_error(err)) from None
    calendars = [c for c in parsed if isinstance(c, Calendar) and c.name == "VCALENDAR"]
    if not calendars:
        raise _bad_file("it has no VCALENDAR")
    warnings: list[str] = []
    expander = Expander(deadline=time_monotonic() + budget)
    events: list[ImportedEvent] = []
    for cal in calendars:  # a file may hold several, one after the other
        floating = text_of(cal, "X-WR-TIMEZONE")
        if not zone(floating):
            floating = default_tz if zone(default_tz) else "UTC"
        assert floating is not None
        reader = Reader(default_tz=floating, warnings=warnings)
        for uid, masters, overrides in _series(cal):
            for component in masters:
                title = text_of(component, "SUMMARY") or "Untitled event"
                try:
                    events.extend(
                        _read_event(component, uid, overrides, reader, floating, expander)
                    )
                except Skip as skip:
                    warnings.append(f'Skipped "{title[:80]}": {skip}.')
                except Exception as err:  # one bad event never refuses the file: say which
                    warnings.append(_unreadable(title, err))
            if uid is not None and not any(_recurs(m) for m in masters):
                # Changed occurrences whose series is not in the file: each is an event.
                for component in overrides:
                    title = text_of(component, "SUMMARY") or "Untitled event"
                    try:
                        events.append(_read_override(component, uid, reader, floating))
                    except Skip as skip:
                        warnings.append(f'Skipped "{title[:80]}": {skip}.')
                    except Exception as err:
                        warnings.append(_unreadable(title, err))
            if len(events) > MAX_EVENTS:
                break
        if len(events) > MAX_EVENTS:
            warnings.append(f"Only the first {MAX_EVENTS} events were imported.")
            events = events[:MAX_EVENTS]
            break
    return ParsedCalendar(events=events, warnings=warnings)


# C0 control characters but tab, line feed and carriage return (UTF-8 never uses these bytes
# inside a character, so deleting them from the raw file is safe).
_CONTROLS = bytes(b for b in range(0x20) if b not in b"\t\n\r")


def _unreadable(title: str, err: Exception) -> str:
    log.info("cannot import the event %r", title[:80], exc_info=err)
    return f'Skipped "{title[:80]}": it cannot be read ({one_line(err)}).'


def _series(cal: Calendar) -> list[tuple[str | None, list[VEvent], list[VEvent]]]:
    """The VEVENTs of `cal` by UID, in file order: (uid, masters, RECURRENCE-ID overrides).
    Events without a UID stand alone (uid None)."""
    groups: dict[str, tuple[list[VEvent], list[VEvent]]] = {}
    out: list[tuple[str | None, list[VEvent], list[VEvent]]] = []
    for component in cal.walk("VEVENT"):
        if not isinstance(component, VEvent):
            continue
        uid = text_of(component, "UID")
        if uid is None:
            out.append((None, [component], []))
            continue
        if uid not in groups:
            groups[uid] = ([], [])
            out.append((uid, *groups[uid]))
        masters, overrides = groups[uid]
        if component.get("RECURRENCE-ID") is not None:
            overrides.append(component)
        else:
            masters.append(component)
    return out


def _read_event(
    component: VEvent,
    uid: str | None,
    overrides: list[VEvent],
    reader: Reader,
    floating: str,
    expander: Expander,
) -> list[ImportedEvent]:
    if component.get("DTSTART") is None:
        raise Skip("it has no start date (DTSTART)")
    uid = uid or _fallback_uid(component)
    first = read_vevent(component, reader, floating, uid)
    if not _recurs(component):
        return [first]
    series = _as_series(component, first, overrides, reader, floating)
    if series is not None:
        return [series]
    first_only = [_with_uid(first, f"{uid}#{occurrence_key(_start_value(component, floating))}")]
    title = first.title[:80]
    if never_matches(component):
        reader.warnings.append(
            f'"{title}" has a repeat rule that never matches a date; only its first date was'
            " imported."
        )
        return first_only
    try:
        occurrences = expander.expand(component, overrides)
    except OutOfTime as late:
        if late.spent:
            reader.warnings.append(
                f'"{title}": no time was left to expand its repeat rule; only its first date'
                " was imported."
            )
        else:
            reader.warnings.append(
                f'"{title}" has a repeat rule that took too long to expand; only its first date'
                " was imported."
            )
        return first_only
    except Exception as err:  # the library's errors are ValueErrors and more; report, go on
        log.info("cannot expand the rule of %r: %r", title, err)
        reader.warnings.append(
            f'"{title}" has a repeat rule I cannot read ({one_line(err)}); only its first date'
            " was imported."
        )
        return first_only
    if len(occurrences) > MAX_OCCURRENCES:
        reader.warnings.append(
            f'"{title}" repeats more than {MAX_OCCURRENCES} times; '
            f"only the first {MAX_OCCURRENCES} were imported."
        )
        occurrences = occurrences[:MAX_OCCURRENCES]
    quiet = Reader(default_tz=reader.default_tz, warnings=[])  # warned once, for `first`
    out: list[ImportedEvent] = []
    for occurrence in occurrences:
        try:
            rid, _ = quiet.moment(occurrence.decoded("RECURRENCE-ID"), floating)
            event = read_vevent(occurrence, quiet, floating, uid)
        except (Skip, ValueError, TypeError, KeyError, OverflowError):
            continue  # an occurrence past the years kept, or unreadable: left out
        out.append(_with_uid(event, f"{uid}#{occurrence_key(rid)}"))
    return out or first_only


def _as_series(
    component: VEvent,
    first: ImportedEvent,
    overrides: list[VEvent],
    reader: Reader,
    floating: str,
) -> ImportedEvent | None:
    """A recurring VEVENT kept as one series (its RRULE, EXDATEs as cancelled occurrences,
    RECURRENCE-ID overrides as changed ones), or None when Concord cannot keep it so (RDATE,
    several RRULEs, a frequency below daily, a rule that gives no date in time): then it is
    expanded into single events as before."""
    rules = component.get("RRULE")
    if component.get("RDATE") is not None or rules is None or isinstance(rules, list):
        return None
    try:
        rule = normalize_rule(
            rules.to_ical().decode(), first.timezone, all_day=first.all_day
        )
        as_event = make_series(_probe(first, rule, first.start), rule)
    except (UserError, ValueError, TypeError):
        return None
    series = as_event
    changes: dict[datetime, OccurrenceChange] = {}
    for key in _exdates(component, first, reader, floating):
        if is_occurrence(as_event, key):
            changes[key] = OccurrenceChange(occurrence_at=key, cancelled=True)
    quiet = Reader(default_tz=reader.default_tz, warnings=[])
    for override in overrides:
        try:
            rid, _ = quiet.moment(override.decoded("RECURRENCE-ID"), floating)
            key = _utc_key(rid, first.timezone)
            moved = read_vevent(override, quiet, floating, first.uid)
        except (Skip, ValueError, TypeError, KeyError, OverflowError):
            continue
        if not is_occurrence(as_event, key):
            continue
        cancelled = moved.status is EventStatus.CANCELLED
        changes[key] = OccurrenceChange(
            occurrence_at=key,
            cancelled=cancelled,
            start=None if moved.start == key else moved.start,
            end=None if moved.start == key and moved.end == _shifted_end(first, key) else moved.end,
            title=None if moved.title == first.title else moved.title,
            location=None if moved.location == first.location else (moved.location or ""),
        )
    return replace(
        first, start=series.start, end=series.end, rrule=rule, series_end=series.series_end,
        changes=tuple(sorted(changes.values(), key=lambda c: c.occurrence_at)),
    )


def _probe(first: ImportedEvent, rule: str, start: datetime) -> Event:
    """The series as an Event, to ask which dates are its occurrences."""
    end = start + (first.end - first.start) if first.end is not None else None
    return Event(
        id=0, guild_id=0, title=first.title, kind=first.kind, start=start, end=end,
        all_day=first.all_day, timezone=first.timezone, rrule=rule,
    )


def _shifted_end(first: ImportedEvent, key: datetime) -> datetime | None:
    return key + (first.end - first.start) if first.end is not None else None


def _utc_key(moment: datetime | date, timezone: str) -> datetime:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC)
    return datetime.combine(moment, time(0), tzinfo=zone_or_utc(timezone)).astimezone(UTC)


def _exdates(
    component: VEvent, first: ImportedEvent, reader: Reader, floating: str
) -> list[datetime]:
    """The EXDATEs of a VEVENT as occurrence keys (UTC)."""
    raw = component.get("EXDATE")
    if raw is None:
        return []
    out = []
    for group in raw if isinstance(raw, list) else [raw]:
        for item in getattr(group, "dts", []):
            try:
                moment, _ = reader.moment(item.dt, floating)
                out.append(_utc_key(moment, first.timezone))
            except (ValueError, TypeError):
                continue
    return out


def _recurs(component: Component) -> bool:
    return component.get("RRULE") is not None or component.get("RDATE") is not None


def _read_override(component: VEvent, uid: str, reader: Reader, floating: str) -> ImportedEvent:
    """One changed occurrence on its own, with the UID its series would give it."""
    if component.get("DTSTART") is None:
        raise Skip("it has no start date (DTSTART)")
    try:
        rid, _ = reader.moment(component.decoded("RECURRENCE-ID"), floating)
    except (ValueError, TypeError, KeyError) as err:
        raise Skip(f"its RECURRENCE-ID cannot be read ({one_line(err)})") from None
    return _with_uid(read_vevent(component, reader, floating, uid), f"{uid}#{occurrence_key(rid)}")


def _start_value(component: Component, floating: str) -> datetime | date:
    value = component.decoded("DTSTART")
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=zone_or_utc(floating))
    return value


def _with_uid(event: ImportedEvent, uid: str) -> ImportedEvent:
    return replace(event, uid=uid)
