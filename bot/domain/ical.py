"""The calendar in and out as iCalendar (RFC 5545), through the `icalendar` library.

Export: one VEVENT per event. All-day events are `DTSTART;VALUE=DATE` with an exclusive
`DTEND;VALUE=DATE`; timed events carry `TZID` of the event's zone (with its VTIMEZONE), or UTC
(`Z`). Concord's own fields travel as X- properties (`X-CONCORD-KIND`, `X-CONCORD-STATUS`,
`X-CONCORD-TIMEZONE`, `X-CONCORD-TENTATIVE`), so an export imports back unchanged.

Import: all-day and timed events, `TZID`, UTC and floating times (read in the calendar's
`X-WR-TIMEZONE`, else `default_tz`). A recurring VEVENT (RRULE/RDATE, minus EXDATE, with
RECURRENCE-ID overrides) is expanded by the recurring-ical-events library into one event per
occurrence, each with the UID `"{uid}#{occurrence}"` (`#20140317` for dates,
`#20140317T090000Z` for times), so importing the file again finds the same events. Expansion is
bounded: at most MAX_OCCURRENCES occurrences per series (a warning says so when a series is
longer or unbounded), a rule asking for a day that no month has (30 February) keeps its first
date at once, and the whole file gets EXPAND_BUDGET seconds, each series on a helper thread, so
a rule that never matches cannot hold the caller (dateutil would walk to the year 9999). A
changed occurrence (RECURRENCE-ID) whose series is not in the file is imported as one event with
the UID the series would give it. A file holding several VCALENDARs is read whole. Events
without DTSTART are skipped with a warning.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from time import monotonic as time_monotonic
from typing import Any

import recurring_ical_events
from icalendar import Calendar, Component
from icalendar import Event as VEvent

from bot.domain.models import Event, EventKind, EventStatus
from bot.domain.when import MAX_YEAR, MIN_YEAR
from bot.errors import UserError

log = logging.getLogger(__name__)

__all__ = ["MAX_OCCURRENCES", "ImportResult", "ImportedEvent", "export_ics", "import_ics"]

PRODID = "-//Concord//Concord policy-process bot//EN"
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
    events: Iterable[Event],
    calname: str = "Concord",
    stamp: datetime | None = None,
    *,
    left_out: list[Event] | None = None,
) -> bytes:
    """A VCALENDAR with one VEVENT per event (and the VTIMEZONEs the timed ones use).

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
        try:
            vevent = _vevent(event, stamp)
        except (OverflowError, ValueError) as err:
            log.info("left event %s out of the export: %s", event.id, err)
            if left_out is not None:
                left_out.append(event)
            continue
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


