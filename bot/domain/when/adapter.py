"""The dateparser adapter: relative and unusual forms ("next friday 9am", "in 3 days",
"tomorrow") that the grammar does not read go to dateparser, guarded so that it only sees text
made of words it understands (it guesses wildly at anything else). `warm_up` pays dateparser's
cold start before the first interaction."""

from __future__ import annotations

import logging
import re
import time as _time
from datetime import UTC, datetime
from typing import Any

from bot.domain.when.grammar import MONTHS, Part
from bot.domain.when.zones import Zone, zone_index

log = logging.getLogger(__name__)


# A clock time, or a span counted in hours or less: "in 3 days" and "a week from now" are
# days, read all-day like any date written without a time.
_HAS_TIME_RE = re.compile(
    r"\d{1,2}[:h.]\d{2}|\d\s*[ap]m\b|\b(?:noon|midday|midnight|tonight|(?<!from )now|hours?|hrs?|minutes?"
    r"|mins?|seconds?|secs?)\b"
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
    *MONTHS,
}
_FILLER_WORDS = {"a", "an", "the", "at", "on", "of", "in", "from", "and", "by"}


def dateparser_side(s: str, zone: Zone, now_local: datetime) -> Part | None:
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
    return Part(
        y=found.year,
        m=found.month,
        d=found.day,
        t=found.time().replace(microsecond=0) if timed else None,
    )


def warm_up() -> float:
    """Build the zone index and load dateparser with one good and one failing parse; returns
    the seconds it took.

    Called at start-up: in a fresh process the first dateparser success costs about 0.4 s and
    the first failure about 0.2 s; warm calls then take about 1 ms, and the grammar's own
    forms about 0.05 ms.
    """
    began = _time.perf_counter()
    now = datetime.now(UTC)
    zone_index()
    utc = Zone("UTC", UTC)
    dateparser_side("next friday 9am", utc, now)  # success
    dateparser_side("last next", utc, now)  # failure
    return _time.perf_counter() - began
