"""Recurring events, pure: what `repeat` means, occurrences across DST, planning, .ics round trip."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.domain.ical import export_ics, import_ics
from bot.domain.models import Event, EventKind, OccurrenceChange
from bot.domain.offsets import parse_offsets
from bot.domain.recurrence import (
    check_rule,
    describe,
    follow_start,
    make_series,
    occurrences,
    on_local_day,
    parse_repeat,
)
from bot.domain.reminders import MAX_PLANNED_OCCURRENCES, plan_series_reminders
from bot.errors import UserError

ZURICH = "Europe/Zurich"
FIRST = datetime(2014, 3, 18, 13, tzinfo=UTC)  # Tuesday 18 March 2014, 14:00 in Zurich (CET)


def call(rule: str, **kw: Any) -> Event:
    base = Event(
        id=7, guild_id=1, title="Weekly call", kind=EventKind.MEETING, start=FIRST,
        end=FIRST + timedelta(hours=1), all_day=False, timezone=ZURICH, uid="call@concord",
    )
    return make_series(replace(base, **kw), rule)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("daily", "FREQ=DAILY"),
        ("Weekly", "FREQ=WEEKLY"),
        ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
        ("every other week", "FREQ=WEEKLY;INTERVAL=2"),
        ("monthly", "FREQ=MONTHLY;BYMONTHDAY=18"),
        ("monthly on the first Tuesday", "FREQ=MONTHLY;BYDAY=1TU"),
        ("every month on the last friday", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("RRULE:FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=WEEKLY;BYDAY=TU,TH"),
    ],
)
def test_repeat_phrases_and_rrules(text: str, rule: str) -> None:
    assert parse_repeat(text, FIRST, ZURICH, all_day=False) == rule


def test_until_and_count_end_the_rule() -> None:
    until = datetime(2014, 4, 8, 21, 59, 59, tzinfo=UTC)
    assert parse_repeat("weekly", FIRST, ZURICH, all_day=False, until=until) == (
        "FREQ=WEEKLY;UNTIL=20140408T215959Z"
    )
    assert parse_repeat("weekly", FIRST, ZURICH, all_day=False, count=4) == "FREQ=WEEKLY;COUNT=4"


@pytest.mark.parametrize(
    ("text", "kw", "says"),
    [
        ("FREQ=WEEKLY;BYDAY=XX", {}, "RRULE"),
        ("FREQ=HOURLY", {}, "daily, weekly, monthly or yearly"),
        ("whenever", {}, "monthly on the first Tuesday"),
        ("weekly", {"count": 3, "until": FIRST + timedelta(days=30)}, "not both"),
        ("FREQ=WEEKLY;COUNT=3", {"count": 4}, "already says when it ends"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20140501T000000Z", {}, "not both"),
        ("FREQ=WEEKLY;COUNT=5000", {}, "1 to 1000"),
        ("FREQ=WEEKLY;DTSTART=20140101", {}, "cannot use"),
    ],
)
def test_bad_repeat_says_what_to_type(text: str, kw: dict[str, object], says: str) -> None:
    with pytest.raises(UserError) as err:
        rule = parse_repeat(text, FIRST, ZURICH, all_day=False, **kw)  # type: ignore[arg-type]
        check_rule(rule, FIRST, ZURICH)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_a_moved_series_takes_its_day_along() -> None:
    moved = datetime(2014, 3, 20, 13, tzinfo=UTC)  # Thursday the 20th
    assert follow_start("FREQ=MONTHLY;BYMONTHDAY=18;COUNT=3", FIRST, moved, ZURICH) == (
        "FREQ=MONTHLY;BYMONTHDAY=20;COUNT=3"
    )
    assert follow_start("FREQ=WEEKLY;BYDAY=TU", FIRST, moved, ZURICH) == "FREQ=WEEKLY;BYDAY=TH"
    # Days the rule chose itself stay.
    assert follow_start("FREQ=WEEKLY;BYDAY=TU,TH", FIRST, moved, ZURICH) == (
        "FREQ=WEEKLY;BYDAY=TU,TH"
    )
    assert follow_start("FREQ=MONTHLY;BYDAY=1TU", FIRST, moved, ZURICH) == "FREQ=MONTHLY;BYDAY=1TU"


def test_a_rule_that_never_gives_a_date_is_refused_quickly() -> None:
    with pytest.raises(UserError, match="gives no date"):
        check_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", FIRST, ZURICH)
    with pytest.raises(UserError, match="gives no date"):
        check_rule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31", FIRST, ZURICH)
    # Not caught by the day check: 1 January in February; dateutil gives up within the time.
    with pytest.raises(UserError, match="gives no date"):
        check_rule("FREQ=YEARLY;BYYEARDAY=1;BYMONTH=2", FIRST, ZURICH)


def test_weekly_series_keeps_its_local_time_across_dst() -> None:
    series = call("FREQ=WEEKLY;COUNT=4")
    got = [o.start for o in occurrences(series, [], FIRST, FIRST + timedelta(days=60))]
    # 30 March 2014 the clocks go forward: 14:00 in Zurich is 13:00 UTC, then 12:00 UTC.
    assert got == [
        datetime(2014, 3, 18, 13, tzinfo=UTC),
        datetime(2014, 3, 25, 13, tzinfo=UTC),
        datetime(2014, 4, 1, 12, tzinfo=UTC),
        datetime(2014, 4, 8, 12, tzinfo=UTC),
    ]
    assert series.series_end == datetime(2014, 4, 8, 12, tzinfo=UTC)
    assert describe(series) == "every Tuesday at 14:00 Zurich time"


def test_monthly_on_the_first_tuesday_starts_on_one() -> None:
    series = call("FREQ=MONTHLY;BYDAY=1TU;COUNT=2")
    assert series.start == datetime(2014, 4, 1, 12, tzinfo=UTC)  # 18 March is no first Tuesday
    assert describe(series) == "every month on the first Tuesday at 14:00 Zurich time"


def test_changes_move_and_cancel_occurrences() -> None:
    series = call("FREQ=WEEKLY;COUNT=4")
    changes = [
        OccurrenceChange(datetime(2014, 3, 25, 13, tzinfo=UTC), cancelled=True),
        OccurrenceChange(
            datetime(2014, 4, 1, 12, tzinfo=UTC), start=datetime(2014, 4, 2, 12, tzinfo=UTC),
            title="Moved call",
        ),
    ]
    listed = occurrences(series, changes, FIRST, FIRST + timedelta(days=60))
    assert [(o.start, o.title) for o in listed] == [
        (datetime(2014, 3, 18, 13, tzinfo=UTC), "Weekly call"),
        (datetime(2014, 4, 2, 12, tzinfo=UTC), "Moved call"),
        (datetime(2014, 4, 8, 12, tzinfo=UTC), "Weekly call"),
    ]
    assert listed[1].end == datetime(2014, 4, 2, 13, tzinfo=UTC)
    assert listed[1].occurrence_of == datetime(2014, 4, 1, 12, tzinfo=UTC)
    assert on_local_day(series, date(2014, 4, 8), changes) == datetime(2014, 4, 8, 12, tzinfo=UTC)
    assert on_local_day(series, date(2014, 4, 2), changes) == datetime(2014, 4, 1, 12, tzinfo=UTC)
    assert on_local_day(series, date(2014, 4, 9), changes) is None


def test_an_open_ended_daily_series_lists_a_bounded_number() -> None:
    series = call("FREQ=DAILY")
    assert series.series_end is None
    listed = occurrences(series, [], FIRST, FIRST + timedelta(days=3650), limit=400)
    assert len(listed) == 400


def test_only_the_next_occurrences_get_reminders() -> None:
    series = call("FREQ=DAILY")  # open-ended
    offsets = parse_offsets("7d,1d,1h")
    now = datetime(2014, 3, 1, tzinfo=UTC)
    planned = plan_series_reminders(series, [], offsets, now)
    # 18 March is the first; it is more than 7 days away, so it alone is planned.
    assert {p.occurrence for p in planned} == {FIRST}
    assert [p.due_at for p in planned] == [
        FIRST - timedelta(days=7), FIRST - timedelta(days=1), FIRST - timedelta(hours=1)
    ]
    later = plan_series_reminders(series, [], offsets, FIRST + timedelta(days=1))
    # A day in, the occurrences within 7 days (20-26 March) are planned, and the first one
    # beyond (27 March, whose 7-day reminder is due tomorrow).
    assert {p.occurrence for p in later} == {FIRST + timedelta(days=n) for n in range(2, 10)}
    # However long the offsets, a series holds reminders for a bounded number of occurrences.
    far = plan_series_reminders(series, [], parse_offsets("4w,1h"), FIRST + timedelta(days=1))
    # (the 19 March occurrence, under way, is one of the MAX_PLANNED_OCCURRENCES looked at)
    assert len({p.occurrence for p in far}) == MAX_PLANNED_OCCURRENCES - 1


def test_reminders_keep_local_time_and_skip_cancelled_occurrences() -> None:
    series = call("FREQ=WEEKLY;COUNT=4")
    offsets = parse_offsets("1d")
    changes = [OccurrenceChange(datetime(2014, 3, 25, 13, tzinfo=UTC), cancelled=True)]
    planned = plan_series_reminders(series, changes, offsets, datetime(2014, 3, 20, tzinfo=UTC))
    assert [p.due_at for p in planned] == [
        datetime(2014, 3, 31, 12, tzinfo=UTC),  # Monday 31 March, 14:00 summer time
    ]


def test_export_then_import_keeps_the_series() -> None:
    series = call("FREQ=WEEKLY;UNTIL=20140415T215959Z")
    changes = [
        OccurrenceChange(datetime(2014, 3, 25, 13, tzinfo=UTC), cancelled=True),
        OccurrenceChange(
            datetime(2014, 4, 1, 12, tzinfo=UTC), start=datetime(2014, 4, 2, 12, tzinfo=UTC),
            end=datetime(2014, 4, 2, 13, tzinfo=UTC), title="Moved call",
        ),
    ]
    data = export_ics([series], changes={series.id: changes})
    assert data.count(b"BEGIN:VEVENT") == 2
    assert b"RRULE:FREQ=WEEKLY;UNTIL=20140415T215959Z" in data
    assert b"EXDATE;TZID=Europe/Zurich:20140325T140000" in data
    assert b"RECURRENCE-ID;TZID=Europe/Zurich:20140401T140000" in data
    (back,) = import_ics(data, "UTC").events
    assert (back.uid, back.rrule, back.start, back.end, back.series_end) == (
        series.uid, series.rrule, series.start, series.end, series.series_end
    )
    assert list(back.changes) == changes


def test_all_day_series_exports_until_as_a_date() -> None:
    day = datetime(2014, 3, 17, 23, tzinfo=UTC)  # 18 March, local midnight
    series = call(
        "FREQ=WEEKLY;UNTIL=20140408T215959Z", start=day, end=day + timedelta(days=1),
        all_day=True,
    )
    data = export_ics([series])
    assert b"RRULE:FREQ=WEEKLY;UNTIL=20140408" in data and b"UNTIL=20140408T" not in data
    (back,) = import_ics(data, "UTC").events
    assert back.all_day and back.series_end == datetime(2014, 4, 7, 22, tzinfo=UTC)
