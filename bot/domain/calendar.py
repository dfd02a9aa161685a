"""Calendar events as plain values: validation of what was typed, the results the calendar
service returns, what a change compares (diffing), and iCalendar files in and out.

Pure: no database, no Discord, no clock (the time is passed in). The service that writes events,
their reminders and the audit is bot.services.calendar; its decisions are listed there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time
from typing import Any
from urllib.parse import SplitResult, urlsplit

from bot.domain import ical
from bot.domain.models import Event, EventKind, EventStatus, OccurrenceChange
from bot.domain.when import zone_or_utc
from bot.errors import NotFound, UserError
from bot.i18n import Msg
from bot.text import strip_bidi

log = logging.getLogger(__name__)

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_ICS_BYTES",
    "MAX_TITLE",
    "Added",
    "Edited",
    "IcsExport",
    "ImportResult",
    "parse_kind",
    "parse_status",
]

MAX_TITLE = 200
MAX_LOCATION = 200
MAX_URL = 500
MAX_DESCRIPTION = 1000
MAX_ICS_BYTES = 1_000_000
MAX_DAYS = 366
CLEAR = "-"


# --------------------------------------------------------------------------- validation


def _one_line(text: str) -> str:
    """`text` on one line with single spaces and without bidirectional overrides (which could
    make a title read backwards or reorder it around a link)."""
    return " ".join(strip_bidi(text).split())


def clean_title(text: str) -> str:
    title = _one_line(text)
    if not title:
        raise UserError(Msg('Give the event a title, e.g. "ICANN 49".'))
    if len(title) > MAX_TITLE:
        raise UserError(Msg(
            "That title is {n} characters; keep it to {most} (put the rest in `description`).",
            n=len(title), most=MAX_TITLE,
        ))
    return title


def clean_location(text: str | None) -> str | None:
    if text is None:
        return None
    location = _one_line(text)
    if not location or location == CLEAR:
        return None
    if len(location) > MAX_LOCATION:
        raise UserError(Msg(
            'That location is {n} characters; keep it to {most}, e.g. "Singapore".',
            n=len(location), most=MAX_LOCATION,
        ))
    return location


def web_url_parts(url: str, limit: int) -> SplitResult | None:
    """`url` split, when it is a web address of at most `limit` characters: http or https, a
    host, no whitespace; else None. Event links and subscribed calendars both ask this."""
    parts = urlsplit(url) if len(url) <= limit else None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or any(ch.isspace() for ch in url)
    ):
        return None
    return parts


def clean_url(text: str | None) -> str | None:
    if text is None:
        return None
    url = text.strip()
    if not url or url == CLEAR:
        return None
    if web_url_parts(url, MAX_URL) is None:
        raise UserError(Msg(
            "Give a web address starting with http:// or https:// (at most {n} characters),"
            " e.g. https://www.itu.int/wsis.", n=MAX_URL,
        ))
    return url


def clean_description(text: str | None) -> str | None:
    if text is None:
        return None
    description = strip_bidi(text).strip()
    if not description or description == CLEAR:
        return None
    if len(description) > MAX_DESCRIPTION:
        raise UserError(Msg(
            "That description is {n} characters; keep it to {most} (put the rest behind a"
            " `url`).", n=f"{len(description):,}", most=f"{MAX_DESCRIPTION:,}",
        ))
    return description


def check_days(days: int | None) -> None:
    """A number of days ahead from 1 to MAX_DAYS (None: no limit). Discord's client enforces
    the commands' ranges; this refuses what reaches the bot anyway, before it defers."""
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise UserError(Msg("Give a number of days from 1 to {n}, e.g. 30.", n=MAX_DAYS))


def parse_kind(text: str | EventKind | None) -> EventKind | None:
    """`meeting`, `deadline`, `window` -> the kind; `all`, empty or None -> None (any kind)."""
    if text is None or isinstance(text, EventKind):
        return text
    wanted = text.strip().lower()
    if wanted in ("", "all", "any"):
        return None
    try:
        return EventKind(wanted)
    except ValueError:
        raise UserError(Msg("Choose a kind: meeting, deadline or window.")) from None


def parse_status(text: str | EventStatus) -> EventStatus:
    if isinstance(text, EventStatus):
        return text
    try:
        return EventStatus(text.strip().lower())
    except ValueError:
        raise UserError(Msg("Choose a status: scheduled, postponed or cancelled.")) from None


def parse_ref(text: str | int) -> int | None:
    """The event number in "12", "#12" or "#12 ICANN 49 · 23 Mar 2014"; None if there is none."""
    if isinstance(text, int):
        return text
    s = text.strip().lstrip("#").strip()
    digits = ""
    for ch in s:
        if not ch.isdigit():
            break
        digits += ch
    if not digits or (len(digits) < len(s) and not s[len(digits)].isspace()):
        return None
    return int(digits)


