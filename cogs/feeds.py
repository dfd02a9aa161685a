"""/calendar feed|subscribe|subscriptions|unsubscribe|refresh: the calendar outside Discord."""

from __future__ import annotations

from typing import Any

from discord import app_commands
from discord.ext import commands

from bot.answering import defer
from bot.domain.feeds import Subscription, feed_url, is_loopback_url
from bot.domain.timefmt import ts
from bot.errors import NotCoordinator
from bot.i18n import N_, Translator, ntr, number, tr
from bot.services.subscriptions import CheckResult
from bot.ui import chunk_lines, inert, lang_of, reply, send_pages, truncate
from cogs._common import Interaction, check_coordinator, coordinator_only, guild_id, services

#: What a check found, by ChangeKind value: "3 new", "1 moved" (worded so that one form
#: fits every number: "nouveaux : 3").
_KINDS = (
    ("new", N_("{n} new")),
    ("moved", N_("{n} moved")),
    ("postponed", N_("{n} postponed")),
    ("cancelled", N_("{n} cancelled")),
    ("restored", N_("{n} back on")),
    ("removed", N_("{n} removed")),
    ("updated", N_("{n} updated")),
)


def _events(n: int, lang: str) -> str:
    return ntr(lang, "{n} event", "{n} events", n)


def _counted(result: CheckResult, lang: str) -> str:
    parts = [
        tr(lang, label, n=number(lang, result.counts[key])) for key, label in _KINDS
        if result.counts[key]
    ]
    return ", ".join(parts) if parts else tr(lang, "no changes")


def describe_subscription(sub: Subscription, lang: str = "en") -> str:
    """One entry of /calendar subscriptions: number, name, address, last check and result."""
    t = Translator(lang)
    head = f"**#{sub.id} {inert(sub.label)}** · {_events(sub.event_count, lang)} · <{sub.url}>"
    if sub.checked_at is None:
        checked = t("not checked yet")
    else:
        checked = t("last checked {when} ({relative})", when=ts(sub.checked_at, "F"),
                    relative=ts(sub.checked_at, "R"))
    if sub.error is not None:
        error = inert(truncate(sub.error, 300))
        result = (
            t("failed: {error}, last good check {when}; its events are kept", error=error,
              when=ts(sub.ok_at, "R")) if sub.ok_at
            else t("failed: {error}; its events are kept", error=error)
        )
    else:
        result = t("OK")
    return f"{head}\n  {checked}: {result} · " + t("next {when}", when=ts(sub.next_check, "R"))


def describe_check(result: CheckResult, lang: str = "en") -> str:
    t = Translator(lang)
    sub = result.subscription
    name = f"**#{sub.id} {inert(sub.label)}**"
    if result.outcome == "failed":
        return t("{name}: failed: {error}; its events are kept.", name=name,
                 error=inert(truncate(result.error or "", 300)))
    if result.outcome == "gone":
        return t("{name}: stopped meanwhile.", name=name)
    return t("{name}: {changes} ({events}).", name=name, changes=_counted(result, lang),
             events=_events(sub.event_count, lang))