def _vevent(event: Event, stamp: datetime) -> VEvent:
    """One event as a VEVENT; ValueError or OverflowError when its dates cannot be placed."""
    tz = _zone(event.timezone) or UTC
    tz_name = event.timezone if _zone(event.timezone) else "UTC"
    for moment in (event.start, event.end):
        if moment is not None and not (
            MIN_YEAR <= moment.year <= MAX_YEAR and MIN_YEAR <= moment.astimezone(tz).year <= MAX_YEAR
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


def import_ics(
    data: bytes, default_tz: str = "UTC", *, budget: float = EXPAND_BUDGET
) -> ImportResult:
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
    expander = _Expander(deadline=time_monotonic() + budget)
    events: list[ImportedEvent] = []
    for cal in calendars:  # a file may hold several, one after the other
        floating = _text(cal, "X-WR-TIMEZONE")
        if not _zone(floating):
            floating = default_tz if _zone(default_tz) else "UTC"
        assert floating is not None
        reader = _Reader(default_tz=floating, warnings=warnings)
        for uid, masters, overrides in _series(cal):
            for component in masters:
                title = _text(component, "SUMMARY") or "Untitled event"
                try:
                    events.extend(
                        _read_event(component, uid, overrides, reader, floating, expander)
                    )
                except _Skip as skip:
                    warnings.append(f'Skipped "{title[:80]}": {skip}.')
                except Exception as err:  # one bad event never refuses the file: say which
                    warnings.append(_unreadable(title, err))
            if uid is not None and not any(_recurs(m) for m in masters):
                # Changed occurrences whose series is not in the file: each is an event.
                for component in overrides:
                    title = _text(component, "SUMMARY") or "Untitled event"
                    try:
                        events.append(_read_override(component, uid, reader, floating))
                    except _Skip as skip:
                        warnings.append(f'Skipped "{title[:80]}": {skip}.')
                    except Exception as err:
                        warnings.append(_unreadable(title, err))
            if len(events) > MAX_EVENTS:
                break
        if len(events) > MAX_EVENTS:
            warnings.append(f"Only the first {MAX_EVENTS} events were imported.")
            events = events[:MAX_EVENTS]
            break
    return ImportResult(events=events, warnings=warnings)


# C0 control characters but tab, line feed and carriage return (UTF-8 never uses these bytes
# inside a character, so deleting them from the raw file is safe).
_CONTROLS = bytes(b for b in range(0x20) if b not in b"\t\n\r")


class _Skip(Exception):
    """An event that cannot be imported; the message says why (for the warnings list)."""


def _unreadable(title: str, err: Exception) -> str:
    log.info("cannot import the event %r", title[:80], exc_info=err)
    return f'Skipped "{title[:80]}": it cannot be read ({_one_line(err)}).'


def _series(cal: Calendar) -> list[tuple[str | None, list[VEvent], list[VEvent]]]:
    """The VEVENTs of `cal` by UID, in file order: (uid, masters, RECURRENCE-ID overrides).
    Events without a UID stand alone (uid None)."""
    groups: dict[str, tuple[list[VEvent], list[VEvent]]] = {}
    out: list[tuple[str | None, list[VEvent], list[VEvent]]] = []
    for component in cal.walk("VEVENT"):
        if not isinstance(component, VEvent):
            continue
        uid = _text(component, "UID")
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
    reader: _Reader,
    floating: str,
    expander: _Expander,
) -> list[ImportedEvent]:
    if component.get("DTSTART") is None:
        raise _Skip("it has no start date (DTSTART)")
    uid = uid or _fallback_uid(component)
    first = _single(component, reader, floating, uid)
    if not _recurs(component):
        return [first]
    first_only = [_with_uid(first, f"{uid}#{_occurrence_key(_start_value(component, floating))}")]
    title = first.title[:80]
    if _never_matches(component):
        reader.warnings.append(
            f'"{title}" has a repeat rule that never matches a date; only its first date was'
            " imported."
        )
        return first_only
    try:
        occurrences = expander.expand(component, overrides)
    except _OutOfTime as late:
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
            f'"{title}" has a repeat rule I cannot read ({_one_line(err)}); only its first date'
            " was imported."
        )
        return first_only
    if len(occurrences) > MAX_OCCURRENCES:
        reader.warnings.append(
            f'"{title}" repeats more than {MAX_OCCURRENCES} times; '
            f"only the first {MAX_OCCURRENCES} were imported."
        )
        occurrences = occurrences[:MAX_OCCURRENCES]
    quiet = _Reader(default_tz=reader.default_tz, warnings=[])  # warned once, for `first`
    out: list[ImportedEvent] = []
    for occurrence in occurrences:
        try:
            rid, _ = quiet.moment(occurrence.decoded("RECURRENCE-ID"), floating)
            event = _single(occurrence, quiet, floating, uid)
        except (_Skip, ValueError, TypeError, KeyError, OverflowError):
            continue  # an occurrence past the years kept, or unreadable: left out
        out.append(_with_uid(event, f"{uid}#{_occurrence_key(rid)}"))
    return out or first_only


def _recurs(component: Component) -> bool:
    return component.get("RRULE") is not None or component.get("RDATE") is not None


def _read_override(component: VEvent, uid: str, reader: _Reader, floating: str) -> ImportedEvent:
    """One changed occurrence on its own, with the UID its series would give it."""
    if component.get("DTSTART") is None:
        raise _Skip("it has no start date (DTSTART)")
    try:
        rid, _ = reader.moment(component.decoded("RECURRENCE-ID"), floating)
    except (ValueError, TypeError, KeyError) as err:
        raise _Skip(f"its RECURRENCE-ID cannot be read ({_one_line(err)})") from None
    return _with_uid(_single(component, reader, floating, uid), f"{uid}#{_occurrence_key(rid)}")


def _start_value(component: Component, floating: str) -> datetime | date:
    value = component.decoded("DTSTART")
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=_zone(floating) or UTC)
    return value


def _one_line(err: Exception) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= 80 else text[:77] + "..."


_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _never_matches(component: VEvent) -> bool:
    """Whether every RRULE of `component` asks for a day no month it allows has (30 February,
    31 April): dateutil would walk to the year 9999 looking for one. RDATEs still count."""
    if component.get("RDATE") is not None:
        return False
    rules = component.get("RRULE")
    rule_list = rules if isinstance(rules, list) else [rules]
    return bool(rule_list) and all(_impossible_day(rule) for rule in rule_list)


