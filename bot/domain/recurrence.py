"""Recurring events (SPEC 10): what `/event add ... repeat` means as an RFC 5545 rule, the
occurrences of a series, and how a series is described. Pure: no database, no Discord, no clock.

A series is one Event whose `start`/`end` are its first occurrence and whose `rrule` is the rule
without DTSTART, UNTIL always in UTC. The rule is expanded by dateutil with DTSTART on the wall
clock of the event's timezone, so a meeting at 14:00 Europe/Zurich stays at 14:00 local across
DST changes. Every expansion is bounded: by a window, by a count, and rules are checked when
they are stored (a rule that never gives a date, or only sub-daily frequencies, is refused), so
no expansion walks to the year 9999.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from babel.dates import get_day_names
from dateutil.rrule import rrule, rrulestr
from icalendar import vRecur

from bot.domain.models import Event, OccurrenceChange
from bot.domain.when.zones import zone_or_utc
from bot.errors import UserError
from bot.i18n import N_, Day, Msg, babel_locale, join, tr

MAX_COUNT = 1000  # occurrences a series may have when it is given a count
MAX_EXPAND = 1000  # occurrences one expansion yields at most
CHECK_SECONDS = 1.0  # time to find a new rule's first occurrences
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_ALLOWED_PARTS = {
    "FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS",
    "BYYEARDAY", "BYWEEKNO", "WKST",
}

REPEAT_HELP = N_(
    'give `repeat` as "daily", "weekly", "every 2 weeks", "monthly", "monthly on the first'
    ' Tuesday", or an RRULE such as FREQ=WEEKLY;BYDAY=TU'
)
NO_DATE = N_("That repeat rule gives no date after the start; {help}.")

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "last": -1,
}
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "other": 2}


# --------------------------------------------------------------------------- typed rules


def _phrase_rule(text: str, first: datetime) -> str | None:
    """The rule of a phrase ("weekly", "every 2 weeks", "monthly on the first Tuesday" ...),
    `first` being the first occurrence on its local clock; None when it is no such phrase."""
    t = " ".join(text.lower().replace("-", " ").split())
    if t in ("daily", "every day"):
        return "FREQ=DAILY"
    if t in ("weekly", "every week"):
        return "FREQ=WEEKLY"
    if t in ("biweekly", "fortnightly", "every other week"):
        return "FREQ=WEEKLY;INTERVAL=2"
    if t in ("yearly", "annually", "every year"):
        return "FREQ=YEARLY"
    m = re.fullmatch(r"every (\d+|two|three|four) (days|weeks|months)", t)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else _NUMBER_WORDS[m.group(1)]
        if not 1 <= n <= 52:
            return None
        freq = {"days": "DAILY", "weeks": "WEEKLY", "months": "MONTHLY"}[m.group(2)]
        return f"FREQ={freq}" + (f";INTERVAL={n}" if n > 1 else "")
    if t in ("monthly", "every month"):
        return f"FREQ=MONTHLY;BYMONTHDAY={first.day}"
    m = re.fullmatch(r"(?:monthly|every month) on the (\w+) (\w+?)s?", t)
    if m and m.group(1) in _ORDINALS:
        names = [d.lower() for d in _DAY_NAMES]
        day = m.group(2)
        found = [i for i, name in enumerate(names) if name.startswith(day) and len(day) >= 3]
        if len(found) == 1:
            return f"FREQ=MONTHLY;BYDAY={_ORDINALS[m.group(1)]}{_DAYS[found[0]]}"
    return None


def _recur(text: str) -> dict[str, list[Any]]:
    """An RRULE value read by icalendar: {"FREQ": ["WEEKLY"], ...}; UserError when unreadable."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    try:
        parsed = vRecur.from_ical(body.strip().rstrip(";"))
    except (ValueError, TypeError, KeyError, IndexError):
        raise UserError(Msg("I couldn't read that RRULE; {help}.", help=Msg(REPEAT_HELP))) from None
    return {str(k).upper(): list(v) for k, v in parsed.items()}


