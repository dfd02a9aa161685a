"""Discord's own events, the pure parts (SPEC 11): how a meeting looks as a Discord scheduled
event, what the mirror does to keep Discord in step, and the emulator's checks of a payload."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.discord_events import (
    CANCELLED,
    CREATING,
    LIVE,
    MirrorRow,
    Step,
    is_mirrored,
    marked_event_id,
    mirror_spec,
    plan_mirror,
    retry_delay,
)
from bot.domain.models import Event, EventKind, EventStatus
from bot.emulator.validation import validate_scheduled_event

NOW = datetime(2013, 11, 1, 12, 0, tzinfo=UTC)
START = datetime(2014, 3, 23, 9, 0, tzinfo=UTC)


def meeting(**fields: object) -> Event:
    base = Event(id=12, guild_id=1, title="ICANN 49", kind=EventKind.MEETING, start=START,
                 end=None, all_day=False, timezone="UTC")
    return replace(base, **fields)  # type: ignore[arg-type]


def test_name_and_location_are_cut_to_100_and_the_end_defaults_to_an_hour() -> None:
    spec = mirror_spec(meeting(title="T" * 150, location="L" * 150), "UTC")
    assert len(spec.name) == 100 and spec.name.endswith("…")
    assert len(spec.location) == 100
    assert spec.end == START + timedelta(hours=1)
    payload = spec.create_payload()
    assert payload["entity_type"] == 3 and payload["privacy_level"] == 2
    assert validate_scheduled_event(payload, NOW) is None


def test_location_falls_back_to_the_url_then_to_event_show() -> None:
    assert mirror_spec(meeting(url="https://icann.org/49"), "UTC").location == "https://icann.org/49"
    assert mirror_spec(meeting(), "UTC").location == "see /event show #12"


def test_postponed_names_say_so_within_100_characters() -> None:
    spec = mirror_spec(meeting(title="T" * 150, status=EventStatus.POSTPONED), "UTC")
    assert len(spec.name) == 100 and spec.name.endswith(" (postponed)")


def test_an_all_day_meeting_runs_00_00_to_23_59_in_the_servers_zone() -> None:
    # 23-24 April 2014 in São Paulo, stored as its local midnights (end exclusive).
    zone = "America/Sao_Paulo"
    start = datetime(2014, 4, 23, 3, 0, tzinfo=UTC)
    event = meeting(start=start, end=start + timedelta(days=2), all_day=True, timezone=zone)
    spec = mirror_spec(event, "Europe/Zurich")
    assert spec.start.isoformat() == "2014-04-23T00:00:00+02:00"
    assert spec.end.isoformat() == "2014-04-24T23:59:00+02:00"


def test_the_description_ends_with_the_marker_and_fits_1000() -> None:
    spec = mirror_spec(meeting(description="x" * 2000, tentative=True), "UTC")
    assert len(spec.description) <= 1000
    assert spec.description.startswith("Tentative. ")
    assert marked_event_id(spec.description) == 12
    assert marked_event_id("a description someone typed") is None
    assert mirror_spec(meeting(), "UTC").description == "Concord #12"


def test_what_is_mirrored() -> None:
    assert is_mirrored(meeting(), NOW)
    assert is_mirrored(meeting(status=EventStatus.POSTPONED), NOW)
    assert not is_mirrored(meeting(status=EventStatus.CANCELLED), NOW)
    assert not is_mirrored(meeting(kind=EventKind.DEADLINE), NOW)
    assert not is_mirrored(meeting(), START)  # started: Discord refuses a start in the past


def row(event_id: int, state: str, synced: str | None = None, **kw: object) -> MirrorRow:
    return MirrorRow(event_id=event_id, guild_id=1, discord_id=None if state == CREATING else 99,
                     state=state, synced=synced, **kw)  # type: ignore[arg-type]


def test_plan_creates_updates_cancels_deletes_and_forgets() -> None:
    a, b, c = (mirror_spec(meeting(id=i, title=f"M{i}"), "UTC") for i in (1, 2, 3))
    rows = [
        row(2, LIVE, synced="old"),  # changed -> update
        row(3, LIVE, synced=c.fingerprint()),  # in step -> nothing
        row(4, LIVE),  # cancelled in Concord -> cancel
        row(5, LIVE),  # removed -> delete
        row(6, LIVE),  # started -> forget
        row(7, CANCELLED),  # removed after being cancelled -> forget
        row(8, CANCELLED),  # still cancelled -> nothing
    ]
    steps = plan_mirror(rows, {1: a, 2: b, 3: c}, cancelled={4, 8}, started={6}, now=NOW)
    assert [(s.step, s.event_id) for s in steps] == [
        (Step.CREATE, 1), (Step.UPDATE, 2), (Step.CANCEL, 4), (Step.DELETE, 5),
        (Step.FORGET, 6), (Step.FORGET, 7),
    ]


def test_plan_recreates_a_cancelled_event_that_came_back_and_waits_for_retries() -> None:
    spec = mirror_spec(meeting(id=1), "UTC")
    back = plan_mirror([row(1, CANCELLED)], {1: spec}, set(), set(), NOW)
    assert [(s.step, s.row is not None) for s in back] == [(Step.CREATE, True)]
    waiting = row(1, CREATING, retry_at=NOW + timedelta(seconds=30), attempts=1)
    assert plan_mirror([waiting], {1: spec}, set(), set(), NOW) == []
    assert plan_mirror([waiting], {}, set(), set(), NOW) == []
    assert [s.step for s in plan_mirror([waiting], {1: spec}, set(), set(),
                                        NOW + timedelta(seconds=30))] == [Step.CREATE]


def test_retry_delay_doubles_up_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(20) == timedelta(hours=1)


def test_emulator_validates_like_discord() -> None:
    good = mirror_spec(meeting(), "UTC").create_payload()
    assert validate_scheduled_event(good, NOW) is None
    cases = {
        "name": {**good, "name": ""},
        "description": {**good, "description": "d" * 1001},
        "privacy_level": {**good, "privacy_level": 1},
        "entity_metadata.location": {**good, "entity_metadata": {"location": "l" * 101}},
        "scheduled_end_time: This field": {k: v for k, v in good.items()
                                           if k != "scheduled_end_time"},
        "in the past": {**good, "scheduled_start_time": "2013-10-01T09:00:00+00:00"},
        "end before starting": {**good, "scheduled_end_time": "2014-03-23T08:00:00+00:00"},
        "channel_id: Must be null": {**good, "channel_id": "123"},
    }
    for expected, payload in cases.items():
        error = validate_scheduled_event(payload, NOW)
        assert error is not None and expected in error, (expected, error)
    # A modification is checked against the event it changes.
    assert validate_scheduled_event({"name": "New"}, NOW, current=good) is None
    error = validate_scheduled_event({"entity_metadata": {}}, NOW, current=good)
    assert error is not None and "location" in error
