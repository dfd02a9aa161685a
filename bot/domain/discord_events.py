"""How a Concord meeting looks as a Discord scheduled event (SPEC 11, "Discord's own events").

Pure: no database, no Discord client, no clock (`now` is passed in). The mirror
(bot.discord_io.scheduled_events) sends `MirrorSpec.create_payload()` and compares
`fingerprint()`s to know whether Discord is out of step.

Discord's rules, as the contract states them: name and location cut to 100 characters; no
location -> the event's url, else "see /event show #id"; no end -> start + 1 hour; an all-day
meeting runs 00:00-23:59 in the server's zone; postponed -> the name says "(postponed)".
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.models import Event, EventKind, EventStatus
from bot.domain.timefmt import local_date

NAME_LIMIT = 100
LOCATION_LIMIT = 100
DESCRIPTION_LIMIT = 1000
#: Discord's values: an external event (entity_type 3), visible to the guild only (privacy 2).
EXTERNAL = 3
GUILD_ONLY = 2
#: Discord's scheduled-event statuses.
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
POSTPONED_SUFFIX = " (postponed)"
DEFAULT_LENGTH = timedelta(hours=1)

_MARKER = re.compile(r"Concord #(\d+)\s*$")


def marker(event_id: int) -> str:
    """The last line of every mirrored event's description: how a Discord event is recognised
    as the mirror of Concord event `event_id` (after a crash, before its id was recorded)."""
    return f"Concord #{event_id}"


def marked_event_id(description: str | None) -> int | None:
    """The Concord event id a Discord event's description names in its last line, if any."""
    if not description:
        return None
    found = _MARKER.search(description)
    return int(found.group(1)) if found else None


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class MirrorSpec:
    """What Discord should show for one Concord meeting (or its next occurrence)."""

    event_id: int
    name: str
    description: str
    location: str
    start: datetime
    end: datetime

    def create_payload(self) -> dict[str, Any]:
        """The body of POST /guilds/{guild}/scheduled-events (and of PATCH, which takes the
        same fields)."""
        return {
            "name": self.name,
            "description": self.description,
            "privacy_level": GUILD_ONLY,
            "entity_type": EXTERNAL,
            "entity_metadata": {"location": self.location},
            "scheduled_start_time": self.start.isoformat(),
            "scheduled_end_time": self.end.isoformat(),
        }

    def fingerprint(self) -> str:
        """Changes whenever anything Discord shows changes."""
        body = json.dumps(self.create_payload(), sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()[:32]


def is_mirrored(event: Event, now: datetime) -> bool:
    """A meeting is mirrored while it is to come and not cancelled (postponed ones too, named
    so). Discord refuses an event that starts in the past; one that started stays as it is."""
    return (
        event.kind is EventKind.MEETING
        and event.status is not EventStatus.CANCELLED
        and event.start > now
    )


def span(event: Event, server_zone: str) -> tuple[datetime, datetime]:
    """Start and end as Discord needs them: an end is required and after the start."""
    if event.all_day:
        zone = ZoneInfo(server_zone)
        first = local_date(event.start, event.timezone)
        last = (
            local_date(event.end, event.timezone) - timedelta(days=1)
            if event.end is not None
            else first
        )
        last = max(last, first)
        start = datetime.combine(first, time(0, 0), zone)
        return start, datetime.combine(last, time(23, 59), zone)
    end = event.end if event.end is not None and event.end > event.start else None
    return event.start, end or event.start + DEFAULT_LENGTH


def mirror_spec(event: Event, server_zone: str) -> MirrorSpec:
    """The Discord scheduled event for `event` (a meeting, or a series' next occurrence)."""
    name = _cut(event.title, NAME_LIMIT)
    if event.status is EventStatus.POSTPONED:
        name = _cut(event.title, NAME_LIMIT - len(POSTPONED_SUFFIX)) + POSTPONED_SUFFIX
    if event.location and event.location.strip():
        location = _cut(event.location, LOCATION_LIMIT)
    elif event.url and event.url.strip():
        location = _cut(event.url, LOCATION_LIMIT)
    else:
        location = f"see /event show #{event.id}"
    tail = marker(event.id)
    body = (event.description or "").strip()
    if event.tentative:
        body = ("Tentative. " + body).strip()
    room = DESCRIPTION_LIMIT - len(tail) - 2
    if body:
        if len(body) > room:
            body = body[: room - 1] + "…"
        description = f"{body}\n\n{tail}"
    else:
        description = tail
    start, end = span(event, server_zone)
    return MirrorSpec(event.id, name, description, location, start, end)


# ------------------------------------------------------------------ keeping Discord in step

#: A mirror row's states: the call to create was intended (discord_id may still be unknown);
#: the Discord event exists; Concord cancelled it (a cancelled Discord event cannot come back,
#: so an event that comes back gets a new one).
CREATING, LIVE, CANCELLED = "creating", "live", "cancelled"


@dataclass(frozen=True, slots=True)
class MirrorRow:
    """What the database knows of one Concord event's Discord scheduled event."""

    event_id: int
    guild_id: int
    discord_id: int | None
    state: str
    synced: str | None  # the fingerprint Discord is known to show
    attempts: int = 0
    retry_at: datetime | None = None
    error: str | None = None


class Step(enum.StrEnum):
    CREATE = "create"  # (first looking for one made before a crash, when the row says creating)
    UPDATE = "update"
    CANCEL = "cancel"
    DELETE = "delete"
    FORGET = "forget"  # the row only: the meeting started, or its Discord event is cancelled


@dataclass(frozen=True, slots=True)
class MirrorStep:
    step: Step
    event_id: int
    spec: MirrorSpec | None
    row: MirrorRow | None


def plan_mirror(
    rows: list[MirrorRow],
    wanted: dict[int, MirrorSpec],
    cancelled: set[int],
    started: set[int],
    now: datetime,
) -> list[MirrorStep]:
    """What to do so Discord shows `wanted` (event id -> spec; empty when the setting is off):
    `cancelled` are cancelled meetings still to come (their Discord events are cancelled, not
    deleted), `started` are events whose mirror is left as it is. Any other row's event was
    removed or is no longer mirrored: its Discord event is deleted. Rows waiting for a retry
    (`retry_at` after `now`) are left for later."""
    by_id = {r.event_id: r for r in rows}
    steps: list[MirrorStep] = []

    def due(row: MirrorRow | None) -> bool:
        return row is None or row.retry_at is None or row.retry_at <= now

    for event_id, spec in sorted(wanted.items(), key=lambda kv: (kv[1].start, kv[0])):
        row = by_id.get(event_id)
        if not due(row):
            continue
        if row is None or row.state in (CREATING, CANCELLED):
            steps.append(MirrorStep(Step.CREATE, event_id, spec, row))
        elif row.synced != spec.fingerprint():
            steps.append(MirrorStep(Step.UPDATE, event_id, spec, row))
    for row in rows:
        if row.event_id in wanted or not due(row):
            continue
        if row.event_id in cancelled:
            if row.state != CANCELLED:
                steps.append(MirrorStep(Step.CANCEL, row.event_id, None, row))
        elif row.event_id in started or row.state == CANCELLED:
            steps.append(MirrorStep(Step.FORGET, row.event_id, None, row))
        else:
            steps.append(MirrorStep(Step.DELETE, row.event_id, None, row))
    return steps


def retry_delay(attempts: int) -> timedelta:
    """After `attempts` failed calls in a row: 30 s, 1 min, 2 min ... at most an hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))
