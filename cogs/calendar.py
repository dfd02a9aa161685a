"""/event add|edit|remove|show|import|export and /upcoming: the process calendar."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering import defer
from bot.domain.calendar import MAX_ICS_BYTES, Edited, IcsExport, ImportResult, check_days
from bot.domain.models import Event, EventKind, EventStatus, OccurrenceChange
from bot.domain.recurrence import count_of, describe
from bot.domain.timefmt import format_event_time, relative, ts
from bot.domain.when import MAX_YEAR, MIN_YEAR
from bot.errors import UserError
from bot.i18n import N_, Msg, Translator, ntr, number, render, tr
from bot.paging import GONE, Page, pager, send_paged
from bot.services.calendar_series import OccurrenceEdited
from bot.ui import PAGE_BUDGET, chunk_lines, inert, lang_of, reply, send_pages, truncate
from cogs._autocomplete import event_autocomplete, timezone_autocomplete
from cogs._common import (
    Interaction,
    coordinator_only,
    guild_id,
    month_first,
    read_capped,
    services,
    warn_if_no_reminder_channel,
)
from cogs._rsvp_views import RsvpButton, RsvpCommands, rsvp_extra, show_event

KIND_CHOICES = [
    app_commands.Choice(name="meeting", value="meeting"),
    app_commands.Choice(name="deadline", value="deadline"),
    app_commands.Choice(name="window", value="window"),
]
UPCOMING_KIND_CHOICES = [*KIND_CHOICES, app_commands.Choice(name="all", value="all")]
STATUS_CHOICES = [app_commands.Choice(name=s.value, value=s.value) for s in EventStatus]
MAX_WARNINGS_SHOWN = 10

_OPTION_HELP = {
    "title": "What it is, e.g. ICANN 49",
    "when": 'e.g. "23-27 March 2014", "24 January 2014 18:00 CET", "TBD (late January 2014)"',
    "kind": "meeting, deadline or window",
    "location": 'Where, e.g. "Singapore" ("-" clears it on edit)',
    "url": 'A web page about it, http(s) ("-" clears it on edit)',
    "description": 'Details, up to 1,000 characters ("-" clears it on edit)',
    "timezone": "The zone `when` is read in (default: yours, else the server's)",
}
_REPEAT_HELP = {
    "repeat": 'e.g. "weekly", "every 2 weeks", "monthly on the first Tuesday", or an RRULE',
    "until": 'A repeating event\'s last date, e.g. "30 June 2014"',
    "count": "How many times a repeating event happens (instead of until)",
}
_PAST_HELP = "true: record an event that is already over (a new past event is refused)"


# --------------------------------------------------------------------------- formatting


def event_times(event: Event, now: datetime | None = None, lang: str = "en") -> str:
    """The event's time as Discord timestamps: `:F` + `:R` for timed, first/last day for all-day.
    Given `now`, a window already open reads "open, closes <t:..:R>", not "13 days ago"."""
    text = format_event_time(event.start, event.end, event.all_day, False, event.timezone)
    if event.all_day:
        text += f" ({relative(event.start)})"
    if now is not None and is_open_window(event, now):
        assert event.end is not None
        text = text.removesuffix(f" ({relative(event.start)})")
        text += " (" + tr(lang, "open, closes {when}", when=relative(event.end)) + ")"
    return text


#: Kinds and statuses of events, in the reader's language.
KIND_NAMES = {
    EventKind.MEETING: N_("meeting"),
    EventKind.DEADLINE: N_("deadline"),
    EventKind.WINDOW: N_("window"),
}
STATUS_NAMES = {
    EventStatus.SCHEDULED: N_("scheduled"),
    EventStatus.POSTPONED: N_("postponed"),
    EventStatus.CANCELLED: N_("cancelled"),
}


def is_open_window(event: Event, now: datetime) -> bool:
    """A window whose start has passed and whose end has not."""
    return (
        event.kind is EventKind.WINDOW and event.end is not None and event.start <= now < event.end
    )


def _markers(event: Event, lang: str = "en") -> list[str]:
    out = []
    if event.occurrence_of is not None:
        out.append(tr(lang, "repeats"))
    if event.tentative:
        out.append(tr(lang, "tentative"))
    if event.status is not EventStatus.SCHEDULED:
        out.append(f"**{tr(lang, STATUS_NAMES[event.status])}**")
    return out


def event_line(event: Event, now: datetime | None = None, lang: str = "en") -> str:
    """One /upcoming line: `#id`, title, kind, times, tentative and status, location (the
    title and location inert: user text inside the bot's formatting), in `lang`."""
    parts = [f"**#{event.id}** {inert(event.title)}", tr(lang, KIND_NAMES[event.kind]),
             event_times(event, now, lang), *_markers(event, lang)]
    if event.location:
        parts.append(inert(event.location))
    return " · ".join(parts)


def event_card(event: Event, *, details: bool = False, lang: str = "en") -> list[str]:
    """The lines that show how an event was understood (confirmations, /event show), in
    `lang`; its title, location and description inert."""
    t = Translator(lang)
    head = f"**#{event.id} {inert(event.title)}** · {t(KIND_NAMES[event.kind])}"
    lines = [head, event_times(event, lang=lang)]
    if event.rrule is not None and event.occurrence_of is None:
        lines.append(series_line(event, lang))
    markers = _markers(event, lang)
    if markers:
        lines.append(t("Status: {markers}", markers=" · ".join(markers)))
    if event.location:
        lines.append(t("Location: {place}", place=inert(event.location)))
    if event.url:
        lines.append(t("Link: {url}", url=f"<{event.url}>"))
    if event.draft_id is not None:
        lines.append("-# " + t("A draft's comment window: change it with `/draft window`."))
    if details:
        if event.description:
            lines.append("")
            lines.extend(inert(line) for line in event.description.splitlines())
        lines.append("-# " + t("Times are read in {zone}.", zone=event.timezone))
    return lines


def series_line(event: Event, lang: str = "en") -> str:
    """ "Repeats every Tuesday at 14:00 Zurich time until <t:..:D>" (or "12 times", or "with
    no end"), in `lang`."""
    t = Translator(lang)
    text = t("Repeats {rule}", rule=describe(event, lang))
    count = count_of(event)
    if count is not None:
        text += t.plural(", {n} time", ", {n} times", count)
    if event.series_end is not None:
        text += t(" until {date}", date=ts(event.series_end, "D"))
    elif count is None:
        text += t(", with no end")
    return text


def series_lines(
    upcoming: list[Event], changes: list[OccurrenceChange], lang: str = "en"
) -> list[str]:
    """/event show of a series: its next occurrences and its changed or cancelled ones."""
    t = Translator(lang)
    lines = []
    if upcoming:
        lines.append(t("Next: {dates}", dates=", ".join(ts(o.start, "F") for o in upcoming)))
    for change in changes[:10]:
        if change.cancelled:
            lines.append(f"- {ts(change.occurrence_at, 'F')}: " + t("cancelled"))
        else:
            what = []
            if change.start is not None:
                what.append(t("moved to {when}", when=ts(change.start, "F")))
            if change.title:
                what.append(t("called {title}", title=inert(change.title)))
            if change.location is not None:
                what.append(
                    t("at {place}", place=inert(change.location)) if change.location
                    else t("no place")
                )
            lines.append(f"- {ts(change.occurrence_at, 'F')}: " + ", ".join(what))
    if len(changes) > 10:
        more = len(changes) - 10
        lines.append("- " + t.plural("… and {n} more changed occurrence.",
                                     "… and {n} more changed occurrences.", more))
    return lines


def occurrence_summary(edited: OccurrenceEdited, lang: str = "en") -> str:
    """The answer to `/event edit id occurrence:DATE ...`, in `lang`."""
    t = Translator(lang)
    series = edited.series
    head = t(
        "**#{id} {title}**, the occurrence of {when}", id=series.id,
        title=inert(edited.after.title),
        when=ts(edited.before.occurrence_of or edited.before.start, "F"),
    )
    if not edited.changes:
        return t("Nothing changed: {event} already reads like that.", event=head)
    if edited.cancelled:
        return t("Cancelled {event}; the rest of the series stays. Its reminders were removed.",
                 event=head)
    lines = [t("Updated {changes} of {event}:", changes=", ".join(edited.changes), event=head),
             event_times(edited.after, lang=lang)]
    if edited.after.location:
        lines.append(t("Location: {place}", place=inert(edited.after.location)))
    if "when" in edited.changes:
        lines.append("-# " + t("Its reminders were recomputed and will say it was rescheduled."))
    return "\n".join(lines)


def import_summary(filename: str, result: ImportResult, lang: str = "en") -> list[str]:
    t = Translator(lang)
    counts = t(
        "{created} new, {updated} updated, {unchanged} unchanged, {skipped} skipped",
        created=number(lang, result.created), updated=number(lang, result.updated),
        unchanged=number(lang, result.unchanged), skipped=number(lang, result.skipped),
    )
    lines = [t("Imported **{file}**: {counts}.", file=inert(truncate(filename, 80)),
               counts=counts)]
    lines.extend(f"- {event_line(e, lang=lang)}" for e in result.events)
    if result.warnings:  # they quote titles from the file
        notes = t("Notes")
        lines.append(f"**{notes}**")
        lines.extend(f"- {inert(render(w, lang))}" for w in result.warnings[:MAX_WARNINGS_SHOWN])
        more = len(result.warnings) - MAX_WARNINGS_SHOWN
        if more > 0:
            lines.append("- " + t.plural("… and {n} more like this.",
                                         "… and {n} more like these.", more))
    return lines


def _notes(notes: tuple[str, ...], lang: str = "en") -> list[str]:
    """How `when` was read, as small print under the card."""
    return [f"-# {render(note, lang)}" for note in notes]


def _changed(edited: Edited, lang: str = "en") -> str:
    """ "when", "title, location" ...: the options that changed, as the command names them; a
    change of the tentative flag is said in words."""
    t = Translator(lang)
    names = [c for c in edited.changes if c != "tentative"]
    text = ", ".join(names)
    if "tentative" in edited.changes:
        state = t("now tentative") if edited.after.tentative else t("no longer tentative")
        text = f"{text} ({state})" if text else t("it is {state}", state=state)
    return text


def _reminder_note(edited: Edited, now: datetime | None) -> str | None:
    """What happened to the reminders of an edited event, as it really is (a message)."""
    after = edited.after
    if "status" in edited.changes and after.status is not EventStatus.SCHEDULED:
        return N_("Its pending reminders were removed.")
    if "when" not in edited.changes or after.status is not EventStatus.SCHEDULED:
        return None
    if now is not None and (after.end or after.start) <= now:
        return N_("It is now in the past, so it has no reminders left.")
    if after.tentative:
        return N_("It is tentative, so it gets no reminders until its date is settled.")
    return N_("Its reminders were recomputed and will say it was rescheduled.")


def edit_summary(edited: Edited, now: datetime | None = None, lang: str = "en") -> str:
    """The answer to /event edit: what changed, the event as it now is, its reminders, and
    how `when` was read, in `lang`."""
    t = Translator(lang)
    card = event_card(edited.after, lang=lang)
    if not edited.changes:
        return "\n".join([
            t("Nothing changed: **#{id}** already reads like that.", id=edited.after.id),
            *card, *_notes(edited.notes, lang),
        ])
    lines = [t("Updated {changes}:", changes=_changed(edited, lang)), *card]
    note = _reminder_note(edited, now)
    if note:
        lines.append(f"-# {t(note)}")
    lines.extend(_notes(edited.notes, lang))
    return "\n".join(lines)


def left_out_lines(export: IcsExport, lang: str = "en") -> list[str]:
    """One line per event an export left out, saying why (for the answer; ten at most)."""
    t = Translator(lang)
    lines = [
        t("Left out #{id} ({title}): its date is outside the years {first} to {last}; fix it"
          " with `/event edit` or remove it.", id=e.id, title=inert(truncate(e.title, 60)),
          first=MIN_YEAR, last=MAX_YEAR)
        for e in export.left_out[:10]
    ]
    if len(export.left_out) > 10:
        lines.append(t.plural("Left out {n} more event with such a date.",
                              "Left out {n} more events with such dates.",
                              len(export.left_out) - 10))
    return lines


def _file_name(file: discord.Attachment) -> str:
    return truncate(file.filename, 60) if file.filename else Msg("the file")


def _too_big(file: discord.Attachment) -> Callable[..., UserError]:
    def refusal(size: int | None = None) -> UserError:
        return UserError(Msg(
            "{file} is larger than 1 MB; calendars up to 1 MB can be imported (export fewer"
            " months).", file=_file_name(file),
        ))

    return refusal


def _check_attachment(file: discord.Attachment) -> None:
    name = file.filename or "the file"
    if not name.lower().endswith(".ics") and "calendar" not in (file.content_type or ""):
        raise UserError(Msg(
            "Attach an iCalendar file ending in .ics (exported from your calendar app); {file}"
            " is not one.", file=_file_name(file),
        ))
    if file.size > MAX_ICS_BYTES:
        raise UserError(Msg(
            "{file} is {size} MB; calendars up to 1 MB can be imported (export fewer months).",
            file=_file_name(file), size=f"{file.size / 1_000_000:.1f}",
        ))


# --------------------------------------------------------------------------- commands


@app_commands.guild_only()
class EventCommands(app_commands.Group, name="event"):
    """The process calendar: meetings, deadlines and windows."""

    @app_commands.command(name="add")
    @app_commands.describe(past=_PAST_HELP, **_OPTION_HELP, **_REPEAT_HELP)
    @app_commands.choices(kind=KIND_CHOICES)
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @coordinator_only()
    async def add(
        self,
        interaction: Interaction,
        title: app_commands.Range[str, 1, 200],
        when: app_commands.Range[str, 1, 200],
        kind: str = "meeting",
        location: str | None = None,
        url: str | None = None,
        description: str | None = None,
        timezone: str | None = None,
        repeat: app_commands.Range[str, 1, 200] | None = None,
        until: app_commands.Range[str, 1, 100] | None = None,
        count: app_commands.Range[int, 1, 1000] | None = None,
        past: bool = False,
    ) -> None:
        """Add a meeting, deadline or window to the calendar."""
        added = await services(interaction).calendar.add_or_find(
            guild_id(interaction), interaction.user.id, title=title, when=when, kind=kind,
            location=location, url=url, description=description, timezone=timezone,
            repeat=repeat, until=until, count=count,
            past=past, month_first=month_first(interaction),
        )
        lang = lang_of(interaction)
        if not added.new:  # the same event, sent again when no answer came in time
            await reply(
                interaction,
                "\n".join([tr(lang, "You had just added this; it is in the calendar once:"),
                           *event_card(added.event, lang=lang), *_notes(added.notes, lang)]),
                ephemeral=True,
            )
            return
        await reply(
            interaction,
            "\n".join([tr(lang, "Added to the calendar:"), *event_card(added.event, lang=lang),
                       *_notes(added.notes, lang)]),
            **rsvp_extra(interaction, added.event),
        )
        await warn_if_no_reminder_channel(interaction)

    @app_commands.command(name="edit")
    @app_commands.describe(
        id="The event's number (type to search)", status="scheduled, postponed or cancelled",
        occurrence='One date of a repeating event, e.g. "25 March 2014": change only that one',
        **_OPTION_HELP, **_REPEAT_HELP,
    )
    @app_commands.choices(kind=KIND_CHOICES, status=STATUS_CHOICES)
    @app_commands.autocomplete(id=event_autocomplete, timezone=timezone_autocomplete)
    @coordinator_only()
    async def edit(
        self,
        interaction: Interaction,
        id: str,
        title: app_commands.Range[str, 1, 200] | None = None,
        when: app_commands.Range[str, 1, 200] | None = None,
        kind: str | None = None,
        location: str | None = None,
        url: str | None = None,
        description: str | None = None,
        timezone: str | None = None,
        status: str | None = None,
        occurrence: app_commands.Range[str, 1, 100] | None = None,
        repeat: app_commands.Range[str, 1, 200] | None = None,
        until: app_commands.Range[str, 1, 100] | None = None,
        count: app_commands.Range[int, 1, 1000] | None = None,
    ) -> None:
        """Change an event: its time, title, kind, place, link, details or status."""
        calendar = services(interaction).calendar
        if occurrence is not None:
            series_only = {"kind": kind, "url": url, "description": description,
                           "timezone": timezone, "repeat": repeat, "until": until,
                           "count": count}
            given = [name for name, value in series_only.items() if value is not None]
            if given:
                raise UserError(Msg(
                    "{options} belong to the whole series: leave out `occurrence` to change"
                    " them, or give only `when`, `title`, `location` or `status`.",
                    options=", ".join(given),
                ))
            one = await calendar.edit_occurrence(
                guild_id(interaction), interaction.user.id, id, occurrence, title=title,
                when=when, location=location, status=status,
            )
            await reply(interaction, occurrence_summary(one, lang_of(interaction)), ephemeral=not one.changes)
            return
        edited = await calendar.edit(
            guild_id(interaction), interaction.user.id, id, title=title, when=when, kind=kind,
            location=location, url=url, description=description, timezone=timezone,
            status=status, repeat=repeat, until=until, count=count,
            month_first=month_first(interaction),
        )
        await reply(
            interaction,
            edit_summary(edited, services(interaction).clock(), lang_of(interaction)),
            ephemeral=not edited.changes,
        )

    @app_commands.command(name="remove")
    @app_commands.describe(id="The event's number (type to search)")
    @app_commands.autocomplete(id=event_autocomplete)
    @coordinator_only()
    async def remove(self, interaction: Interaction, id: str) -> None:
        """Remove an event and its pending reminders."""
        event = await services(interaction).calendar.remove(
            guild_id(interaction), interaction.user.id, id
        )
        lang = lang_of(interaction)
        await reply(
            interaction,
            tr(lang, "Removed **#{id} {title}**, set for {when}, and its pending reminders.",
               id=event.id, title=inert(event.title), when=event_times(event, lang=lang)),
        )

    @app_commands.command(name="show")
    @app_commands.describe(id="The event's number (type to search)")
    @app_commands.autocomplete(id=event_autocomplete)
    async def show(self, interaction: Interaction, id: str) -> None:
        """Show one event with its details."""
        calendar = services(interaction).calendar
        event = await calendar.get(guild_id(interaction), id)
        lang = lang_of(interaction)
        lines = event_card(event, details=True, lang=lang)
        if event.rrule is not None:
            upcoming, changes = await calendar.next_occurrences(event)
            lines.extend(series_lines(upcoming, changes, lang))
        await show_event(interaction, event, lines)

    rsvp = RsvpCommands.rsvp  # /event rsvp and /event attendees: cogs/_rsvp_views.py
    attendees: app_commands.Command[Any, ..., None] = RsvpCommands.attendees

    @app_commands.command(name="import")
    @app_commands.describe(file="An .ics calendar file (up to 1 MB)")
    @coordinator_only()
    async def import_(self, interaction: Interaction, file: discord.Attachment) -> None:
        """Import events from an iCalendar (.ics) file; importing it again updates them."""
        _check_attachment(file)
        gid = guild_id(interaction)
        await defer(interaction)
        data = await read_capped(interaction.client, file, MAX_ICS_BYTES, _too_big(file))
        result = await services(interaction).calendar.import_ics(
            gid, interaction.user.id, data, filename=file.filename
        )
        await send_pages(interaction, chunk_lines(import_summary(file.filename, result, lang_of(interaction))), ephemeral=True)

    @app_commands.command(name="export")
    @app_commands.describe(days="Only events in the next this many days (default: all)")
    async def export(
        self, interaction: Interaction, days: app_commands.Range[int, 1, 366] | None = None
    ) -> None:
        """Download the calendar as an .ics file for your calendar app."""
        gid = guild_id(interaction)
        check_days(days)  # refused before deferring: the answer is one private sentence
        await defer(interaction)
        name = interaction.guild.name if interaction.guild else None
        export = await services(interaction).calendar.export_ics(gid, days, name=name)
        t = Translator(lang_of(interaction))
        if days:
            head = t.plural(
                "{n} event in the next {days}, as iCalendar: open the file with your calendar"
                " app.",
                "{n} events in the next {days}, as iCalendar: open the file with your calendar"
                " app.", export.count, days=t.plural("{n} day", "{n} days", days),
            )
        else:
            head = t.plural(
                "{n} event in the calendar, as iCalendar: open the file with your calendar app.",
                "{n} events in the calendar, as iCalendar: open the file with your calendar app.",
                export.count,
            )
        await reply(
            interaction,
            "\n".join([head, *left_out_lines(export, t.lang)]),
            file=discord.File(io.BytesIO(export.data), filename="concord-calendar.ics"),
        )


# --------------------------------------------------------------------------- /upcoming

UPCOMING_PAGE = 10  # events a page shows: ten lines fit a message even with long titles
UPCOMING_COUNT_CAP = 1000  # /upcoming counts this many events at most ("more than 1,000")


def upcoming_args(days: int, kind: str, anchor: datetime) -> str:
    """The pager arguments of an /upcoming answer: the range is anchored where it was asked,
    so its pages stay consistent however late they are turned."""
    return f"{days}:{kind}:{int(anchor.timestamp())}"


def _upcoming_options(args: str) -> tuple[int, str, datetime]:
    try:
        days, kind, anchor = args.split(":")
        return int(days), kind, datetime.fromtimestamp(int(anchor), UTC)
    except ValueError:
        raise UserError(GONE) from None


def _shortened(event: Event, limit: int) -> Event:
    location = truncate(event.location, limit) if event.location else None
    return dataclasses.replace(event, title=truncate(event.title, limit), location=location)


def upcoming_text(
    header: str, events: list[Event], now: datetime | None = None, lang: str = "en"
) -> str:
    """The header and one line per event within a page; long titles and places are shortened
    rather than an event dropped or the message made too long for Discord."""
    for limit in (None, 60, 30, 12):
        shown = events if limit is None else [_shortened(e, limit) for e in events]
        text = "\n".join([header, *(event_line(e, now, lang) for e in shown)])
        if len(text) <= PAGE_BUDGET:
            return text
    room = (PAGE_BUDGET - len(header)) // max(1, len(events)) - 1
    return "\n".join([header, *(truncate(event_line(e, now, lang), room) for e in events)])


async def render_upcoming(interaction: Interaction, args: str, index: int) -> Page | None:
    """Page `index` of /upcoming: one statement reads the page's rows (+1 to know whether
    more follow), counts at most UPCOMING_COUNT_CAP + 1 of them and says whether the server
    has series (CalendarService.upcoming_page); None when there are no events."""
    days, kind, anchor = _upcoming_options(args)
    total, index, events = await services(interaction).calendar.upcoming_page(
        guild_id(interaction), days, kind, anchor,
        size=UPCOMING_PAGE, index=index, cap=UPCOMING_COUNT_CAP,
    )
    if total == 0:
        return None
    capped = total > UPCOMING_COUNT_CAP
    pages = -(-total // UPCOMING_PAGE)
    t = Translator(lang_of(interaction))
    what = t(_UPCOMING_TITLES[kind])
    count = (
        t("more than {n}", n=number(t.lang, UPCOMING_COUNT_CAP)) if capped
        else number(t.lang, total)
    )
    header = f"**{what}** · " + t.plural("next {n} day", "next {n} days", days) + f" · {count}"
    if not events:  # the calendar shrank since this page was asked for
        return Page(f"{header}\n" + t("No more of them: run `/upcoming` again."), index, index + 1)
    more = len(events) > UPCOMING_PAGE
    if capped:
        pages = max(UPCOMING_COUNT_CAP // UPCOMING_PAGE, index + 2) if more else index + 1
    text = upcoming_text(header, events[:UPCOMING_PAGE], services(interaction).clock(), t.lang)
    return Page(text, index, pages, more=capped and more)


_UPCOMING_TITLES = {
    "all": N_("Upcoming events"),
    "meeting": N_("Upcoming meetings"),
    "deadline": N_("Upcoming deadlines"),
    "window": N_("Upcoming windows"),
}
def nothing_upcoming(kind: str, days: int, lang: str) -> str:
    """ "No meetings in the next 7 days." in `lang` (real plural entries: "in the next 1 day"
    is not English, and Russian and Arabic have more forms)."""
    if kind == "meeting":
        return ntr(lang, "No meetings in the next {n} day.", "No meetings in the next {n} days.",
                   days)
    if kind == "deadline":
        return ntr(lang, "No deadlines in the next {n} day.",
                   "No deadlines in the next {n} days.", days)
    if kind == "window":
        return ntr(lang, "No windows in the next {n} day.", "No windows in the next {n} days.",
                   days)
    return ntr(lang, "No events in the next {n} day.", "No events in the next {n} days.", days)


@pager("upcoming")
async def upcoming_page(interaction: Interaction, args: str, index: int) -> Page:
    page = await render_upcoming(interaction, args, index)
    return page or Page(
        tr(lang_of(interaction), "Nothing is coming up any more: run `/upcoming` again.")
    )


class CalendarCog(commands.Cog):
    """The `/event` group and the top-level commands of this area. The group is a class
    attribute, so loading, unloading and reloading the extension adds and removes it too."""

    event = EventCommands()

    def __init__(self, bot: Any) -> None:
        self.bot = bot

    @app_commands.command(name="upcoming")
    @app_commands.describe(days="How many days ahead (1-366, default 30)", kind="Only this kind")
    @app_commands.choices(kind=UPCOMING_KIND_CHOICES)
    @app_commands.guild_only()
    async def upcoming(
        self,
        interaction: Interaction,
        days: app_commands.Range[int, 1, 366] = 30,
        kind: str = "all",
    ) -> None:
        """What is coming up in the calendar."""
        args = upcoming_args(days, kind, services(interaction).clock())
        first = await render_upcoming(interaction, args, 0)
        if first is None:
            t = Translator(lang_of(interaction))
            await reply(
                interaction,
                nothing_upcoming(kind, days, t.lang) + " "
                + t("Coordinators add them with `/event add`; `/upcoming days:366` looks"
                    " further ahead."),
                ephemeral=True,
            )
            return
        await send_paged(interaction, "upcoming", args, first)


async def setup(bot: commands.Bot) -> None:
    bot.add_dynamic_items(RsvpButton)  # RSVP buttons keep working after a restart
    await bot.add_cog(CalendarCog(bot))


async def teardown(bot: commands.Bot) -> None:
    bot.remove_dynamic_items(RsvpButton)
