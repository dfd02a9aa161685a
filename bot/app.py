"""The Bot: its command tree and error handler, cog loading, and command sync by hash."""

from __future__ import annotations

import hashlib
import json
import logging
import pkgutil
import time
from datetime import timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

import cogs
from bot.answering import (
    claim_once,
    clean_options,
    forget_old,
    start_deadline_guard,
    stop_deadline_guard,
)
from bot.db.database import database_problem
from bot.db.reminders import ShardFilter
from bot.discord_io.budget import GlobalBudget, budget_trace
from bot.discord_io.sender import DiscordSender
from bot.errors import NotCoordinator, UserError
from bot.i18n import Msg, render
from bot.i18n.commands import CatalogTranslator, add_arabic
from bot.paging import DYNAMIC_ITEMS
from bot.reminders import ReminderEngine
from bot.services import Services
from bot.services.settings import TIMEZONE_HINT
from bot.settings import Settings
from bot.subscriptions import SubscriptionRunner
from bot.ui import MESSAGE_LIMIT, NO_PINGS, lang_of, reply
from bot.web import FeedServer

log = logging.getLogger(__name__)

APOLOGY = Msg(
    "Sorry, something went wrong on my side. It has been logged; please try again in a moment."
)


NOT_SAVED = Msg(
    "The database is busy (something else holds it), so nothing was saved. Please run the"
    " command again in a minute."
)
MAYBE_SAVED = Msg(
    "The database did not answer in time, so I can't tell whether that was saved. Please look"
    " (a list or show command) before running it again; a repeated comment is recognised and"
    " not stored twice."
)


