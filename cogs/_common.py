"""Glue shared by the cogs: the coordinator check, the services, capped downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands

from bot.domain.stakeholders import is_coordinator
from bot.errors import NotCoordinator, UserError
from bot.i18n import Msg, render
from bot.ui import lang_of

if TYPE_CHECKING:
    from bot.app import ConcordBot
    from bot.services import Services

Interaction = discord.Interaction[Any]

def services(interaction: Interaction) -> Services:
    bot: ConcordBot = interaction.client
    return bot.services


def guild_id(interaction: Interaction) -> int:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


async def check_coordinator(interaction: Interaction) -> bool:
    """True for members with Manage Server or the server's coordinator role."""
    gid = guild_id(interaction)
    settings = await services(interaction).settings.get(gid)
    roles = [role.id for role in getattr(interaction.user, "roles", [])]
    return is_coordinator(
        manage_guild=interaction.permissions.manage_guild, role_ids=roles, settings=settings
    )


def coordinator_only() -> Any:
    """Decorator: the command answers anyone but a coordinator with an ephemeral refusal."""

    async def predicate(interaction: Interaction) -> bool:
        if await check_coordinator(interaction):
            interaction.extras["coordinator"] = True  # for the timezone hint (bot/app.py)
            return True
        raise NotCoordinator()

    return app_commands.check(predicate)


NO_REMINDER_CHANNEL = Msg(
    "No reminder channel is set, so this event's reminders will not be posted; a coordinator"
    " sets one with `/reminders channel`."
)


async def warn_if_no_reminder_channel(interaction: Interaction) -> None:
    """After a command that made an event with reminders has answered: a private follow-up
    when the server has no reminder channel, so they do not fail in silence (SPEC 10)."""
    settings = await services(interaction).settings.get(guild_id(interaction))
    if settings.reminder_channel_id is None:
        await interaction.followup.send(
            render(NO_REMINDER_CHANNEL, lang_of(interaction)), ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


def month_first(interaction: Interaction) -> bool:
    """Numeric dates are read month first for members whose Discord is in US English."""
    return interaction.locale is discord.Locale.american_english


# ------------------------------------------------------------------ downloads

DOWNLOAD_CHUNK = 64 * 1024


def _cdn_session(client: discord.Client) -> aiohttp.ClientSession:
    """The bot's own HTTP session (discord.py keeps it private; Attachment.read() uses it)."""
    session = getattr(client.http, "_HTTPClient__session", None)
    if not isinstance(session, aiohttp.ClientSession) or session.closed:
        raise RuntimeError("the bot's HTTP session is not open")
    return session


async def read_capped(
    client: discord.Client,
    attachment: discord.Attachment,
    limit: int,
    too_big: Callable[..., UserError],
) -> bytes:
    """The attachment's content, read in chunks and abandoned as soon as it passes `limit`
    bytes (`too_big(size)` or `too_big()` is the refusal): its declared size may lie, and
    Attachment.read() would hold all of it in memory."""
    http = client.http
    options: dict[str, Any] = {}
    if http.proxy is not None:
        options["proxy"] = http.proxy
    if http.proxy_auth is not None:
        options["proxy_auth"] = http.proxy_auth
    async with _cdn_session(client).get(attachment.url, **options) as response:
        if response.status != 200:
            raise UserError(Msg(
                "I could not download that file (Discord answered {status}); attach it again.",
                status=response.status,
            ))
        if response.content_length is not None and response.content_length > limit:
            raise too_big(response.content_length)
        data = bytearray()
        async for chunk in response.content.iter_chunked(DOWNLOAD_CHUNK):
            data += chunk
            if len(data) > limit:
                raise too_big()
    return bytes(data)
