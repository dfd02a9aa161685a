"""RSVP's pure rules (SPEC 10): reading an answer, who takes one, counting and wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.models import Event, EventKind, EventStatus
from bot.domain.rsvp import RsvpCounts, RsvpStatus, answer_text, check_rsvp, parse_status
from bot.errors import UserError

START = datetime(2014, 3, 23, 9, 0, tzinfo=UTC)
WHEN = "<t:1395565200:F> (<t:1395565200:R>)"


def meeting(**kw: object) -> Event:
    fields: dict[str, object] = {"id": 7, "guild_id": 1, "title": "ICANN 49",
                                 "kind": EventKind.MEETING, "start": START, "end": None,
                                 "all_day": False, "timezone": "UTC"}
    fields.update(kw)
    return Event(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "status"),
    [("going", RsvpStatus.GOING), ("Maybe", RsvpStatus.MAYBE), ("not-going", RsvpStatus.NOT_GOING),
     ("Not going", RsvpStatus.NOT_GOING), ("not_going", RsvpStatus.NOT_GOING),
     ("yes", RsvpStatus.GOING), ("no", RsvpStatus.NOT_GOING)],
)
def test_parse_status(typed: str, status: RsvpStatus) -> None:
    assert parse_status(typed) is status


def test_an_unknown_answer_says_what_to_type() -> None:
    with pytest.raises(UserError, match="type `going`, `maybe` or `not-going`"):
        parse_status("perhaps")


def test_only_meetings_that_are_not_cancelled_or_over_take_answers() -> None:
    now = START - timedelta(days=1)
    check_rsvp(meeting(), now)
    check_rsvp(meeting(status=EventStatus.POSTPONED), now)
    with pytest.raises(UserError, match="a deadline, not a meeting"):
        check_rsvp(meeting(kind=EventKind.DEADLINE), now)
    with pytest.raises(UserError, match="cancelled"):
        check_rsvp(meeting(status=EventStatus.CANCELLED), now)
    with pytest.raises(UserError, match="over"):
        check_rsvp(meeting(), START + timedelta(minutes=1))
    # A meeting of several days takes answers until its end.
    check_rsvp(meeting(end=START + timedelta(days=3)), START + timedelta(days=1))


def test_counts_and_wording() -> None:
    counts = RsvpCounts.of([RsvpStatus.GOING, RsvpStatus.GOING, RsvpStatus.NOT_GOING])
    assert counts.line() == "RSVP: 2 going · 0 maybe · 1 not going"
    assert [s.gets_dms for s in RsvpStatus] == [True, True, False]
    assert answer_text(7, "ICANN 49", WHEN, RsvpStatus.GOING, 2).startswith(
        f"You answered **Going** for **#7 ICANN 49** ({WHEN}). Its 2 reminders still to come"
    )
    assert "Its 2 reminders still to come" in answer_text(7, "ICANN 49", WHEN, RsvpStatus.GOING, 2)
    assert "Its 1 reminder still" in answer_text(7, "ICANN 49", WHEN, RsvpStatus.MAYBE, 1)
    assert "no reminders left" in answer_text(7, "ICANN 49", WHEN, RsvpStatus.MAYBE, 0)
    assert "no reminders of it by DM" in answer_text(7, "ICANN 49", WHEN, RsvpStatus.NOT_GOING, 0)