def _impossible_day(rule: Any) -> bool:
    try:
        days = [int(d) for d in rule.get("BYMONTHDAY", [])]
        months = [int(m) for m in rule.get("BYMONTH", [])] or list(range(1, 13))
    except (TypeError, ValueError, AttributeError):
        return False
    if not days or any(not 1 <= m <= 12 for m in months):
        return False
    longest = max(_MONTH_DAYS[m - 1] for m in months)
    return all(abs(d) > longest for d in days)


class _OutOfTime(Exception):
    def __init__(self, *, spent: bool) -> None:
        super().__init__("out of time")
        self.spent = spent  # True: the budget was gone before this series started


@dataclass(slots=True)
class _Expander:
    """Expands series through recurring-ical-events until a shared deadline (monotonic)."""

    deadline: float

    def expand(self, master: VEvent, overrides: list[VEvent]) -> list[Component]:
        """The occurrences of `master` (with its overrides applied), at most
        MAX_OCCURRENCES + 1 of them, each a VEVENT with its DTSTART, DTEND and RECURRENCE-ID."""
        left = self.deadline - time_monotonic()
        if left <= 0:
            raise _OutOfTime(spent=True)
        series = Calendar()
        for component in (master, *overrides):
            series.add_component(component)
        start = master.decoded("DTSTART")
        if not isinstance(start, datetime):  # after() never leaves a date: it adds 15 minutes
            start = datetime.combine(start, time(0))

        def occurrences(stop: threading.Event) -> list[Component]:
            out: list[Component] = []
            for occurrence in recurring_ical_events.of(series).after(start):
                if stop.is_set() or len(out) > MAX_OCCURRENCES:
                    break
                out.append(occurrence)
            return out

        return _within(occurrences, left, self)

    def spend(self) -> None:
        self.deadline = 0.0


def _within(
    work: Callable[[threading.Event], list[Component]], seconds: float, owner: _Expander
) -> list[Component]:
    """`work(stop)` on a daemon thread, waited for at most `seconds`. A thread that runs late is
    told to stop at its next occurrence, or else left to finish on its own (dateutil cannot be
    interrupted; it gives up at the year 9999), and the owner's budget is spent so that no
    second one starts."""
    outcome: list[tuple[bool, Any]] = []
    done = threading.Event()
    stop = threading.Event()

    def run() -> None:
        try:
            outcome.append((True, work(stop)))
        except BaseException as err:  # handed to the waiting thread below
            outcome.append((False, err))
        finally:
            done.set()

    threading.Thread(target=run, name="ical-expand", daemon=True).start()
    if not done.wait(seconds):
        stop.set()
        owner.spend()
        raise _OutOfTime(spent=False)
    ok, value = outcome[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def _with_uid(event: ImportedEvent, uid: str) -> ImportedEvent:
    return replace(event, uid=uid)


def _to_utc(moment: datetime | date, timezone: str) -> datetime:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC)
    tz = _zone(timezone) or UTC
    return datetime.combine(moment, time(0), tzinfo=tz).astimezone(UTC)


def _single(component: Component, reader: _Reader, floating: str, uid: str) -> ImportedEvent:
    """One VEVENT as it stands (no recurrence)."""
    title = _text(component, "SUMMARY") or "Untitled event"
    try:
        start_raw = component.decoded("DTSTART")
        start, start_zone = reader.moment(start_raw, floating)
    except (ValueError, TypeError, KeyError) as err:
        raise _Skip(f"its start date cannot be read ({err})") from None
    if not MIN_YEAR <= start.year <= MAX_YEAR:
        raise _Skip(
            f"it is in the year {start.year}; Concord keeps events from {MIN_YEAR} to {MAX_YEAR}"
        )
    end_value: datetime | date | None = None
    try:
        if component.get("DTEND") is not None:
            end_value, _ = reader.moment(component.decoded("DTEND"), floating)
        elif component.get("DURATION") is not None:
            duration = component.decoded("DURATION")
            if isinstance(duration, timedelta):
                end_value = start + duration
    except (ValueError, TypeError, KeyError, OverflowError):
        reader.warnings.append(f'"{title[:80]}": its end cannot be read; kept without an end.')
    if end_value is not None and not MIN_YEAR <= end_value.year <= MAX_YEAR:
        reader.warnings.append(
            f'"{title[:80]}" ends in the year {end_value.year}; kept without an end.'
        )
        end_value = None
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
