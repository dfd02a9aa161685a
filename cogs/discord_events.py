"""Discord's own events (SPEC 11): runs the mirror of meetings as Discord scheduled events, and
turns members' "Interested" on them into RSVP answers. `/settings discord-events` itself is in
cogs/settings.py, inside the `/settings` group.

Discord glue only: the mirror is bot.discord_io.scheduled_events, the rules are
bot.services.discord_events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from discord.ext import commands

from bot.discord_io.scheduled_events import DiscordEventMirror, DiscordScheduledEvents
from bot.i18n import ntr, tr
from bot.services.discord_events import SettingChanged

if TYPE_CHECKING:
    from bot.app import ConcordBot

log = logging.getLogger(__name__)

#: The gateway events whose raw payloads this cog receives (discord.py only dispatches them
#: for scheduled events and users already in its cache, which a restart or the lack of the
#: members intent leaves empty).
_RAW = {
    "GUILD_SCHEDULED_EVENT_USER_ADD": "concord_scheduled_event_user_add",
    "GUILD_SCHEDULED_EVENT_USER_REMOVE": "concord_scheduled_event_user_remove",
}


def setting_text(changed: SettingChanged, lang: str = "en") -> str:
    """The private answer to `/settings discord-events`, in `lang`."""
    if changed.enabled:
        return ntr(
            lang,
            "Discord events are **on**: future meetings appear in this server's Events, kept in"
            " step when they are edited, postponed, cancelled or removed ({n} meeting to come)."
            " Members who mark **Interested** there count as Maybe.",
            "Discord events are **on**: future meetings appear in this server's Events, kept in"
            " step when they are edited, postponed, cancelled or removed ({n} meetings to come)."
            " Members who mark **Interested** there count as Maybe.",
            changed.meetings,
        )
    text = tr(lang, "Discord events are **off**: meetings are no longer mirrored in this"
              " server's Events.")
    if changed.mirrored:
        text += " " + ntr(
            lang,
            "The {n} Discord event I made will be removed; RSVP answers stay.",
            "The {n} Discord events I made will be removed; RSVP answers stay.",
            changed.mirrored,
        )
    return text


class DiscordEventsCog(commands.Cog):
    def __init__(self, bot: ConcordBot) -> None:
        self.bot = bot
        self.mirror: DiscordEventMirror | None = None
        self._originals: dict[str, Callable[[Any], None]] = {}

    async def cog_load(self) -> None:
        parsers = self.bot._connection.parsers
        for event, name in _RAW.items():
            original = parsers.get(event)
            if original is not None:
                self._originals[event] = original
                parsers[event] = self._raw(name, original)
        if not self.bot.start_engine:
            return
        services = self.bot.services
        self.mirror = DiscordEventMirror(
            services.discord_events,
            DiscordScheduledEvents(self.bot),
            services.clock,
            shards=self.bot.shard_filter(),
            bot_user_id=self.bot.user.id if self.bot.user else self.bot.application_id,
        )
        services.reminders_changed.connect(self.mirror.poke)  # fired after event writes
        services.discord_events.on_change(self.mirror.poke)
        self.mirror.start()
        self.bot.on_close.append(self.mirror.stop)  # close() does not unload cogs

    async def cog_unload(self) -> None:
        self.bot._connection.parsers.update(self._originals)
        if self.mirror is not None:
            if self.mirror.stop in self.bot.on_close:
                self.bot.on_close.remove(self.mirror.stop)
            await self.mirror.stop()
            self.mirror = None

    def _raw(self, name: str, original: Callable[[Any], None]) -> Callable[[Any], None]:
        def parse(data: Any) -> None:
            self.bot.dispatch(name, dict(data))
            original(data)

        return parse

    @commands.Cog.listener()
    async def on_concord_scheduled_event_user_add(self, data: dict[str, Any]) -> None:
        ids = _ids(data)
        if ids is not None:
            await self.bot.services.discord_events.interested(*ids)

    @commands.Cog.listener()
    async def on_concord_scheduled_event_user_remove(self, data: dict[str, Any]) -> None:
        ids = _ids(data)
        if ids is not None:
            await self.bot.services.discord_events.not_interested(*ids)


def _ids(data: dict[str, Any]) -> tuple[int, int, int] | None:
    """(guild, user, Discord event) of a USER_ADD / USER_REMOVE payload."""
    try:
        return int(data["guild_id"]), int(data["user_id"]), int(data["guild_scheduled_event_id"])
    except (KeyError, TypeError, ValueError):
        log.warning("a scheduled-event user payload without its ids: %r", data)
        return None


async def setup(bot: ConcordBot) -> None:
    await bot.add_cog(DiscordEventsCog(bot))
