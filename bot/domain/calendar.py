"""The calendar: meetings, deadlines and windows, their reminders, and iCalendar in and out.

Plain Python: the cog converts Discord options to the arguments here and formats what comes back.
Every change writes the event, its pending reminders (planned from the server's offsets and the
injected clock) and an audit row in one transaction, then notifies the reminder engine.

Decisions (the contract leaves them open):

- Every event gets a UID when it is created (`<uuid>@concord`), so an export imported back into
  the same server updates its events instead of duplicating them. Imported events without a UID
  get one derived from their title and start, so importing such a file twice does not duplicate.
- An event is named by its number (`12`, `#12`, or an autocomplete choice "#12 ICANN 49 · ..."),
  or by its exact title when only one event has it.
- `/event edit timezone:` without `when:` keeps the wall-clock times and dates and moves them to
  the new zone ("I meant 09:00 Geneva time").
- `location`, `url` and `description` are cleared on edit with "-".
- A draft's comment window (an event with `draft_id`) belongs to the draft: it is changed with
  `/draft window`, not `/event edit` or `/event remove`.
- Only a time change (start, end, all-day) marks the recomputed reminders "rescheduled".
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import urlsplit

from bot.db import audit
from bot.db.database import Database, Executor, opt_ms
from bot.db.events import EventRepository
from bot.db.reminders import ReminderRepository
from bot.domain import ical
from bot.domain.clock import Clock
from bot.domain.models import Event, EventKind, EventStatus, GuildSettings
from bot.domain.offsets import parse_offsets
from bot.domain.reminders import plan_event_reminders
from bot.domain.settings import SettingsService
from bot.domain.when import MAX_YEAR, MIN_YEAR, parse_when, validate_zone
from bot.errors import NotFound, UserError

log = logging.getLogger(__name__)

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_ICS_BYTES",
    "MAX_TITLE",
    "CalendarService",
    "Edited",
    "IcsExport",
    "ImportResult",
    "parse_kind",
    "parse_status",
]

MAX_TITLE = 200
MAX_LOCATION = 200
MAX_URL = 500
MAX_DESCRIPTION = 1000
MAX_ICS_BYTES = 1_000_000
#: The same member adding the same title at the same moment within this is one event (a retry).
SAME_EVENT_WINDOW = timedelta(minutes=10)
READ_DEADLINE = 15.0  # seconds to parse and expand one file (ical.EXPAND_BUDGET of it)
MAX_DAYS = 366
CLEAR = "-"
PRODID = "-//Concord//WSIS+10 process calendar//EN"


# --------------------------------------------------------------------------- validation


def clean_title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise UserError('Give the event a title, e.g. "ICANN 49".')
    if len(title) > MAX_TITLE:
        raise UserError(
            f"That title is {len(title)} characters; keep it to {MAX_TITLE}"
            " (put the rest in `description`)."
        )
    return title


def clean_location(text: str | None) -> str | None:
    if text is None:
        return None
    location = " ".join(text.split())
    if not location or location == CLEAR:
        return None
    if len(location) > MAX_LOCATION:
        raise UserError(
            f"That location is {len(location)} characters; keep it to {MAX_LOCATION},"
            ' e.g. "Singapore".'
        )
    return location


def clean_url(text: str | None) -> str | None:
    if text is None:
        return None
    url = text.strip()
    if not url or url == CLEAR:
        return None
    parts = urlsplit(url) if len(url) <= MAX_URL else None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or any(ch.isspace() for ch in url)
    ):
        raise UserError(
            "Give a web address starting with http:// or https:// (at most"
            f" {MAX_URL} characters), e.g. https://www.itu.int/wsis."
        )
    return url


def clean_description(text: str | None) -> str | None:
    if text is None:
        return None
    description = text.strip()
    if not description or description == CLEAR:
        return None
    if len(description) > MAX_DESCRIPTION:
        raise UserError(
            f"That description is {len(description):,} characters; keep it to"
            f" {MAX_DESCRIPTION:,} (put the rest behind a `url`)."
        )
    return description


def parse_kind(text: str | EventKind | None) -> EventKind | None:
    """`meeting`, `deadline`, `window` -> the kind; `all`, empty or None -> None (any kind)."""
    if text is None or isinstance(text, EventKind):
        return text
    wanted = text.strip().lower()
    if wanted in ("", "all", "any"):
        return None
    try:
        return EventKind(wanted)
    except ValueError:
        raise UserError("Choose a kind: meeting, deadline or window.") from None


def parse_status(text: str | EventStatus) -> EventStatus:
    if isinstance(text, EventStatus):
        return text
    try:
        return EventStatus(text.strip().lower())
    except ValueError:
        raise UserError("Choose a status: scheduled, postponed or cancelled.") from None


def parse_ref(text: str | int) -> int | None:
    """The event number in "12", "#12" or "#12 ICANN 49 · 23 Mar 2014"; None if there is none."""
    if isinstance(text, int):
        return text
    s = text.strip().lstrip("#").strip()
    digits = ""
    for ch in s:
        if not ch.isdigit():
            break
        digits += ch
    if not digits or (len(digits) < len(s) and not s[len(digits)].isspace()):
        return None
    return int(digits)


def _no_event(ref: str | int) -> NotFound:
    number = parse_ref(ref)
    if number is not None:
        return NotFound(f"There is no event #{number} here; `/upcoming` lists them.")
    shown = str(ref).strip()
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return NotFound(f'There is no event "{shown}" here; `/upcoming` lists them.')


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Edited:
    before: Event
    after: Event
    changes: tuple[str, ...]  # field names that changed: "title", "when", "status" ...


@dataclass(frozen=True, slots=True)
class Added:
    """What /event add did: the event, and whether it is new (False: the same event had just
    been added by the same member, and that one is returned)."""

    event: Event
    new: bool = True


@dataclass(slots=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # created or updated, by start

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True, slots=True)
class IcsExport:
    data: bytes
    count: int  # events in the file
    left_out: tuple[Event, ...] = ()  # events whose dates cannot be exported (see ical)


# --------------------------------------------------------------------------- the service


def _zone(name: str) -> tzinfo:
    if name == "UTC":
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def _times(event: Event) -> tuple[datetime, datetime | None, bool]:
    return (event.start, event.end, event.all_day)


def _plan_key(event: Event) -> tuple[Any, ...]:
    """What the reminders of an event depend on."""
    return (*_times(event), event.timezone, event.kind, event.status, event.tentative)


_COMPARED = ("title", "kind", "start", "end", "all_day", "timezone", "location", "url",
             "description", "tentative", "status")


def _changes(before: Event, after: Event) -> tuple[str, ...]:
    out: list[str] = []
    for name in _COMPARED:
        if getattr(before, name) != getattr(after, name):
            label = "when" if name in ("start", "end", "all_day") else name
            if label not in out:
                out.append(label)
    return tuple(out)


def _local_midnight(d: date, zone: str) -> datetime:
    return datetime.combine(d, time(0), tzinfo=_zone(zone)).astimezone(UTC)


def _is_local_midnight(dt: datetime, zone: str) -> bool:
    return dt.astimezone(_zone(zone)).time() == time(0)


class CalendarService:
    #: upsert_draft_window stores the window on the draft too, in the event's transaction
    #: (DraftService.set_window then leaves the draft alone).
    records_draft_window = True

    def __init__(
        self,
        db: Database,
        repo: EventRepository,
        settings: SettingsService,
        clock: Clock,
        notify: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.repo = repo
        self.settings = settings
        self.clock = clock
        self._notify = notify or (lambda: None)

    # ---------------------------------------------------------------- reading

    async def get(self, guild_id: int, ref: str | int) -> Event:
        """The event named by `ref` (a number, "#12", an autocomplete value or a unique title)."""
        number = parse_ref(ref)
        if number is not None:
            found = await self.repo.get(guild_id, number) if number < 2**62 else None
            if found is None:
                raise _no_event(ref)
            return found
        matches = await self.repo.by_title(guild_id, str(ref))
        if not matches:
            raise _no_event(ref)
        if len(matches) > 1:
            raise UserError(
                f'Several events are called "{matches[0].title[:60]}"; give its number instead,'
                f" e.g. `#{matches[0].id}`."
            )
        return matches[0]

    async def upcoming(
        self,
        guild_id: int,
        days: int = 30,
        kind: str | EventKind | None = None,
        now: datetime | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Event]:
        """Events overlapping [now, now + days], by start; `kind` None or "all" for any. With
        `limit`, one page of them: at most `limit` from the `offset`-th on."""
        start, end = self._days_ahead(days, now)
        return await self.repo.overlapping(
            guild_id, start, end, parse_kind(kind), limit=limit, offset=offset
        )

    def _days_ahead(self, days: int, now: datetime | None) -> tuple[datetime, datetime]:
        if not 1 <= days <= MAX_DAYS:
            raise UserError(f"Give a number of days from 1 to {MAX_DAYS}, e.g. 30.")
        start = now or self.clock()
        return start, start + timedelta(days=days)

    async def count_upcoming(
        self,
        guild_id: int,
        days: int = 30,
        kind: str | EventKind | None = None,
        now: datetime | None = None,
        *,
        cap: int = 1000,
    ) -> int:
        """How many events `upcoming` has, counted up to `cap` + 1 ("more than `cap`")."""
        start, end = self._days_ahead(days, now)
        return await self.repo.count_overlapping(guild_id, start, end, parse_kind(kind), cap=cap)

    async def search(self, guild_id: int, text: str, limit: int = 25) -> list[Event]:
        """Autocomplete candidates for an event option."""
        return await self.repo.search(guild_id, text[:100], self.clock(), limit)

    async def _zone_for(self, guild_id: int, actor_id: int | None, timezone: str | None) -> str:
        if timezone is not None and timezone.strip():
            return validate_zone(timezone)
        if actor_id is None:
            return (await self.settings.get(guild_id)).timezone
        return await self.settings.effective_timezone(guild_id, actor_id)

    async def _offsets(self, guild_id: int) -> list[timedelta]:
        text = (await self.settings.get(guild_id)).reminder_offsets
        try:
            return parse_offsets(text)
        except UserError:
            log.warning("guild %s has unreadable reminder offsets %r; using 7d,1d,1h", guild_id, text)
            return parse_offsets("7d,1d,1h")

    # ---------------------------------------------------------------- writing

    async def _replan(
        self,
        tx: Executor,
        event: Event,
        offsets: list[timedelta],
        now: datetime,
        *,
        rescheduled: bool,
    ) -> None:
        planned = plan_event_reminders(event, offsets, now)
        await ReminderRepository.replace_for_event(tx, event, planned, rescheduled=rescheduled, now=now)

    async def add(self, guild_id: int, actor_id: int | None, **fields: Any) -> Event:
        """`add_or_find`'s event (see there)."""
        return (await self.add_or_find(guild_id, actor_id, **fields)).event

    async def add_or_find(
        self,
        guild_id: int,
        actor_id: int | None,
        *,
        title: str,
        when: str,
        kind: str | EventKind | None = None,
        location: str | None = None,
        url: str | None = None,
        description: str | None = None,
        timezone: str | None = None,
    ) -> Added:
        """Create an event from what was typed; `when` is read in `timezone`, else the member's
        zone, else the server's. The same member adding the same title at the same time again
        within minutes gets the event already added (`new` False), not a second one."""
        clean = clean_title(title)
        event_kind = parse_kind(kind) or EventKind.MEETING
        where = clean_location(location)
        link = clean_url(url)
        about = clean_description(description)
        zone = await self._zone_for(guild_id, actor_id, timezone)
        now = self.clock()
        parsed = parse_when(when, now=now, tz=zone)
        draft = Event(
            id=0,
            guild_id=guild_id,
            title=clean,
            kind=event_kind,
            start=parsed.start,
            end=parsed.end,
            all_day=parsed.all_day,
            timezone=parsed.timezone,
            location=where,
            url=link,
            description=about,
            tentative=parsed.tentative,
            uid=f"{uuid.uuid4().hex}@concord",
            created_by=actor_id,
        )
        offsets = await self._offsets(guild_id)
        async with self.db.transaction() as tx:
            if actor_id is not None:
                same = await self.repo.recent_same(tx, draft, now - SAME_EVENT_WINDOW)
                if same is not None:
                    return Added(same, new=False)
            event = await self.repo.insert(tx, draft, now)
            await self._replan(tx, event, offsets, now, rescheduled=False)
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="event.add",
                target=f"event:{event.id}", at=now, detail=_audit_detail(event, when=when),
            )
        self._notify()
        return Added(event)

    async def edit(
        self,
        guild_id: int,
        actor_id: int | None,
        ref: str | int,
        *,
        title: str | None = None,
        when: str | None = None,
        kind: str | EventKind | None = None,
        location: str | None = None,
        url: str | None = None,
        description: str | None = None,
        timezone: str | None = None,
        status: str | EventStatus | None = None,
    ) -> Edited:
        """Change any of an event's fields; a time change recomputes its reminders as
        rescheduled, postponing or cancelling removes the pending ones."""
        given = (title, when, kind, location, url, description, timezone, status)
        if all(v is None for v in given):
            raise UserError(
                "Give at least one thing to change, e.g. `when`, `title` or `status`."
            )
        found = await self.get(guild_id, ref)
        if found.draft_id is not None:
            raise UserError(
                f"#{found.id} is a draft's comment window; change it with `/draft window`."
            )
        # Everything that does not depend on the stored event is read and checked first; the
        # event itself is read, changed and written in one transaction (its row locked on
        # PostgreSQL), so two edits at once both keep their change.
        fields: dict[str, Any] = {}
        if title is not None:
            fields["title"] = clean_title(title)
        if kind is not None and parse_kind(kind) is not None:
            fields["kind"] = parse_kind(kind)
        if location is not None:
            fields["location"] = clean_location(location)
        if url is not None:
            fields["url"] = clean_url(url)
        if description is not None:
            fields["description"] = clean_description(description)
        if status is not None:
            fields["status"] = parse_status(status)
        now = self.clock()
        move_to: str | None = None
        if when is not None:
            zone = await self._zone_for(guild_id, actor_id, timezone)
            parsed = parse_when(when, now=now, tz=zone)
            fields.update(
                start=parsed.start, end=parsed.end, all_day=parsed.all_day,
                timezone=parsed.timezone, tentative=parsed.tentative,
            )
        elif timezone is not None:
            move_to = validate_zone(timezone)
        offsets = await self._offsets(guild_id)
        async with self.db.transaction() as tx:
            before = await self.repo.get_in(tx, guild_id, found.id, for_update=True)
            if before is None:
                raise _no_event(ref)
            if before.draft_id is not None:
                raise UserError(
                    f"#{before.id} is a draft's comment window; change it with `/draft window`."
                )
            after = replace(before, **fields)
            if move_to is not None:
                after = _move_to_zone(after, move_to)
            changes = _changes(before, after)
            if not changes:
                return Edited(before, before, ())
            stored = await self.repo.update(tx, after, now)
            if _plan_key(before) != _plan_key(stored):
                moved = _times(before) != _times(stored)
                await self._replan(tx, stored, offsets, now, rescheduled=moved)
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="event.edit",
                target=f"event:{stored.id}", at=now,
                detail={"changes": list(changes), **({"when": when} if when else {}),
                        "before": _audit_detail(before), "after": _audit_detail(stored)},
            )
        self._notify()
        return Edited(before, stored, changes)

    async def remove(self, guild_id: int, actor_id: int | None, ref: str | int) -> Event:
        """Delete an event and its pending reminders; returns what was removed."""
        found = await self.get(guild_id, ref)
        now = self.clock()
        async with self.db.transaction() as tx:
            # Checked again inside the transaction: it may have changed since it was found.
            event = await self.repo.get_in(tx, guild_id, found.id, for_update=True)
            if event is None:
                raise _no_event(ref)
            if event.draft_id is not None:
                raise UserError(
                    f"#{event.id} is a draft's comment window; change or clear it with"
                    " `/draft window`."
                )
            await ReminderRepository.delete_for_event(tx, event.id)
            await self.repo.delete(tx, guild_id, event.id)
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="event.remove",
                target=f"event:{event.id}", at=now, detail=_audit_detail(event),
            )
        self._notify()
        return event

    # ---------------------------------------------------------------- drafts' windows

    async def upsert_draft_window(
        self,
        *,
        guild_id: int,
        draft_id: int,
        title: str,
        opens: datetime,
        closes: datetime,
        timezone: str,
        actor_id: int | None,
    ) -> Event:
        """Create or update the kind=window event of a draft (linked by `draft_id`), with
        reminders before it opens and before it closes, and store the window on the draft, all
        in one transaction (the draft's row locked on PostgreSQL, so two settings at once make
        one event). All-day when both ends are local midnights in `timezone` (`closes`
        exclusive, as parse_when gives a date range)."""
        if closes <= opens:
            raise UserError(
                'A comment window must close after it opens, e.g. "19 December 2013 -'
                ' 24 January 2014".'
            )
        zone = validate_zone(timezone)
        clean = " ".join(title.split())[:MAX_TITLE] or "Comment window"
        all_day = _is_local_midnight(opens, zone) and _is_local_midnight(closes, zone)
        now = self.clock()
        offsets = await self._offsets(guild_id)
        changed = True
        async with self.db.transaction() as tx:
            previous = await self.repo.lock_draft(tx, draft_id)
            if previous is None:
                raise NotFound("That draft no longer exists; `/draft list` shows the drafts.")
            before = await self.repo.by_draft(tx, guild_id, draft_id)
            if before is None:
                draft = Event(
                    id=0, guild_id=guild_id, title=clean, kind=EventKind.WINDOW,
                    start=opens.astimezone(UTC), end=closes.astimezone(UTC), all_day=all_day,
                    timezone=zone, uid=f"draft-{draft_id}-window-{uuid.uuid4().hex[:12]}@concord",
                    draft_id=draft_id, created_by=actor_id,
                )
                event = await self.repo.insert(tx, draft, now)
                await self._replan(tx, event, offsets, now, rescheduled=False)
                action = "event.window.add"
            else:
                wanted = replace(
                    before, title=clean, kind=EventKind.WINDOW, start=opens.astimezone(UTC),
                    end=closes.astimezone(UTC), all_day=all_day, timezone=zone,
                    status=EventStatus.SCHEDULED, tentative=False,
                )
                changed = bool(_changes(before, wanted))
                event = await self.repo.update(tx, wanted, now) if changed else before
                if _plan_key(before) != _plan_key(event):
                    moved = _times(before) != _times(event)
                    await self._replan(tx, event, offsets, now, rescheduled=moved)
                action = "event.window.edit"
            if changed:
                await audit.record(
                    tx, guild_id=guild_id, actor_id=actor_id, action=action,
                    target=f"event:{event.id}", at=now,
                    detail={"draft_id": draft_id, **_audit_detail(event)},
                )
            await self.repo.set_draft_window(tx, draft_id, opens, closes, event.id, now)
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="draft.window",
                target=f"draft:{previous.code}", at=now,
                detail={
                    "opens": opens.isoformat(),
                    "closes": closes.isoformat(),
                    "previous_opens": opt_ms(previous.opens),
                    "previous_closes": opt_ms(previous.closes),
                    "event_id": event.id,
                },
            )
        if changed:
            self._notify()
        return event

    async def remove_draft_window(
        self, *, guild_id: int, draft_id: int, actor_id: int | None
    ) -> Event | None:
        """Remove a draft's window event and its pending reminders; returns it, if there was one."""
        now = self.clock()
        async with self.db.transaction() as tx:
            event = await self.repo.by_draft(tx, guild_id, draft_id)
            if event is None:
                return None
            await ReminderRepository.delete_for_event(tx, event.id)
            await self.repo.delete(tx, guild_id, event.id)
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="event.window.remove",
                target=f"event:{event.id}", at=now, detail={"draft_id": draft_id},
            )
        self._notify()
        return event

    async def replan_guild(self, guild_id: int) -> int:
        """Recompute the pending reminders of every scheduled event still to come (the clock
        moved, in the demo); returns how many events were replanned."""
        now = self.clock()
        offsets = await self._offsets(guild_id)
        async with self.db.transaction() as tx:
            count = await self._replan_guild(tx, guild_id, offsets, now)
        self._notify()
        return count

    async def set_reminder_offsets(
        self, guild_id: int, actor_id: int, text: str
    ) -> tuple[GuildSettings, int]:
        """Change the server's reminder offsets and recompute the reminders of every event
        still to come, in one transaction: the setting never changes without its reminders.
        Returns the settings and how many events were replanned."""
        now = self.clock()
        async with self.db.transaction() as tx:
            settings = await self.settings.set_reminder_offsets(guild_id, actor_id, text, tx=tx)
            offsets = parse_offsets(settings.reminder_offsets)
            count = await self._replan_guild(tx, guild_id, offsets, now)
        self._notify()
        return settings, count

    async def _replan_guild(
        self, tx: Executor, guild_id: int, offsets: list[timedelta], now: datetime
    ) -> int:
        """Reminders of an event that was moved keep saying "rescheduled"."""
        events = await self.repo.future(tx, guild_id, now)
        moved = await self.repo.rescheduled_event_ids(tx, guild_id)
        for event in events:
            await self._replan(tx, event, offsets, now, rescheduled=event.id in moved)
        await audit.record(
            tx, guild_id=guild_id, actor_id=None, action="event.replan",
            target=f"guild:{guild_id}", at=now, detail={"events": len(events)},
        )
        return len(events)

    # ---------------------------------------------------------------- iCalendar

    async def import_ics(
        self, guild_id: int, actor_id: int | None, data: bytes, *, filename: str = "calendar.ics"
    ) -> ImportResult:
        """Create or update events from an iCalendar file, de-duplicated by UID: importing the
        same file twice updates, never duplicates. One transaction for the whole file."""
        if len(data) > MAX_ICS_BYTES:
            raise UserError(
                f"{filename} is {len(data) / 1_000_000:.1f} MB; calendars up to 1 MB can be"
                " imported (export fewer months)."
            )
        settings = await self.settings.get(guild_id)
        items, result = await read_ics_off_loop(
            data, default_zone=settings.timezone, filename=filename
        )
        now = self.clock()
        offsets = await self._offsets(guild_id)
        async with self.db.transaction() as tx:
            # Two imports of one file at once: the second waits, then finds the first's events
            # (SQLite's transactions take turns already).
            await self.repo.lock_imports(tx, guild_id)
            existing = await self.repo.by_uids(tx, guild_id, [i.uid for i in items])
            created_ids: list[int] = []
            updated_ids: list[int] = []
            for item in items:
                before = existing.get(item.uid)
                if before is None:
                    new = await self.repo.insert_new_uid(
                        tx, to_event(item, guild_id, created_by=actor_id), now
                    )
                    if new is not None:
                        await self._replan(tx, new, offsets, now, rescheduled=False)
                        result.created += 1
                        created_ids.append(new.id)
                        result.events.append(new)
                        continue
                    # Another writer stored this UID since we looked: update theirs.
                    before = await self.repo.by_uid(tx, guild_id, item.uid)
                    assert before is not None
                if before.draft_id is not None:
                    result.skipped += 1
                    result.warnings.append(
                        f'"{item.title[:60]}" is a draft\'s comment window here; change it with'
                        " `/draft window`."
                    )
                    continue
                wanted = apply_to(item, before)
                if not _changes(before, wanted):
                    result.unchanged += 1
                    continue
                event = await self.repo.update(tx, wanted, now)
                if _plan_key(before) != _plan_key(event):
                    moved = _times(before) != _times(event)
                    await self._replan(tx, event, offsets, now, rescheduled=moved)
                result.updated += 1
                updated_ids.append(event.id)
                result.events.append(event)
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="event.import",
                target=f"file:{filename[:100]}", at=now,
                detail={
                    "created": created_ids, "updated": updated_ids,
                    "unchanged": result.unchanged, "skipped": result.skipped,
                },
            )
        result.events.sort(key=lambda e: (e.start, e.id))
        if result.created or result.updated:
            self._notify()
        return result

    async def export_ics(
        self, guild_id: int, days: int | None = None, *, name: str | None = None
    ) -> IcsExport:
        """The server's calendar as iCalendar: every event, or those overlapping the next
        `days` days."""
        if days is None:
            events = await self.repo.all(guild_id)
        else:
            events = await self.upcoming(guild_id, days)
        left_out: list[Event] = []
        data = write_ics(events, name=name, now=self.clock(), left_out=left_out)
        return IcsExport(data, len(events) - len(left_out), tuple(left_out))


