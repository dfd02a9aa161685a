"""The floor of our stack: a bare discord.py bot with Concord's measured command names and
options, a static answer and no database. `python -m benchmarks.bare` runs it against the
emulator named by DISCORD_API_BASE / DISCORD_GATEWAY_URL (with DISCORD_TOKEN), the way the
benchmark runs `python -m bot`, so the two are compared on the same emulator and load."""

from __future__ import annotations

import asyncio
import os
import signal

import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket


class BareBot(commands.AutoShardedBot):
    """The same client class and intents as ConcordBot; nothing else."""

    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = intents.members = intents.presences = False
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, shard_count=1,
                         guild_ready_timeout=0.2, help_command=None)
        comments = app_commands.Group(name="comments", description="Comments", guild_only=True)
        comments.command(name="list")(list_)
        self.tree.add_command(comments)
        self.tree.command(name="upcoming")(upcoming)
        self.tree.command(name="comment")(comment)

    async def setup_hook(self) -> None:
        await self.tree.sync()


@app_commands.guild_only()
async def upcoming(interaction: discord.Interaction, days: app_commands.Range[int, 1, 366] = 30,
                   kind: str = "all") -> None:
    """What is coming up in the calendar."""
    await interaction.response.send_message(f"**Upcoming events** · next {days} days · 0")


@app_commands.guild_only()
async def comment(interaction: discord.Interaction, draft: str, section: str,
                  text: str | None = None, kind: str = "comment") -> None:
    """Comment on a section of a draft."""
    await interaction.response.send_message(f"Recorded **#1** on {draft} / {section}.")


async def list_(interaction: discord.Interaction, draft: str | None = None,
                section: str | None = None, group: str | None = None) -> None:
    """List comments, newest first."""
    await interaction.response.send_message("**Comments** · 0")


async def main() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"].rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    async with BareBot() as bot:
        for sig in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(
                sig, lambda: asyncio.ensure_future(bot.close()))
        await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    discord.utils.setup_logging()
    asyncio.run(main())