def no_event(ref: str | int) -> NotFound:
    number = parse_ref(ref)
    if number is not None:
        return NotFound(Msg("There is no event #{n} here; `/upcoming` lists them.", n=number))
    shown = str(ref).strip()
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return NotFound(Msg('There is no event "{name}" here; `/upcoming` lists them.', name=shown))


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Edited:
    before: Event
    after: Event
    changes: tuple[str, ...]  # field names that changed: "title", "when", "status" ...
    notes: tuple[str, ...] = ()  # how `when` was read (bot.domain.when.reading)


@dataclass(frozen=True, slots=True)
class Added:
    """What /event add did: the event, and whether it is new (False: the same event had just
    been added by the same member, and that one is returned)."""

    event: Event
    new: bool = True
    notes: tuple[str, ...] = ()  # how `when` was read (bot.domain.when.reading)


@dataclass(slots=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # created or updated, by start

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True, slots=True)
class IcsExport:
    data: bytes
    count: int  # events in the file
    left_out: tuple[Event, ...] = ()  # events whose dates cannot be exported (see ical)


# --------------------------------------------------------------------------- diffing


def times(event: Event) -> tuple[datetime, datetime | None, bool]:
    return (event.start, event.end, event.all_day)


def plan_key(event: Event) -> tuple[Any, ...]:
    """What the reminders of an event depend on."""
    return (*times(event), event.timezone, event.kind, event.status, event.tentative, event.rrule)


_COMPARED = ("title", "kind", "start", "end", "all_day", "timezone", "location", "url",
             "description", "tentative", "status", "rrule")


def changes(before: Event, after: Event) -> tuple[str, ...]:
    out: list[str] = []
    for name in _COMPARED:
        if getattr(before, name) != getattr(after, name):
            label = (
                "when" if name in ("start", "end", "all_day")
                else "repeat" if name == "rrule" else name
            )
            if label not in out:
                out.append(label)
    return tuple(out)


def is_local_midnight(dt: datetime, zone: str) -> bool:
    return dt.astimezone(zone_or_utc(zone)).time() == time(0)


def move_to_zone(event: Event, zone: str) -> Event:
    """The same wall-clock times (or dates) read in `zone` instead of the event's zone."""
    if zone == event.timezone:
        return event
    old = zone_or_utc(event.timezone)
    new = zone_or_utc(zone)

    def move(dt: datetime | None) -> datetime | None:
        if dt is None:
            return None
        wall = dt.astimezone(old).replace(tzinfo=None)
        return wall.replace(tzinfo=new).astimezone(UTC)

    start = move(event.start)
    assert start is not None
    return replace(event, start=start, end=move(event.end), timezone=zone)


def audit_detail(event: Event, *, when: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": event.title,
        "kind": event.kind.value,
        "start": event.start.isoformat(),
        "end": event.end.isoformat() if event.end else None,
        "all_day": event.all_day,
        "timezone": event.timezone,
        "status": event.status.value,
        "tentative": event.tentative,
    }
    if event.rrule is not None:
        out["rrule"] = event.rrule
    if when is not None:
        out["when"] = when
    return out


# --------------------------------------------------------------------------- drafts' windows


def check_window(opens: datetime, closes: datetime) -> None:
    """A comment window closes after it opens."""
    if closes <= opens:
        raise UserError(Msg(
            'A comment window must close after it opens, e.g. "19 December 2013 -'
            ' 24 January 2014".'
        ))


_WINDOW_UID_RE = re.compile(r"^(?P<code>[^@]+)-comment-window@(?P<guild>\d+)\.concord$")


def window_uid(guild_id: int, code: str) -> str:
    """The stable UID of a draft's window event, from the server and the draft's code: an
    export of it imports back as the same event, never a second "C11 comment window"."""
    return f"{code.lower()}-comment-window@{guild_id}.concord"


def local_window_uid(uid: str, guild_id: int) -> str:
    """An imported UID as this server's: another server's window of draft C11 is this
    server's window of C11 (and is left to `/draft window`); any other UID stays."""
    m = _WINDOW_UID_RE.match(uid)
    return window_uid(guild_id, m.group("code")) if m else uid


def window_event(
    before: Event | None,
    *,
    guild_id: int,
    draft_id: int,
    title: str,
    opens: datetime,
    closes: datetime,
    zone: str,
    uid: str,
    created_by: int | None,
) -> Event:
    """The kind=window event of a draft's comment window: `before` (its current one) changed to
    the window, or a new event (id 0) with `uid`. All-day when both ends are local midnights in
    `zone` (`closes` exclusive, as parse_when gives a date range)."""
    clean = _one_line(title)[:MAX_TITLE] or "Comment window"
    all_day = is_local_midnight(opens, zone) and is_local_midnight(closes, zone)
    start, end = opens.astimezone(UTC), closes.astimezone(UTC)
    if before is None:
        return Event(
            id=0, guild_id=guild_id, title=clean, kind=EventKind.WINDOW, start=start, end=end,
            all_day=all_day, timezone=zone, uid=uid, draft_id=draft_id, created_by=created_by,
        )
    return replace(
        before, title=clean, kind=EventKind.WINDOW, start=start, end=end, all_day=all_day,
        timezone=zone, status=EventStatus.SCHEDULED, tentative=False,
    )


