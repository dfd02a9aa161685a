"""/reminders channel|offsets|list and /remind: what keeps everyone on time."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering import defer
from bot.domain.models import Reminder
from bot.domain.offsets import format_offset, parse_offsets
from bot.domain.reminders import REPEAT_LABELS, repeat_label
from bot.domain.timefmt import ts
from bot.i18n import N_, Msg, Translator, render, tr
from bot.paging import Page, pager, send_listing
from bot.ui import chunk_lines, inert, lang_of, reply, truncate
from cogs._common import Interaction, coordinator_only, guild_id, month_first, services

#: /remind's repeat choices: what members see, and the rule name the service takes.
REPEAT_CHOICES = [
    app_commands.Choice(name="daily", value="daily"),
    app_commands.Choice(name="weekdays (Mon-Fri)", value="weekdays"),
    app_commands.Choice(name="weekly", value="weekly"),
    app_commands.Choice(name="every 2 weeks", value="biweekly"),
    app_commands.Choice(name="monthly (same day; a 31st falls back to the last day)", value="monthly"),
]
assert [c.value for c in REPEAT_CHOICES] == list(REPEAT_LABELS)

_MOMENTS = {
    "start": N_("{offset} before it starts"),
    "deadline": N_("{offset} before the deadline"),
    "opens": N_("{offset} before it opens"),
    "closes": N_("{offset} before it closes"),
}


def describe_reminder(
    reminder: Reminder, title: str | None, channel_id: int | None, lang: str = "en"
) -> str:
    """One line of /reminders list, in `lang`."""
    t = Translator(lang)
    when = f"{ts(reminder.due_at, 'F')} ({ts(reminder.due_at, 'R')})"
    if reminder.event_id is not None:
        from datetime import timedelta

        offset = format_offset(timedelta(seconds=reminder.offset_seconds or 0))
        title = inert(title) if title else t("event #{id}", id=reminder.event_id)
        where = f"<#{channel_id}>" if channel_id else t("no reminder channel set")
        moment = t(_MOMENTS.get(reminder.moment, N_("{offset} before")), offset=offset)
        return f"- {when} · **{title}** (#{reminder.event_id}), {moment} · {where}"
    where = f"<#{reminder.channel_id}>" if reminder.channel_id else t("your DMs")
    text = truncate(inert(reminder.text or ""), 80)
    number = reminder.member_seq if reminder.member_seq is not None else f"#{reminder.id}"
    mine = t("your reminder {number}", number=number)
    return f"- {when}{_repeats(reminder, lang)} · {mine}: {text} · {where}"


def _repeats(reminder: Reminder, lang: str = "en") -> str:
    """ ", every week" after a repeating reminder's time; nothing for a one-off."""
    return f", {repeat_label(reminder.repeat, lang)}" if reminder.repeat else ""


def describe_mine(reminder: Reminder, lang: str = "en") -> str:
    """One line of /reminders mine: the member's number (the row id, marked #, for a reminder
    set before numbering began), when, where and the text."""
    number = reminder.member_seq if reminder.member_seq is not None else f"#{reminder.id}"
    when = f"{ts(reminder.due_at, 'F')} ({ts(reminder.due_at, 'R')}){_repeats(reminder, lang)}"
    where = f"<#{reminder.channel_id}>" if reminder.channel_id else tr(lang, "your DMs")
    text = truncate(inert(reminder.text or ""), 200)
    return f"- **{number}** · {when} · {where} · {text}"


