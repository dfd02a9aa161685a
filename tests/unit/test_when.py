"""parse_when: the table of what people type, DST, errors, property tests; timefmt helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain.timefmt import day, format_event_time, local_date, relative, ts
from bot.domain.when import When, parse_when, warm_up
from bot.errors import UserError

NOW = datetime(2013, 11, 1, 12, 0, tzinfo=UTC)  # a Friday
ZONES = [
    "UTC",
    "Europe/Zurich",
    "America/New_York",
    "Asia/Tokyo",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "Asia/Kolkata",
]


def midnight(d: date, tz: str) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def utc(year: int, month: int, day_: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day_, hour, minute, tzinfo=UTC)


# --------------------------------------------------------------------------- all-day table

# text -> (first day, last day included, tentative)
ALL_DAY: list[tuple[str, date, date, bool]] = [
    # Every date expression of seed 000 (the 2013-2014 timeline).
    ("20 October - 7 November 2014", date(2014, 10, 20), date(2014, 11, 7), False),
    ("23-27 March 2014", date(2014, 3, 23), date(2014, 3, 27), False),
    ("23-24 April 2014", date(2014, 4, 23), date(2014, 4, 24), False),
    ("16-18 December 2013", date(2013, 12, 16), date(2013, 12, 18), False),
    ("22 - 25 October 2013", date(2013, 10, 22), date(2013, 10, 25), False),
    ("3-4 May 2014", date(2014, 5, 3), date(2014, 5, 4), False),
    ("7 October 2013", date(2013, 10, 7), date(2013, 10, 7), False),
    ("12 March 2014", date(2014, 3, 12), date(2014, 3, 12), False),
    ("31 March - 11 April 2014", date(2014, 3, 31), date(2014, 4, 11), False),
    ("28-29 April 2014", date(2014, 4, 28), date(2014, 4, 29), False),
    ("12-13 December 2013", date(2013, 12, 12), date(2013, 12, 13), False),
    ("TBD (late ianuary)", date(2014, 1, 21), date(2014, 1, 31), True),
    ("17-18 February 2014", date(2014, 2, 17), date(2014, 2, 18), False),
    # Dashes, words, ordinals.
    ("20 October \u2013 7 November 2014", date(2014, 10, 20), date(2014, 11, 7), False),
    ("20 October \u2014 7 November 2014", date(2014, 10, 20), date(2014, 11, 7), False),
    ("23\u201327 March 2014", date(2014, 3, 23), date(2014, 3, 27), False),
    ("22 \u2013 25 October 2013", date(2013, 10, 22), date(2013, 10, 25), False),
    ("from 19 December 2013 to 24 January 2014", date(2013, 12, 19), date(2014, 1, 24), False),
    ("From 19 December 2013 until 24 January 2014", date(2013, 12, 19), date(2014, 1, 24), False),
    ("between 19 December 2013 and 24 January 2014", date(2013, 12, 19), date(2014, 1, 24), False),
    ("19th December 2013 to 24th January 2014", date(2013, 12, 19), date(2014, 1, 24), False),
    ("the 1st of May 2014", date(2014, 5, 1), date(2014, 5, 1), False),
    ("23rd-27th March 2014", date(2014, 3, 23), date(2014, 3, 27), False),
    ("Monday 24 March 2014", date(2014, 3, 24), date(2014, 3, 24), False),
    ("24 Jan. 2014", date(2014, 1, 24), date(2014, 1, 24), False),
    ("23 Sept 2014", date(2014, 9, 23), date(2014, 9, 23), False),
    # Month first (US).
    ("March 23-27, 2014", date(2014, 3, 23), date(2014, 3, 27), False),
    ("March 31 - April 11, 2014", date(2014, 3, 31), date(2014, 4, 11), False),
    ("January 24, 2014", date(2014, 1, 24), date(2014, 1, 24), False),
    # Across a year end.
    ("December 30, 2014 - January 2, 2015", date(2014, 12, 30), date(2015, 1, 2), False),
    ("30 December 2014 - 2 January 2015", date(2014, 12, 30), date(2015, 1, 2), False),
    ("30 December - 2 January 2015", date(2014, 12, 30), date(2015, 1, 2), False),
    ("30 December 2014 - 2 January", date(2014, 12, 30), date(2015, 1, 2), False),
    # ISO.
    ("2014-04-23", date(2014, 4, 23), date(2014, 4, 23), False),
    ("2014-04-23/2014-04-24", date(2014, 4, 23), date(2014, 4, 24), False),
    ("2014-04-23 - 2014-04-24", date(2014, 4, 23), date(2014, 4, 24), False),
    ("2014-04-23 to 2014-04-24", date(2014, 4, 23), date(2014, 4, 24), False),
    ("24/01/2014", date(2014, 1, 24), date(2014, 1, 24), False),
    ("03/04/2014", date(2014, 4, 3), date(2014, 4, 3), False),  # day first
    # Months and parts of months.
    ("TBD (late January 2014)", date(2014, 1, 21), date(2014, 1, 31), True),
    ("TBD (late ianuary 2014)", date(2014, 1, 21), date(2014, 1, 31), True),
    ("late January 2014", date(2014, 1, 21), date(2014, 1, 31), True),
    ("early March 2014", date(2014, 3, 1), date(2014, 3, 10), True),
    ("mid March 2014", date(2014, 3, 11), date(2014, 3, 20), True),
    ("mid-March 2014", date(2014, 3, 11), date(2014, 3, 20), True),
    ("late February 2014", date(2014, 2, 21), date(2014, 2, 28), True),
    ("late February 2016", date(2016, 2, 21), date(2016, 2, 29), True),
    ("TBD: early May", date(2014, 5, 1), date(2014, 5, 10), True),
    ("TBC (January 2014)", date(2014, 1, 1), date(2014, 1, 31), True),
    ("January 2014", date(2014, 1, 1), date(2014, 1, 31), False),
    ("March - April 2014", date(2014, 3, 1), date(2014, 4, 30), False),
    ("24 January 2014 (tentative)", date(2014, 1, 24), date(2014, 1, 24), True),
    ("24 January 2014?", date(2014, 1, 24), date(2014, 1, 24), True),
]


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(("text", "first", "last", "tentative"), ALL_DAY)
def test_all_day(text: str, first: date, last: date, tentative: bool, tz: str) -> None:
    check_all_day(text, first, last, tentative, tz)


def check_all_day(text: str, first: date, last: date, tentative: bool, tz: str) -> None:
    got = parse_when(text, NOW, tz)
    assert got.all_day is True
    assert got.tentative is tentative
    assert got.timezone == tz
    assert got.start == midnight(first, tz)
    assert got.end == midnight(last + timedelta(days=1), tz)
    assert got.start.tzinfo is UTC and got.end.tzinfo is UTC
    assert got.last_day() == last
    assert got.first_day() == first


# Rows that depend on "today": checked where NOW (12:00 UTC) is still 1 November.
TODAY_DEPENDENT: list[tuple[str, date, date, bool]] = [
    # No year: the next occurrence not in the past (NOW is 1 November 2013).
    ("3 to 4 May", date(2014, 5, 3), date(2014, 5, 4), False),
    ("3-4 May", date(2014, 5, 3), date(2014, 5, 4), False),
    ("24 December", date(2013, 12, 24), date(2013, 12, 24), False),
    ("1 November", date(2013, 11, 1), date(2013, 11, 1), False),  # today is not past
    ("31 October", date(2014, 10, 31), date(2014, 10, 31), False),  # yesterday is
    ("30 December - 2 January", date(2013, 12, 30), date(2014, 1, 2), False),
    ("20 - 25 October", date(2014, 10, 20), date(2014, 10, 25), False),
    ("29 October - 3 November", date(2013, 10, 29), date(2013, 11, 3), False),  # not yet over
    # Relative, all-day (no clock time).
    ("today", date(2013, 11, 1), date(2013, 11, 1), False),
    ("tomorrow", date(2013, 11, 2), date(2013, 11, 2), False),
    ("next friday", date(2013, 11, 8), date(2013, 11, 8), False),
    # Days counted from today have no time either: all-day (issue 19, point 2).
    ("in 3 days", date(2013, 11, 4), date(2013, 11, 4), False),
    ("29.11.", date(2013, 11, 29), date(2013, 11, 29), False),
    ("today to next friday", date(2013, 11, 1), date(2013, 11, 8), False),
]


@pytest.mark.parametrize("tz", ["UTC", "Europe/Zurich", "America/New_York", "America/Sao_Paulo"])
@pytest.mark.parametrize(("text", "first", "last", "tentative"), TODAY_DEPENDENT)
def test_all_day_relative_to_today(
    text: str, first: date, last: date, tentative: bool, tz: str
) -> None:
    check_all_day(text, first, last, tentative, tz)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("today", date(2013, 11, 2), date(2013, 11, 2)),
        ("tomorrow", date(2013, 11, 3), date(2013, 11, 3)),
        ("1 November", date(2014, 11, 1), date(2014, 11, 1)),  # already past in Auckland
        ("2 November", date(2013, 11, 2), date(2013, 11, 2)),
    ],
)
def test_today_is_local(text: str, first: date, last: date) -> None:
    # NOW (12:00 UTC) is 01:00 on 2 November in Auckland.
    check_all_day(text, first, last, False, "Pacific/Auckland")


def test_geneva_means_zurich() -> None:
    got = parse_when("23-27 March 2014", NOW, "Europe/Geneva")
    assert got.timezone == "Europe/Zurich"
    assert got.start == utc(2014, 3, 22, 23, 0)
    # DST starts on 30 March: the exclusive end is midnight CEST.
    assert got.end == utc(2014, 3, 27, 23, 0)
    got = parse_when("29 March - 31 March 2014", NOW, "Europe/Geneva")
    assert got.start == utc(2014, 3, 28, 23, 0)
    assert got.end == utc(2014, 3, 31, 22, 0)
    assert got.last_day() == date(2014, 3, 31)


# --------------------------------------------------------------------------- timed table

# text, tz, start (UTC), end (UTC) or None, timezone of the result
TIMED: list[tuple[str, str, datetime, datetime | None, str]] = [
    ("24 January 2014 18:00 CET", "UTC", utc(2014, 1, 24, 17), None, "Europe/Paris"),
    ("24 January 2014 18:00 CET", "Europe/Zurich", utc(2014, 1, 24, 17), None, "Europe/Zurich"),
    ("24 January 2014 18:00 Europe/Geneva", "UTC", utc(2014, 1, 24, 17), None, "Europe/Zurich"),
    ("24 January 2014 18:00 Europe/Zurich", "UTC", utc(2014, 1, 24, 17), None, "Europe/Zurich"),
    ("24 January 2014 18:00 Geneva", "UTC", utc(2014, 1, 24, 17), None, "Europe/Zurich"),
    ("24 January 2014 18:00", "Europe/Zurich", utc(2014, 1, 24, 17), None, "Europe/Zurich"),
    ("24 January 2014 6pm", "America/New_York", utc(2014, 1, 24, 23), None, "America/New_York"),
    ("24 January 2014 at 6 p.m.", "UTC", utc(2014, 1, 24, 18), None, "UTC"),
    ("January 24, 2014 18:00 UTC", "Asia/Tokyo", utc(2014, 1, 24, 18), None, "UTC"),
    ("24 January 2014 18:00 GMT", "UTC", utc(2014, 1, 24, 18), None, "UTC"),
    ("24 January 2014 18:00 EST", "UTC", utc(2014, 1, 24, 23), None, "America/New_York"),
    ("24 July 2014 18:00 EDT", "UTC", utc(2014, 7, 24, 22), None, "America/New_York"),
    ("24 July 2014 18:00 ET", "UTC", utc(2014, 7, 24, 22), None, "America/New_York"),
    ("24 January 2014 18:00 PST", "UTC", utc(2014, 1, 25, 2), None, "America/Los_Angeles"),
    ("24 July 2014 18:00 PDT", "UTC", utc(2014, 7, 25, 1), None, "America/Los_Angeles"),
    ("24 July 2014 18:00 CEST", "UTC", utc(2014, 7, 24, 16), None, "Europe/Paris"),
    ("24 July 2014 18:00 CET", "UTC", utc(2014, 7, 24, 17), None, "Europe/Paris"),  # literal
    ("24 July 2014 18:00 BST", "UTC", utc(2014, 7, 24, 17), None, "Europe/London"),
    ("24 July 2014 18:00 JST", "UTC", utc(2014, 7, 24, 9), None, "Asia/Tokyo"),
    ("24 July 2014 18:00 IST", "UTC", utc(2014, 7, 24, 12, 30), None, "Asia/Kolkata"),
    ("24 July 2014 18:00 UTC+2", "UTC", utc(2014, 7, 24, 16), None, "Etc/GMT-2"),
    ("24 July 2014 18:00 GMT-5", "UTC", utc(2014, 7, 24, 23), None, "Etc/GMT+5"),
    ("24 July 2014 18:00 Asia/Singapore", "UTC", utc(2014, 7, 24, 10), None, "Asia/Singapore"),
    ("24 July 2014 18:00 in Singapore", "UTC", utc(2014, 7, 24, 10), None, "Asia/Singapore"),
    ("24 July 2014 18:00 America/New_York", "UTC", utc(2014, 7, 24, 22), None, "America/New_York"),
    ("24 July 2014 18:00 (Sao Paulo time)", "UTC", utc(2014, 7, 24, 21), None, "America/Sao_Paulo"),
    ("24 July 2014 18:00 São Paulo", "UTC", utc(2014, 7, 24, 21), None, "America/Sao_Paulo"),
    # Timed ranges.
    (
        "17 February 2014 10:00-13:00 CET",
        "UTC",
        utc(2014, 2, 17, 9),
        utc(2014, 2, 17, 12),
        "Europe/Paris",
    ),
    (
        "17 February 2014 10:00\u201313:00",
        "Europe/Zurich",
        utc(2014, 2, 17, 9),
        utc(2014, 2, 17, 12),
        "Europe/Zurich",
    ),
    (
        "17 February 2014 10:00 - 18 February 2014 12:00",
        "Europe/Zurich",
        utc(2014, 2, 17, 9),
        utc(2014, 2, 18, 11),
        "Europe/Zurich",
    ),
    (
        "17 February 2014 10:00 CET - 18 February 2014 12:00 CET",
        "UTC",
        utc(2014, 2, 17, 9),
        utc(2014, 2, 18, 11),
        "Europe/Paris",
    ),
    (
        "17 February 2014 9am-5pm",
        "America/New_York",
        utc(2014, 2, 17, 14),
        utc(2014, 2, 17, 22),
        "America/New_York",
    ),
    (
        "17 February 2014 22:00-01:00",
        "UTC",
        utc(2014, 2, 17, 22),
        utc(2014, 2, 18, 1),
        "UTC",
    ),
    (
        "from 17 February 2014 10:00 to 18 February 2014",
        "UTC",
        utc(2014, 2, 17, 10),
        utc(2014, 2, 19),
        "UTC",
    ),
    # ISO.
    ("2014-04-23T10:00", "UTC", utc(2014, 4, 23, 10), None, "UTC"),
    ("2014-04-23T10:00Z", "Europe/Zurich", utc(2014, 4, 23, 10), None, "UTC"),
    ("2014-04-23T10:00:00+02:00", "UTC", utc(2014, 4, 23, 8), None, "Etc/GMT-2"),
    ("2014-04-23T10:00+02:00", "Europe/Zurich", utc(2014, 4, 23, 8), None, "Europe/Zurich"),
    ("2014-04-23T10:00-03:00", "UTC", utc(2014, 4, 23, 13), None, "Etc/GMT+3"),
    ("2014-04-23T10:00+05:30", "UTC", utc(2014, 4, 23, 4, 30), None, "UTC"),
    (
        "2014-04-23T10:00/2014-04-23T12:00",
        "America/Sao_Paulo",
        utc(2014, 4, 23, 13),
        utc(2014, 4, 23, 15),
        "America/Sao_Paulo",
    ),
    (
        "2014-04-23T10:00Z/2014-04-23T12:00Z",
        "UTC",
        utc(2014, 4, 23, 10),
        utc(2014, 4, 23, 12),
        "UTC",
    ),
    (
        "2014-04-23T10:00-03:00/2014-04-24T12:00-03:00",
        "UTC",
        utc(2014, 4, 23, 13),
        utc(2014, 4, 24, 15),
        "Etc/GMT+3",
    ),
    ("2014-04-23T10:00/12:00", "UTC", utc(2014, 4, 23, 10), utc(2014, 4, 23, 12), "UTC"),
    # Relative (NOW is Friday 1 November 2013, 12:00 UTC).
    ("in 3 hours", "UTC", utc(2013, 11, 1, 15), None, "UTC"),
    ("in 2 hours", "Europe/Zurich", utc(2013, 11, 1, 14), None, "Europe/Zurich"),
    ("now", "UTC", NOW, None, "UTC"),
    ("tomorrow 9am", "Europe/Zurich", utc(2013, 11, 2, 8), None, "Europe/Zurich"),
    ("tomorrow at 9:30", "UTC", utc(2013, 11, 2, 9, 30), None, "UTC"),
    ("next friday 9am", "UTC", utc(2013, 11, 8, 9), None, "UTC"),
    ("next friday 9am", "America/New_York", utc(2013, 11, 8, 14), None, "America/New_York"),
    ("tomorrow 9am in London", "UTC", utc(2013, 11, 2, 9), None, "Europe/London"),
    ("tomorrow 9am - 11am", "UTC", utc(2013, 11, 2, 9), utc(2013, 11, 2, 11), "UTC"),
    # A time without a date: today if still to come, else tomorrow.
    ("15:00", "UTC", utc(2013, 11, 1, 15), None, "UTC"),
    ("9am", "UTC", utc(2013, 11, 2, 9), None, "UTC"),
    ("9am", "America/New_York", utc(2013, 11, 1, 13), None, "America/New_York"),
    ("14:00-16:00", "UTC", utc(2013, 11, 1, 14), utc(2013, 11, 1, 16), "UTC"),
    # until: from now.
    ("until 24 January 2014", "UTC", NOW, utc(2014, 1, 25), "UTC"),
    ("until 24 January 2014 17:00", "Europe/Zurich", NOW, utc(2014, 1, 24, 16), "Europe/Zurich"),
    ("until 17:00", "UTC", NOW, utc(2013, 11, 1, 17), "UTC"),
    # DST in Geneva (Europe/Zurich): summer time from 30 March to 26 October 2014.
    ("29 March 2014 09:00", "Europe/Geneva", utc(2014, 3, 29, 8), None, "Europe/Zurich"),
    ("31 March 2014 09:00", "Europe/Geneva", utc(2014, 3, 31, 7), None, "Europe/Zurich"),
    ("25 October 2014 09:00", "Europe/Geneva", utc(2014, 10, 25, 7), None, "Europe/Zurich"),
    ("26 October 2014 09:00", "Europe/Geneva", utc(2014, 10, 26, 8), None, "Europe/Zurich"),
    # 02:30 on 30 March does not exist: read with the offset before the change.
    ("30 March 2014 02:30", "Europe/Zurich", utc(2014, 3, 30, 1, 30), None, "Europe/Zurich"),
    # 02:30 on 26 October happens twice: the first (summer time).
    ("26 October 2014 02:30", "Europe/Zurich", utc(2014, 10, 26, 0, 30), None, "Europe/Zurich"),
    (
        "29 March 2014 10:00 - 31 March 2014 10:00",
        "Europe/Zurich",
        utc(2014, 3, 29, 9),
        utc(2014, 3, 31, 8),
        "Europe/Zurich",
    ),
]


@pytest.mark.parametrize(("text", "tz", "start", "end", "zone"), TIMED)
def test_timed(text: str, tz: str, start: datetime, end: datetime | None, zone: str) -> None:
    got = parse_when(text, NOW, tz)
    assert got.all_day is False
    assert got.tentative is False
    assert (got.start, got.end) == (start, end)
    assert got.start.utcoffset() == timedelta(0)
    assert got.timezone == zone
    ZoneInfo(got.timezone)  # always a valid IANA name
    assert got.last_day() is None


def test_tentative_timed() -> None:
    got = parse_when("TBD 24 January 2014 18:00 CET", NOW, "UTC")
    assert got.tentative and not got.all_day
    assert got.start == utc(2014, 1, 24, 17)


# --------------------------------------------------------------------------- errors

ERRORS: list[tuple[str, str]] = [
    ("TBD", "TBD (late January 2014)"),
    ("tbd", "needs at least a month"),
    ("TBD ()", "needs at least a month"),
    ("", "Give a date"),
    ("   ", "Give a date"),
    ("blah", 'I couldn\'t read "blah" as a date; try "24 January 2014"'),
    ("a", "couldn't read"),
    ("2014", "couldn't read"),
    ("24", "couldn't read"),
    ("next blursday", "couldn't read"),
    ("the meeting after the next one", "couldn't read"),
    ("32-35 March 2014", "couldn't read"),
    ("23-27", "couldn't read"),
    ("27-23 March 2014", "ends before it starts"),
    ("7 November - 20 October 2014", "ends before it starts"),
    ("24 January 2014 to 19 December 2013", "ends before it starts"),
    ("2014-04-24/2014-04-23", "ends before it starts"),
    ("17 February 2014 13:00-10:00", "ends before it starts"),
    ("17 February 2014 10:00-10:00", "ends when it starts"),
    ("17 February 2014 10:00 - 16 February 2014 12:00", "ends before it starts"),
    ("until 1 October 2013", '1 October 2013 has already passed, and "until" counts from now'),
    ("31 April 2014", "April 2014 has no day 31"),
    ("29 February 2014", "February 2014 has no day 29"),
    ("30-31 February 2014", "has no day"),
    ("24 January 2014 25:00", '"25:00" is not a time of day'),
    ("x" * 300, "too long"),
    ("9999-12-31", "give a date from 1900 to 2200"),  # past the years kept (and Python's last date)
    ("December 9999", "give a date from 1900 to 2200"),
]


@pytest.mark.parametrize(("text", "needle"), ERRORS)
def test_errors(text: str, needle: str) -> None:
    with pytest.raises(UserError) as err:
        parse_when(text, NOW, "Europe/Zurich")
    message = str(err.value)
    assert needle in message
    assert message.endswith(".") and "\n" not in message
    assert "Traceback" not in message


def test_error_is_one_sentence_with_example() -> None:
    with pytest.raises(UserError) as err:
        parse_when("blah", NOW, "UTC")
    assert str(err.value) == (
        'I couldn\'t read "blah" as a date; try "24 January 2014", "23-27 March 2014" '
        'or "next friday 9am".'
    )


def test_unknown_timezone_is_a_user_error() -> None:
    with pytest.raises(UserError, match="timezone"):
        parse_when("24 January 2014", NOW, "Mars/Olympus_Mons")


def test_naive_now_is_a_bug() -> None:
    with pytest.raises(ValueError):
        parse_when("24 January 2014", NOW.replace(tzinfo=None), "UTC")


def test_leap_day() -> None:
    got = parse_when("29 February 2016", NOW, "UTC")
    assert got.last_day() == date(2016, 2, 29)


# --------------------------------------------------------------------------- speed


def test_warm_up_leaves_dateparser_ready_for_a_failing_call() -> None:
    """How fast is measured by the benchmark (benchmarks/when.py), not here: after warm_up,
    an input that reaches dateparser and finds nothing is still refused cleanly."""
    assert warm_up() >= 0
    with pytest.raises(UserError):
        parse_when("second", NOW, "UTC")  # goes to dateparser, which finds nothing


# --------------------------------------------------------------------------- properties

MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
PROPERTY_ZONES = ["UTC", "Europe/Zurich", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _dm(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]}"


def _md(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}"


def _range_texts(first: date, last: date) -> list[str]:
    """Ways people write the all-day range first..last (last included)."""
    out = [
        f"{_dm(first)} {first.year} - {_dm(last)} {last.year}",
        f"{_dm(first)} {first.year} \u2013 {_dm(last)} {last.year}",
        f"{_md(first)}, {first.year} - {_md(last)}, {last.year}",
        f"{first.isoformat()}/{last.isoformat()}",
        f"from {_dm(first)} {first.year} to {_dm(last)} {last.year}",
        f"between {_dm(first)} {first.year} and {_dm(last)} {last.year}",
        f"{_ordinal(first.day)} {MONTHS[first.month - 1]} {first.year} to "
        f"{_ordinal(last.day)} {MONTHS[last.month - 1]} {last.year}",
        f"{first:%d %b %Y} - {last:%d %b %Y}",
    ]
    # The year written once: same year, or across one year end within half a year.
    within_a_year = (last.year == first.year) or (
        last.year == first.year + 1
        and (first.month, first.day) > (last.month, last.day)
        and last.month + 12 - first.month <= 6
    )
    if within_a_year:
        out.append(f"{_dm(first)} - {_dm(last)} {last.year}")
        out.append(f"{_dm(first)} \u2014 {_dm(last)} {last.year}")
        out.append(f"{_md(first)} - {_md(last)}, {last.year}")
    if (first.year, first.month) == (last.year, last.month) and first != last:
        out.append(f"{first.day}-{last.day} {MONTHS[first.month - 1]} {first.year}")
        out.append(f"{first.day}\u2013{last.day} {MONTHS[first.month - 1]} {first.year}")
        out.append(f"{first.day} - {last.day} {MONTHS[first.month - 1]} {first.year}")
        out.append(f"{MONTHS[first.month - 1]} {first.day}-{last.day}, {first.year}")
    if first == last:
        out.append(f"{_dm(first)} {first.year}")
        out.append(first.isoformat())
    return out


dates = st.dates(min_value=date(1971, 1, 1), max_value=date(2098, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    first=dates,
    length=st.integers(min_value=0, max_value=800),
    tz=st.sampled_from(PROPERTY_ZONES),
    pick=st.integers(min_value=0, max_value=100),
)
def test_all_day_ranges_round_trip(first: date, length: int, tz: str, pick: int) -> None:
    last = first + timedelta(days=length)
    texts = _range_texts(first, last)
    text = texts[pick % len(texts)]
    got = parse_when(text, NOW, tz)
    assert got == When(
        start=midnight(first, tz),
        end=midnight(last + timedelta(days=1), tz),
        all_day=True,
        tentative=False,
        timezone=tz,
        read_in=tz,
        reading=got.reading,
    ), text
    assert got.last_day() == last


def _hm(moment: datetime, twelve: bool) -> str:
    if twelve:
        hour = moment.hour % 12 or 12
        return f"{hour}:{moment.minute:02d}{'am' if moment.hour < 12 else 'pm'}"
    return f"{moment:%H:%M}"


@settings(max_examples=300, deadline=None)
@given(
    first=dates,
    minute_of_day=st.integers(min_value=0, max_value=24 * 60 - 1),
    minutes=st.integers(min_value=1, max_value=60 * 24 * 40),
    tz=st.sampled_from(PROPERTY_ZONES),
    pick=st.integers(min_value=0, max_value=100),
    twelve=st.booleans(),
)
def test_timed_ranges_round_trip(
    first: date, minute_of_day: int, minutes: int, tz: str, pick: int, twelve: bool
) -> None:
    zone = ZoneInfo(tz)
    # Wall-clock times in `tz` (aware arithmetic on one zone is wall-clock arithmetic).
    start_local = datetime.combine(first, time(*divmod(minute_of_day, 60)), tzinfo=zone)
    end_local = start_local + timedelta(minutes=minutes)
    start = start_local.astimezone(UTC)
    end = end_local.astimezone(UTC)
    assume(end > start)  # a wall-clock span inside a DST change can collapse
    s, e = start_local, end_local
    texts = [
        f"{_dm(s)} {s.year} {_hm(s, twelve)} - {_dm(e)} {e.year} {_hm(e, twelve)}",
        f"from {_md(s)}, {s.year} {_hm(s, twelve)} to {_md(e)}, {e.year} {_hm(e, twelve)}",
        f"{s:%Y-%m-%dT%H:%M}/{e:%Y-%m-%dT%H:%M}",
        f"{_dm(s)} {s.year} {_hm(s, twelve)} \u2013 {_dm(e)} {e.year} {_hm(e, twelve)} {tz}",
    ]
    if s.date() == e.date():
        texts.append(f"{_dm(s)} {s.year} {_hm(s, twelve)}-{_hm(e, twelve)}")
        texts.append(f"{_dm(s)} {s.year} {_hm(s, twelve)} - {_hm(e, twelve)} {tz}")
    text = texts[pick % len(texts)]
    got = parse_when(text, NOW, "UTC" if text.endswith(tz) else tz)
    assert (got.start, got.end, got.all_day, got.timezone) == (start, end, False, tz), text


@settings(max_examples=200, deadline=None)
@given(
    day_=dates,
    minute_of_day=st.integers(min_value=0, max_value=24 * 60 - 1),
    offset_minutes=st.sampled_from([-600, -300, -180, 0, 60, 120, 330, 540, 780]),
)
def test_iso_instants_with_offsets(day_: date, minute_of_day: int, offset_minutes: int) -> None:
    moment = datetime.combine(day_, time(*divmod(minute_of_day, 60)), tzinfo=UTC)
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    suffix = "Z" if offset_minutes == 0 else f"{sign}{hours:02d}:{minutes:02d}"
    got = parse_when(f"{moment:%Y-%m-%dT%H:%M}{suffix}", NOW, "UTC")
    expected = moment - timedelta(minutes=offset_minutes)
    assert got.start == expected
    assert got.end is None


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40))
def test_anything_is_a_when_or_a_user_error(text: str) -> None:
    try:
        got = parse_when(text, NOW, "Europe/Zurich")
    except UserError as err:
        assert str(err).endswith(".")
        return
    assert got.start.tzinfo is not None
    assert got.end is None or got.end > got.start


# --------------------------------------------------------------------------- timefmt


def test_ts_and_relative() -> None:
    moment = utc(2014, 1, 24, 17)
    assert ts(moment) == "<t:1390582800:F>"
    assert ts(moment, "D") == "<t:1390582800:D>"
    assert relative(moment) == "<t:1390582800:R>"
    with pytest.raises(ValueError):
        ts(moment.replace(tzinfo=None))
    with pytest.raises(ValueError):
        ts(moment, "X")


def test_day_is_noon_utc() -> None:
    assert day(date(2014, 3, 23)) == f"<t:{int(utc(2014, 3, 23, 12).timestamp())}:D>"


def test_format_timed() -> None:
    s, e = utc(2014, 2, 17, 9), utc(2014, 2, 17, 12)
    si, ei = int(s.timestamp()), int(e.timestamp())
    assert format_event_time(s, None, False, False) == f"<t:{si}:F> (<t:{si}:R>)"
    assert (
        format_event_time(s, e, False, False, "Europe/Zurich")
        == f"<t:{si}:F> – <t:{ei}:t> (<t:{si}:R>)"
    )
    e2 = utc(2014, 2, 18, 11)
    assert format_event_time(s, e2, False, True) == (
        f"<t:{si}:F> – <t:{int(e2.timestamp())}:F> (<t:{si}:R>) · tentative"
    )


@pytest.mark.parametrize("tz", ["Pacific/Honolulu", "America/New_York", "UTC", "Asia/Tokyo"])
def test_format_all_day_shows_first_and_last_day(tz: str) -> None:
    got = parse_when("23-27 March 2014", NOW, tz)
    first, last = day(date(2014, 3, 23)), day(date(2014, 3, 27))
    expected = f"{first} – {last}"
    assert format_event_time(got.start, got.end, True, False, got.timezone) == expected
    # Without the zone, the date of a local midnight is still found (UTC-11 to UTC+11).
    assert format_event_time(got.start, got.end, True, False) == expected
    single = parse_when("TBD (late January 2014)", NOW, tz)
    assert format_event_time(single.start, single.end, True, True, tz).endswith(" · tentative")
    one = parse_when("7 October 2013", NOW, tz)
    assert format_event_time(one.start, one.end, True, False, tz) == day(date(2013, 10, 7))


def test_local_date() -> None:
    assert local_date(utc(2014, 3, 22, 23), "Europe/Zurich") == date(2014, 3, 23)
    assert local_date(utc(2014, 3, 22, 23)) == date(2014, 3, 23)
    assert local_date(utc(2014, 3, 23, 10)) == date(2014, 3, 23)


# --------------------------------------------------------------------------- the years kept

RANGE_ERROR = "give a date from 1900 to 2200"


@pytest.mark.parametrize(
    "text",
    ["1 January 9999", "31 December 9999", "1 March 1850", "2201-01-01", "1 - 3 January 2300",
     "20 December 2200 - 2 January 2201", "in 300 years"],
)
def test_years_outside_1900_to_2200_are_refused(text: str) -> None:
    with pytest.raises(UserError) as err:
        parse_when(text, NOW, "UTC")
    message = str(err.value)
    assert RANGE_ERROR in message and message.endswith(".") and "\n" not in message


@pytest.mark.parametrize(
    ("text", "tz"),
    [("1 January 1900", "UTC"), ("31 December 2200", "UTC"), ("31 December 2200", "Pacific/Kiritimati"),
     ("1 January 1900", "Pacific/Pago_Pago"), ("31 December 2200 23:00", "UTC")],
)
def test_the_ends_of_the_years_kept_are_accepted(text: str, tz: str) -> None:
    parse_when(text, NOW, tz)