def _move_to_zone(event: Event, zone: str) -> Event:
    """The same wall-clock times (or dates) read in `zone` instead of the event's zone."""
    if zone == event.timezone:
        return event
    old = _zone(event.timezone)
    new = _zone(zone)

    def move(dt: datetime | None) -> datetime | None:
        if dt is None:
            return None
        wall = dt.astimezone(old).replace(tzinfo=None)
        return wall.replace(tzinfo=new).astimezone(UTC)

    start = move(event.start)
    assert start is not None
    return replace(event, start=start, end=move(event.end), timezone=zone)


def _audit_detail(event: Event, *, when: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": event.title,
        "kind": event.kind.value,
        "start": event.start.isoformat(),
        "end": event.end.isoformat() if event.end else None,
        "all_day": event.all_day,
        "timezone": event.timezone,
        "status": event.status.value,
        "tentative": event.tentative,
    }
    if when is not None:
        out["when"] = when
    return out


# --------------------------------------------------------------------------- iCalendar files
#
# Reading and writing go through bot.domain.ical (the icalendar library: all-day events as
# VALUE=DATE with an exclusive DTEND, timed ones with their TZID, recurrences expanded). The
# calendar adds its own limits on what it stores: title, location and description lengths, and
# http(s) links only.


IcsItem = ical.ImportedEvent  # one VEVENT as the calendar stores it (after _checked)