def _until_utc(value: date | datetime, zone: str, all_day: bool) -> datetime:
    """An UNTIL value as an instant: a date (or a floating time) is read in `zone`; a date
    means the end of that day there."""
    tz = zone_or_utc(zone)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz)
        return value.astimezone(UTC)
    return (datetime.combine(value, time(23, 59, 59), tzinfo=tz)).astimezone(UTC)


def normalize_rule(
    text: str, zone: str, *, all_day: bool, until: datetime | None = None,
    count: int | None = None,
) -> str:
    """An RRULE (as typed or imported) as stored: checked against what Concord repeats
    (daily or slower, no DTSTART), UNTIL as a UTC instant, `until`/`count` added. UserError,
    saying what to type, when it is not one."""
    parts = _recur(text)
    unknown = sorted(set(parts) - _ALLOWED_PARTS)
    if unknown:
        raise UserError(Msg("An RRULE here cannot use {parts}; {help}.",
                            parts=", ".join(unknown), help=Msg(REPEAT_HELP)))
    freq = [str(f).upper() for f in parts.get("FREQ", [])]
    if len(freq) != 1 or freq[0] not in FREQUENCIES:
        raise UserError(Msg(
            "An event repeats daily, weekly, monthly or yearly (FREQ=DAILY, WEEKLY, MONTHLY or"
            " YEARLY); {help}.", help=Msg(REPEAT_HELP),
        ))
    if until is not None or count is not None:
        if "UNTIL" in parts or "COUNT" in parts:
            raise UserError(Msg(
                "That RRULE already says when it ends; leave out `until` and `count`, or take"
                " UNTIL or COUNT out of the rule."
            ))
        if until is not None and count is not None:
            raise UserError(Msg(
                "Give either `until` (a date) or `count` (how many times), not both."
            ))
    if "UNTIL" in parts and "COUNT" in parts:
        raise UserError(Msg("An RRULE has UNTIL or COUNT, not both; keep one of them."))
    if count is not None:
        parts["COUNT"] = [count]
    if until is not None:
        parts["UNTIL"] = [until.astimezone(UTC)]
    if "COUNT" in parts:
        try:
            n = int(parts["COUNT"][0])
        except (TypeError, ValueError):
            raise UserError(Msg("COUNT is a number from 1 to {n}.", n=MAX_COUNT)) from None
        if not 1 <= n <= MAX_COUNT:
            raise UserError(Msg(
                "A series has from 1 to {n} occurrences; give a count in that range.", n=MAX_COUNT
            ))
        parts["COUNT"] = [n]
    if "UNTIL" in parts:
        parts["UNTIL"] = [_until_utc(parts["UNTIL"][0], zone, all_day)]
    order = ["FREQ", "INTERVAL", "BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY",
             "BYSETPOS", "WKST", "COUNT", "UNTIL"]
    out = []
    for key in order:
        if key in parts:
            value = vRecur({key: parts[key]}).to_ical().decode()
            out.append(value)
    return ";".join(out)


def parse_repeat(
    text: str, first: datetime, zone: str, *, all_day: bool,
    until: datetime | None = None, count: int | None = None,
) -> str:
    """The stored rule for what `/event add repeat` says (a phrase or an RRULE), its first
    occurrence being `first` (UTC) in `zone`."""
    local = first.astimezone(zone_or_utc(zone))
    phrase = _phrase_rule(text, local)
    if phrase is None and "FREQ=" not in text.upper():
        raise UserError(Msg("I couldn't read the repeat {text}; {help}.",
                            text=repr(text.strip()[:40]), help=Msg(REPEAT_HELP)))
    return normalize_rule(phrase or text, zone, all_day=all_day, until=until, count=count)


# --------------------------------------------------------------------------- expanding


def _rule(rule_text: str, start: datetime, zone: str) -> rrule:
    """The dateutil rule with DTSTART on the local clock of `zone` (aware)."""
    dtstart = start.astimezone(zone_or_utc(zone))
    made = rrulestr(rule_text, dtstart=dtstart)
    assert isinstance(made, rrule)
    return made


T = TypeVar("T")


