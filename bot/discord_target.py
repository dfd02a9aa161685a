"""Point discord.py at another Discord (the local emulator) when the settings say so."""

from __future__ import annotations

import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot.settings import Settings

_ORIGINAL = (discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)


def point_discord_at(settings: Settings) -> None:
    """Set discord.py's REST base and gateway URL from DISCORD_API_BASE / DISCORD_GATEWAY_URL."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def restore_discord_target() -> None:
    """Undo :func:`point_discord_at` (tests that run the bot in-process)."""
    discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = _ORIGINAL
