"""Local Discord emulator (REST + gateway on one loopback port) for tests, benchmarks and the demo.

from bot.emulator import DiscordEmulator
async with DiscordEmulator(token="test-token") as emu:
    ...  # bot.harness.run_bot_in_process(emu, database_url), or a subprocess with emu.env()

The modules are listed in README.md.
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
]
