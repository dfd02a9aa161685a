"""/settings timezone|coordinator-role: how a server runs its process."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui import reply
from cogs._autocomplete import timezone_autocomplete
from cogs._common import Interaction, coordinator_only, guild_id, services


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


class SettingsCog(commands.Cog):
    """The `/settings` group. It is a class attribute, so loading, unloading and reloading the extension adds
    and removes it too."""

    settings = SettingsCommands()

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(SettingsCog(bot))