def _in_time(work: Callable[[], T], seconds: float) -> T | None:
    """`work()` on a daemon thread, waited for at most `seconds` (None when it took longer:
    dateutil cannot be interrupted; a rule that never matches walks to the year 9999)."""
    box: list[tuple[bool, Any]] = []
    done = threading.Event()

    def run() -> None:
        try:
            box.append((True, work()))
        except BaseException as err:  # handed to the waiting thread
            box.append((False, err))
        finally:
            done.set()

    threading.Thread(target=run, name="rrule-check", daemon=True).start()
    if not done.wait(seconds):
        return None
    ok, value = box[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def impossible_day(rule: Any) -> bool:
    """Whether a rule (a mapping like icalendar's vRecur) asks only for days that no month it
    allows has (30 February, 31 April): dateutil would walk to the year 9999 looking."""
    try:
        days = [int(d) for d in rule.get("BYMONTHDAY", [])]
        months = [int(m) for m in rule.get("BYMONTH", [])] or list(range(1, 13))
    except (TypeError, ValueError, AttributeError):
        return False
    if not days or any(not 1 <= m <= 12 for m in months):
        return False
    longest = max(_MONTH_DAYS[m - 1] for m in months)
    return all(abs(d) > longest for d in days)


def check_rule(rule_text: str, start: datetime, zone: str) -> tuple[datetime, datetime | None]:
    """Check a stored rule gives dates in time: returns its first occurrence (on or after
    `start`) and its last one (None when it has no end). UserError when it gives none, or not
    quickly (a rule asking for 30 February)."""
    try:
        made = _rule(rule_text, start, zone)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        raise UserError(Msg("I couldn't use that RRULE; {help}.", help=Msg(REPEAT_HELP))) from None
    if impossible_day(_recur(rule_text)):
        raise UserError(Msg(NO_DATE, help=Msg(REPEAT_HELP)))

    def firsts() -> tuple[datetime | None, datetime | None, bool]:
        head = list(itertools.islice(iter(made), 2))
        if not head:
            return None, None, False
        bounded = made._count is not None or made._until is not None
        last = None
        if bounded:
            *_, last = itertools.islice(iter(made), MAX_EXPAND * 400)
        return head[0], last, bounded

    try:
        found = _in_time(firsts, CHECK_SECONDS)
    except (ValueError, OverflowError):
        found = (None, None, False)
    if found is None or found[0] is None:
        raise UserError(Msg(NO_DATE, help=Msg(REPEAT_HELP)))
    first, last, _ = found
    assert first is not None
    return first.astimezone(UTC), last.astimezone(UTC) if last is not None else None


def _span(event: Event) -> timedelta:
    return event.end - event.start if event.end is not None else timedelta(0)


def _starts(event: Event, after: datetime, before: datetime | None, limit: int) -> list[datetime]:
    """Original starts (UTC) of `event`'s rule from `after` (inclusive), up to `before`
    (inclusive) and at most `limit` of them."""
    assert event.rrule is not None
    made = _rule(event.rrule, event.start, event.timezone)
    out: list[datetime] = []
    gen: Iterator[datetime] = made.xafter(after, inc=True)  # type: ignore[attr-defined]
    for dt in gen:
        if before is not None and dt > before:
            break
        out.append(dt.astimezone(UTC))
        if len(out) >= limit:
            break
    return out


def is_occurrence(event: Event, moment: datetime) -> bool:
    """Whether `moment` is an original start of the series."""
    found = _starts(event, moment, moment, 1)
    return bool(found) and found[0] == moment


def _instance(event: Event, key: datetime, change: OccurrenceChange | None) -> Event:
    span = _span(event)
    start = change.start if change and change.start is not None else key
    if change and change.end is not None:
        end: datetime | None = change.end
    else:
        end = start + span if event.end is not None else None
    return replace(
        event, start=start, end=end, occurrence_of=key,
        title=(change.title if change and change.title else event.title),
        location=(change.location if change and change.location is not None else event.location)
        or None,
    )


def occurrences(
    event: Event,
    changes: Sequence[OccurrenceChange],
    start: datetime,
    end: datetime,
    *,
    limit: int = MAX_EXPAND,
    cancelled: bool = False,
) -> list[Event]:
    """The occurrences of a series that overlap [start, end], changes applied, by start (at
    most `limit`); cancelled ones only when `cancelled` is set. Each is the series' Event with
    its own start, end, title and location, and `occurrence_of` set."""
    if event.rrule is None:
        return [event]
    by_key = {c.occurrence_at: c for c in changes}
    out: list[Event] = []
    for key in _starts(event, start - _span(event), end, limit):
        change = by_key.get(key)
        if change is not None and (change.start is not None):
            continue  # moved: placed below, by its new time
        if change is not None and change.cancelled and not cancelled:
            continue
        out.append(_instance(event, key, change))
    for change in changes:
        if change.start is None or (change.cancelled and not cancelled):
            continue
        inst = _instance(event, change.occurrence_at, change)
        if inst.start <= end and (inst.end or inst.start + timedelta(milliseconds=1)) > start:
            out.append(inst)
    out = [
        o for o in out
        if o.start <= end and (o.end or o.start + timedelta(milliseconds=1)) > start
    ]
    out.sort(key=lambda o: o.start)
    return out[:limit]


def occurrences_from(
    event: Event, changes: Sequence[OccurrenceChange], after: datetime, count: int
) -> list[Event]:
    """The next `count` live occurrences of a series that end (or start) after `after`."""
    if event.rrule is None:
        return [event]
    by_key = {c.occurrence_at: c for c in changes}
    keys = _starts(event, after - _span(event), None, count + len(changes) + 1)
    out = []
    for key in keys:
        change = by_key.get(key)
        if change is not None and (change.cancelled or change.start is not None):
            continue
        out.append(_instance(event, key, change))
    horizon = keys[-1] if keys else after
    for change in changes:
        if change.start is not None and not change.cancelled and change.start <= horizon:
            out.append(_instance(event, change.occurrence_at, change))
    out = [o for o in out if (o.end or o.start) > after]
    out.sort(key=lambda o: o.start)
    return out[:count]


def on_local_day(event: Event, day: date, changes: Sequence[OccurrenceChange]) -> datetime | None:
    """The original start of the occurrence on `day` (local in the event's zone): one that
    starts there, or was moved there; None when the series has none that day."""
    tz = zone_or_utc(event.timezone)
    for change in changes:
        if change.occurrence_at.astimezone(tz).date() == day or (
            change.start is not None and change.start.astimezone(tz).date() == day
        ):
            return change.occurrence_at
    lo = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    hi = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    found = _starts(event, lo, hi - timedelta(microseconds=1), 1)
    return found[0] if found else None


# --------------------------------------------------------------------------- describing


def _zone_label(zone: str, lang: str = "en") -> str:
    """ "Europe/Zurich" -> "Zurich time" (in `lang`); UTC stays "UTC"."""
    if zone.upper() in ("UTC", "ETC/UTC", "GMT"):
        return "UTC"
    return tr(lang, "{city} time", city=zone.rsplit("/", 1)[-1].replace("_", " "))


#: Units and ordinals of a rule, for `describe`.
_EVERY = {
    "DAILY": (N_("every day"), N_("every {n} days")),
    "WEEKLY": (N_("every week"), N_("every {n} weeks")),
    "MONTHLY": (N_("every month"), N_("every {n} months")),
    "YEARLY": (N_("every year"), N_("every {n} years")),
}
_ORDINAL_NAMES = {
    1: N_("first"), 2: N_("second"), 3: N_("third"), 4: N_("fourth"), 5: N_("fifth"),
    -1: N_("last"),
}


def _day_name(index: int, lang: str) -> str:
    """Monday (0) .. Sunday (6) in `lang`, as Babel (CLDR) writes it."""
    return str(get_day_names("wide", locale=babel_locale(lang))[index])


def describe(event: Event, lang: str = "en") -> str:
    """ "every Tuesday at 14:00 Zurich time", in `lang` (the end, as a Discord timestamp or
    a count, is added by the caller, who formats times)."""
    assert event.rrule is not None
    parts = _recur(event.rrule)
    local = event.start.astimezone(zone_or_utc(event.timezone))
    freq = str(parts["FREQ"][0]).upper()
    interval = int(parts.get("INTERVAL", [1])[0])
    one, many = _EVERY[freq]
    text = tr(lang, one) if interval == 1 else tr(lang, many, n=interval)
    days = [str(d).upper() for d in parts.get("BYDAY", [])]
    if freq == "WEEKLY":
        indexes = [_DAYS.index(d[-2:]) for d in days if d[-2:] in _DAYS] or [local.weekday()]
        names = join(lang, [_day_name(i, lang) for i in indexes])
        text = (
            tr(lang, "every {days}", days=names) if interval == 1
            else tr(lang, "every {n} weeks on {days}", n=interval, days=names)
        )
    elif freq == "MONTHLY" and days:
        m = re.fullmatch(r"([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)", days[0])
        if m and m.group(1):
            n = int(m.group(1))
            ordinal = tr(lang, _ORDINAL_NAMES[n]) if n in _ORDINAL_NAMES else str(n)
            weekday = _day_name(_DAYS.index(m.group(2)), lang)
            text = tr(lang, "{every} on the {ordinal} {day}", every=text, ordinal=ordinal,
                      day=weekday)
    elif freq == "MONTHLY":
        day = int(parts.get("BYMONTHDAY", [local.day])[0])
        if day > 0:
            text = tr(lang, "{every} on day {day}", every=text, day=day)
        elif day == -1:
            text = tr(lang, "{every} on the last day", every=text)
    elif freq == "YEARLY":
        # "18 March" in English; each language's own order and words else.
        text = tr(lang, "{every} on {date}", every=text, date=Day(local.date(), "day_month"))
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL", "WKST"}:
        text += f" ({event.rrule.split(';COUNT')[0].split(';UNTIL')[0]})"
    if not event.all_day:
        text = tr(lang, "{every} at {time} {zone}", every=text, time=f"{local:%H:%M}",
                  zone=_zone_label(event.timezone, lang))
    return text


def count_of(event: Event) -> int | None:
    """A series' COUNT, if it ends after a number of occurrences."""
    if event.rrule is None:
        return None
    value = _recur(event.rrule).get("COUNT")
    return int(value[0]) if value else None


# --------------------------------------------------------------------------- making series


def until_instant(parsed_start: datetime, parsed_end: datetime | None, all_day: bool) -> datetime:
    """The last instant `until` allows: the end of its (last) day for a date, else the time."""
    if all_day:
        end = parsed_end or parsed_start + timedelta(days=1)
        return end - timedelta(seconds=1)
    return parsed_start


def without_end(rule_text: str) -> str:
    """A stored rule without its COUNT and UNTIL (to give it another end)."""
    return ";".join(
        p for p in rule_text.split(";") if p.split("=", 1)[0].upper() not in ("COUNT", "UNTIL")
    )


def follow_start(rule_text: str, before: datetime, after: datetime, zone: str) -> str:
    """A stored rule for a series whose first occurrence moves from `before` to `after`: a
    day of the month, or a single weekday, that was the old start's becomes the new start's
    ("monthly" from the 18th moved to the 20th repeats on the 20th)."""
    tz = zone_or_utc(zone)
    old, new = before.astimezone(tz), after.astimezone(tz)
    parts = rule_text.split(";")
    out = []
    for part in parts:
        key, _, value = part.partition("=")
        if key == "BYMONTHDAY" and value == str(old.day):
            part = f"BYMONTHDAY={new.day}"
        elif key == "BYDAY" and value == _DAYS[old.weekday()] and "FREQ=WEEKLY" in parts:
            part = f"BYDAY={_DAYS[new.weekday()]}"
        out.append(part)
    return ";".join(out)


def make_series(event: Event, rule_text: str) -> Event:
    """`event` repeating by a stored rule: its start moved to the rule's first occurrence on or
    after it (its length kept) and `series_end` set. UserError when the rule gives no date."""
    if event.tentative:
        raise UserError(Msg(
            "A tentative date cannot repeat; give a settled date in `when` with `repeat`."
        ))
    first, last = check_rule(rule_text, event.start, event.timezone)
    end = first + (event.end - event.start) if event.end is not None else None
    return replace(event, start=first, end=end, rrule=rule_text, series_end=last)


def instance(event: Event, key: datetime, change: OccurrenceChange | None) -> Event:
    """The occurrence of `event` that starts at `key` (its original start), as changed."""
    return _instance(event, key, change)
