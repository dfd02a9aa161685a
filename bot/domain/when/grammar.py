"""The grammar of dates and ranges that `parse_when` reads with its own regexes: month names,
clock times, the date forms of one side ("24 January 2014", "2014-01-24T10:00+01:00", "9am"),
the separators that cut a range into two sides, and "early/mid/late <month>". It only
recognises text; deciding which days and instants it means is `resolve`'s job."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from bot.domain.when.zones import Zone, offset_zone, strip_zone

MONTHS = {
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
_MON = "(?P<m>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
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
VAGUE_RE = re.compile(
    rf"(?:(?P<part>early|beginning of|start of|mid|middle of|late|end of)\s*-?\s*)?{_MON}"
    r"(?:\s+(?P<y>\d{4}))?"
)


@dataclass(slots=True)
class Part:
    """One side of a range as written: any field may be missing."""

    y: int | None = None
    m: int | None = None
    d: int | None = None
    t: time | None = None
    zone: Zone | None = None

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


def read_side(s: str) -> Part | None:
    """One side with this module's regexes only (no dateparser)."""
    rest, zone = strip_zone(s)
    for pattern in _SIDE_PATTERNS:
        m = pattern.fullmatch(rest)
        if not m:
            continue
        groups = m.groupdict()
        part = Part(zone=zone)
        if groups.get("y"):
            part.y = int(groups["y"])
        if groups.get("m"):
            part.m = MONTHS[groups["m"]]
        elif groups.get("mn"):
            part.m = int(groups["mn"])
        if groups.get("d"):
            part.d = int(groups["d"])
        if groups.get("time"):
            part.t = _read_time(groups["time"])
            if part.t is None:
                return None
        if groups.get("off"):
            part.zone = offset_zone(groups["off"])
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


def split_candidates(s: str) -> list[tuple[str, str]]:
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
