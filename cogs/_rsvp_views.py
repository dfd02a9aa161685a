"""RSVP in Discord (SPEC 10): the Going / Maybe / Not going buttons under a meeting's public
`/event add` answer and `/event show`, and the `/event rsvp` and `/event attendees` commands
(`cogs/calendar.py` puts them in its `/event` group).

The buttons are a `DynamicItem` whose custom id carries the event and the answer,
``rsvp:<event>:<status>``, so a click on a message sent before a restart still works: no state
lives in the process. The calendar cog's `setup` registers them.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

import discord
from discord import app_commands

from bot.answering import start_deadline_guard, stop_deadline_guard
from bot.app import choose_language, user_message
from bot.domain.models import Event, EventStatus
from bot.domain.rsvp import RsvpStatus, answer_text, takes_rsvp
from bot.domain.timefmt import format_event_time, relative
from bot.errors import UserError
from bot.i18n import N_, Msg, Translator, attribution_in, number, render
from bot.paging import GONE, Page, pager, send_listing
from bot.services.rsvp import Answered, Attendee
from bot.ui import NO_PINGS, chunk_lines, inert, lang_of, reply, send_pages
from cogs._autocomplete import event_autocomplete
from cogs._common import Interaction, coordinator_only, guild_id, services

log = logging.getLogger(__name__)

STATUS_CHOICES = [app_commands.Choice(name=s.label, value=s.value) for s in RsvpStatus]
_STYLES = {
    RsvpStatus.GOING: discord.ButtonStyle.success,
    RsvpStatus.MAYBE: discord.ButtonStyle.primary,
    RsvpStatus.NOT_GOING: discord.ButtonStyle.secondary,
}
FAILED = N_("Sorry, I couldn't record your answer. It has been logged; please try again.")
DMS_OPEN_AGAIN = N_(
    "Last time Discord refused my DM to you (your privacy settings); I will try again. If"
    " nothing arrives, allow direct messages from members of this server."
)


class RsvpButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rsvp:(?P<event>\d{1,19}):(?P<status>going|maybe|not-going)",
):
    """One answer to one meeting, for whoever clicks it."""

    def __init__(self, event_id: int, status: RsvpStatus, lang: str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=render(status.label, lang),
                style=_STYLES[status],
                custom_id=f"rsvp:{event_id}:{status.value}",
            )
        )
        self.event_id = event_id
        self.status = status

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RsvpButton:
        return cls(int(match["event"]), RsvpStatus(match["status"]))

    async def callback(self, interaction: Interaction) -> None:
        # A click writes, like a command: a slow database gets a private deferral in time.
        start_deadline_guard(interaction)
        try:
            await choose_language(interaction)  # a click has no command to choose it (SPEC 12)
            answered = await services(interaction).rsvp.answer(
                guild_id(interaction), interaction.user.id, self.event_id, self.status
            )
        except Exception as exc:
            stop_deadline_guard(interaction)
            message = user_message(exc)
            if message is None:
                log.exception("RSVP %s to event %s by %s failed",
                              self.status, self.event_id, interaction.user.id)
                message = Msg(FAILED)
            await reply(interaction, message, ephemeral=True)
            return
        stop_deadline_guard(interaction)
        await reply(interaction, confirmation(answered, lang_of(interaction)), ephemeral=True)


def rsvp_view(event: Event, now: datetime, lang: str = "en") -> discord.ui.View | None:
    """The three buttons for a meeting that still takes answers, labelled in `lang`; None for
    anything else."""
    if not takes_rsvp(event) or event.status is EventStatus.CANCELLED:
        return None
    if (event.end or event.start) < now:
        return None
    view = discord.ui.View(timeout=None)  # nothing to expire: the custom ids are the state
    for status in RsvpStatus:
        view.add_item(RsvpButton(event.id, status, lang))
    return view


def rsvp_extra(interaction: Interaction, event: Event) -> dict[str, Any]:
    """`reply` keyword arguments that put the RSVP buttons under an answer about `event`."""
    view = rsvp_view(event, services(interaction).clock(), lang_of(interaction))
    return {} if view is None else {"view": view}


async def show_event(interaction: Interaction, event: Event, lines: list[str]) -> None:
    """`/event show`: the event's card, and for a meeting its RSVP counts and buttons."""
    if not takes_rsvp(event):
        await send_pages(interaction, chunk_lines(lines))
        return
    counts = (await services(interaction).rsvp.counts(event.id)).line()
    pages = chunk_lines([*lines, render(counts, lang_of(interaction))])
    extra = rsvp_extra(interaction, event)
    if len(pages) == 1:
        await reply(interaction, pages[0], **extra)
        return
    # A card longer than a message: its pages, then the counts and buttons below them.
    await send_pages(interaction, chunk_lines(lines))
    await interaction.followup.send(render(counts, lang_of(interaction)), allowed_mentions=NO_PINGS, **extra)


