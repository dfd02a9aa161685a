"""Reading the `when` that people type: dates, times, ranges, tentative dates.

`parse_when(text, now, tz)` is a pure function: the common forms ("23-27 March 2014",
"20 October - 7 November 2014", "March 23-27, 2014", ISO dates and intervals, "17 February 2014
10:00-13:00 CET", "TBD (late January 2014)") are read by this module's own regexes, which take
microseconds; anything else ("next friday 9am", "in 3 days", "tomorrow") goes to dateparser with
`languages=["en"]`. dateparser knows no ranges, so ranges are always split here first.

Decisions (the contract leaves them open):

- A date without a year is the next occurrence that is not in the past: its (last) day is today
  or later in the zone of the input, else the same date next year ("3-4 May" read on 1 November
  2013 is 3-4 May 2014). A range whose year is written once and whose months go backwards
  ("30 December - 2 January 2015", "30 December 2014 - 2 January") crosses the year end, when
  that makes it at most about half a year long; otherwise it is an error.
- A time without a date ("9am", "14:00-16:00") is today if that time is still to come, else
  tomorrow.
- A range of dates is all-day, its last day included; the stored end is exclusive (local
  midnight after the last day). A bare time as the end of a range takes the start's date, and the
  next day when it is earlier than the start and that makes at most 12 hours ("22:00-01:00";
  "13:00-10:00" is an error).
- "until X" starts now; it is timed, and a date-only X ends at the local midnight after X.
- "in 3 days", "in 2 hours", "now" are timed instants; "today", "tomorrow", "next friday" without
  a clock time are all-day.
- A zone abbreviation means its literal offset ("CET" is UTC+1 even in July, "EST" is UTC-5) and
  the event keeps a representative IANA zone (CET -> Europe/Paris), or the member's own zone when
  it has that offset at that moment. "ET", "CT", "MT", "PT" follow the US zones' daylight time.
  IST is India. "Europe/Geneva" and "Geneva" mean Europe/Zurich (Geneva has no IANA zone).
  A bare offset ("UTC+2", "+02:00" in ISO text) keeps "Etc/GMT-2" (IANA's inverted sign);
  one that is not whole hours keeps "UTC". The instant is exact either way.
- A local time that does not exist (inside a spring-forward gap) is read with the offset before
  the change; an ambiguous one (in the autumn hour that repeats) is the first of the two.
- Numeric dates are day first: "03/04/2014" is 3 April 2014.
- "early" is days 1-10 of a month, "mid" 11-20, "late" 21 to the end; those are tentative.
  A bare month ("January 2014") is the whole month, all-day.
"""

from __future__ import annotations

import calendar
import functools
import logging
import re
import time as _time
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from bot.domain.timezones import ALIASES, all_zones, validate_zone
from bot.errors import UserError

log = logging.getLogger(__name__)

__all__ = ["When", "parse_when", "warm_up"]

MAX_LENGTH = 200
MIN_YEAR = 1900  # the years Concord keeps events in (parse_when, the .ics import)
MAX_YEAR = 2200
EXAMPLES = '"24 January 2014", "23-27 March 2014" or "next friday 9am"'


@dataclass(frozen=True, slots=True)
class When:
    """A moment or a span, as understood from what someone typed.

    `start` and `end` are aware UTC. All-day: `start` is local midnight of the first day in
    `timezone` and `end` the exclusive local midnight after the last day. A single timed instant
    has `end = None`.
    """

    start: datetime
    end: datetime | None
    all_day: bool
    tentative: bool
    timezone: str

    def last_day(self) -> date | None:
        """For an all-day span, the last local date it includes; None for timed ones."""
        if not self.all_day or self.end is None:
            return None
        return self.end.astimezone(_zoneinfo(self.timezone)).date() - timedelta(days=1)

    def first_day(self) -> date:
        """The local date the span starts on, in `timezone`."""
        return self.start.astimezone(_zoneinfo(self.timezone)).date()


# --------------------------------------------------------------------------- zones


@dataclass(frozen=True, slots=True)
class _Zone:
    name: str  # IANA name kept with the event
    tz: tzinfo  # what local times are read in (a fixed offset for "CET", "UTC+2", "+02:00")
    fixed: bool = False


