"""/settings timezone|coordinator-role|verification|groups add|groups remove|show: how a server
runs its process."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.models import GuildSettings
from bot.ui import inert, reply
from cogs._autocomplete import timezone_autocomplete
from cogs._common import Interaction, coordinator_only, guild_id, services
from cogs.discord_events import setting_text


def settings_text(settings: GuildSettings, groups: list[str]) -> str:
    """/settings show: everything a server has set, or its defaults."""
    role = (
        f"<@&{settings.coordinator_role_id}> (and members with Manage Server)"
        if settings.coordinator_role_id
        else "none (members with Manage Server are coordinators)"
    )
    channel = (
        f"<#{settings.reminder_channel_id}>"
        if settings.reminder_channel_id
        else "none (event reminders are not posted; set one with `/reminders channel`)"
    )
    reminder_role = (
        f"<@&{settings.reminder_role_id}> (pinged by event reminders)"
        if settings.reminder_role_id
        else "none (event reminders ping nobody; choose one with `/reminders role`)"
    )
    offsets = ", ".join(settings.reminder_offsets.split(","))
    return "\n".join([
        "**Settings of this server**",
        f"Timezone: **{settings.timezone}**",
        f"Coordinator role: {role}",
        f"Reminder channel: {channel}",
        f"Reminder role: {reminder_role}",
        f"Reminder offsets: {offsets}",
        f"Verification mode: **{settings.verification_mode.value}**",
        f"Stakeholder groups: {', '.join(inert(g) for g in groups)}",
    ])


class GroupCommands(app_commands.Group, name="groups"):
    """A server's own stakeholder groups, beside the five WSIS groups."""

    @app_commands.command(name="add")
    @app_commands.describe(name='The new group, e.g. "Academia" (1-40 characters, no comma or colon)')
    @coordinator_only()
    async def add(self, interaction: Interaction, name: str) -> None:
        """Add a stakeholder group to this server."""
        added = await services(interaction).stakeholders.add_group(
            guild_id(interaction), interaction.user.id, name
        )
        await reply(
            interaction,
            f"Added the group **{inert(added)}**. Members can now choose it in `/stakeholder"
            " register`, and `/coverage` shows it as a column.",
            ephemeral=True,
        )

    @app_commands.command(name="remove")
    @app_commands.describe(name="A group this server added, that no profile uses")
    @coordinator_only()
    async def remove(self, interaction: Interaction, name: str) -> None:
        """Remove a group this server added (no profile may use it)."""
        removed = await services(interaction).stakeholders.remove_group(
            guild_id(interaction), interaction.user.id, name
        )
        await reply(
            interaction,
            f"Removed the group **{inert(removed)}**. Comments made in it keep their attribution.",
            ephemeral=True,
        )


@app_commands.guild_only()
class SettingsCommands(app_commands.Group, name="settings"):
    """Server settings (coordinators)."""

    groups = GroupCommands()

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

    @app_commands.command(name="verification")
    @app_commands.describe(
        mode="open: registered members comment, unverified attributions marked;"
        " required: verified members only"
    )
    @coordinator_only()
    async def verification(
        self, interaction: Interaction, mode: Literal["open", "required"]
    ) -> None:
        """Choose who may comment: any registered member, or verified members only."""
        svc = services(interaction)
        gid = guild_id(interaction)
        await svc.settings.set_verification_mode(gid, interaction.user.id, mode)
        if mode == "open":
            text = (
                "Verification mode is now **open**: registered members can comment, and an"
                " attribution nobody verified is shown with \u201c(unverified)\u201d."
            )
        else:
            waiting = await svc.stakeholders.count_unverified(gid)
            text = (
                "Verification mode is now **required**: only members whose profile a coordinator"
                " verified can comment (`/stakeholder verify`)."
            )
            if waiting:
                text += (
                    f" {waiting} registered profile{' is' if waiting == 1 else 's are'} not"
                    " verified yet: `/stakeholder list verified:unverified`."
                )
        await reply(interaction, text, ephemeral=True)

    @app_commands.command(name="discord-events")
    @app_commands.describe(
        enabled="true: show future meetings in this server's Discord Events; false: stop and"
        " remove them"
    )
    @coordinator_only()
    async def discord_events(self, interaction: Interaction, enabled: bool) -> None:
        """Mirror future meetings as Discord's own scheduled events (needs Manage Events)."""
        changed = await services(interaction).discord_events.set_enabled(
            guild_id(interaction), interaction.user.id, enabled,
            can_manage_events=interaction.app_permissions.manage_events,
        )
        await reply(interaction, setting_text(changed), ephemeral=True)

    @app_commands.command(name="show")
    async def show(self, interaction: Interaction) -> None:
        """Show this server's settings (anyone)."""
        svc = services(interaction)
        gid = guild_id(interaction)
        settings = await svc.settings.get(gid)
        groups = await svc.stakeholders.groups(gid)
        text = settings_text(settings, groups)
        mirrored = await svc.discord_events.enabled(gid)
        text += f"\nDiscord events: **{'on' if mirrored else 'off'}** (`/settings discord-events`)"
        await reply(interaction, text, ephemeral=True)


class SettingsCog(commands.Cog):
    """The `/settings` group. It is a class attribute, so loading, unloading and reloading the extension adds
    and removes it too."""

    settings = SettingsCommands()

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(SettingsCog(bot))
