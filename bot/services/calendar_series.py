"""The calendar service's recurring side (SPEC 10): one occurrence changed or cancelled, the
occurrences that listings show, and a series' next dates. The rules are pure, in
bot.domain.recurrence; the transaction is the service's (an EventWrite), so an occurrence is
never changed without the series' reminders replanned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.calendar import audit_detail, clean_location, clean_title, no_event, parse_status
from bot.domain.models import Event, EventKind, EventStatus, OccurrenceChange
from bot.domain.recurrence import instance, occurrences, occurrences_from, on_local_day
from bot.domain.timefmt import ts
from bot.domain.when import parse_when
from bot.domain.when.zones import zone_or_utc
from bot.errors import UserError
from bot.i18n import N_, Msg

if TYPE_CHECKING:
    from bot.services.calendar import CalendarService

NOT_A_SERIES = N_("#{id} does not repeat; leave out `occurrence` to change it.")

#: Occurrences one listing expands at most per series (a daily series over 366 days fits).
MAX_LISTED = 400


@dataclass(frozen=True, slots=True)
class OccurrenceEdited:
    """What `/event edit id occurrence:DATE` did to one occurrence of a series."""

    series: Event
    before: Event  # the occurrence as it was
    after: Event  # the occurrence as it is now
    cancelled: bool
    changes: tuple[str, ...]


def _merge(change: OccurrenceChange | None, key: datetime, **new: object) -> OccurrenceChange:
    base = change or OccurrenceChange(occurrence_at=key)
    fields: dict[str, object] = {
        "cancelled": base.cancelled, "start": base.start, "end": base.end,
        "title": base.title, "location": base.location,
    }
    fields.update(new)
    return OccurrenceChange(occurrence_at=key, **fields)  # type: ignore[arg-type]


async def edit_occurrence(
    service: CalendarService,
    guild_id: int,
    actor_id: int | None,
    ref: str | int,
    occurrence: str,
    *,
    title: str | None = None,
    when: str | None = None,
    location: str | None = None,
    status: str | EventStatus | None = None,
) -> OccurrenceEdited:
    """Change (title, when, location) or cancel (status cancelled; scheduled restores it) the
    occurrence of a series on the local date `occurrence`, and replan the series' reminders,
    in one transaction."""
    if all(v is None for v in (title, when, location, status)):
        raise UserError(Msg(
            "Give what to change in that occurrence: `when`, `title`, `location` or"
            " `status:cancelled`."
        ))
    found = await service.get(guild_id, ref)
    if found.rrule is None:
        raise UserError(Msg(NOT_A_SERIES, id=found.id))
    now = service.clock()
    day_read = parse_when(occurrence, now=now, tz=found.timezone)
    day = day_read.start.astimezone(zone_or_utc(found.timezone)).date()
    new: dict[str, object] = {}
    if title is not None:
        new["title"] = clean_title(title)
    if location is not None:
        new["location"] = clean_location(location) or ""
    cancelled: bool | None = None
    if status is not None:
        wanted = parse_status(status)
        if wanted is EventStatus.POSTPONED:
            raise UserError(Msg(
                "One occurrence is moved or cancelled, not postponed: give `when` to move it or"
                " `status:cancelled`."
            ))
        cancelled = wanted is EventStatus.CANCELLED
    moved_to = None
    if when is not None:
        zone, _ = await service._zone_for(guild_id, actor_id, None)
        moved_to = parse_when(when, now=now, tz=zone)
        if moved_to.all_day != found.all_day or moved_to.tentative:
            if found.all_day:
                raise UserError(Msg(
                    "Give this occurrence a date like the series', e.g. \"{example}\".",
                    example=_example(found),
                ))
            raise UserError(Msg(
                "Give this occurrence a date and time like the series', e.g. \"{example}\".",
                example=_example(found),
            ))
    async with service._writing(guild_id, actor_id, now) as write:
        series = await service.repo.get_in(write.tx, guild_id, found.id, for_update=True)
        if series is None:
            raise no_event(ref)
        if series.rrule is None:
            raise UserError(Msg(NOT_A_SERIES, id=series.id))
        changes = await service.repo.changes_of(write.tx, series.id)
        key = on_local_day(series, day, changes)
        if key is None:
            midday = day_read.start + timedelta(hours=12) if day_read.all_day else day_read.start
            raise UserError(Msg(
                "#{id} has no occurrence on {date}; `/event show {id}` lists its next dates.",
                id=series.id, date=ts(midday, "D"),
            ))
        current = next((c for c in changes if c.occurrence_at == key), None)
        before = instance(series, key, current)
        if moved_to is not None:
            span = series.end - series.start if series.end is not None else None
            new["start"] = moved_to.start
            new["end"] = moved_to.end or (moved_to.start + span if span is not None else None)
        if cancelled is not None:
            new["cancelled"] = cancelled
        change = _merge(current, key, **new)
        after = instance(series, key, change)
        what = tuple(
            label for label, differs in (
                ("when", (before.start, before.end) != (after.start, after.end)),
                ("title", before.title != after.title),
                ("location", before.location != after.location),
                ("status", (current.cancelled if current else False) != change.cancelled),
            ) if differs
        )
        if not what:
            return OccurrenceEdited(series, before, after, change.cancelled, ())
        if not change.cancelled and change.start is None and change.title is None and (
            change.location is None
        ):
            await service.repo.clear_change(write.tx, series.id, key)
        else:
            await service.repo.set_change(write.tx, series.id, change, write.now)
        await write.replan(series, rescheduled=False)
        await write.audit(
            "event.occurrence", f"event:{series.id}",
            {"occurrence": key.isoformat(), "changes": list(what), "cancelled": change.cancelled,
             "before": audit_detail(before), "after": audit_detail(after)},
        )
    return OccurrenceEdited(series, before, after, change.cancelled, what)


def _example(event: Event) -> str:
    return "24 March 2014" if event.all_day else "24 March 2014 15:00"


async def with_occurrences(
    service: CalendarService,
    guild_id: int,
    singles: list[Event],
    start: datetime,
    end: datetime,
    kind: EventKind | None,
) -> list[Event]:
    """`singles` (events overlapping [start, end], by start) merged with the occurrences of
    the series in that range, by start then id; each series expands at most MAX_LISTED."""
    series = await service.repo.series_overlapping(guild_id, start, end, kind)
    if not series:
        return singles
    changes = await service.repo.changes_of_many([s.id for s in series])
    listed = list(singles)
    for s in series:
        listed.extend(occurrences(s, changes[s.id], start, end, limit=MAX_LISTED))
    listed.sort(key=lambda e: (e.start, e.id))
    return listed


async def next_occurrences(
    service: CalendarService, event: Event, count: int = 3, *, after: datetime | None = None
) -> tuple[list[Event], list[OccurrenceChange]]:
    """The next `count` occurrences of a series from `after` (default now), and its changed or
    cancelled ones."""
    if event.rrule is None:
        return [], []
    changes = await service.repo.changes_of(service.db, event.id)
    start = after if after is not None else service.clock()
    return occurrences_from(event, changes, start, count), changes