def confirmation(answered: Answered, lang: str = "en") -> str:
    """The private answer to a click or `/event rsvp`, in `lang`."""
    t = Translator(lang)
    event = answered.event
    when = format_event_time(
        event.start, event.end, event.all_day, event.tentative, event.timezone
    )
    text = t.render(
        answer_text(event.id, inert(event.title), when, answered.status, answered.dms_ahead)
    )
    if answered.dms_were_closed and answered.status.gets_dms:
        text += "\n" + t(DMS_OPEN_AGAIN)
    return text


# --------------------------------------------------------------------------- attendees


def attendee_line(attendee: Attendee, lang: str = "en") -> str:
    """"- <@id> · ISOC, Civil Society (unverified) · <t:..:R>": the member (shown, not
    pinged) with their attribution as comments show it, in `lang`."""
    t = Translator(lang)
    profile = attendee.profile
    if profile is None:
        who = t("no stakeholder profile")
    else:
        who = inert(attribution_in(profile.attribution, lang))
        if not profile.verified:
            unverified = t("unverified")
            who += f" ({unverified})"
    via = " · " + t("Interested on Discord") if attendee.rsvp.source == "discord" else ""
    return f"- <@{attendee.rsvp.user_id}> · {who}{via} · {relative(attendee.rsvp.updated_at)}"


def attendee_pages(event: Event, attendees: list[Attendee], lang: str = "en") -> list[str]:
    t = Translator(lang)
    header = f"**#{event.id} {inert(event.title)}** · " + t(
        "who answered ({n})", n=number(lang, len(attendees))
    )
    lines: list[str] = []
    for status in RsvpStatus:
        group = [a for a in attendees if a.rsvp.status is status]
        lines.append(f"**{t.render(status.label)} ({number(lang, len(group))})**")
        lines.extend(attendee_line(a, lang) for a in group)
    return chunk_lines(lines, header=header)


@pager("attendees")
async def attendees_page(interaction: Interaction, args: str, index: int) -> Page:
    if not args.isdigit():
        raise UserError(GONE)
    event, attendees = await services(interaction).rsvp.attendees(guild_id(interaction), args)
    return Page.of(attendee_pages(event, attendees, lang_of(interaction)), index)


class RsvpCommands(app_commands.Group, name="rsvp-commands"):
    """`/event rsvp` and `/event attendees`. This group is never registered: `cogs/calendar.py`
    makes its two commands members of the `/event` group (a command defined in a group class
    is bound to the group instance that holds it)."""

    @app_commands.command(name="rsvp")
    @app_commands.describe(
        id="The meeting's number (type to search)",
        status="going, maybe or not-going (Going and Maybe get its reminders by DM)",
    )
    @app_commands.choices(status=STATUS_CHOICES)
    @app_commands.autocomplete(id=event_autocomplete)
    async def rsvp(self, interaction: Interaction, id: str, status: str) -> None:
        """Answer Going, Maybe or Not going to a meeting."""
        answered = await services(interaction).rsvp.answer(
            guild_id(interaction), interaction.user.id, id, status
        )
        await reply(interaction, confirmation(answered, lang_of(interaction)), ephemeral=True)

    @app_commands.command(name="attendees")
    @app_commands.describe(id="The meeting's number (type to search)")
    @app_commands.autocomplete(id=event_autocomplete)
    @coordinator_only()
    async def attendees(self, interaction: Interaction, id: str) -> None:
        """Who answered Going, Maybe or Not going to a meeting, with their attribution."""
        event, attendees = await services(interaction).rsvp.attendees(guild_id(interaction), id)
        if not attendees:
            raise UserError(Msg(
                "Nobody has answered #{id} yet; the buttons are under `/event show id:{id}`.",
                id=event.id,
            ))
        await send_listing(
            interaction, "attendees", str(event.id),
            attendee_pages(event, attendees, lang_of(interaction)),
            ephemeral=True,
        )