@app_commands.guild_only()
class ReminderCommands(app_commands.Group, name="reminders"):
    """Where and when event reminders go."""

    @app_commands.command(name="channel")
    @app_commands.describe(channel="The channel event reminders are posted in")
    @coordinator_only()
    async def channel(self, interaction: Interaction, channel: discord.TextChannel) -> None:
        """Post event reminders in this channel."""
        await services(interaction).settings.set_reminder_channel(
            guild_id(interaction), interaction.user.id, channel.id
        )
        await reply(
            interaction,
            Msg("Event reminders will be posted in {channel}.", channel=channel.mention),
            ephemeral=True,
        )

    @app_commands.command(name="offsets")
    @app_commands.describe(value="How long before each event, e.g. 7d,1d,1h (units m, h, d, w)")
    @coordinator_only()
    async def offsets(self, interaction: Interaction, value: str) -> None:
        """Set how long before meetings, deadlines and windows reminders go out."""
        svc = services(interaction)
        gid = guild_id(interaction)
        parse_offsets(value)  # refuse bad input before deferring
        await defer(interaction)
        settings, replanned = await svc.calendar.set_reminder_offsets(
            gid, interaction.user.id, value
        )
        spoken = ", ".join(settings.reminder_offsets.split(","))
        await reply(
            interaction,
            Msg.plural(
                "Reminders now go out {offsets} before each meeting, deadline and window; the"
                " reminders of {n} upcoming event were recomputed.",
                "Reminders now go out {offsets} before each meeting, deadline and window; the"
                " reminders of {n} upcoming events were recomputed.",
                replanned, offsets=spoken,
            ),
            ephemeral=True,
        )

    @app_commands.command(name="role")
    @app_commands.describe(role="The role event reminders ping (leave it out to ping nobody)")
    @coordinator_only()
    async def role(self, interaction: Interaction, role: discord.Role | None = None) -> None:
        """Choose the role event reminders ping, or none."""
        await services(interaction).settings.set_reminder_role(
            guild_id(interaction), interaction.user.id, role.id if role else None
        )
        if role is None:
            text = Msg("Event reminders now ping no role; they are only posted.")
        else:
            text = Msg(
                "Event reminders will ping {role}, and nobody else. Members who want them can"
                " take that role.", role=role.mention,
            )
        await reply(interaction, text, ephemeral=True)

    @app_commands.command(name="list")
    async def list_(self, interaction: Interaction) -> None:
        """The coming reminders: the server's event reminders and your own."""
        pages = await reminder_pages(interaction)
        if not pages:
            offsets = (await services(interaction).settings.get(guild_id(interaction))).reminder_offsets
            await reply(
                interaction,
                Msg("No reminders are coming. Events get them automatically ({offsets} before);"
                    " set your own with `/remind`.", offsets=offsets),
                ephemeral=True,
            )
            return
        await send_listing(interaction, "reminders", "", pages, ephemeral=True)

    @app_commands.command(name="mine")
    async def mine(self, interaction: Interaction) -> None:
        """Your own pending reminders (set with /remind), with the numbers that cancel them."""
        pages = await mine_pages(interaction)
        if not pages:
            await reply(
                interaction,
                Msg("You have no pending reminders here; set one with `/remind`."),
                ephemeral=True,
            )
            return
        await send_listing(interaction, "reminders-mine", "", pages, ephemeral=True)

    @app_commands.command(name="cancel")
    @app_commands.describe(id="Your reminder's number, as `/reminders mine` shows it")
    async def cancel(
        self, interaction: Interaction, id: app_commands.Range[int, 1, 2**31 - 1]
    ) -> None:
        """Cancel one of your own reminders by its number."""
        reminder = await services(interaction).reminders.cancel(
            guild_id(interaction), interaction.user.id, id
        )
        await reply(
            interaction,
            Msg("Cancelled your reminder {number} for {when}: {text}", number=id,
                when=ts(reminder.due_at, "F"), text=truncate(inert(reminder.text or ""), 1500)),
            ephemeral=True,
        )


async def reminder_pages(interaction: Interaction) -> list[str]:
    """The pages of /reminders list for whoever asks (none when nothing is coming)."""
    svc = services(interaction)
    gid = guild_id(interaction)
    settings = await svc.settings.get(gid)
    pending = await svc.reminders.upcoming(gid, interaction.user.id)
    if not pending:
        return []
    lang = lang_of(interaction)
    lines = [
        describe_reminder(r, title, settings.reminder_channel_id, lang) for r, title in pending
    ]
    heading = tr(lang, "Coming reminders")
    header = f"**{heading}** ({len(pending)}{'+' if len(pending) >= 200 else ''})"
    return chunk_lines(lines, header=header)


