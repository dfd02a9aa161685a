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
from bot.paging import Page, pager, send_listing
from bot.ui import chunk_lines, inert, reply, truncate
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

_MOMENTS = {"start": "before it starts", "deadline": "before the deadline", "opens": "before it opens",
            "closes": "before it closes"}


def describe_reminder(reminder: Reminder, title: str | None, channel_id: int | None) -> str:
    """One line of /reminders list."""
    when = f"{ts(reminder.due_at, 'F')} ({ts(reminder.due_at, 'R')})"
    if reminder.event_id is not None:
        from datetime import timedelta

        offset = format_offset(timedelta(seconds=reminder.offset_seconds or 0))
        title = inert(title) if title else f"event #{reminder.event_id}"
        where = f"<#{channel_id}>" if channel_id else "no reminder channel set"
        moment = _MOMENTS.get(reminder.moment, "before")
        return f"- {when} · **{title}** (#{reminder.event_id}), {offset} {moment} · {where}"
    where = f"<#{reminder.channel_id}>" if reminder.channel_id else "your DMs"
    text = truncate(inert(reminder.text or ""), 80)
    number = reminder.member_seq if reminder.member_seq is not None else f"#{reminder.id}"
    return f"- {when}{_repeats(reminder)} · your reminder {number}: {text} · {where}"


def _repeats(reminder: Reminder) -> str:
    """ ", every week" after a repeating reminder's time; nothing for a one-off."""
    return f", {repeat_label(reminder.repeat)}" if reminder.repeat else ""


def describe_mine(reminder: Reminder) -> str:
    """One line of /reminders mine: the member's number (the row id, marked #, for a reminder
    set before numbering began), when, where and the text."""
    number = reminder.member_seq if reminder.member_seq is not None else f"#{reminder.id}"
    when = f"{ts(reminder.due_at, 'F')} ({ts(reminder.due_at, 'R')}){_repeats(reminder)}"
    where = f"<#{reminder.channel_id}>" if reminder.channel_id else "your DMs"
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
            f"Event reminders will be posted in {channel.mention}.",
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
            f"Reminders now go out {spoken} before each meeting, deadline and window;"
            f" the reminders of {replanned} upcoming event{'s' if replanned != 1 else ''} were"
            " recomputed.",
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
            text = "Event reminders now ping no role; they are only posted."
        else:
            text = (
                f"Event reminders will ping {role.mention}, and nobody else. Members who want"
                " them can take that role."
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
                "No reminders are coming. Events get them automatically"
                f" ({offsets} before); set your own with `/remind`.",
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
                "You have no pending reminders here; set one with `/remind`.",
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
            f"Cancelled your reminder {id} for {ts(reminder.due_at, 'F')}:"
            f" {truncate(inert(reminder.text or ''), 1500)}",
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
    lines = [describe_reminder(r, title, settings.reminder_channel_id) for r, title in pending]
    header = f"**Coming reminders** ({len(pending)}{'+' if len(pending) >= 200 else ''})"
    return chunk_lines(lines, header=header)


async def mine_pages(interaction: Interaction) -> list[str]:
    """The pages of /reminders mine (none when the member has no pending reminder here)."""
    mine = await services(interaction).reminders.mine(guild_id(interaction), interaction.user.id)
    if not mine:
        return []
    header = (
        f"**Your reminders** ({len(mine)}{'+' if len(mine) >= 500 else ''})"
        " · `/reminders cancel number` cancels one"
    )
    return chunk_lines([describe_mine(r) for r in mine], header=header)


@pager("reminders-mine")
async def mine_page(interaction: Interaction, _: str, index: int) -> Page:
    """Page `index` of /reminders mine (the owner's, as only the owner may turn it)."""
    pages = await mine_pages(interaction)
    return Page.of(pages or ["You have no pending reminders here any more."], index)


@pager("reminders")
async def reminders_page(interaction: Interaction, _: str, index: int) -> Page:
    """Page `index` of /reminders list (the owner's, as only the owner may turn it)."""
    pages = await reminder_pages(interaction)
    return Page.of(pages or ["No reminders are coming any more."], index)


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
                raise UserError(f"You can't post in {channel.mention}; pick a channel you can post in.")
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
            month_first=month_first(interaction),
            source=source,
        )
        where = channel.mention if channel else "your DMs"
        repeats = (
            f", repeats {repeat_label(reminder.repeat)} at the same local time,"
            if reminder.repeat
            else ""
        )
        number = reminder.member_seq if reminder.member_seq is not None else f"#{reminder.id}"
        await reply(
            interaction,
            f"Reminder {number} set for {ts(reminder.due_at, 'F')} ({ts(reminder.due_at, 'R')})"
            f"{repeats} in {where}: {truncate(inert(reminder.text or ''), 1500)}\n"
            f"-# `/reminders cancel {number}` cancels it; `/reminders mine` lists yours."
            + "".join(f"\n-# {note}" for note in reminder.notes),
            ephemeral=True,
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(RemindCog(bot))