_ABBREVIATIONS: dict[str, tuple[str, float | None]] = {
    # abbreviation: (representative IANA zone, fixed offset in hours or None = follow the zone)
    "utc": ("UTC", 0),
    "z": ("UTC", 0),
    "ut": ("UTC", 0),
    "gmt": ("UTC", 0),
    "wet": ("Europe/Lisbon", 0),
    "west": ("Europe/Lisbon", 1),
    "bst": ("Europe/London", 1),
    "cet": ("Europe/Paris", 1),
    "cest": ("Europe/Paris", 2),
    "met": ("Europe/Paris", 1),
    "mest": ("Europe/Paris", 2),
    "eet": ("Europe/Athens", 2),
    "eest": ("Europe/Athens", 3),
    "msk": ("Europe/Moscow", 3),
    "wat": ("Africa/Lagos", 1),
    "cat": ("Africa/Maputo", 2),
    "sast": ("Africa/Johannesburg", 2),
    "eat": ("Africa/Nairobi", 3),
    "gst": ("Asia/Dubai", 4),
    "pkt": ("Asia/Karachi", 5),
    "ist": ("Asia/Kolkata", 5.5),
    "ict": ("Asia/Bangkok", 7),
    "wib": ("Asia/Jakarta", 7),
    "sgt": ("Asia/Singapore", 8),
    "hkt": ("Asia/Hong_Kong", 8),
    "awst": ("Australia/Perth", 8),
    "jst": ("Asia/Tokyo", 9),
    "kst": ("Asia/Seoul", 9),
    "acst": ("Australia/Adelaide", 9.5),
    "acdt": ("Australia/Adelaide", 10.5),
    "aest": ("Australia/Sydney", 10),
    "aedt": ("Australia/Sydney", 11),
    "nzst": ("Pacific/Auckland", 12),
    "nzdt": ("Pacific/Auckland", 13),
    "brt": ("America/Sao_Paulo", -3),
    "brst": ("America/Sao_Paulo", -2),
    "art": ("America/Argentina/Buenos_Aires", -3),
    "ast": ("America/Halifax", -4),
    "adt": ("America/Halifax", -3),
    "est": ("America/New_York", -5),
    "edt": ("America/New_York", -4),
    "cst": ("America/Chicago", -6),
    "cdt": ("America/Chicago", -5),
    "mst": ("America/Denver", -7),
    "mdt": ("America/Denver", -6),
    "pst": ("America/Los_Angeles", -8),
    "pdt": ("America/Los_Angeles", -7),
    "akst": ("America/Anchorage", -9),
    "akdt": ("America/Anchorage", -8),
    "hst": ("Pacific/Honolulu", -10),
    "et": ("America/New_York", None),
    "ct": ("America/Chicago", None),
    "mt": ("America/Denver", None),
    "pt": ("America/Los_Angeles", None),
}

# Places people name that have no IANA zone of their own (besides timezones.ALIASES).
_CITY_ALIASES = {
    "europe/geneva": "Europe/Zurich",
    "geneve": "Europe/Zurich",
    "bern": "Europe/Zurich",
    "rio de janeiro": "America/Sao_Paulo",
    "brasilia": "America/Sao_Paulo",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "the hague": "Europe/Amsterdam",
}

# City parts of IANA names that are also ordinary words: never read as a zone from free text.
_NOT_CITIES = {
    "christmas",
    "easter",
    "general",
    "central",
    "eastern",
    "western",
    "pacific",
    "mountain",
    "midway",
    "resolute",
    "troll",
    "universal",
    "zulu",
    "navajo",
    "south",
    "north",
    "east",
    "west",
    "current",
    "chatham",
    "casey",
    "davis",
    "macquarie",
    "factory",
    "localtime",
}

_CONTINENTS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@functools.cache
def _zone_index() -> tuple[dict[str, str], dict[str, str]]:
    """(lower-case IANA name -> name, lower-case city with spaces -> name), built once."""
    names = set(all_zones()) | {z for z in zoneinfo.available_timezones() if z.startswith("Etc/")}
    by_lower = {z.lower(): z for z in names}
    cities: dict[str, str] = {}
    for z in sorted(names):
        if not z.startswith(_CONTINENTS):
            continue
        city = z.rsplit("/", 1)[-1].lower().replace("_", " ")
        if city not in _NOT_CITIES:
            cities.setdefault(city, z)
    for alias, zone in (ALIASES | _CITY_ALIASES).items():
        if "/" in alias or alias.replace("_", " ") not in _ABBREVIATIONS:
            cities[alias.replace("_", " ")] = zone
    return by_lower, cities


