"""iCalendar in and out: round trips, foreign files, recurrence, errors, the sample calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from bot.domain.ical import MAX_OCCURRENCES, ImportedEvent, ParsedCalendar, export_ics, import_ics
from bot.domain.models import Event, EventKind, EventStatus, OccurrenceChange
from bot.domain.when import parse_when
from bot.errors import UserError

NOW = datetime(2013, 11, 1, 12, 0, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "calendar.ics"


def event(
    text: str,
    tz: str = "UTC",
    *,
    id: int = 1,
    title: str = "ICANN 49",
    **extra: object,
) -> Event:
    when = parse_when(text, NOW, tz)
    return Event(
        id=id,
        guild_id=42,
        title=title,
        kind=extra.pop("kind", EventKind.MEETING),  # type: ignore[arg-type]
        start=when.start,
        end=when.end,
        all_day=when.all_day,
        timezone=when.timezone,
        tentative=when.tentative,
        **extra,  # type: ignore[arg-type]
    )


FIELDS = (
    "title", "kind", "start", "end", "all_day", "timezone", "location", "url", "description",
    "tentative", "status",
)  # fmt: skip


def same(original: Event, back: ImportedEvent) -> None:
    for name in FIELDS:
        assert getattr(back, name) == getattr(original, name), name
    assert back.uid == (original.uid or f"concord-{original.guild_id}-{original.id}@concord")


def round_trip(events: list[Event]) -> list[ImportedEvent]:
    result = import_ics(export_ics(events, stamp=NOW), "UTC")
    assert result.warnings == []
    return result.events


# --------------------------------------------------------------------------- export


def test_export_shape() -> None:
    events = [
        event("23-27 March 2014", "Asia/Singapore", location="Singapore", url="https://icann.org"),
        event(
            "17 February 2014 10:00-13:00",
            "Europe/Zurich",
            id=2,
            title="WSIS+10 MPP",
            kind=EventKind.DEADLINE,
            uid="wsis@x",
            status=EventStatus.POSTPONED,
        ),
        event("TBD (late January 2014)", id=3, title="HLP", status=EventStatus.CANCELLED),
        event("24 January 2014 18:00", id=4, title="UTC call"),
    ]
    data = export_ics(events, calname="WSIS+10", stamp=NOW)
    text = data.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert "VERSION:2.0" in text and "PRODID:" in text and "X-WR-CALNAME:WSIS+10" in text
    assert "DTSTART;VALUE=DATE:20140323\r\n" in text
    assert "DTEND;VALUE=DATE:20140328\r\n" in text  # exclusive
    assert "DTSTART;TZID=Europe/Zurich:20140217T100000\r\n" in text
    assert "DTEND;TZID=Europe/Zurich:20140217T130000\r\n" in text
    assert "DTSTART:20140124T180000Z\r\n" in text
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Zurich" in text
    assert "UID:concord-42-1@concord" in text and "UID:wsis@x" in text
    assert "X-CONCORD-KIND:deadline" in text and "CATEGORIES:deadline" in text
    assert "X-CONCORD-STATUS:postponed" in text
    assert "STATUS:CANCELLED" in text and "STATUS:TENTATIVE" not in text.split("HLP")[0]
    assert "LOCATION:Singapore" in text and "URL:https://icann.org" in text
    cal = Calendar.from_ical(data)
    assert len(cal.walk("VEVENT")) == 4
    assert cal.get_missing_tzids() == set()


def test_export_empty_calendar() -> None:
    cal = Calendar.from_ical(export_ics([], stamp=NOW))
    assert cal.walk("VEVENT") == []
    assert import_ics(export_ics([], stamp=NOW), "UTC").events == []


# --------------------------------------------------------------------------- round trips

ROUND_TRIP_CASES = [
    ("23-27 March 2014", "Asia/Singapore"),
    ("20 October - 7 November 2014", "Asia/Seoul"),
    ("7 October 2013", "America/Montevideo"),
    ("TBD (late ianuary)", "UTC"),
    ("29 March - 31 March 2014", "Europe/Zurich"),  # across the DST change
    ("17 February 2014 10:00-13:00 CET", "UTC"),  # Europe/Paris
    ("17 February 2014 10:00 - 18 February 2014 12:00", "America/Sao_Paulo"),
    ("24 January 2014 18:00", "UTC"),
    ("2014-04-23T10:00+02:00", "UTC"),  # Etc/GMT-2
    ("2014-04-23T10:00+05:30", "UTC"),
    ("30 March 2014 01:30 - 30 March 2014 04:00", "Europe/Zurich"),
    ("26 October 2014 01:30 - 26 October 2014 04:00", "Europe/Zurich"),
    ("December 30, 2014 - January 2, 2015", "Pacific/Auckland"),
]


@pytest.mark.parametrize(("text", "tz"), ROUND_TRIP_CASES)
@pytest.mark.parametrize("status", list(EventStatus))
def test_round_trip_table(text: str, tz: str, status: EventStatus) -> None:
    original = event(
        text,
        tz,
        status=status,
        location="São Paulo, Brazil",
        url="https://www.netmundial.br/",
        description="Line one, with commas; semicolons\nLine two: \\ backslash",
    )
    (back,) = round_trip([original])
    same(original, back)


def test_round_trip_keeps_tentative_when_cancelled() -> None:
    original = event("TBD (late January 2014)", status=EventStatus.CANCELLED)
    (back,) = round_trip([original])
    assert back.tentative and back.status is EventStatus.CANCELLED


zones = st.sampled_from(
    ["UTC", "Europe/Zurich", "America/New_York", "Asia/Kolkata", "Australia/Adelaide"]
)
# Titles and places as Concord stores them: no control or format characters (a title of only
# U+FEFF, invisible, is read back as "Untitled event"; bidi marks are removed at input).
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf")), min_size=1, max_size=60
).filter(lambda s: s.strip() == s and s.strip())
optional_texts = st.none() | texts


@st.composite
def events(draw: st.DrawFn) -> Event:
    tz = draw(zones)
    zone = ZoneInfo(tz)
    first = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
    all_day = draw(st.booleans())
    if all_day:
        days = draw(st.integers(min_value=1, max_value=60))
        start = datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC)
        last = first + timedelta(days=days)
        end: datetime | None = datetime(last.year, last.month, last.day, tzinfo=zone).astimezone(
            UTC
        )
    else:
        minute = draw(st.integers(min_value=0, max_value=24 * 60 - 1))
        start = (
            datetime(first.year, first.month, first.day, tzinfo=zone) + timedelta(minutes=minute)
        ).astimezone(UTC)
        length = draw(st.none() | st.integers(min_value=1, max_value=60 * 24 * 10))
        end = None if length is None else start + timedelta(minutes=length)
    return Event(
        id=draw(st.integers(min_value=1, max_value=10**9)),
        guild_id=draw(st.integers(min_value=1, max_value=2**62)),
        title=draw(texts),
        kind=draw(st.sampled_from(list(EventKind))),
        start=start,
        end=end,
        all_day=all_day,
        timezone=tz,
        location=draw(optional_texts),
        url=draw(st.none() | st.just("https://example.org/a?b=c&d=e")),
        description=draw(st.none() | st.text(min_size=1, max_size=200).filter(_keeps)),
        tentative=draw(st.booleans()),
        status=draw(st.sampled_from(list(EventStatus))),
        uid=draw(st.none() | st.just("x@y") | st.just("icann49-2014@concord.sample")),
    )


def _keeps(text: str) -> bool:
    """Text iCalendar carries unchanged: no bare CR (it becomes a line break), not blank."""
    return (
        "\r" not in text
        and bool(text.strip())
        and all(ch.isprintable() or ch == "\n" for ch in text)
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(events(), min_size=1, max_size=5, unique_by=lambda e: (e.uid, e.id)))
def test_round_trip_property(originals: list[Event]) -> None:
    uids = [e.uid or f"concord-{e.guild_id}-{e.id}@concord" for e in originals]
    if len(set(uids)) != len(uids):
        return  # two events sharing a UID would be one event with overrides
    backs = round_trip(originals)
    assert len(backs) == len(originals)
    for original, back in zip(originals, backs, strict=True):
        same(original, back)


# --------------------------------------------------------------------------- foreign files


def ics(*lines: str, header: tuple[str, ...] = ()) -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *header, *lines]
    return ("\r\n".join([*body, "END:VCALENDAR"]) + "\r\n").encode()


def vevent(*lines: str) -> tuple[str, ...]:
    return ("BEGIN:VEVENT", *lines, "END:VEVENT")


def test_import_foreign_all_day_and_defaults() -> None:
    data = ics(*vevent("UID:a@x", "SUMMARY:Retreat", "DTSTART;VALUE=DATE:20131212"))
    (got,) = import_ics(data, "America/Los_Angeles").events
    assert got.all_day and got.timezone == "America/Los_Angeles"
    assert got.start == datetime(2013, 12, 12, 8, tzinfo=UTC)
    assert got.end == datetime(2013, 12, 13, 8, tzinfo=UTC)
    assert got.kind is EventKind.MEETING and got.status is EventStatus.SCHEDULED
    assert not got.tentative and got.location is None


def test_import_utc_tzid_floating_and_duration() -> None:
    data = ics(
        *vevent("UID:u@x", "SUMMARY:UTC", "DTSTART:20140124T180000Z", "DURATION:PT90M"),
        *vevent(
            "UID:t@x",
            "SUMMARY:Zurich",
            "DTSTART;TZID=Europe/Zurich:20140331T090000",
            "DTEND;TZID=Europe/Zurich:20140331T100000",
        ),
        *vevent("UID:f@x", "SUMMARY:Floating", "DTSTART:20140124T180000"),
        *vevent(
            "UID:w@x",
            "SUMMARY:Windows zone",
            "DTSTART;TZID=W. Europe Standard Time:20140124T180000",
        ),
    )
    utc_event, zurich, floating, windows = import_ics(data, "Asia/Tokyo").events
    assert utc_event.timezone == "UTC" and not utc_event.all_day
    assert utc_event.start == datetime(2014, 1, 24, 18, tzinfo=UTC)
    assert utc_event.end == datetime(2014, 1, 24, 19, 30, tzinfo=UTC)
    assert zurich.timezone == "Europe/Zurich"
    assert zurich.start == datetime(2014, 3, 31, 7, tzinfo=UTC)  # summer time
    assert floating.timezone == "Asia/Tokyo"
    assert floating.start == datetime(2014, 1, 24, 9, tzinfo=UTC)
    assert floating.end is None
    assert windows.start == datetime(2014, 1, 24, 17, tzinfo=UTC)


def test_import_calendar_timezone_for_floating_times() -> None:
    data = ics(
        *vevent("UID:f@x", "SUMMARY:Floating", "DTSTART:20140124T180000"),
        header=("X-WR-TIMEZONE:Europe/Zurich",),
    )
    (got,) = import_ics(data, "UTC").events
    assert got.timezone == "Europe/Zurich"
    assert got.start == datetime(2014, 1, 24, 17, tzinfo=UTC)


def test_import_status_kind_and_categories() -> None:
    data = ics(
        *vevent("UID:1", "SUMMARY:a", "DTSTART;VALUE=DATE:20140101", "STATUS:TENTATIVE"),
        *vevent("UID:2", "SUMMARY:b", "DTSTART;VALUE=DATE:20140101", "STATUS:CANCELLED"),
        *vevent("UID:3", "SUMMARY:c", "DTSTART;VALUE=DATE:20140101", "CATEGORIES:Work,deadline"),
        *vevent("UID:4", "SUMMARY:d", "DTSTART;VALUE=DATE:20140101", "X-CONCORD-KIND:window"),
        *vevent("UID:5", "SUMMARY:e", "DTSTART;VALUE=DATE:20140101", "X-CONCORD-KIND:party"),
    )
    a, b, c, d, e = import_ics(data, "UTC").events
    assert a.tentative and a.status is EventStatus.SCHEDULED
    assert b.status is EventStatus.CANCELLED and not b.tentative
    assert c.kind is EventKind.DEADLINE
    assert d.kind is EventKind.WINDOW
    assert e.kind is EventKind.MEETING


def test_event_without_start_is_skipped_with_a_warning() -> None:
    data = ics(
        *vevent("UID:1", "SUMMARY:No start"),
        *vevent("UID:2", "SUMMARY:Fine", "DTSTART;VALUE=DATE:20140101"),
    )
    result = import_ics(data, "UTC")
    assert [e.title for e in result.events] == ["Fine"]
    assert result.warnings == ['Skipped "No start": it has no start date (DTSTART).']


def test_event_with_garbage_start_is_skipped() -> None:
    data = ics(*vevent("UID:1", "SUMMARY:Bad", "DTSTART:soon"))
    result = import_ics(data, "UTC")
    assert result.events == []
    assert result.warnings and "Bad" in result.warnings[0]


def test_end_before_start_is_repaired_with_a_warning() -> None:
    data = ics(
        *vevent("UID:1", "SUMMARY:Backwards", "DTSTART:20140124T180000Z", "DTEND:20140124T170000Z"),
        *vevent(
            "UID:2",
            "SUMMARY:Backwards days",
            "DTSTART;VALUE=DATE:20140124",
            "DTEND;VALUE=DATE:20140120",
        ),
    )
    result = import_ics(data, "UTC")
    timed, day = result.events
    assert timed.end is None
    assert day.end == datetime(2014, 1, 25, tzinfo=UTC)
    assert len(result.warnings) == 2


def test_missing_uid_gets_a_stable_one() -> None:
    data = ics(*vevent("SUMMARY:No uid", "DTSTART;VALUE=DATE:20140101"))
    first = import_ics(data, "UTC").events[0].uid
    assert first.startswith("import-") and first == import_ics(data, "UTC").events[0].uid


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n",
        b"hello",
        b"BEGIN:VCALENDAR\r\nfoo\r\n",
        b"BEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\n",
        b"\xff\xfe\x00garbage",
        b"%PDF-1.4 not a calendar",
    ],
)
def test_malformed_files(data: bytes) -> None:
    with pytest.raises(UserError) as err:
        import_ics(data, "UTC")
    message = str(err.value)
    assert message.startswith("That file isn't a valid iCalendar (.ics) file: ")
    assert message.endswith(".") and "\n" not in message


# --------------------------------------------------------------------------- recurrence


def test_weekly_rule_with_until_exdate_and_override_is_kept_as_a_series() -> None:
    data = ics(
        *vevent(
            "UID:weekly@x",
            "SUMMARY:Weekly call",
            "DTSTART;TZID=Europe/Zurich:20140317T090000",
            "DTEND;TZID=Europe/Zurich:20140317T100000",
            "RRULE:FREQ=WEEKLY;UNTIL=20140415T000000Z",
            "EXDATE;TZID=Europe/Zurich:20140324T090000",
        ),
        *vevent(
            "UID:weekly@x",
            "RECURRENCE-ID;TZID=Europe/Zurich:20140407T090000",
            "SUMMARY:Weekly call (moved)",
            "DTSTART;TZID=Europe/Zurich:20140408T090000",
            "DTEND;TZID=Europe/Zurich:20140408T100000",
        ),
    )
    result = import_ics(data, "UTC")
    assert result.warnings == []
    (series,) = result.events
    assert series.uid == "weekly@x" and series.rrule == "FREQ=WEEKLY;UNTIL=20140415T000000Z"
    assert series.start == datetime(2014, 3, 17, 8, tzinfo=UTC)
    assert series.end == datetime(2014, 3, 17, 9, tzinfo=UTC)
    # The last occurrence, 14 April, is summer time: still 09:00 in Zurich.
    assert series.series_end == datetime(2014, 4, 14, 7, tzinfo=UTC)
    assert series.changes == (
        OccurrenceChange(datetime(2014, 3, 24, 8, tzinfo=UTC), cancelled=True),
        OccurrenceChange(
            datetime(2014, 4, 7, 7, tzinfo=UTC),
            start=datetime(2014, 4, 8, 7, tzinfo=UTC),
            end=datetime(2014, 4, 8, 8, tzinfo=UTC),
            title="Weekly call (moved)",
        ),
    )


def test_all_day_rule_with_count_is_a_series_in_its_zone() -> None:
    data = ics(
        *vevent(
            "UID:m@x",
            "SUMMARY:Monthly",
            "DTSTART;VALUE=DATE:20140130",
            "DTEND;VALUE=DATE:20140201",
            "RRULE:FREQ=MONTHLY;COUNT=3;BYMONTHDAY=-2",
        )
    )
    (series,) = import_ics(data, "Europe/Zurich").events
    assert series.all_day and series.timezone == "Europe/Zurich"
    assert series.rrule == "FREQ=MONTHLY;BYMONTHDAY=-2;COUNT=3"
    assert series.series_end == datetime(2014, 3, 29, 23, tzinfo=UTC)  # 30 March, local


def test_all_day_rule_with_date_until_ends_on_that_day() -> None:
    data = ics(
        *vevent(
            "UID:d@x",
            "SUMMARY:Daily",
            "DTSTART;VALUE=DATE:20140101",
            "RRULE:FREQ=DAILY;UNTIL=20140103",
        )
    )
    (series,) = import_ics(data, "UTC").events
    assert series.uid == "d@x" and series.series_end == datetime(2014, 1, 3, tzinfo=UTC)


def test_unbounded_rule_is_one_open_ended_series() -> None:
    data = ics(
        *vevent("UID:f@x", "SUMMARY:Forever", "DTSTART:20140101T090000Z", "RRULE:FREQ=DAILY")
    )
    result = import_ics(data, "UTC")
    (series,) = result.events
    assert series.rrule == "FREQ=DAILY" and series.series_end is None
    assert result.warnings == []


def test_sub_daily_rule_is_still_expanded_and_capped() -> None:
    data = ics(
        *vevent("UID:f@x", "SUMMARY:Hourly", "DTSTART:20140101T090000Z", "RRULE:FREQ=HOURLY")
    )
    result = import_ics(data, "UTC")
    assert len(result.events) == MAX_OCCURRENCES
    assert result.events[-1].start == datetime(2014, 1, 1, 9, tzinfo=UTC) + timedelta(hours=99)
    assert result.warnings == [
        f'"Hourly" repeats more than {MAX_OCCURRENCES} times; '
        f"only the first {MAX_OCCURRENCES} were imported."
    ]


def test_rdate_adds_occurrences() -> None:
    data = ics(
        *vevent(
            "UID:r@x",
            "SUMMARY:Extra",
            "DTSTART:20140101T090000Z",
            "RDATE:20140105T090000Z,20140110T090000Z",
        )
    )
    assert [e.start.day for e in import_ics(data, "UTC").events] == [1, 5, 10]


# --------------------------------------------------------------------------- the sample


def test_sample_calendar_loads() -> None:
    result = import_ics(SAMPLE.read_bytes(), "UTC")
    assert result.warnings == []
    events = {e.uid: e for e in result.events}
    assert len(events) == len(result.events) == 15
    assert all(e.all_day and e.kind is EventKind.MEETING for e in events.values())

    def days(uid: str) -> tuple[date, date, str]:
        e = events[uid]
        tz = ZoneInfo(e.timezone)
        assert e.end is not None
        return (
            e.start.astimezone(tz).date(),
            e.end.astimezone(tz).date() - timedelta(days=1),
            e.location or "",
        )

    assert days("icann49-2014@concord.sample") == (
        date(2014, 3, 23),
        date(2014, 3, 27),
        "Singapore, Singapore",
    )
    assert days("netmundial-2014@concord.sample")[:2] == (date(2014, 4, 23), date(2014, 4, 24))
    assert "São Paulo" in days("netmundial-2014@concord.sample")[2]
    assert days("itu-pp14-2014@concord.sample")[:2] == (date(2014, 10, 20), date(2014, 11, 7))
    assert days("wtdc14-2014@concord.sample")[:2] == (date(2014, 3, 31), date(2014, 4, 11))
    assert days("freedom-online-4-2014@concord.sample")[:2] == (
        date(2014, 4, 28),
        date(2014, 4, 29),
    )
    assert days("montevideo-statement-2013@concord.sample")[:2] == (
        date(2013, 10, 7),
        date(2013, 10, 7),
    )
    assert days("hlp-sunnylands-2013@concord.sample")[:2] == (
        date(2013, 12, 12),
        date(2013, 12, 13),
    )
    assert days("hlp-dubai-final-2014@concord.sample")[:2] == (date(2014, 5, 3), date(2014, 5, 4))
    assert days("wsis10-mpp-2@concord.sample")[:2] == (date(2013, 12, 16), date(2013, 12, 18))
    assert days("wsis10-mpp-3@concord.sample")[:2] == (date(2014, 2, 17), date(2014, 2, 18))
    assert days("igf-2013@concord.sample")[:2] == (date(2013, 10, 22), date(2013, 10, 25))
    assert days("wsis10-final-brief-2014@concord.sample")[:2] == (
        date(2014, 3, 12),
        date(2014, 3, 12),
    )
    late_january = events["hlp-late-january-2014@concord.sample"]
    assert late_january.tentative
    assert days("hlp-late-january-2014@concord.sample")[:2] == (
        date(2014, 1, 21),
        date(2014, 1, 31),
    )
    assert events["itu-pp14-2014@concord.sample"].timezone == "Asia/Seoul"


def test_sample_calendar_matches_every_seed_date() -> None:
    """Each date expression of seed 000 parses to an event of the sample calendar."""
    seed_dates = [
        "20 October - 7 November 2014", "23-27 March 2014", "23-24 April 2014",
        "16-18 December 2013", "22 - 25 October 2013", "3-4 May 2014", "7 October 2013",
        "12 March 2014", "31 March - 11 April 2014", "28-29 April 2014", "12-13 December 2013",
        "TBD (late ianuary)", "17-18 February 2014",
    ]  # fmt: skip
    events = import_ics(SAMPLE.read_bytes(), "UTC").events
    spans = set()
    for e in events:
        tz = ZoneInfo(e.timezone)
        assert e.end is not None
        spans.add((e.start.astimezone(tz).date(), e.end.astimezone(tz).date()))
    for text in seed_dates:
        when = parse_when(text, NOW, "UTC")
        assert when.end is not None
        assert (when.start.date(), when.end.date()) in spans, text


def test_sample_calendar_round_trips_through_export() -> None:
    imported = import_ics(SAMPLE.read_bytes(), "UTC").events
    as_events = [
        Event(
            id=n,
            guild_id=1,
            title=e.title,
            kind=e.kind,
            start=e.start,
            end=e.end,
            all_day=e.all_day,
            timezone=e.timezone,
            location=e.location,
            url=e.url,
            description=e.description,
            tentative=e.tentative,
            status=e.status,
            uid=e.uid,
        )
        for n, e in enumerate(imported, start=1)
    ]
    again = import_ics(export_ics(as_events, stamp=NOW), "UTC").events
    assert again == imported


# --------------------------------------------------------------------------- hostile rules


def _timed_import(data: bytes, **kwargs: object) -> tuple[float, object]:
    import time

    started = time.monotonic()
    result = import_ics(data, "UTC", **kwargs)  # type: ignore[arg-type]
    return time.monotonic() - started, result


def test_never_matching_rule_is_quick_and_warned() -> None:
    """FREQ=SECONDLY on 30 February never matches; dateutil alone walks to year 9999 (minutes
    of CPU on a busy machine). The import keeps the first date and says why, at once."""
    data = ics(
        *vevent(
            "UID:h@x",
            "SUMMARY:Hostile",
            "DTSTART:20140301T090000Z",
            "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
        ),
        *vevent("UID:ok@x", "SUMMARY:Fine", "DTSTART;VALUE=DATE:20140101"),
    )
    took, result = _timed_import(data)
    assert took < 0.5
    assert isinstance(result, ParsedCalendar)
    assert [(e.title, e.start) for e in result.events] == [
        ("Hostile", datetime(2014, 3, 1, 9, tzinfo=UTC)),
        ("Fine", datetime(2014, 1, 1, tzinfo=UTC)),
    ]
    assert result.warnings == [
        '"Hostile" has a repeat rule that never matches a date; only its first date was imported.'
    ]


def test_slow_rule_is_cut_off_by_the_time_budget() -> None:
    """A rule no quick check recognises (1 January in February) is stopped by the budget; the
    series after it keep their first date, since the budget is spent."""
    data = ics(
        *vevent(
            "UID:w@x", "SUMMARY:Weekly", "DTSTART:20140101T090000Z", "RRULE:FREQ=WEEKLY;COUNT=3"
        ),
        *vevent(
            "UID:h@x",
            "SUMMARY:Slow",
            "DTSTART:20140301T090000Z",
            "RRULE:FREQ=SECONDLY;BYYEARDAY=1;BYMONTH=2",
        ),
        *vevent("UID:l@x", "SUMMARY:Later", "DTSTART:20140401T090000Z", "RRULE:FREQ=DAILY"),
        *vevent("UID:ok@x", "SUMMARY:Fine", "DTSTART;VALUE=DATE:20140101"),
    )
    took, result = _timed_import(data, budget=0.3)
    assert took < 1.5
    assert isinstance(result, ParsedCalendar)
    # Weekly and Later are kept as series (their rules are checked, not expanded); Slow is
    # sub-daily, so it is expanded, and the budget stops it.
    assert [e.title for e in result.events] == ["Weekly", "Slow", "Later", "Fine"]
    assert [e.rrule for e in result.events] == ["FREQ=WEEKLY;COUNT=3", None, "FREQ=DAILY", None]
    assert result.events[1].uid == "h@x#20140301T090000Z"
    assert result.warnings == [
        '"Slow" has a repeat rule that took too long to expand; only its first date was'
        " imported.",
    ]


# --------------------------------------------------------------------------- odd but valid files


def test_override_without_its_master_is_imported_alone() -> None:
    """Calendar apps export one changed occurrence (RECURRENCE-ID) without its series."""
    data = ics(
        *vevent(
            "UID:weekly@x",
            "RECURRENCE-ID;TZID=Europe/Zurich:20140407T090000",
            "SUMMARY:Weekly call (moved)",
            "DTSTART;TZID=Europe/Zurich:20140408T090000",
            "DTEND;TZID=Europe/Zurich:20140408T100000",
        )
    )
    result = import_ics(data, "UTC")
    assert result.warnings == []
    (got,) = result.events
    assert got.uid == "weekly@x#20140407T070000Z"
    assert got.title == "Weekly call (moved)" and got.timezone == "Europe/Zurich"
    assert got.start == datetime(2014, 4, 8, 7, tzinfo=UTC)
    assert got.end == datetime(2014, 4, 8, 8, tzinfo=UTC)


def test_several_calendars_in_one_file_are_all_read() -> None:
    first = ics(
        *vevent("UID:a@x", "SUMMARY:First", "DTSTART:20140124T180000"),
        header=("X-WR-TIMEZONE:Europe/Zurich",),
    )
    second = ics(*vevent("UID:b@x", "SUMMARY:Second", "DTSTART;VALUE=DATE:20140125"))
    result = import_ics(first + second, "UTC")
    assert result.warnings == []
    a, b = result.events
    assert (a.title, a.timezone, a.start) == (
        "First", "Europe/Zurich", datetime(2014, 1, 24, 17, tzinfo=UTC)
    )
    assert (b.title, b.timezone, b.start) == ("Second", "UTC", datetime(2014, 1, 25, tzinfo=UTC))


# --------------------------------------------------------------------------- one bad event


def test_one_bad_event_does_not_refuse_the_file() -> None:
    """An event whose time cannot be placed (past the year 9999 in UTC) or lies outside the
    years Concord keeps (1900-2200) is skipped with one line; the others are imported."""
    data = ics(
        *vevent("UID:a@x", "SUMMARY:Good", "DTSTART;VALUE=DATE:20140101"),
        *vevent("UID:b@x", "SUMMARY:Overflow", "DTSTART;TZID=America/New_York:99991231T230000"),
        *vevent("UID:c@x", "SUMMARY:Far", "DTSTART;VALUE=DATE:30000101"),
        *vevent("UID:d@x", "SUMMARY:Also good", "DTSTART:20140102T090000Z"),
    )
    result = import_ics(data, "UTC")
    assert [e.title for e in result.events] == ["Good", "Also good"]
    assert len(result.warnings) == 2
    assert result.warnings[0].startswith('Skipped "Overflow": ')
    assert result.warnings[1] == (
        'Skipped "Far": it is in the year 3000; Concord keeps events from 1900 to 2200.'
    )
    assert all("\n" not in w and len(w) < 200 for w in result.warnings)


def test_control_characters_are_stripped() -> None:
    data = ics(
        *vevent(
            "UID:a\x00@x",
            "SUMMARY:Bad\x00 na\x07me\x1b",
            "DESCRIPTION:tab\there\\nline",
            "DTSTART;VALUE=DATE:20140101",
        )
    )
    (got,) = import_ics(data, "UTC").events
    assert (got.uid, got.title, got.description) == ("a@x", "Bad name", "tab\there\nline")


def test_an_unexpected_error_in_one_event_is_one_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.domain.ical.vevent as ical

    real = ical._kind

    def kind(component: object) -> EventKind:
        if "Broken" in str(component.get("SUMMARY")):  # type: ignore[attr-defined]
            raise RuntimeError("a library bug\nover two lines")
        return real(component)  # type: ignore[arg-type]

    monkeypatch.setattr(ical, "_kind", kind)
    data = ics(
        *vevent("UID:a@x", "SUMMARY:Broken", "DTSTART;VALUE=DATE:20140101"),
        *vevent("UID:b@x", "SUMMARY:Fine", "DTSTART;VALUE=DATE:20140102"),
    )
    result = import_ics(data, "UTC")
    assert [e.title for e in result.events] == ["Fine"]
    assert result.warnings == [
        'Skipped "Broken": it cannot be read (a library bug over two lines).'
    ]


# --------------------------------------------------------------------------- odd stored dates


def test_export_leaves_out_events_it_cannot_place() -> None:
    """Events stored before `when` kept to 1900-2200 (or written by hand) never break the
    export: they are left out and handed back to say so."""
    fine = event("23-27 March 2014", "Asia/Singapore", id=1)
    end_of_time = replace(
        fine, id=2, title="Far", start=datetime(9999, 12, 31, 20, tzinfo=UTC),
        end=datetime(9999, 12, 31, 23, tzinfo=UTC), timezone="Pacific/Kiritimati",
    )
    ancient = replace(fine, id=3, title="Ancient", start=datetime(1, 1, 1, 1, tzinfo=UTC), end=None,
                      all_day=False, timezone="America/New_York")
    late = replace(fine, id=4, title="Late", start=datetime(2500, 1, 1, tzinfo=UTC), end=None,
                   all_day=False, timezone="UTC")
    left_out: list[Event] = []
    data = export_ics([fine, end_of_time, ancient, late], stamp=NOW, left_out=left_out)
    assert [e.id for e in left_out] == [2, 3, 4]
    (back,) = import_ics(data, "UTC").events
    same(fine, back)
