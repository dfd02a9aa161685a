"""Issue 19, "the first hour": what a new secretariat types, read the way it meant it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.when import parse_when, validate_zone
from bot.errors import UserError


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("UTC+2", ["Europe/Athens", "Africa/Johannesburg", "Etc/GMT-2"]),
        ("GMT+3", ["Africa/Nairobi", "Etc/GMT-3"]),
        ("CET", ["Europe/Paris", "Europe/Zurich", "Etc/GMT-1"]),
        ("EST", ["America/New_York", "Etc/GMT+5"]),
        ("utc+5:30", ["Asia/Kolkata"]),
    ],
)
def test_a_zone_typed_as_an_offset_is_offered_the_zones_of_places(
    typed: str, offered: list[str]
) -> None:
    with pytest.raises(UserError) as err:
        validate_zone(typed)
    text = str(err.value)
    assert "daylight saving" in text
    for name in offered:
        assert f"`{name}`" in text
    assert "`UTC`" not in text


def test_the_offered_fixed_zone_is_accepted_and_utc_stays_utc() -> None:
    assert validate_zone("Etc/GMT-2") == "Etc/GMT-2"
    assert validate_zone("UTC") == "UTC"
    assert validate_zone("gmt") == "UTC"
    with pytest.raises(UserError, match="America/Los_Angeles"):
        validate_zone("PT")


def test_no_error_calls_geneva_an_iana_name() -> None:
    for typed in ("", "qqqqqqqqqq"):
        with pytest.raises(UserError) as err:
            validate_zone(typed)
        assert "Geneva" not in str(err.value)
    assert validate_zone("Europe/Geneva") == "Europe/Zurich"


# --------------------------------------------------------------------------- point 2: dates

NOW = datetime(2014, 1, 10, 9, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "month_first", "day", "said"),
    [
        ("03/04/2014", False, date(2014, 4, 3), 'as 3 April 2014 (day first); for 4 March 2014, write "4 March 2014"'),
        ("03/04/2014", True, date(2014, 3, 4), "as 4 March 2014 (month first, as in US English)"),
        ("3/4", False, date(2014, 4, 3), 'for 4 March, write "4 March"'),
        ("3.4.", False, date(2014, 4, 3), "as 3 April (day first)"),
    ],
)
def test_a_numeric_date_says_how_it_was_read(
    typed: str, month_first: bool, day: date, said: str
) -> None:
    got = parse_when(typed, NOW, "UTC", month_first=month_first)
    assert got.all_day and got.first_day() == day
    assert got.reading is not None and said in got.reading


@pytest.mark.parametrize("typed", ["29/11/2014", "12/25", "29.11.", "24 January 2014", "4/4"])
def test_a_numeric_date_that_fits_one_way_needs_no_note(typed: str) -> None:
    assert parse_when(typed, NOW, "UTC").reading is None
    assert parse_when(typed, NOW, "UTC", month_first=True).reading is None
    assert parse_when("12/25", NOW, "UTC").first_day() == date(2014, 12, 25)


@pytest.mark.parametrize("typed", ["29.11.", "29 November", "in 3 days", "3 days from now", "in a week"])
def test_a_date_without_a_time_is_all_day_however_written(typed: str) -> None:
    got = parse_when(typed, NOW, "Europe/Zurich")
    assert got.all_day, typed


def test_a_time_says_the_zone_it_was_read_in() -> None:
    assert parse_when("13 January 2014 10:00", NOW, "UTC").read_in == "UTC"
    assert parse_when("13 January 2014 10:00", NOW, "Europe/Geneva").read_in == "Europe/Zurich"
    assert parse_when("13 January 2014 10:00 CET", NOW, "UTC").read_in is None


def test_years_outside_the_calendar_are_refused() -> None:
    for typed in ("in 1000 years", "1 January 2201", "1 January 1899"):
        with pytest.raises(UserError, match="1900 to 2200"):
            parse_when(typed, NOW, "UTC")


# --------------------------------------------------------------------------- the README's guide

README = """intro
<!-- guide:start -->
```text
alice> /draft list
  **Drafts** (1)
  ...
bob> /upcoming
  [only you] No events.
```
<!-- not from the tour -->
```text
carol> /not in the tour
  whatever
```
<!-- guide:end -->
"""


def test_the_guide_is_checked_against_the_run_and_pasted() -> None:
    from bot.demo.guide import check

    run = [
        "bob> /upcoming", "  [only you] No events in the next 30 days.",
        "alice> /draft list", "  **Drafts** (1)", "  **C11** ...", "  saved (1,234 bytes)",
    ]
    problems, updated = check(README, run, write=True)
    assert len(problems) == 1 and "bob> /upcoming" in problems[0]
    assert "  [only you] No events in the next 30 days." in updated
    assert "  ...\n" in updated and "carol> /not in the tour" in updated
    assert check(updated, run) == ([], updated)


def test_timezone_autocomplete_offers_places_for_an_offset() -> None:
    from bot.domain.when import search

    assert "UTC" not in search("UTC+2")
    assert {"Europe/Athens", "Europe/Zurich", "Etc/GMT-2"} <= set(search("UTC+2"))
    assert search("CET")[0] == "Europe/Paris" and "Europe/Zurich" in search("CET")
    assert "Europe/Zurich" in search("CEST") and "Africa/Cairo" not in search("CEST")[:1]
    assert search("zur") == ["Europe/Zurich"]  # names still search as before