@functools.cache
def _zoneinfo(name: str) -> tzinfo:
    if name == "UTC":
        return UTC
    return zoneinfo.ZoneInfo(name)


def _user_zone(tz: str) -> _Zone:
    """The member's or server's zone; an unknown name is a UserError with suggestions."""
    name = _zone_index()[0].get(tz.strip().lower()) or validate_zone(tz)
    return _Zone(name, _zoneinfo(name))


def _fixed(hours: float, name: str | None = None) -> _Zone:
    offset = timedelta(minutes=round(hours * 60))
    if name is None:
        whole = offset.total_seconds() / 3600
        if whole == 0:
            name = "UTC"
        elif whole.is_integer() and -12 <= whole <= 14:
            # IANA's Etc zones have the sign inverted: UTC+2 is Etc/GMT-2.
            name = f"Etc/GMT{-int(whole):+d}"
        else:
            name = "UTC"
    return _Zone(name, UTC if offset == timedelta(0) else timezone(offset), fixed=True)


_OFFSET_RE = re.compile(r"(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?")


def _offset_zone(text: str) -> _Zone | None:
    if text == "z":
        return _fixed(0)
    m = _OFFSET_RE.fullmatch(text)
    if not m:
        return None
    hours = int(m.group(2)) + int(m.group(3) or 0) / 60
    if hours > 14:
        return None
    return _fixed(hours if m.group(1) == "+" else -hours)


def _zone_from_words(words: str) -> _Zone | None:
    """A zone named by the last words of the text: abbreviation, UTC offset, IANA name, city."""
    if words in _ABBREVIATIONS:
        name, hours = _ABBREVIATIONS[words]
        if hours is None:
            return _Zone(name, _zoneinfo(name))
        return _fixed(hours, name)
    if words.startswith(("utc", "gmt")) and len(words) > 3:
        return _offset_zone(words.replace(" ", ""))
    by_lower, cities = _zone_index()
    # A city first: "singapore" is Asia/Singapore, not the legacy link "Singapore".
    found = cities.get(words.replace("_", " ")) or by_lower.get(words.replace(" ", "_"))
    if found is None:
        return None
    return _Zone(found, _zoneinfo(found))


def _strip_zone(s: str) -> tuple[str, _Zone | None]:
    """Take a trailing zone off `s`: "9 may 18:00 cet" -> ("9 may 18:00", CET)."""
    words = s.split(" ")
    if len(words) < 2:
        return s, None
    if words[-1] == "time" and len(words) > 2:
        stripped, zone = _strip_zone(" ".join(words[:-1]))
        if zone is not None:
            return stripped, zone
    for n in (3, 2, 1):
        if len(words) <= n:
            continue
        candidate = " ".join(words[-n:])
        if n > 1 and not all(w.isalpha() for w in words[-n:]):
            continue
        zone = _zone_from_words(candidate)
        if zone is None:
            continue
        rest = words[:-n]
        if len(rest) > 1 and rest[-1] in ("in", "at") and not zone.fixed:
            rest = rest[:-1]
        return " ".join(rest), zone
    return s, None


# --------------------------------------------------------------------------- text clean-up