async def mine_pages(interaction: Interaction) -> list[str]:
    """The pages of /reminders mine (none when the member has no pending reminder here)."""
    mine = await services(interaction).reminders.mine(guild_id(interaction), interaction.user.id)
    if not mine:
        return []
    t = Translator(lang_of(interaction))
    title = t("Your reminders")
    cancel = t("`/reminders cancel number` cancels one")
    header = f"**{title}** ({len(mine)}{'+' if len(mine) >= 500 else ''}) · {cancel}"
    return chunk_lines([describe_mine(r, t.lang) for r in mine], header=header)


@pager("reminders-mine")
async def mine_page(interaction: Interaction, _: str, index: int) -> Page:
    """Page `index` of /reminders mine (the owner's, as only the owner may turn it)."""
    pages = await mine_pages(interaction)
    gone = tr(lang_of(interaction), "You have no pending reminders here any more.")
    return Page.of(pages or [gone], index)


@pager("reminders")
async def reminders_page(interaction: Interaction, _: str, index: int) -> Page:
    """Page `index` of /reminders list (the owner's, as only the owner may turn it)."""
    pages = await reminder_pages(interaction)
    return Page.of(pages or [tr(lang_of(interaction), "No reminders are coming any more.")], index)


class RemindCog(commands.Cog):
    """The `/reminders` group and the top-level commands of this area. The group is a class
    attribute, so loading, unloading and reloading the extension adds and removes it too."""

    reminders = ReminderCommands()

    def __init__(self, bot: Any) -> None:
        self.bot = bot

    @app_commands.command(name="remind")
    @app_commands.guild_only()
    @app_commands.describe(
        when='When, in your timezone: "in 3 days", "next friday 9am", "24 January 2014 18:00"',
        text="What to remind you of",
        channel="Post it in this channel instead of your DMs",
        repeat="Repeat it at the same local time: daily, weekdays, weekly, every 2 weeks, monthly",
    )
    @app_commands.choices(repeat=REPEAT_CHOICES)
    async def remind(
        self,
        interaction: Interaction,
        when: str,
        text: str,
        channel: discord.TextChannel | None = None,
        repeat: str | None = None,
    ) -> None:
        """Set yourself a reminder (a DM unless you name a channel)."""
        from bot.errors import UserError

        if channel is not None:
            member = interaction.user
            if isinstance(member, discord.Member) and not channel.permissions_for(member).send_messages:
                raise UserError(
                    Msg("You can't post in {channel}; pick a channel you can post in.",
                        channel=channel.mention)
                )
        zone, source = await services(interaction).settings.reading_zone(
            interaction.guild_id, interaction.user.id
        )
        reminder = await services(interaction).reminders.remind(
            guild_id=interaction.guild_id,
            user_id=interaction.user.id,
            when=when,
            text=text,
            timezone=zone,
            channel_id=channel.id if channel else None,
            repeat=repeat,
            language=lang_of(interaction),
            month_first=month_first(interaction),
            source=source,
        )
        t = Translator(lang_of(interaction))
        number = reminder.member_seq if reminder.member_seq is not None else f"#{reminder.id}"
        when = f"{ts(reminder.due_at, 'F')} ({ts(reminder.due_at, 'R')})"
        text = truncate(inert(reminder.text or ""), 1500)
        if channel is not None:
            head = t("Reminder {number} set for {when} in {channel}: {text}", number=number,
                     when=when, channel=channel.mention, text=text)
        else:
            head = t("Reminder {number} set for {when} in your DMs: {text}", number=number,
                     when=when, text=text)
        if reminder.repeat:
            head += "\n" + t("It repeats {every} at the same local time.",
                             every=repeat_label(reminder.repeat, t.lang))
        foot = t("`/reminders cancel {number}` cancels it; `/reminders mine` lists yours.",
                 number=number)
        notes = "".join(f"\n-# {render(note, t.lang)}" for note in reminder.notes)
        await reply(interaction, f"{head}\n-# {foot}{notes}", ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(RemindCog(bot))
