"""Local Discord emulator (REST + gateway on one loopback port) for tests, benchmarks and the demo.

from bot.emulator import DiscordEmulator
async with DiscordEmulator(token="test-token") as emu:
    discord.http.Route.BASE = emu.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
"""

from .models import (
    Channel,
    Guild,
    InteractionResult,
    Member,
    RateLimits,
    Role,
    SentMessage,
    Stats,
    StoredAttachment,
    User,
)
from .patch import point_discord_py
from .rest import json_response
from .server import DiscordEmulator

__all__ = [
    "Channel",
    "DiscordEmulator",
    "Guild",
    "InteractionResult",
    "Member",
    "RateLimits",
    "Role",
    "SentMessage",
    "Stats",
    "StoredAttachment",
    "User",
    "json_response",
    "point_discord_py",
]