def to_event(item: IcsItem, guild_id: int, *, created_by: int | None) -> Event:
    """A new event (id 0: the database gives it one) from an imported VEVENT."""
    return Event(
        id=0, guild_id=guild_id, title=item.title, kind=item.kind, start=item.start,
        end=item.end, all_day=item.all_day, timezone=item.timezone, location=item.location,
        url=item.url, description=item.description, tentative=item.tentative,
        status=item.status, uid=item.uid, created_by=created_by,
    )


def apply_to(item: IcsItem, event: Event) -> Event:
    """`event` with everything an imported VEVENT says about it."""
    return replace(
        event, title=item.title, kind=item.kind, start=item.start, end=item.end,
        all_day=item.all_day, timezone=item.timezone, location=item.location, url=item.url,
        description=item.description, tentative=item.tentative, status=item.status,
    )


def read_ics(
    data: bytes, *, default_zone: str, filename: str = "calendar.ics"
) -> tuple[list[IcsItem], ImportResult]:
    """The events of an iCalendar file, and a result holding skips and warnings so far."""
    result = ImportResult()
    try:
        parsed = ical.import_ics(data, default_zone)
    except UserError as exc:
        log.info("unreadable calendar %s: %s", filename, exc)
        raise UserError(
            f"I couldn't read {filename[:60]} as an iCalendar file; export it again from your"
            " calendar app as .ics."
        ) from None
    result.warnings.extend(parsed.warnings)
    result.skipped += sum(1 for w in parsed.warnings if w.startswith("Skipped"))
    items: list[IcsItem] = []
    seen: set[str] = set()
    for imported in parsed.events:
        if imported.uid in seen:
            result.skipped += 1
            result.warnings.append(f'Skipped a second event with the UID of "{imported.title[:60]}".')
            continue
        seen.add(imported.uid)
        items.append(_checked(imported, result.warnings))
    if not items and not result.skipped:
        raise UserError(
            f"{filename[:60]} has no events in it; export a calendar with at least one event."
        )
    return items, result