@app_commands.guild_only()
class CalendarCommands(app_commands.Group, name="calendar"):
    """The calendar outside Discord: a live feed for calendar apps, and outside calendars."""

    @app_commands.command(name="feed")
    @app_commands.describe(reset="Coordinators: replace the address (the old one stops working)")
    async def feed(self, interaction: Interaction, reset: bool = False) -> None:
        """The address to subscribe to this server's calendar from Google, Outlook or Apple."""
        gid = guild_id(interaction)
        if reset and not await check_coordinator(interaction):
            raise NotCoordinator()
        bot: Any = interaction.client
        server = bot.web
        t = Translator(lang_of(interaction))
        if server is None:
            await reply(
                interaction,
                t("The calendar feed is not served by this bot: its host sets `HTTP_PORT` (and"
                  " `PUBLIC_URL`, the address calendar apps reach it at) to serve it. Meanwhile"
                  " `/event export` gives the calendar as a file."),
                ephemeral=True,
            )
            return
        feeds = services(interaction).feeds
        secret = await (feeds.reset(gid, interaction.user.id) if reset else feeds.secret(gid))
        url = feed_url(server.public_url, secret)
        lines = [
            t("New address, always up to date: {url}", url=url) if reset
            else t("This server's calendar, always up to date: {url}", url=url),
            # TRANSLATORS: the menus are the apps' own; name them as the apps do in your language.
            t("Add it in Google Calendar (Other calendars > + > From URL), Outlook (Add calendar"
              " > Subscribe from web) or Apple Calendar (File > New Calendar Subscription)."),
            t("Anyone with the address can read the calendar; keep it to the process's members."),
        ]
        if reset:
            lines.append(t("The old address no longer works; subscribers need this one."))
        if is_loopback_url(url):
            lines.append(
                t("Note: this address is on the bot's own machine, so calendar apps elsewhere"
                  " cannot reach it; the bot's host sets `PUBLIC_URL` to a public address.")
            )
        await reply(interaction, "\n".join(lines), ephemeral=True)

    @app_commands.command(name="subscribe")
    @app_commands.describe(url="The calendar's iCalendar address (https://... .ics or webcal://)")
    @coordinator_only()
    async def subscribe(self, interaction: Interaction, url: str) -> None:
        """Follow an outside calendar: import its events and announce its changes."""
        gid = guild_id(interaction)
        await defer(interaction)
        result = await services(interaction).subscriptions.subscribe(
            gid, interaction.user.id, url
        )
        sub = result.subscription
        minutes = int(services(interaction).subscriptions.interval.total_seconds() // 60)
        lang = lang_of(interaction)
        await reply(
            interaction,
            tr(lang, "Following **{name}** as subscription #{id}: imported {events}.",
               name=inert(sub.label), id=sub.id, events=_events(sub.event_count, lang)) + " "
            + ntr(lang, "I check it every {n} minute and announce each change in the reminder"
                  " channel; `/calendar refresh` checks now.",
                  "I check it every {n} minutes and announce each change in the reminder"
                  " channel; `/calendar refresh` checks now.", minutes),
        )

    @app_commands.command(name="subscriptions")
    async def subscriptions(self, interaction: Interaction) -> None:
        """The outside calendars this server follows, with their last check."""
        subs = await services(interaction).subscriptions.for_guild(guild_id(interaction))
        lang = lang_of(interaction)
        if not subs:
            await reply(
                interaction,
                tr(lang, "This server follows no outside calendar; a coordinator adds one with"
                   " `/calendar subscribe url`."),
                ephemeral=True,
            )
            return
        await send_pages(
            interaction, chunk_lines(describe_subscription(s, lang) for s in subs),
            ephemeral=True,
        )

    @app_commands.command(name="unsubscribe")
    @app_commands.describe(id="The subscription's number, from /calendar subscriptions")
    @coordinator_only()
    async def unsubscribe(self, interaction: Interaction, id: str) -> None:
        """Stop following an outside calendar and remove its events."""
        gid = guild_id(interaction)
        await defer(interaction)
        sub, removed = await services(interaction).subscriptions.unsubscribe(
            gid, interaction.user.id, id
        )
        lang = lang_of(interaction)
        await reply(
            interaction,
            ntr(lang, "Stopped following **#{id} {name}**; removed its {n} event and its"
                " reminders.",
                "Stopped following **#{id} {name}**; removed its {n} events and their"
                " reminders.", removed, id=sub.id, name=inert(sub.label)),
        )

    @app_commands.command(name="refresh")
    @app_commands.describe(id="The subscription's number (default: all of them)")
    @coordinator_only()
    async def refresh(self, interaction: Interaction, id: str | None = None) -> None:
        """Check the outside calendars (or one of them) now."""
        gid = guild_id(interaction)
        subscriptions = services(interaction).subscriptions
        if id is not None:
            await subscriptions.get(gid, id)  # an unknown number is refused before deferring
        await defer(interaction)
        results = await subscriptions.refresh(gid, id)
        lang = lang_of(interaction)
        if not results:
            await reply(
                interaction,
                tr(lang, "This server follows no outside calendar; `/calendar subscribe url`"
                   " adds one."),
                ephemeral=True,
            )
            return
        await send_pages(
            interaction, chunk_lines(describe_check(r, lang) for r in results), ephemeral=True
        )

    @unsubscribe.autocomplete("id")
    @refresh.autocomplete("id")
    async def _subscription_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        subs = await services(interaction).subscriptions.for_guild(guild_id(interaction))
        wanted = current.strip().lstrip("#").lower()
        return [
            app_commands.Choice(name=truncate(f"#{s.id} {s.label}", 100), value=str(s.id))
            for s in subs
            if not wanted or str(s.id).startswith(wanted) or wanted in s.label.lower()
        ][:25]


class FeedsCog(commands.Cog):
    """The `/calendar` group, a class attribute so the extension reloads."""

    calendar = CalendarCommands()

    def __init__(self, bot: Any) -> None:
        self.bot = bot


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(FeedsCog(bot))
