"""The calendar service: meetings, deadlines and windows, their reminders, iCalendar in and out.

The cog converts Discord options to the arguments here and formats what comes back. Every change
runs through `_writing` (an EventWrite, bot.services.calendar_write): the event is written, its
pending reminders replanned (from the server's offsets and the injected clock) and an audit row
recorded in one transaction, and the reminder engine is notified once it has committed.
Validation, diffing and the .ics conversion are pure, in bot.domain.calendar; reading and
storing a .ics file, and writing one, off the event loop are in bot.services.calendar_files.

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

import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.db.database import Database, opt_ms
from bot.db.events import EventRepository
from bot.domain.calendar import (
    MAX_DAYS,
    MAX_ICS_BYTES,
    Added,
    Edited,
    IcsExport,
    ImportResult,
    audit_detail,
    changes,
    check_window,
    clean_description,
    clean_location,
    clean_title,
    clean_url,
    move_to_zone,
    no_event,
    parse_kind,
    parse_ref,
    parse_status,
    times,
    window_event,
    window_uid,
)
from bot.domain.clock import Clock
from bot.domain.models import Event, EventKind, EventStatus, GuildSettings, OccurrenceChange
from bot.domain.offsets import parse_offsets
from bot.domain.recurrence import (
    follow_start,
    is_occurrence,
    make_series,
    parse_repeat,
    until_instant,
    without_end,
)
from bot.domain.when import parse_when, validate_zone
from bot.domain.when.reading import ZoneSource, reading_lines, refuse_past
from bot.errors import NotFound, UserError
from bot.i18n import N_, Msg
from bot.services.calendar_files import read_ics_off_loop, store_imported, write_ics_off_loop
from bot.services.calendar_series import (
    OccurrenceEdited,
    edit_occurrence,
    next_occurrences,
    with_occurrences,
)
from bot.services.calendar_write import EventWrite
from bot.services.settings import SettingsService

log = logging.getLogger(__name__)

#: The same member adding the same title at the same moment within this is one event (a retry).
SAME_EVENT_WINDOW = timedelta(minutes=10)
DRAFT_GONE = N_("That draft no longer exists; `/draft list` shows the drafts.")


def _window_owned(event: Event, *, clear: bool = False) -> UserError:
    if clear:
        return UserError(Msg(
            "#{id} is a draft's comment window; change or clear it with `/draft window`.",
            id=event.id,
        ))
    return UserError(Msg("#{id} is a draft's comment window; change it with `/draft window`.",
                         id=event.id))


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
                raise no_event(ref)
            return found
        matches = await self.repo.by_title(guild_id, str(ref))
        if not matches:
            raise no_event(ref)
        if len(matches) > 1:
            raise UserError(Msg(
                'Several events are called "{title}"; give its number instead, e.g. `#{id}`.',
                title=matches[0].title[:60], id=matches[0].id,
            ))
        return matches[0]

    async def next_occurrence(self, event: Event, now: datetime) -> Event | None:
        """The occurrence of `event` that is next to come (or under way) at `now`, as an Event
        with the occurrence's times, or None when it has none left. Discord's own events
        mirror this only (SPEC 11). A single event is its own occurrence."""
        if event.rrule is None:
            return event
        upcoming, _ = await next_occurrences(self, event, 1, after=now)
        return upcoming[0] if upcoming else None

    async def upcoming(
        self,
        guild_id: int,
        days: int = 30,
        kind: str | EventKind | None = None,
        now: datetime | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
        series: bool | None = None,
    ) -> list[Event]:
        """Events overlapping [now, now + days], by start, each occurrence of a series as
        one; `kind` None or "all" for any. With `limit`, one page of them: at most `limit` from
        the `offset`-th on. `series`: whether the server has any series, when the caller
        knows (`count_upcoming_and_series`)."""
        start, end = self._days_ahead(days, now)
        wanted = parse_kind(kind)
        if series is None:
            series = await self.repo.has_series(guild_id)
        if not series:
            return await self.repo.overlapping(
                guild_id, start, end, wanted, limit=limit, offset=offset
            )
        # Series: the single events up to the page's end, merged with the occurrences.
        singles = await self.repo.overlapping(
            guild_id, start, end, wanted, limit=None if limit is None else offset + limit
        )
        merged = await with_occurrences(self, guild_id, singles, start, end, wanted)
        return merged[offset:] if limit is None else merged[offset : offset + limit]

    def _days_ahead(self, days: int, now: datetime | None) -> tuple[datetime, datetime]:
        if not 1 <= days <= MAX_DAYS:
            raise UserError(Msg("Give a number of days from 1 to {n}, e.g. 30.", n=MAX_DAYS))
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
        total, _ = await self.count_upcoming_and_series(guild_id, days, kind, now, cap=cap)
        return total

    async def upcoming_page(
        self,
        guild_id: int,
        days: int,
        kind: str | EventKind | None,
        now: datetime | None,
        *,
        size: int,
        index: int,
        cap: int,
    ) -> tuple[int, int, list[Event]]:
        """Page `index` of `upcoming` (at most `size` + 1 events: one more says more follow),
        with `count_upcoming` capped at `cap`: (count, the page's index, its events). A page
        past the end (the calendar shrank since it was asked for) is the last one, when the
        count is not capped. One statement when the server has no series and the page has
        events."""
        start, end = self._days_ahead(days, now)
        wanted = parse_kind(kind)
        found = await self.repo.overlapping_page(
            guild_id, start, end, wanted, limit=size + 1, offset=index * size, cap=cap
        )
        if found is not None and not found[2]:
            events, total, _ = found
            return total, index, events
        # the same window as the statement above, whatever the clock says by now
        total, series = await self.count_upcoming_and_series(guild_id, days, kind, start, cap=cap)
        if total == 0:
            return 0, index, []
        if total <= cap:
            index = min(index, -(-total // size) - 1)
        events = await self.upcoming(
            guild_id, days, kind, start, limit=size + 1, offset=index * size, series=series
        )
        return total, index, events

    async def count_upcoming_and_series(
        self,
        guild_id: int,
        days: int = 30,
        kind: str | EventKind | None = None,
        now: datetime | None = None,
        *,
        cap: int = 1000,
    ) -> tuple[int, bool]:
        """`count_upcoming`, and whether the server has any series (for `upcoming`)."""
        start, end = self._days_ahead(days, now)
        wanted = parse_kind(kind)
        singles, series = await self.repo.count_overlapping_and_series(
            guild_id, start, end, wanted, cap=cap
        )
        if not series:
            return singles, False
        listed = await with_occurrences(self, guild_id, [], start, end, wanted)
        return min(singles + len(listed), cap + 1), True

    async def edit_occurrence(
        self, guild_id: int, actor_id: int | None, ref: str | int, occurrence: str, **fields: Any
    ) -> OccurrenceEdited:
        """Change or cancel one occurrence of a series (see calendar_series.edit_occurrence)."""
        return await edit_occurrence(self, guild_id, actor_id, ref, occurrence, **fields)

    async def next_occurrences(
        self, event: Event, count: int = 3
    ) -> tuple[list[Event], list[OccurrenceChange]]:
        """A series' next `count` occurrences and its changed or cancelled ones."""
        return await next_occurrences(self, event, count)

    async def search(self, guild_id: int, text: str, limit: int = 25) -> list[Event]:
        """Autocomplete candidates for an event option."""
        return await self.repo.search(guild_id, text[:100], self.clock(), limit)

    async def _zone_for(
        self, guild_id: int, actor_id: int | None, timezone: str | None
    ) -> tuple[str, ZoneSource]:
        return await self.settings.reading_zone(guild_id, actor_id, timezone)

    async def _offsets(self, guild_id: int) -> list[timedelta]:
        text = (await self.settings.get(guild_id)).reminder_offsets
        try:
            return parse_offsets(text)
        except UserError:
            log.warning("guild %s has unreadable reminder offsets %r; using 7d,1d,1h", guild_id, text)
            return parse_offsets("7d,1d,1h")

    @staticmethod
    def _rule(
        repeat: str, event: Event, until: str | None, count: int | None, now: datetime, zone: str
    ) -> str:
        """The stored rule for what was typed in `repeat`, `until` and `count`."""
        until_at: datetime | None = None
        if until is not None and until.strip():
            parsed = parse_when(until, now=now, tz=zone)
            until_at = until_instant(parsed.start, parsed.end, parsed.all_day)
            if until_at < event.start:
                raise UserError(Msg(
                    "`until` is before the first occurrence; give the date of the last one,"
                    ' e.g. "30 June 2014".'
                ))
        return parse_repeat(
            repeat, event.start, event.timezone, all_day=event.all_day, until=until_at,
            count=count,
        )

    # ---------------------------------------------------------------- writing

    @asynccontextmanager
    async def _writing(
        self,
        guild_id: int,
        actor_id: int | None,
        now: datetime,
        offsets: list[timedelta] | None = None,
    ) -> AsyncIterator[EventWrite]:
        """One transaction of changes to the server's events (write -> replan -> audit); the
        reminder engine is notified after it commits, when reminders changed."""
        if offsets is None:
            offsets = await self._offsets(guild_id)
        async with self.db.transaction() as tx:
            write = EventWrite(tx, guild_id, actor_id, now, offsets, self.repo)
            yield write
        if write.changed:
            self._notify()

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
        repeat: str | None = None,
        until: str | None = None,
        count: int | None = None,
        past: bool = False,
        month_first: bool = False,
    ) -> Added:
        """Create an event from what was typed; `when` is read in `timezone`, else the member's
        zone, else the server's (`month_first`: numeric dates as in US English). With `repeat`
        (and `until` or `count`) it is a series, whose occurrences keep their local clock time
        in that zone. An event entirely in the past is refused unless `past`. The same member
        adding the same title at the same time again within minutes gets the event already
        added (`new` False), not a second one. `Added.notes` say how `when` was read."""
        clean = clean_title(title)
        event_kind = parse_kind(kind) or EventKind.MEETING
        where = clean_location(location)
        link = clean_url(url)
        about = clean_description(description)
        zone, source = await self._zone_for(guild_id, actor_id, timezone)
        now = self.clock()
        parsed = parse_when(when, now=now, tz=zone, month_first=month_first)
        series = repeat is not None and bool(repeat.strip())
        if not past and not series:  # a series is checked by its rule: it may have begun
            refuse_past(parsed, now)
        notes = tuple(reading_lines(parsed, source))
        candidate = Event(
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
        if series:
            assert repeat is not None
            candidate = make_series(
                candidate, self._rule(repeat, candidate, until, count, now, zone)
            )
        elif until is not None or count is not None:
            raise UserError(Msg(
                "`until` and `count` end a repeating event; add `repeat`, e.g. repeat: weekly."
            ))
        async with self._writing(guild_id, actor_id, now) as write:
            if actor_id is not None:
                same = await self.repo.recent_same(write.tx, candidate, now - SAME_EVENT_WINDOW)
                if same is not None:
                    return Added(same, new=False, notes=notes)
            event = await write.save(None, candidate)
            await write.audit("event.add", f"event:{event.id}", audit_detail(event, when=when))
        return Added(event, notes=notes)

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
        repeat: str | None = None,
        until: str | None = None,
        count: int | None = None,
        month_first: bool = False,
    ) -> Edited:
        """Change any of an event's fields; a time change recomputes its reminders as
        rescheduled, postponing or cancelling removes the pending ones. For a series this
        changes the whole series (`edit_occurrence` changes one occurrence); `repeat`, `until`
        and `count` give it another rule or end ("none" stops it repeating)."""
        given = (title, when, kind, location, url, description, timezone, status, repeat, until,
                 count)
        if all(v is None for v in given):
            raise UserError(Msg(
                "Give at least one thing to change, e.g. `when`, `title` or `status`."
            ))
        found = await self.get(guild_id, ref)
        if found.draft_id is not None:
            raise _window_owned(found)
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
        notes: tuple[str, ...] = ()
        if when is not None:
            zone, source = await self._zone_for(guild_id, actor_id, timezone)
            parsed = parse_when(when, now=now, tz=zone, month_first=month_first)
            notes = tuple(reading_lines(parsed, source))
            fields.update(
                start=parsed.start, end=parsed.end, all_day=parsed.all_day,
                timezone=parsed.timezone, tentative=parsed.tentative,
            )
        elif timezone is not None:
            move_to = validate_zone(timezone)
        async with self._writing(guild_id, actor_id, now) as write:
            before = await self.repo.get_in(write.tx, guild_id, found.id, for_update=True)
            if before is None:
                raise no_event(ref)
            if before.draft_id is not None:
                raise _window_owned(before)
            after = replace(before, **fields)
            if move_to is not None:
                after = move_to_zone(after, move_to)
            after = self._series_after(before, after, repeat, until, count, now)
            changed = changes(before, after)
            if not changed:
                return Edited(before, before, (), notes)
            if before.rrule is not None:
                # Changed occurrences that are no longer occurrences of the series go.
                for change in await self.repo.changes_of(write.tx, before.id):
                    if after.rrule is None or not is_occurrence(after, change.occurrence_at):
                        await self.repo.clear_change(write.tx, before.id, change.occurrence_at)
            stored = await write.save(before, after)
            write.changed = True  # notified on every stored edit, as before
            await write.audit(
                "event.edit", f"event:{stored.id}",
                {"changes": list(changed), **({"when": when} if when else {}),
                 "before": audit_detail(before), "after": audit_detail(stored)},
            )
        return Edited(before, stored, changed, notes)

    def _series_after(
        self,
        before: Event,
        after: Event,
        repeat: str | None,
        until: str | None,
        count: int | None,
        now: datetime,
    ) -> Event:
        """`after` with the rule an edit gives it: a new `repeat`, a new end, none ("none"),
        or the same rule checked again from a moved start."""
        if repeat is not None and repeat.strip().lower() in ("none", "never", "no", "-"):
            if until is not None or count is not None:
                raise UserError(Msg(
                    "Leave out `until` and `count` when a series stops repeating."
                ))
            return replace(after, rrule=None, series_end=None)
        if repeat is not None or until is not None or count is not None:
            text = repeat if repeat is not None and repeat.strip() else None
            if text is None:
                if before.rrule is None:
                    raise UserError(Msg(
                        "#{id} does not repeat; give `repeat` too, e.g. repeat: weekly.",
                        id=before.id,
                    ))
                text = without_end(before.rrule)
            plain = replace(after, rrule=None, series_end=None)
            return make_series(plain, self._rule(text, plain, until, count, now, plain.timezone))
        if before.rrule is not None and (
            times(before) != times(after) or before.timezone != after.timezone
        ):
            rule = follow_start(before.rrule, before.start, after.start, after.timezone)
            return make_series(after, rule)
        return after

    async def remove(self, guild_id: int, actor_id: int | None, ref: str | int) -> Event:
        """Delete an event and its pending reminders; returns what was removed."""
        found = await self.get(guild_id, ref)
        async with self._writing(guild_id, actor_id, self.clock(), offsets=[]) as write:
            # Checked again inside the transaction: it may have changed since it was found.
            event = await self.repo.get_in(write.tx, guild_id, found.id, for_update=True)
            if event is None:
                raise no_event(ref)
            if event.draft_id is not None:
                raise _window_owned(event, clear=True)
            await write.remove(event)
            await write.audit("event.remove", f"event:{event.id}", audit_detail(event))
        return event

    # ---------------------------------------------------------------- drafts' windows

    async def upsert_draft_window(
        self,
        *,
        guild_id: int,
        draft_id: int,
        code: str,
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
        check_window(opens, closes)
        zone = validate_zone(timezone)
        async with self._writing(guild_id, actor_id, self.clock()) as write:
            previous = await self.repo.lock_draft(write.tx, draft_id)
            if previous is None:
                raise NotFound(Msg(DRAFT_GONE))
            before = await self.repo.by_draft(write.tx, guild_id, draft_id)
            if before is None:  # this server's window of the code, imported from an export
                imported = await self.repo.by_uid(write.tx, guild_id, window_uid(guild_id, code))
                if imported is not None and imported.draft_id is None:
                    await self.repo.link_draft(write.tx, imported.id, draft_id)
                    before = replace(imported, draft_id=draft_id)
            wanted = window_event(
                before, guild_id=guild_id, draft_id=draft_id, title=title, opens=opens,
                closes=closes, zone=zone, created_by=actor_id,
                uid=window_uid(guild_id, code),
            )
            if before is None or changes(before, wanted):
                event = await write.save(before, wanted)
                write.changed = True
                action = "event.window.add" if before is None else "event.window.edit"
                await write.audit(
                    action, f"event:{event.id}", {"draft_id": draft_id, **audit_detail(event)}
                )
            else:
                event = before
            await self.repo.set_draft_window(write.tx, draft_id, opens, closes, event.id, write.now)
            await write.audit(
                "draft.window", f"draft:{previous.code}",
                {
                    "opens": opens.isoformat(),
                    "closes": closes.isoformat(),
                    "previous_opens": opt_ms(previous.opens),
                    "previous_closes": opt_ms(previous.closes),
                    "event_id": event.id,
                },
            )
        return event

    async def remove_draft_window(
        self, *, guild_id: int, draft_id: int, actor_id: int | None
    ) -> Event | None:
        """Remove a draft's window event and its pending reminders, and the window from the
        draft, in one transaction; returns the event, if there was one."""
        async with self._writing(guild_id, actor_id, self.clock(), offsets=[]) as write:
            previous = await self.repo.lock_draft(write.tx, draft_id)
            if previous is None:
                raise NotFound(Msg(DRAFT_GONE))
            await self.repo.clear_draft_window(write.tx, draft_id, write.now)
            event = await self.repo.by_draft(write.tx, guild_id, draft_id)
            if event is not None:
                await write.remove(event)
                await write.audit(
                    "event.window.remove", f"event:{event.id}", {"draft_id": draft_id}
                )
            if previous.opens is not None or event is not None:
                await write.audit(
                    "draft.window.clear", f"draft:{previous.code}",
                    {"previous_opens": opt_ms(previous.opens),
                     "previous_closes": opt_ms(previous.closes)},
                )
        return event

    async def replan_guild(self, guild_id: int) -> int:
        """Recompute the pending reminders of every scheduled event still to come (the clock
        moved, in the demo); returns how many events were replanned."""
        async with self._writing(guild_id, None, self.clock()) as write:
            write.changed = True
            return await self._replan_guild(write)

    async def set_reminder_offsets(
        self, guild_id: int, actor_id: int, text: str
    ) -> tuple[GuildSettings, int]:
        """Change the server's reminder offsets and recompute the reminders of every event
        still to come, in one transaction: the setting never changes without its reminders.
        Returns the settings and how many events were replanned."""
        async with self._writing(guild_id, None, self.clock(), offsets=[]) as write:
            write.changed = True
            settings = await self.settings.set_reminder_offsets(
                guild_id, actor_id, text, tx=write.tx
            )
            write.offsets = parse_offsets(settings.reminder_offsets)
            count = await self._replan_guild(write)
        return settings, count

    async def _replan_guild(self, write: EventWrite) -> int:
        """Reminders of an event that was moved keep saying "rescheduled"."""
        events = await self.repo.future(write.tx, write.guild_id, write.now)
        moved = await self.repo.rescheduled_event_ids(write.tx, write.guild_id)
        for event in events:
            await write.replan(event, rescheduled=event.id in moved)
        await write.audit(
            "event.replan", f"guild:{write.guild_id}", {"events": len(events)}
        )
        return len(events)

    # ---------------------------------------------------------------- iCalendar

    async def import_ics(
        self, guild_id: int, actor_id: int | None, data: bytes, *, filename: str = "calendar.ics"
    ) -> ImportResult:
        """Create or update events from an iCalendar file, de-duplicated by UID: importing the
        same file twice updates, never duplicates. One transaction for the whole file."""
        if len(data) > MAX_ICS_BYTES:
            raise UserError(Msg(
                "{file} is {size} MB; calendars up to 1 MB can be imported (export fewer months).",
                file=filename, size=f"{len(data) / 1_000_000:.1f}",
            ))
        settings = await self.settings.get(guild_id)
        items, result = await read_ics_off_loop(
            data, default_zone=settings.timezone, filename=filename
        )
        async with self._writing(guild_id, actor_id, self.clock()) as write:
            await store_imported(write, items, result, filename=filename)
        result.events.sort(key=lambda e: (e.start, e.id))
        return result

    async def export_ics(
        self, guild_id: int, days: int | None = None, *, name: str | None = None
    ) -> IcsExport:
        """The server's calendar as iCalendar: every event, or those overlapping the next
        `days` days."""
        if days is None:
            events = await self.repo.all(guild_id)
        else:
            start, end = self._days_ahead(days, None)
            events = await self.repo.overlapping(guild_id, start, end)
            events += await self.repo.series_overlapping(guild_id, start, end)
        series = [e.id for e in events if e.rrule is not None]
        changes = await self.repo.changes_of_many(series) if series else {}
        return await write_ics_off_loop(events, name=name, now=self.clock(), changes=changes)

    # ---------------------------------------------------------------- for other services

    def writing(self, guild_id: int, actor_id: int | None) -> AbstractAsyncContextManager[EventWrite]:
        """One transaction of event changes for another service (subscriptions to outside
        calendars): the same write -> replan -> audit as /event add, edit and remove, with the
        server's offsets, and the reminder engine told after it commits."""
        return self._writing(guild_id, actor_id, self.clock())
