"""/settings timezone|coordinator-role: how a server runs its process."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui import reply
from cogs._common import Interaction, coordinator_only, guild_id, services, timezone_autocomplete


@app_commands.guild_only()
class SettingsCommands(app_commands.Group, name="settings"):
    """Server settings (coordinators)."""

    @app_commands.command(name="timezone")
    @app_commands.describe(zone="The server's timezone, e.g. Europe/Zurich")
    @app_commands.autocomplete(zone=timezone_autocomplete)
    @coordinator_only()
    async def timezone(self, interaction: Interaction, zone: str) -> None:
        """Set the server's timezone: dates typed by members without their own are read in it."""
        settings = await services(interaction).settings.set_timezone(
            guild_id(interaction), interaction.user.id, zone
        )
        await reply(
            interaction,
            f"The server's timezone is now **{settings.timezone}**. Members can set their own"
            " with `/timezone`.",
            ephemeral=True,
        )

    @app_commands.command(name="coordinator-role")
    @app_commands.describe(role="Members with this role can run coordinator commands")
    @coordinator_only()
    async def coordinator_role(self, interaction: Interaction, role: discord.Role) -> None:
        """Choose the role whose members are coordinators (besides those with Manage Server)."""
        await services(interaction).settings.set_coordinator_role(
            guild_id(interaction), interaction.user.id, role.id
        )
        await reply(
            interaction,
            f"Members with {role.mention} are now coordinators (as are members with Manage Server).",
            ephemeral=True,
        )


async def setup(bot: commands.Bot) -> None:
    bot.tree.add_command(SettingsCommands())
