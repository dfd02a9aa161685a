"""The calendar outside Discord, the pure part (SPEC 11): feed secrets and URLs, which addresses
a subscription may reach, what a fetched body must look like, and what a subscription's check
changed, worded for the reminder channel.

No database, no Discord, no network, no clock: times are passed in.
"""

from __future__ import annotations

import enum
import hashlib
import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from bot.domain import ical
from bot.domain.calendar import times, web_url_parts
from bot.domain.models import Event, EventStatus
from bot.domain.timefmt import format_event_time
from bot.errors import UserError
from bot.i18n import Msg
from bot.limits import MESSAGE_LIMIT
from bot.text import strip_bidi

MAX_FEED_BYTES = 1_000_000  # a subscribed calendar's body, at most
MAX_REDIRECTS = 5
FETCH_SECONDS = 20.0  # one check, every hop and the body included
MAX_SUBSCRIPTIONS = 20  # per server
MAX_SUBSCRIPTION_URL = 500
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


# --------------------------------------------------------------------------- the feed's secret


def secret_lookup(secret: str) -> str:
    """What a feed's row is found by: the secret's SHA-256 (hex)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_url(public_url: str, secret: str) -> str:
    return f"{public_url.rstrip('/')}/calendar/{secret}.ics"


def default_public_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def is_loopback_url(url: str) -> bool:
    """True when `url` names this machine only (localhost, 127.x, ::1, 0.0.0.0): calendar apps
    elsewhere cannot reach it."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


# --------------------------------------------------------------------------- what may be fetched


def check_subscription_url(text: str) -> str:
    """An http(s) URL to follow, as typed (webcal:// is read as https://)."""
    url = text.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    parts = web_url_parts(url, MAX_SUBSCRIPTION_URL)
    if parts is None:
        raise UserError(Msg(
            "Give the calendar's address starting with http:// or https:// (at most {n}"
            " characters), e.g. https://example.org/calendar.ics.", n=MAX_SUBSCRIPTION_URL,
        ))
    if parts.username or parts.password:
        raise UserError(Msg(
            "Give the calendar's address without a user name or password in it, e.g."
            " https://example.org/calendar.ics."
        ))
    return url


def is_public_address(text: str) -> bool:
    """True for an address on the public Internet: not loopback, private, link-local, shared
    (100.64/10), multicast, reserved or unspecified, also when written as IPv4 inside IPv6."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or (
            address.teredo[1] if address.teredo else None
        )
        if inner is not None and not is_public_address(str(inner)):
            return False
    return address.is_global and not address.is_multicast


class FetchRefused(Exception):
    """A subscribed calendar could not be fetched or was refused; the message is one sentence
    for the coordinator (shown by /calendar subscribe and /calendar subscriptions)."""


def check_body(data: bytes) -> None:
    """Refuse a body that is not an iCalendar file, saying what it looks like instead."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    if head.upper().startswith(b"BEGIN:VCALENDAR"):
        return
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered:
        seen = "a web page (HTML)"
    elif lowered.startswith((b"{", b"[")):
        seen = "JSON"
    elif lowered.startswith(b"<"):
        seen = "XML or HTML"
    elif not head:
        seen = "empty"
    else:
        seen = "something else"
    raise FetchRefused(
        f"the address answered with {seen}, not an iCalendar file (it should start with"
        " BEGIN:VCALENDAR); give the calendar's .ics or webcal address"
    )


_CALNAME = re.compile(rb"^X-WR-CALNAME(?:;[^:\r\n]*)?:(.*(?:\r?\n[ \t].*)*)", re.MULTILINE)


def calendar_name(data: bytes) -> str | None:
    """The calendar's own name (X-WR-CALNAME), on one line, at most 100 characters."""
    m = _CALNAME.search(data[:200_000])
    if m is None:
        return None
    raw = re.sub(rb"\r?\n[ \t]", b"", m.group(1)).decode("utf-8", "replace")
    name = " ".join(raw.replace("\\,", ",").replace("\\;", ";").replace("\\n", " ").split())
    return name[:100] or None


# --------------------------------------------------------------------------- scoped UIDs


def scoped_uid(subscription_id: int, uid: str) -> str:
    """The UID a subscribed event is stored under: its feed's UID within the subscription."""
    return f"{uid_prefix(subscription_id)}{uid}"[:255]


def uid_prefix(subscription_id: int) -> str:
    return f"sub{subscription_id}:"


def scoped(subscription_id: int, item: ical.ImportedEvent) -> ical.ImportedEvent:
    return replace(item, uid=scoped_uid(subscription_id, item.uid))


# --------------------------------------------------------------------------- what a check changed


class ChangeKind(enum.StrEnum):
    NEW = "new"
    MOVED = "moved"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    RESTORED = "restored"
    REMOVED = "removed"
    UPDATED = "updated"  # title, place or details: stored, not announced


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    before: Event | None  # None for NEW
    after: Event | None  # None for REMOVED

    @property
    def event(self) -> Event:
        found = self.after or self.before
        assert found is not None
        return found


