"""Reading one VEVENT as it stands (no recurrence) into an `ImportedEvent`: its start and end in
UTC and the zone it keeps (TZID, UTC or floating), its kind and status from Concord's X-
properties or the standard ones, and a warning for every part that had to be dropped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from icalendar import Component

from bot.domain.ical.models import ImportedEvent
from bot.domain.models import EventKind, EventStatus
from bot.domain.when import MAX_YEAR, MIN_YEAR
from bot.domain.when.zones import zone, zone_or_utc


class Skip(Exception):
    """An event that cannot be imported; the message says why (for the warnings list)."""


def _zone_name(tz: tzinfo | None) -> str | None:
    """The IANA name of a tzinfo icalendar produced, if it has one."""
    if tz is None:
        return None
    if tz is UTC:
        return "UTC"
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)
    if isinstance(key, str) and zone(key) is not None:
        return key
    return None


def one_line(err: Exception) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= 80 else text[:77] + "..."


def text_of(component: Component, name: str) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
        if value is None:
            return None
    out = str(value)
    return out if out.strip() else None


@dataclass(slots=True)
class Reader:
    default_tz: str
    warnings: list[str]

    def moment(self, value: Any, floating: str) -> tuple[datetime | date, str | None]:
        """A DTSTART/DTEND value as an aware datetime (or a date) and its zone's name."""
        if isinstance(value, datetime):
            if value.tzinfo is None:
                tz = zone_or_utc(floating)
                return value.replace(tzinfo=tz), floating if zone(floating) else "UTC"
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
    raw = text_of(component, "X-CONCORD-KIND")
    if raw:
        try:
            return EventKind(raw.strip().lower())
        except ValueError:
            pass
    return _categories_kind(component) or EventKind.MEETING


def _status(component: Component) -> tuple[EventStatus, bool]:
    """(status, tentative) from X-CONCORD-STATUS/-TENTATIVE, else the iCalendar STATUS."""
    ical_status = (text_of(component, "STATUS") or "").strip().upper()
    tentative = ical_status == "TENTATIVE" or (
        (text_of(component, "X-CONCORD-TENTATIVE") or "").strip().upper() == "TRUE"
    )
    raw = text_of(component, "X-CONCORD-STATUS")
    if raw:
        try:
            return EventStatus(raw.strip().lower()), tentative
        except ValueError:
            pass
    if ical_status == "CANCELLED":
        return EventStatus.CANCELLED, tentative
    return EventStatus.SCHEDULED, tentative


def occurrence_key(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return moment.strftime("%Y%m%d")


def _to_utc(moment: datetime | date, timezone: str) -> datetime:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC)
    tz = zone_or_utc(timezone)
    return datetime.combine(moment, time(0), tzinfo=tz).astimezone(UTC)


def read_vevent(component: Component, reader: Reader, floating: str, uid: str) -> ImportedEvent:
    """One VEVENT as it stands (no recurrence)."""
    title = text_of(component, "SUMMARY") or "Untitled event"
    try:
        start_raw = component.decoded("DTSTART")
        start, start_zone = reader.moment(start_raw, floating)
    except (ValueError, TypeError, KeyError) as err:
        raise Skip(f"its start date cannot be read ({err})") from None
    if not MIN_YEAR <= start.year <= MAX_YEAR:
        raise Skip(
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
    concord_zone = text_of(component, "X-CONCORD-TIMEZONE")
    if concord_zone and not zone(concord_zone):
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
        location=text_of(component, "LOCATION"),
        url=text_of(component, "URL"),
        description=text_of(component, "DESCRIPTION"),
        tentative=tentative,
        status=status,
    )
