"""The pure part of the calendar outside Discord: addresses, bodies, names, changes, wording."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.feeds import (
    Change,
    ChangeKind,
    FetchRefused,
    announced,
    announcement_messages,
    calendar_name,
    check_body,
    check_subscription_url,
    classify,
    default_public_url,
    feed_url,
    is_loopback_url,
    is_public_address,
    plain,
    scoped_uid,
)
from bot.domain.models import Event, EventKind, EventStatus
from bot.errors import UserError

NOW = datetime(2013, 11, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True), ("2001:4860:4860::8888", True), ("127.0.0.1", False),
        ("10.0.0.1", False), ("172.16.5.4", False), ("192.168.1.1", False),
        ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False),
        ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False), ("224.0.0.1", False), ("255.255.255.255", False),
        ("192.0.2.1", False), ("fe80::1%eth0", False), ("not-an-address", False),
    ],
)
def test_only_public_addresses_are_public(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_subscription_urls() -> None:
    assert check_subscription_url(" webcal://example.org/c.ics ") == "https://example.org/c.ics"
    assert check_subscription_url("http://example.org/c.ics") == "http://example.org/c.ics"
    for bad in ("ftp://example.org/c.ics", "example.org", "https://", "https://a b/c.ics",
                "https://example.org/" + "x" * 600):
        with pytest.raises(UserError, match="starting with http:// or https://"):
            check_subscription_url(bad)
    with pytest.raises(UserError, match="without a user name or password"):
        check_subscription_url("https://me:secret@example.org/c.ics")


def test_bodies_must_be_icalendar() -> None:
    check_body(b"\xef\xbb\xbf\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    check_body(b"begin:vcalendar\r\n")
    for body, seen in ((b"<!DOCTYPE html><html>", "a web page (HTML)"), (b'{"a": 1}', "JSON"),
                       (b"", "empty"), (b"hello", "something else")):
        with pytest.raises(FetchRefused, match=seen.replace("(", r"\(").replace(")", r"\)")):
            check_body(body)


def test_calendar_name_is_read_unfolded_and_unescaped() -> None:
    data = b"BEGIN:VCALENDAR\r\nX-WR-CALNAME:ITU\\, events of\r\n  2014\r\nEND:VCALENDAR\r\n"
    assert calendar_name(data) == "ITU, events of 2014"
    assert calendar_name(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n") is None


def test_feed_urls() -> None:
    assert default_public_url("127.0.0.1", 8080) == "http://127.0.0.1:8080"
    assert default_public_url("::1", 8080) == "http://[::1]:8080"
    assert feed_url("https://c.example.org/", "abc") == "https://c.example.org/calendar/abc.ics"
    assert is_loopback_url("http://127.0.0.1:8080/calendar/x.ics")
    assert is_loopback_url("http://localhost:8080") and is_loopback_url("http://[::1]:1")
    assert is_loopback_url("http://0.0.0.0:8080")
    assert not is_loopback_url("https://concord.example.org/calendar/x.ics")
    assert scoped_uid(3, "1") == "sub3:1" and len(scoped_uid(3, "x" * 300)) == 255


def event(**changes: object) -> Event:
    base = Event(id=1, guild_id=1, title="ICANN 49", kind=EventKind.MEETING,
                 start=datetime(2014, 3, 23, 9, tzinfo=UTC), end=None, all_day=False,
                 timezone="UTC")
    return replace(base, **changes)  # type: ignore[arg-type]


def test_changes_are_classified() -> None:
    before = event()
    later = before.start + timedelta(days=1)
    assert classify(before, before) is None
    assert classify(before, event(start=later)) is ChangeKind.MOVED
    assert classify(before, event(status=EventStatus.POSTPONED)) is ChangeKind.POSTPONED
    assert classify(before, event(status=EventStatus.CANCELLED, start=later)) is ChangeKind.CANCELLED
    cancelled = event(status=EventStatus.CANCELLED)
    assert classify(cancelled, before) is ChangeKind.RESTORED
    assert classify(cancelled, event(start=later)) is ChangeKind.MOVED
    assert classify(before, event(title="ICANN 49 (Singapore)")) is ChangeKind.UPDATED


def test_what_is_announced() -> None:
    past = event(start=NOW - timedelta(days=30))
    changes = [
        Change(ChangeKind.UPDATED, event(), event(title="x")),
        Change(ChangeKind.MOVED, past, replace(past, start=past.start + timedelta(days=1))),
        Change(ChangeKind.MOVED, past, event()),  # from the past into the future: announced
        Change(ChangeKind.REMOVED, event(), None),
    ]
    assert [c.kind for c in announced(changes, NOW)] == [ChangeKind.MOVED, ChangeKind.REMOVED]


def test_outside_text_is_inert_and_messages_fit() -> None:
    assert plain("**bold** [x](http://y) <@1>\u202e") == r"\*\*bold\*\* \[x\](http://y) \<@1\>"
    messages = announcement_messages("Head:", ["x" * 900] * 5 + ["y" * 3000])
    assert all(len(m) <= 2000 and m.startswith("Head:\n") for m in messages)
    assert sum(m.count("x" * 900) for m in messages) == 5 and messages[-1].endswith("…")
