"""A repeating /remind keeps its local clock time (SPEC 10): the next occurrence is counted on
the member's wall clock, then turned back into UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.reminders import next_occurrence, repeat_label, repeat_rule

ZURICH = "Europe/Zurich"


def test_weekly_keeps_nine_local_across_the_spring_change() -> None:
    # Monday 24 March 2014 09:00 CET = 08:00 UTC; clocks go forward on Sunday 30 March.
    due = datetime(2014, 3, 24, 8, 0, tzinfo=UTC)
    rule = repeat_rule("weekly", due, ZURICH)
    assert next_occurrence(due, rule, ZURICH, after=due) == datetime(2014, 3, 31, 7, 0, tzinfo=UTC)


def test_daily_keeps_nine_local_across_the_autumn_change() -> None:
    # Saturday 25 October 2014 09:00 CEST = 07:00 UTC; clocks go back on Sunday 26 October.
    due = datetime(2014, 10, 25, 7, 0, tzinfo=UTC)
    rule = repeat_rule("daily", due, ZURICH)
    assert next_occurrence(due, rule, ZURICH, after=due) == datetime(2014, 10, 26, 8, 0, tzinfo=UTC)
    biweekly = repeat_rule("biweekly", due, ZURICH)
    assert next_occurrence(due, biweekly, ZURICH, after=due) == datetime(2014, 11, 8, 8, 0, tzinfo=UTC)


def test_weekdays_skip_the_weekend() -> None:
    friday = datetime(2014, 3, 28, 8, 0, tzinfo=UTC)  # 09:00 CET
    rule = repeat_rule("weekdays", friday, ZURICH)
    # Monday 31 March, 09:00 CEST (the clocks changed over the weekend).
    assert next_occurrence(friday, rule, ZURICH, after=friday) == datetime(2014, 3, 31, 7, 0, tzinfo=UTC)
    monday = datetime(2014, 3, 31, 7, 0, tzinfo=UTC)
    assert next_occurrence(monday, rule, ZURICH, after=monday) == datetime(2014, 4, 1, 7, 0, tzinfo=UTC)


def test_monthly_on_the_31st_falls_back_to_the_last_day_and_comes_back() -> None:
    due = datetime(2014, 1, 31, 8, 0, tzinfo=UTC)  # 09:00 CET
    rule = repeat_rule("monthly", due, ZURICH)
    feb = next_occurrence(due, rule, ZURICH, after=due)
    assert feb == datetime(2014, 2, 28, 8, 0, tzinfo=UTC)
    mar = next_occurrence(feb, rule, ZURICH, after=feb)
    assert mar == datetime(2014, 3, 31, 7, 0, tzinfo=UTC)  # the 31st again, 09:00 CEST
    apr = next_occurrence(mar, rule, ZURICH, after=mar)
    assert apr == datetime(2014, 4, 30, 7, 0, tzinfo=UTC)


def test_a_late_start_skips_to_the_first_occurrence_after() -> None:
    due = datetime(2014, 3, 24, 8, 0, tzinfo=UTC)
    rule = repeat_rule("daily", due, ZURICH)
    later = datetime(2014, 3, 27, 12, 0, tzinfo=UTC)
    assert next_occurrence(due, rule, ZURICH, after=later) == datetime(2014, 3, 28, 8, 0, tzinfo=UTC)


def test_labels() -> None:
    due = datetime(2014, 1, 31, 8, 0, tzinfo=UTC)
    assert [repeat_label(repeat_rule(c, due, "UTC")) for c in
            ("daily", "weekdays", "weekly", "biweekly", "monthly")] == [
        "every day", "every weekday", "every week", "every 2 weeks", "every month"]