def user_message(error: BaseException) -> str | None:
    """The sentence a user should see for `error`, or None when it is a bug of ours."""
    original = getattr(error, "original", error)
    if isinstance(original, UserError):
        return original.message
    problem = database_problem(original)
    if problem is not None:
        return MAYBE_SAVED if problem.maybe_recorded else NOT_SAVED
    if isinstance(error, NotCoordinator):
        return Msg(
            "Only coordinators can do that: members with Manage Server or the coordinator role."
            " Ask one of them."
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return Msg("That command works in a server channel, not in DMs.")
    if isinstance(error, app_commands.CommandOnCooldown):
        return Msg("Slow down: try again in {seconds} s.", seconds=f"{error.retry_after:.0f}")
    if isinstance(error, app_commands.TransformerError):
        return Msg(
            "I couldn't understand {value}; check the option and try again.",
            value=repr(str(error.value)[:80]),
        )
    if isinstance(error, app_commands.CheckFailure):
        return Msg("You can't use that command here.")
    return None


async def choose_language(interaction: discord.Interaction[ConcordBot]) -> None:
    """Decide once which language `interaction` is answered in (SPEC 12), kept in its extras
    for `bot.ui.lang_of`; a database problem leaves the client's language, and the command
    meets the problem itself."""
    settings = interaction.client.services.settings
    try:
        interaction.extras["lang"] = await settings.reader_language(
            interaction.guild_id, interaction.user.id, interaction.locale
        )
    except Exception as exc:
        if database_problem(exc) is None:
            raise
        interaction.extras["lang"] = lang_of(interaction)


class ConcordTree(app_commands.CommandTree["ConcordBot"]):
    """The one error handler for every app command (STYLE: practice 6), and the guarantees of
    bot.answering: an answer within Discord's deadline, inert text options, once per
    interaction."""

    _claims = 0

    async def interaction_check(self, interaction: discord.Interaction[ConcordBot], /) -> bool:
        await choose_language(interaction)
        if interaction.type is not discord.InteractionType.application_command:
            return True
        data: Any = interaction.data or {}
        clean_options(data.get("options"))
        start_deadline_guard(interaction)
        db = interaction.client.services.db
        now_ms = int(time.time() * 1000)
        try:
            first = await claim_once(db, interaction.id, now_ms)
        except Exception as exc:
            problem = database_problem(exc)
            if problem is None:
                raise
            stop_deadline_guard(interaction)
            await self._say(interaction, MAYBE_SAVED if problem.maybe_recorded else NOT_SAVED)
            return False
        if not first:
            # Delivered twice (a replayed event, a second process): it ran the first time.
            stop_deadline_guard(interaction)
            log.warning("interaction %s was delivered again; not executing it twice", interaction.id)
            return False
        self._claims += 1
        if self._claims % 1000 == 0:
            await forget_old(db, now_ms - 3_600_000)
        return True

    async def _say(self, interaction: discord.Interaction[ConcordBot], message: str) -> None:
        try:
            await reply(interaction, fit(render(message, lang_of(interaction))), ephemeral=True)
        except discord.HTTPException:
            log.exception("could not deliver an error message")

    async def payload(self, guild: discord.abc.Snowflake | None = None) -> list[dict[str, Any]]:
        """The commands as sent to Discord: localized by the translator for the locales
        discord.py knows, and for Arabic, which it does not (bot.i18n.commands)."""
        commands = self._get_all_commands(guild=guild)
        translator = self.translator
        if translator is None:
            payload = [command.to_dict(self) for command in commands]
        else:
            payload = [await c.get_translated_payload(self, translator) for c in commands]
        return add_arabic(payload)

    async def sync(
        self, *, guild: discord.abc.Snowflake | None = None
    ) -> list[app_commands.AppCommand]:
        """discord.py's sync, with the payload of `payload` (Arabic included)."""
        app_id = self.client.application_id
        if app_id is None:
            raise app_commands.MissingApplicationID
        payload = await self.payload(guild)
        try:
            if guild is None:
                data = await self._http.bulk_upsert_global_commands(app_id, payload=payload)
            else:
                data = await self._http.bulk_upsert_guild_commands(app_id, guild.id, payload=payload)
        except discord.HTTPException as exc:
            if exc.status == 400 and exc.code == 50035:
                raise app_commands.CommandSyncFailure(exc, self._get_all_commands(guild=guild)) from None
            raise
        return [app_commands.AppCommand(data=d, state=self._state) for d in data]

    async def on_error(
        self, interaction: discord.Interaction[ConcordBot], error: app_commands.AppCommandError
    ) -> None:
        stop_deadline_guard(interaction)
        message = user_message(error)
        if message is None:
            original = getattr(error, "original", error)
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error(
                "command /%s failed for user %s in guild %s",
                command,
                interaction.user.id,
                interaction.guild_id,
                exc_info=original,
            )
            message = APOLOGY
        await self._say(interaction, message)


def fit(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """An answer cut to Discord's limit: no message of ours is ever refused for its length."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


async def tree_hash(tree: ConcordTree) -> str:
    """A stable hash of the global command tree as Discord would receive it, translations
    included (a changed catalog is synced too)."""
    payload = sorted(await tree.payload(), key=lambda c: str(c.get("name")))
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def without_voice() -> None:
    """Concord has no voice: discord.py's start-up warnings that PyNaCl and davey (voice
    libraries) are missing would only be noise in every log, so they are turned off."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


class ConcordBot(commands.AutoShardedBot):
    tree: ConcordTree

    """Concord. Resources (database, services) are opened by main and handed in."""

    def __init__(
        self,
        *,
        settings: Settings,
        services: Services,
        load_cogs: bool = True,
        start_engine: bool = True,
        **options: Any,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = False
        intents.members = False
        intents.presences = False
        options.setdefault("shard_count", settings.shard_count or 1)
        if settings.shard_ids:
            options.setdefault("shard_ids", settings.shard_ids)
        if settings.discord_api_base:
            # The local emulator sends every GUILD_CREATE at once; don't wait 2 s for more.
            options.setdefault("guild_ready_timeout", 0.2)
        count = settings.shard_count or 1
        share = len(settings.shard_ids or range(count)) / count
        # Each process keeps its share of Discord's global limit, counted at each response.
        self.global_budget = GlobalBudget(settings.discord_global_rate * share)
        options.setdefault("http_trace", budget_trace(self.global_budget))
        without_voice()
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=ConcordTree,
            allowed_mentions=NO_PINGS,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.services = services
        self._load_cogs = load_cogs
        self.synced: str | None = None  # what the last start-up sync did, for tests and logs
        self.extra_startup: list[Any] = []  # coroutines functions run at the end of setup_hook
        self.on_close: list[Any] = []  # coroutine functions run first in close (background tasks)
        self.start_engine = start_engine
        self.engine: ReminderEngine | None = None
        self.web: FeedServer | None = None  # the calendar feed, when HTTP_PORT is set
        self.subscription_runner: SubscriptionRunner | None = None

    @property
    def emulated(self) -> bool:
        return bool(self.settings.discord_api_base)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord asks for 5 s between IDENTIFYs; the local emulator does not.
        if not self.emulated:
            await super().before_identify_hook(shard_id, initial=initial)

    async def on_app_command_completion(
        self, interaction: discord.Interaction[ConcordBot], _command: Any
    ) -> None:
        stop_deadline_guard(interaction)
        if interaction.extras.get("coordinator") and interaction.guild_id is not None:
            await self._timezone_hint(interaction, interaction.guild_id)

    async def _timezone_hint(self, interaction: discord.Interaction[ConcordBot], gid: int) -> None:
        """The first coordinator command on a server without a timezone suggests setting one,
        privately, after its answer (not after a form: that has no message to follow)."""
        if interaction.response.type is discord.InteractionResponseType.modal:
            return
        try:
            if await self.services.settings.timezone_hint_due(gid):
                await interaction.followup.send(TIMEZONE_HINT, ephemeral=True)
        except Exception as exc:  # a hint is a nicety: never an error after a good answer
            if not isinstance(exc, discord.HTTPException | OSError) and database_problem(exc) is None:
                raise
            log.warning("could not send the timezone hint in guild %s", gid, exc_info=True)

    async def setup_hook(self) -> None:
        # Paging buttons carry their state in their custom ids: they answer after a restart.
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        if self._load_cogs:
            for module in pkgutil.iter_modules(cogs.__path__):
                if not module.name.startswith("_"):
                    await self.load_extension(f"cogs.{module.name}")
        await self.tree.set_translator(CatalogTranslator())
        await self.sync_commands()
        if self.start_engine:
            await self.start_reminders()
        await self.start_calendar_outside()
        for hook in self.extra_startup:
            await hook(self)

    def shard_filter(self) -> ShardFilter:
        count = self.settings.shard_count or 1
        ids = tuple(self.settings.shard_ids or range(count))
        return ShardFilter(count=count, ids=ids)

    async def start_reminders(self) -> None:
        """Start the reminder engine; REST is enough to send, so it need not wait for READY."""
        shards = self.shard_filter()
        self.engine = ReminderEngine(
            self.services.reminder_repo,
            DiscordSender(self, budget=self.global_budget),
            self.services.clock,
            shards=shards,
            name=f"shards-{'-'.join(map(str, shards.ids))}-of-{shards.count}",
            budget=self.global_budget,
            lease=timedelta(seconds=self.settings.reminder_lease_seconds),
            channel_rate=self.settings.discord_channel_rate,
        )
        self.services.reminders_changed.connect(self.engine.poke)
        await self.engine.start()

    async def start_calendar_outside(self) -> None:
        """SPEC 11: check the subscriptions of our shards (with the engine), and serve the
        calendar feed when HTTP_PORT is set."""
        subscriptions = self.services.subscriptions
        subscriptions.interval = timedelta(minutes=self.settings.subscription_minutes)
        subscriptions.allow_private = self.settings.subscriptions_allow_private
        if self.settings.http_port is not None:

            def guild_name(guild_id: int) -> str | None:
                guild = self.get_guild(guild_id)
                return guild.name if guild is not None else None

            self.web = FeedServer(
                self.services.feeds,
                host=self.settings.http_host,
                port=self.settings.http_port,
                public_url=self.settings.public_url,
                guild_name=guild_name,
                discord_state=lambda: "ready" if self.is_ready() else "connecting",
            )
            await self.web.start()
        if self.start_engine:
            self.subscription_runner = SubscriptionRunner(
                subscriptions,
                self.services.settings,
                DiscordSender(self, budget=self.global_budget),
                self.services.clock,
                shards=self.shard_filter(),
            )
            subscriptions.announcements_changed = self.subscription_runner.poke
            await self.subscription_runner.start()

    async def close(self) -> None:
        for hook in self.on_close:
            await hook()
        self.on_close.clear()
        if self.subscription_runner is not None:
            await self.subscription_runner.stop()
            self.subscription_runner = None
        if self.web is not None:
            await self.web.stop()
            self.web = None
        if self.engine is not None:
            await self.engine.stop()
            self.engine = None
        await super().close()

    async def sync_commands(self) -> None:
        """Sync to DEV_GUILD_ID always; globally only when the tree changed since the last sync."""
        if self.settings.dev_guild_id:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
            self.synced = "guild"
            log.info("synced commands to dev guild %s", self.settings.dev_guild_id)
            return
        digest = await tree_hash(self.tree)
        app_id = self.application_id or 0
        key = f"command_tree_hash:{app_id}"
        if await self.services.meta.get(key) == digest:
            self.synced = "unchanged"
            log.info("command tree unchanged since the last sync; not syncing")
            return
        await self.tree.sync()
        await self.services.meta.set(key, digest)
        self.synced = "global"
        log.info("synced %d global commands", len(self.tree.get_commands()))