async def read_ics_off_loop(
    data: bytes, *, default_zone: str, filename: str = "calendar.ics"
) -> tuple[list[IcsItem], ImportResult]:
    """`read_ics` on a worker thread, so that parsing and expanding a large or hostile file
    never holds the event loop; a file that takes longer than READ_DEADLINE is refused."""
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(read_ics, data, default_zone=default_zone, filename=filename),
            timeout=READ_DEADLINE,
        )
    except TimeoutError:
        log.warning("reading %s took more than %ss; refused", filename, READ_DEADLINE)
        raise UserError(
            f"{filename[:60]} took too long to read; import a smaller calendar (fewer months or"
            " fewer repeating events)."
        ) from None


def _checked(imported: ical.ImportedEvent, warnings: list[str]) -> IcsItem:
    """An imported event within the calendar's limits (cut, with a warning, where it is not)."""
    title = " ".join(imported.title.split()) or "Untitled event"
    if len(title) > MAX_TITLE:
        warnings.append(f'Cut the title "{title[:40]}..." to {MAX_TITLE} characters.')
        title = title[: MAX_TITLE - 1] + "…"
    location = " ".join((imported.location or "").split()) or None
    if location and len(location) > MAX_LOCATION:
        warnings.append(f'Cut the location of "{title[:60]}" to {MAX_LOCATION} characters.')
        location = location[: MAX_LOCATION - 1] + "…"
    url = imported.url or None
    if url is not None:
        try:
            url = clean_url(url)
        except UserError:
            warnings.append(f'Left out the link of "{title[:60]}": it is not an http(s) address.')
            url = None
    description = imported.description or None
    if description and len(description) > MAX_DESCRIPTION:
        warnings.append(
            f'Cut the description of "{title[:60]}" to {MAX_DESCRIPTION:,} characters.'
        )
        description = description[: MAX_DESCRIPTION - 1] + "…"
    return IcsItem(
        uid=imported.uid[:255], title=title, kind=imported.kind, start=imported.start,
        end=imported.end, all_day=imported.all_day, timezone=imported.timezone,
        location=location, url=url, description=description, tentative=imported.tentative,
        status=imported.status,
    )


def write_ics(
    events: Sequence[Event],
    *,
    name: str | None = None,
    now: datetime,
    left_out: list[Event] | None = None,
) -> bytes:
    """An iCalendar file of `events`; those it cannot hold are appended to `left_out`."""
    return ical.export_ics(events, calname=name or "Concord", stamp=now, left_out=left_out)


def left_out_lines(export: IcsExport) -> list[str]:
    """One line per event an export left out, saying why (for the answer; ten at most)."""
    lines = [
        f"Left out #{e.id} ({e.title[:60]}): its date is outside the years"
        f" {MIN_YEAR} to {MAX_YEAR}; fix it with `/event edit` or remove it."
        for e in export.left_out[:10]
    ]
    if len(export.left_out) > 10:
        lines.append(f"Left out {len(export.left_out) - 10} more events with such dates.")
    return lines