# --------------------------------------------------------------------------- iCalendar files
#
# Reading and writing go through bot.domain.ical (the icalendar library: all-day events as
# VALUE=DATE with an exclusive DTEND, timed ones with their TZID, recurrences expanded). The
# calendar adds its own limits on what it stores: title, location and description lengths, and
# http(s) links only.


def to_event(item: ical.ImportedEvent, guild_id: int, *, created_by: int | None) -> Event:
    """A new event (id 0: the database gives it one) from an imported VEVENT."""
    return Event(
        id=0, guild_id=guild_id, title=item.title, kind=item.kind, start=item.start,
        end=item.end, all_day=item.all_day, timezone=item.timezone, location=item.location,
        url=item.url, description=item.description, tentative=item.tentative,
        status=item.status, uid=item.uid, created_by=created_by, rrule=item.rrule,
        series_end=item.series_end,
    )


def apply_to(item: ical.ImportedEvent, event: Event) -> Event:
    """`event` with everything an imported VEVENT says about it."""
    return replace(
        event, title=item.title, kind=item.kind, start=item.start, end=item.end,
        all_day=item.all_day, timezone=item.timezone, location=item.location, url=item.url,
        description=item.description, tentative=item.tentative, status=item.status,
        rrule=item.rrule, series_end=item.series_end,
    )


def read_ics(
    data: bytes, *, default_zone: str, filename: str = "calendar.ics"
) -> tuple[list[ical.ImportedEvent], ImportResult]:
    """The events of an iCalendar file, and a result holding skips and warnings so far."""
    result = ImportResult()
    try:
        parsed = ical.import_ics(data, default_zone)
    except UserError as exc:
        log.info("unreadable calendar %s: %s", filename, exc)
        raise UserError(Msg(
            "I couldn't read {file} as an iCalendar file; export it again from your calendar"
            " app as .ics.", file=filename[:60],
        )) from None
    result.warnings.extend(parsed.warnings)
    result.skipped += sum(1 for w in parsed.warnings if w.startswith("Skipped"))
    items: list[ical.ImportedEvent] = []
    seen: set[str] = set()
    for imported in parsed.events:
        if imported.uid in seen:
            result.skipped += 1
            result.warnings.append(f'Skipped a second event with the UID of "{imported.title[:60]}".')
            continue
        seen.add(imported.uid)
        items.append(_checked(imported, result.warnings))
    if not items and not result.skipped:
        raise UserError(Msg(
            "{file} has no events in it; export a calendar with at least one event.",
            file=filename[:60],
        ))
    return items, result


def _checked(imported: ical.ImportedEvent, warnings: list[str]) -> ical.ImportedEvent:
    """An imported event within the calendar's limits (cut, with a warning, where it is not)."""
    title = _one_line(imported.title) or "Untitled event"
    if len(title) > MAX_TITLE:
        warnings.append(f'Cut the title "{title[:40]}..." to {MAX_TITLE} characters.')
        title = title[: MAX_TITLE - 1] + "…"
    location = _one_line(imported.location or "") or None
    if location and len(location) > MAX_LOCATION:
        warnings.append(f'Cut the location of "{title[:60]}" to {MAX_LOCATION} characters.')
        location = location[: MAX_LOCATION - 1] + "…"
    url = imported.url or None
    if url is not None:
        try:
            url = clean_url(url)
        except UserError:
            warnings.append(f'Left out the link of "{title[:60]}": it is not an http(s) address.')
            url = None
    description = strip_bidi(imported.description or "") or None
    if description and len(description) > MAX_DESCRIPTION:
        warnings.append(
            f'Cut the description of "{title[:60]}" to {MAX_DESCRIPTION:,} characters.'
        )
        description = description[: MAX_DESCRIPTION - 1] + "…"
    return ical.ImportedEvent(
        uid=imported.uid[:255], title=title, kind=imported.kind, start=imported.start,
        end=imported.end, all_day=imported.all_day, timezone=imported.timezone,
        location=location, url=url, description=description, tentative=imported.tentative,
        status=imported.status, rrule=imported.rrule, series_end=imported.series_end,
        changes=tuple(
            replace(c, title=_one_line(c.title)[:MAX_TITLE] or None) if c.title else c
            for c in imported.changes
        ),
    )


def write_ics(
    events: Sequence[Event],
    *,
    name: str | None = None,
    now: datetime,
    left_out: list[Event] | None = None,
    changes: Mapping[int, Sequence[OccurrenceChange]] | None = None,
) -> bytes:
    """An iCalendar file of `events` (series with their changed and cancelled occurrences,
    `changes` by event id); those it cannot hold are appended to `left_out`."""
    return ical.export_ics(
        events, calname=name or "Concord", stamp=now, left_out=left_out, changes=changes
    )