_DASHES = str.maketrans(
    {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"}
)
_TYPOS = {
    "ianuary": "january",
    "ian": "jan",
    "janurary": "january",
    "januray": "january",
    "febuary": "february",
    "feburary": "february",
    "februay": "february",
    "agust": "august",
    "septmber": "september",
    "octobre": "october",
    "novmber": "november",
    "decmber": "december",
}
_TYPO_RE = re.compile(r"\b(" + "|".join(_TYPOS) + r")\b")
_ORDINAL_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_AMPM_RE = re.compile(r"\b([ap])\.\s?m\b\.?")
_LOOSE_DOT_RE = re.compile(r"(?<!\d)\.|\.(?!\d)")
_TENTATIVE_RE = re.compile(
    r"\b(?:tbd|tba|tbc|to be (?:confirmed|determined|decided|announced)|tentative(?:ly)?"
    r"|provisional(?:ly)?|unconfirmed)\b|\?+"
)
_SPACES_RE = re.compile(r"\s+")
_ARROW_RE = re.compile(r"\s*(?:->|=>|\u2192)\s*")


def _fold(text: str) -> str:
    """Drop accents: "São Paulo" -> "Sao Paulo"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _normalize(text: str) -> str:
    s = _fold(text).lower().translate(_DASHES)
    s = _ARROW_RE.sub(" to ", s)
    s = _AMPM_RE.sub(r"\1m", s)
    s = _TYPO_RE.sub(lambda m: _TYPOS[m.group(1)], s)
    s = _ORDINAL_RE.sub(r"\1", s)
    return s


def _tidy(s: str) -> str:
    s = s.replace(",", " ").replace("(", " ").replace(")", " ").replace(";", " ")
    s = _LOOSE_DOT_RE.sub(" ", s)
    s = _SPACES_RE.sub(" ", s).strip(" :-")
    s = re.sub(r"^(?:on|the|at|date)\s+", "", s)
    return s


# --------------------------------------------------------------------------- patterns

_MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_MON = "(?P<m>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
_WD = (
    r"(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)\s+)?"
)
_TIME = (
    r"(?P<time>\d{1,2}[:h.]\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]m)?|\d{1,2}\s*[ap]m"
    r"|\d{1,2}h|noon|midday|midnight)"
)
_TIME_RE = re.compile(
    r"(?:(?P<h>\d{1,2})(?:[:h.](?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?(?:\s*(?P<ap>[ap]m))?)"
    r"|(?P<word>noon|midday|midnight)"
)
_DATE_FORMS = [
    rf"(?P<d>\d{{1,2}})\s+(?:of\s+)?{_MON}(?:\s+(?P<y>\d{{4}}))?",  # 24 january 2014
    rf"{_MON}\s+(?P<d>\d{{1,2}})(?:\s+(?P<y>\d{{4}}))?",  # january 24 2014
    r"(?P<d>\d{1,2})[./](?P<mn>\d{1,2})[./](?P<y>\d{4})",  # 24/01/2014, 24.01.2014
    rf"{_MON}(?:\s+(?P<y>\d{{4}}))?",  # january 2014 (a month)
    r"(?P<d>\d{1,2})\s+(?P<y>\d{4})",  # 27 2014 (from "March 23-27, 2014")
    r"(?P<d>\d{1,2})",  # 23 (from "23-27 March 2014")
]
_ISO = (
    r"(?P<y>\d{4})-(?P<mn>\d{2})-(?P<d>\d{2})"
    r"(?:(?:t|\s+)(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r"(?P<off>z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_SIDE_PATTERNS = [re.compile(_ISO)]
for _form in _DATE_FORMS:
    _SIDE_PATTERNS.append(re.compile(rf"{_WD}{_form}(?:\s+(?:at\s+|t)?{_TIME})?"))
    _SIDE_PATTERNS.append(re.compile(rf"{_TIME}\s+(?:on\s+)?{_WD}{_form}"))
_SIDE_PATTERNS.append(re.compile(rf"(?:at\s+)?{_TIME}(?P<off>z)?"))

_ISO_SPAN_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:(?:t|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_ISO_START_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WORD_SEP_RE = re.compile(r"\s+(?:to|until|till|til|through|thru)\s+")
_DASH_SEP_RE = re.compile(r"\s*-\s*")
_VAGUE_RE = re.compile(
    rf"(?:(?P<part>early|beginning of|start of|mid|middle of|late|end of)\s*-?\s*)?{_MON}"
    r"(?:\s+(?P<y>\d{4}))?"
)
_HAS_TIME_RE = re.compile(
    r"\d{1,2}[:h.]\d{2}|\d\s*[ap]m\b|\b(?:noon|midday|midnight|tonight|now|hours?|hrs?|minutes?"
    r"|mins?|seconds?|secs?)\b|\bin\s+(?:\d+|an?|one|two|three|few)\b|\b(?:ago|later|from now)\b"
)
_DATEPARSER_WORDS = {
    "today",
    "tomorrow",
    "yesterday",
    "tonight",
    "now",
    "noon",
    "midday",
    "midnight",
    "next",
    "last",
    "this",
    "ago",
    "after",
    "later",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "hour",
    "hours",
    "hr",
    "hrs",
    "minute",
    "minutes",
    "min",
    "mins",
    "second",
    "seconds",
    "sec",
    "secs",
    "fortnight",
    "morning",
    "afternoon",
    "evening",
    "am",
    "pm",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "one",
    "two",
    "three",
    "few",
    *_MONTHS,
}
_FILLER_WORDS = {"a", "an", "the", "at", "on", "of", "in", "from", "and", "by"}


@dataclass(slots=True)
class _Part:
    """One side of a range as written: any field may be missing."""

    y: int | None = None
    m: int | None = None
    d: int | None = None
    t: time | None = None
    zone: _Zone | None = None

    @property
    def has_date(self) -> bool:
        return self.y is not None or self.m is not None or self.d is not None


def _read_time(text: str) -> time | None:
    m = _TIME_RE.fullmatch(text.replace(" ", ""))
    if not m:
        return None
    word = m.group("word")
    if word:
        return time(0) if word == "midnight" else time(12)
    hour = int(m.group("h"))
    minute = int(m.group("mi") or 0)
    second = int(m.group("s") or 0)
    ap = m.group("ap")
    if ap:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ap == "pm" else 0)
    elif m.group("mi") is None:
        return None if not text.endswith("h") else (time(hour) if hour < 24 else None)
    if hour == 24 and minute == 0 and second == 0:
        return time(0)  # handled as midnight
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _read_side(s: str) -> _Part | None:
    """One side with this module's regexes only (no dateparser)."""
    rest, zone = _strip_zone(s)
    for pattern in _SIDE_PATTERNS:
        m = pattern.fullmatch(rest)
        if not m:
            continue
        groups = m.groupdict()
        part = _Part(zone=zone)
        if groups.get("y"):
            part.y = int(groups["y"])
        if groups.get("m"):
            part.m = _MONTHS[groups["m"]]
        elif groups.get("mn"):
            part.m = int(groups["mn"])
        if groups.get("d"):
            part.d = int(groups["d"])
        if groups.get("time"):
            part.t = _read_time(groups["time"])
            if part.t is None:
                return None
        if groups.get("off"):
            part.zone = _offset_zone(groups["off"])
            if part.zone is None:
                return None
        if part.m is not None and not 1 <= part.m <= 12:
            return None
        if part.d is not None and not 1 <= part.d <= 31:
            return None
        if part.d is None and part.m is not None and part.t is not None:
            return None  # "march 10:00": a month has no single time
        return part
    return None


# --------------------------------------------------------------------------- dateparser


def _dateparser_side(s: str, zone: _Zone, now_local: datetime) -> _Part | None:
    """Relative and unusual forms through dateparser, guarded against its guesses ("a")."""
    words = re.findall(r"[a-z]+", s)
    anchors = [w for w in words if w not in _FILLER_WORDS]
    if any(w not in _DATEPARSER_WORDS for w in anchors):
        return None
    if not anchors and not re.search(r"\d[./-]\d", s):
        return None  # "2014", "24", "a": dateparser would guess
    import dateparser

    settings: Any = {
        "RELATIVE_BASE": now_local.replace(tzinfo=None),
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "TIMEZONE": "UTC" if zone.fixed else zone.name,
        "DATE_ORDER": "DMY",
    }
    try:
        found = dateparser.parse(s, languages=["en"], settings=settings)
    except (ValueError, OverflowError, TypeError):  # pragma: no cover - dateparser internals
        log.debug("dateparser failed on %r", s, exc_info=True)
        return None
    if found is None:
        return None
    timed = bool(_HAS_TIME_RE.search(s))
    return _Part(
        y=found.year,
        m=found.month,
        d=found.day,
        t=found.time().replace(microsecond=0) if timed else None,
    )


# --------------------------------------------------------------------------- resolution


@dataclass(slots=True)
class _Ctx:
    zone: _Zone  # the zone times are read in when the text names none
    now: datetime  # aware
    explicit: _Zone | None  # a zone named for the whole text


def _local(d: date, t: time, zone: _Zone) -> datetime:
    return datetime.combine(d, t, tzinfo=zone.tz).astimezone(UTC)


def _midnight(d: date, zone: _Zone) -> datetime:
    return _local(d, time(0), zone)


def _human(d: date) -> str:
    return f"{d.day} {calendar.month_name[d.month]} {d.year}"


def _make_date(y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        month = calendar.month_name[m] if 1 <= m <= 12 else str(m)
        raise UserError(
            f"{month} {y} has no day {d}; check the date, e.g. "
            f'"{min(d, calendar.monthrange(y, m)[1]) if 1 <= m <= 12 else 1} {month} {y}".'
        ) from None


def _month_end(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _infer_year(m: int, last_day: int | None, today: date) -> int:
    """The year of a yearless date (or month): this year, unless that is already past."""
    y = today.year
    day = min(last_day or _month_end(y, m), _month_end(y, m))
    return y if date(y, m, day) >= today else y + 1


def _zone_for(part: _Part, ctx: _Ctx, other: _Part | None = None) -> _Zone:
    if part.zone is not None:
        return part.zone
    if ctx.explicit is not None:
        return ctx.explicit
    if other is not None and other.zone is not None:
        return other.zone
    return ctx.zone


def _single(part: _Part, ctx: _Ctx, text: str) -> tuple[datetime, datetime | None, bool, _Zone]:
    zone = _zone_for(part, ctx)
    today = ctx.now.astimezone(zone.tz).date()
    if not part.has_date:
        if part.t is None:
            raise _unreadable(text)
        start = _local(today, part.t, zone)
        if start < ctx.now:
            start = _local(today + timedelta(days=1), part.t, zone)
        return start, None, False, zone
    if part.m is None:
        raise _unreadable(text)  # a day without a month
    if part.d is None:  # a whole month
        y = part.y if part.y is not None else _infer_year(part.m, None, today)
        first = date(y, part.m, 1)
        return _midnight(first, zone), _midnight(_next_month(first), zone), True, zone
    y = part.y if part.y is not None else _infer_year(part.m, part.d, today)
    day = _make_date(y, part.m, part.d)
    if part.t is None:
        return _midnight(day, zone), _midnight(day + timedelta(days=1), zone), True, zone
    return _local(day, part.t, zone), None, False, zone


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _range(
    left: _Part, right: _Part, ctx: _Ctx, text: str
) -> tuple[datetime, datetime | None, bool, _Zone]:
    lzone = _zone_for(left, ctx)
    rzone = _zone_for(right, ctx, left)
    if not left.has_date and not right.has_date:
        # "10:00-12:00": today, or tomorrow if the start is past.
        if left.t is None or right.t is None:
            raise _unreadable(text)
        today = ctx.now.astimezone(lzone.tz).date()
        if _local(today, left.t, lzone) < ctx.now:
            today += timedelta(days=1)
        left.y, left.m, left.d = today.year, today.month, today.day
    inherited_date = False
    if not right.has_date:  # "17 february 2014 10:00-13:00"
        right.y, right.m, right.d = left.y, left.m, left.d
        inherited_date = True
    elif not left.has_date:  # "10:00-13:00 17 february 2014" / "10:00 - 17 february 2014 13:00"
        left.y, left.m, left.d = right.y, right.m, right.d
    both_months = left.m is not None and right.m is not None
    if left.m is None and left.d is not None:  # "23-27 march 2014"
        left.m = right.m
    if right.m is None and right.d is not None:  # "march 23-27 2014"
        right.m = left.m
    if left.m is None or right.m is None:
        raise _unreadable(text)
    # Months without days: "march - april 2014" spans whole months.
    month_left, month_right = left.d is None, right.d is None
    # A range written with both months that crosses a year end, within half a year:
    # "30 december - 2 january 2015". ("7 november - 20 october 2014" stays an error.)
    wraps = (
        both_months
        and (left.m, left.d or 1) > (right.m, right.d or 31)
        and right.m + 12 - left.m <= 6
    )
    if left.y is None and right.y is None:
        today = ctx.now.astimezone(rzone.tz).date()
        right.y = _infer_year(right.m, right.d, today)
        left.y = right.y - wraps
    elif left.y is None:
        assert right.y is not None
        left.y = right.y - wraps
    elif right.y is None:
        right.y = left.y + wraps
    assert left.y is not None and right.y is not None
    first = _make_date(left.y, left.m, 1 if month_left else left.d or 1)
    last = _make_date(
        right.y, right.m, _month_end(right.y, right.m) if month_right else right.d or 1
    )
    if left.t is None and right.t is None:
        if last < first:
            raise _backwards(_human(first), _human(last))
        return _midnight(first, lzone), _midnight(last + timedelta(days=1), lzone), True, lzone
    start = _local(first, left.t or time(0), lzone)
    if right.t is None:
        end = _midnight(last + timedelta(days=1), rzone)
    else:
        end = _local(last, right.t, rzone)
        if inherited_date and end < start:
            overnight = _local(last + timedelta(days=1), right.t, rzone)  # "22:00-01:00"
            if overnight - start <= timedelta(hours=12):
                end = overnight
    if end <= start:
        raise _backwards(_human_dt(start, lzone), _human_dt(end, rzone))
    return start, end, False, lzone


def _human_dt(dt: datetime, zone: _Zone) -> str:
    local = dt.astimezone(zone.tz)
    return f"{_human(local.date())} {local:%H:%M}"


def _unreadable(text: str) -> UserError:
    shown = text.strip()
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return UserError(f'I couldn\'t read "{shown}" as a date; try {EXAMPLES}.')


def _backwards(start: str, end: str) -> UserError:
    return UserError(
        f"That range ends before it starts ({end} is not after {start}); "
        'put the earlier date first, e.g. "23-27 March 2014".'
    )


def _split_candidates(s: str) -> list[tuple[str, str]]:
    """Ways to cut `s` into a start and an end, most likely first."""
    out: list[tuple[str, str]] = []
    for m in _WORD_SEP_RE.finditer(s):
        out.append((s[: m.start()], s[m.end() :]))
    iso_spans = [m.span() for m in _ISO_SPAN_RE.finditer(s)]
    spaced: list[tuple[str, str]] = []
    tight: list[tuple[str, str]] = []
    for m in _DASH_SEP_RE.finditer(s):
        if any(a <= m.start() < b for a, b in iso_spans):
            continue
        (spaced if m.group() != "-" else tight).append((s[: m.start()], s[m.end() :]))
    out.extend(spaced)
    out.extend(tight)
    if "/" in s and _ISO_START_RE.match(s):
        head, _, tail = s.partition("/")
        out.insert(0, (head, tail))
    return [(a.strip(), b.strip()) for a, b in out if a.strip() and b.strip()]


def _vague(s: str, ctx: _Ctx) -> tuple[datetime, datetime, bool] | None:
    """ "late january 2014", "mid march", "january 2014": (start, end, tentative)."""
    m = _VAGUE_RE.fullmatch(s)
    if not m:
        return None
    month = _MONTHS[m.group("m")]
    part = m.group("part")
    zone = ctx.explicit or ctx.zone
    if part in ("early", "beginning of", "start of"):
        days = (1, 10)
    elif part in ("mid", "middle of"):
        days = (11, 20)
    elif part in ("late", "end of"):
        days = (21, 31)
    else:
        days = (1, 31)
    if m.group("y"):
        year = int(m.group("y"))
    else:
        year = _infer_year(month, days[1], ctx.now.astimezone(zone.tz).date())
    first = date(year, month, days[0])
    last = date(year, month, min(days[1], _month_end(year, month)))
    return _midnight(first, zone), _midnight(last + timedelta(days=1), zone), part is not None


def _read_any(s: str, ctx: _Ctx) -> _Part | None:
    part = _read_side(s)
    if part is None:
        rest, zone = _strip_zone(s)
        use = zone or ctx.explicit or ctx.zone
        part = _dateparser_side(rest, use, ctx.now.astimezone(use.tz))
        if part is not None:
            part.zone = zone
    return part


def parse_when(text: str, now: datetime, tz: str) -> When:
    """Read `text` as a date, a time or a range, in zone `tz` unless the text names one.

    Raises UserError with one sentence that says what to type instead.
    """
    if now.tzinfo is None:
        raise ValueError("parse_when needs an aware `now`")
    if len(text) > MAX_LENGTH:
        raise UserError(
            f"That date is too long; keep it under {MAX_LENGTH} characters, e.g. "
            '"23-27 March 2014".'
        )
    user_zone = _user_zone(tz)
    s = _normalize(text)
    tentative = bool(_TENTATIVE_RE.search(s))
    if tentative:
        s = _TENTATIVE_RE.sub(" ", s)
    s = _tidy(s)
    if not s:
        if tentative:
            raise UserError(
                'A tentative date needs at least a month; try "TBD (late January 2014)".'
            )
        raise UserError(f"Give a date, e.g. {EXAMPLES}.")

    try:
        body, explicit = _strip_zone(s)
        ctx = _Ctx(zone=user_zone, now=now, explicit=explicit)

        vague = _vague(body, ctx)
        if vague is not None:
            start, end, is_vague = vague
            return _when(start, end, True, tentative or is_vague, explicit or user_zone, user_zone)

        # "until 24 january 2014": from now on.
        m_until = re.fullmatch(r"(?:until|till|til|up to)\s+(.+)", body)
        if m_until:
            first, last, _, zone = _until(m_until.group(1), ctx, text)
            return _when(first, last, False, tentative, zone, user_zone)
        first, last, all_day, zone = _parse_body(body, ctx, text)
        return _when(first, last, all_day, tentative, zone, user_zone)
    except (OverflowError, ValueError):  # "31 december 9999": past the last date Python knows
        year = max((int(y) for y in re.findall(r"\d{4,}", text)), default=None)
        if year is not None and year > MAX_YEAR:
            raise _out_of_range(year) from None
        raise _unreadable(text) from None


def _out_of_range(year: int) -> UserError:
    return UserError(
        f"The year {year} is outside the calendar; give a date from {MIN_YEAR} to {MAX_YEAR},"
        ' e.g. "23-27 March 2014".'
    )


_Result = tuple[datetime, datetime | None, bool, _Zone]


def _until(rest: str, ctx: _Ctx, text: str) -> _Result:
    right = _read_any(rest, ctx)
    if right is None:
        raise _unreadable(text)
    now_local = ctx.now.astimezone(_zone_for(right, ctx).tz)
    left = _Part(
        now_local.year,
        now_local.month,
        now_local.day,
        now_local.time().replace(microsecond=0),
        zone=right.zone,
    )
    return _range(left, right, ctx, text)


def _try_ranges(
    candidates: list[tuple[str, str]], ctx: _Ctx, text: str, relative: bool
) -> tuple[_Result | None, UserError | None]:
    """The first cut of the text whose two sides read as a valid range, or the first error."""
    error: UserError | None = None
    for head, tail in candidates:
        left = _read_any(head, ctx) if relative else _read_side(head)
        right = _read_any(tail, ctx) if relative else _read_side(tail)
        if left is None or right is None:
            continue
        try:
            return _range(left, right, ctx, text), None
        except UserError as err:
            error = error or err
    return None, error


def _parse_body(body: str, ctx: _Ctx, text: str) -> _Result:
    # "from X to Y", "between X and Y", "X - Y", "X/Y"
    m = re.fullmatch(r"(?:from|starting|start|by)\s+(.+)", body)
    if m:
        body = m.group(1)
    m = re.fullmatch(r"between\s+(.+?)\s+and\s+(.+)", body)
    candidates = [(m.group(1), m.group(2))] if m else _split_candidates(body)

    # This module's regexes first; dateparser only for what they cannot read.
    result, error = _try_ranges(candidates, ctx, text, relative=False)
    if result is not None:
        return result
    if error is None:
        part = _read_side(body)
        if part is not None:
            return _single(part, ctx, text)
        # Relative sides: "tomorrow 9am - 11am", "today to friday".
        result, error = _try_ranges(candidates, ctx, text, relative=True)
        if result is not None:
            return result
    if error is not None:
        raise error
    if not candidates:
        # dateparser has no ranges: text with a separator never goes to it whole.
        part = _read_any(body, ctx)
        if part is not None:
            return _single(part, ctx, text)
    raise _unreadable(text)


def _when(
    start: datetime,
    end: datetime | None,
    all_day: bool,
    tentative: bool,
    zone: _Zone,
    user_zone: _Zone,
) -> When:
    # The years kept, read where the event is: its first day and its last (an all-day end is
    # the exclusive midnight after it).
    first_year = start.astimezone(zone.tz).year
    last = end - timedelta(microseconds=1) if end is not None and end > start else start
    for year in (first_year, last.astimezone(zone.tz).year):
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise _out_of_range(year)
    name = zone.name
    if zone.fixed and zone.tz.utcoffset(start) == start.astimezone(user_zone.tz).utcoffset():
        name = user_zone.name  # "10:00 CET" from a Zurich member in winter stays Zurich
    return When(start=start, end=end, all_day=all_day, tentative=tentative, timezone=name)


def warm_up() -> float:
    """Build the zone index and load dateparser with one good and one failing parse; returns
    the seconds it took.

    Called at start-up: in a fresh process the first dateparser success costs about 0.4 s and
    the first failure about 0.2 s; warm calls then take about 1 ms, and this module's own
    forms about 0.05 ms.
    """
    began = _time.perf_counter()
    now = datetime.now(UTC)
    _zone_index()
    parse_when("23-27 March 2014", now, "UTC")
    parse_when("next friday 9am", now, "UTC")  # dateparser, success
    try:
        parse_when("last next", now, "UTC")  # dateparser, failure
    except UserError:
        pass
    return _time.perf_counter() - began