def classify(before: Event, after: Event) -> ChangeKind | None:
    """What happened to a subscribed event between two checks (None: nothing)."""
    if after.status is not before.status:
        if after.status is EventStatus.CANCELLED:
            return ChangeKind.CANCELLED
        if after.status is EventStatus.POSTPONED:
            return ChangeKind.POSTPONED
        return ChangeKind.MOVED if times(before) != times(after) else ChangeKind.RESTORED
    if times(before) != times(after):
        return ChangeKind.MOVED
    compared = ("title", "location", "url", "description", "kind", "tentative", "timezone")
    if any(getattr(before, name) != getattr(after, name) for name in compared):
        return ChangeKind.UPDATED
    return None


def announced(changes: Iterable[Change], now: datetime) -> list[Change]:
    """The changes worth a line in the reminder channel: not mere detail updates, and not about
    events over before and after the change."""
    out = []
    for change in changes:
        if change.kind is ChangeKind.UPDATED:
            continue
        ends = [_last_moment(e) for e in (change.before, change.after) if e is not None]
        if ends and max(ends) < now:
            continue
        out.append(change)
    return out


def _last_moment(event: Event) -> datetime:
    return event.end or event.start


def _when(event: Event) -> str:
    return format_event_time(
        event.start, event.end, event.all_day, event.tentative, event.timezone
    )


_MARKDOWN = re.compile(r"([\\*_~`|>\[\]<#])")


def plain(text: str) -> str:
    """Text from an outside calendar made inert inside the bot's formatting: on one line,
    bidirectional overrides removed, Markdown and mention syntax escaped."""
    return _MARKDOWN.sub(r"\\\1", " ".join(strip_bidi(text).split()))


def change_line(change: Change) -> Msg:
    """One line of an announcement (under a header naming the calendar), e.g. "Moved: **ICANN
    49** from <t:..> to <t:..>"; the title is shown inert."""
    event = change.event
    title = f"**{plain(event.title)}**"
    if change.kind is ChangeKind.NEW:
        return Msg("New: {title} {when}", title=title, when=_when(event))
    if change.kind is ChangeKind.MOVED:
        assert change.before is not None and change.after is not None
        return Msg("Moved: {title} from {before} to {after}", title=title,
                   before=_when(change.before), after=_when(change.after))
    if change.kind is ChangeKind.POSTPONED:
        return Msg("Postponed: {title} (was {when})", title=title, when=_when(event))
    if change.kind is ChangeKind.CANCELLED:
        return Msg("Cancelled: {title} (was {when})", title=title, when=_when(event))
    if change.kind is ChangeKind.RESTORED:
        return Msg("Back on: {title} {when}", title=title, when=_when(event))
    return Msg("Removed from the calendar: {title} (was {when})", title=title, when=_when(event))


def announcement_messages(header: str, lines: Sequence[str]) -> list[str]:
    """`header` and the lines as messages within Discord's limit, split between lines (the
    header repeated on each), a too-long line cut with an ellipsis."""
    room = MESSAGE_LIMIT - len(header) - 1
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = line if len(line) <= room else line[: room - 1] + "…"
        if current and size + 1 + len(line) > room:
            messages.append("\n".join([header, *current]))
            current, size = [], 0
        current.append(line)
        size += len(line) + (1 if size else 0)
    if current:
        messages.append("\n".join([header, *current]))
    return messages


def diff_events(
    stored: Mapping[str, Event], fetched: Sequence[ical.ImportedEvent]
) -> tuple[list[ical.ImportedEvent], list[tuple[Event, ical.ImportedEvent]], list[Event]]:
    """Split a fetched feed against what is stored (both by scoped UID): new items, (stored,
    item) pairs to compare, and stored events the feed no longer has."""
    new: list[ical.ImportedEvent] = []
    pairs: list[tuple[Event, ical.ImportedEvent]] = []
    seen: set[str] = set()
    for item in fetched:
        seen.add(item.uid)
        before = stored.get(item.uid)
        if before is None:
            new.append(item)
        else:
            pairs.append((before, item))
    gone = [event for uid, event in stored.items() if uid not in seen]
    return new, pairs, gone


# --------------------------------------------------------------------------- stored values


@dataclass(frozen=True, slots=True)
class Feed:
    """A server's live calendar feed as stored."""

    guild_id: int
    secret: str
    created_at: datetime
    body_hash: str | None = None
    changed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Subscription:
    """An outside calendar a server follows, with the result of its last check."""

    id: int
    guild_id: int
    url: str
    name: str | None
    created_by: int | None
    created_at: datetime
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    checked_at: datetime | None
    ok_at: datetime | None
    error: str | None
    event_count: int
    next_check: datetime

    @property
    def label(self) -> str:
        """How the subscription is named in messages: its calendar's name, else its host."""
        return self.name or (urlsplit(self.url).hostname or self.url)


@dataclass(frozen=True, slots=True)
class Announcement:
    """One message for a server's reminder channel, waiting to be sent."""

    id: int
    guild_id: int
    body: str
    attempts: int
