"""/settings timezone|coordinator-role|verification|groups add|groups remove|show: how a server
runs its process."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.models import GuildSettings
from bot.i18n import N_, NATIVE_NAMES, Msg, Translator, group_name
from bot.ui import inert, lang_of, reply
from cogs._autocomplete import timezone_autocomplete
from cogs._common import Interaction, coordinator_only, guild_id, services
from cogs.discord_events import setting_text
from cogs.languages import LANGUAGE_CHOICES


def settings_text(settings: GuildSettings, groups: list[str], lang: str = "en") -> str:
    """/settings show: everything a server has set, or its defaults, in `lang`."""
    t = Translator(lang)
    role = (
        t("{role} (and members with Manage Server)", role=f"<@&{settings.coordinator_role_id}>")
        if settings.coordinator_role_id
        else t("none (members with Manage Server are coordinators)")
    )
    channel = (
        f"<#{settings.reminder_channel_id}>"
        if settings.reminder_channel_id
        else t("none (event reminders are not posted; set one with `/reminders channel`)")
    )
    reminder_role = (
        t("{role} (pinged by event reminders)", role=f"<@&{settings.reminder_role_id}>")
        if settings.reminder_role_id
        else t("none (event reminders ping nobody; choose one with `/reminders role`)")
    )
    offsets = ", ".join(settings.reminder_offsets.split(","))
    mode = t(_MODES[settings.verification_mode.value])
    names = ", ".join(inert(group_name(g, lang)) for g in groups)
    language = f"{NATIVE_NAMES.get(settings.language, settings.language)} ({settings.language})"
    title = t("Settings of this server")
    zone = f"**{settings.timezone}**"
    if settings.timezone == "UTC":  # most likely never chosen: say what it means
        zone += " " + t(
            "(the default: dates members type are read as UTC; `/settings timezone` sets the"
            " server's)"
        )
    return "\n".join([
        f"**{title}**",
        t("Timezone: {zone}", zone=zone),
        t("Coordinator role: {role}", role=role),
        t("Reminder channel: {channel}", channel=channel),
        t("Reminder role: {role}", role=reminder_role),
        t("Reminder offsets: {offsets}", offsets=offsets),
        t("Verification mode: {mode}", mode=f"**{mode}**"),
        t("Stakeholder groups: {groups}", groups=names),
        t("Language: {language}", language=language),
    ])


_MODES = {"open": N_("open"), "required": N_("required")}


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
            Msg("Added the group {group}. Members can now choose it in `/stakeholder register`,"
                " and `/coverage` shows it as a column.", group=f"**{inert(added)}**"),
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
            Msg("Removed the group {group}. Comments made in it keep their attribution.",
                group=f"**{inert(removed)}**"),
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
            Msg("The server's timezone is now {zone}. Members can set their own with"
                " `/timezone`.", zone=f"**{settings.timezone}**"),
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
            Msg("Members with {role} are now coordinators (as are members with Manage Server).",
                role=role.mention),
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
        t = Translator(lang_of(interaction))
        if mode == "open":
            text = t(
                "Verification mode is now **open**: registered members can comment, and an"
                " attribution nobody verified is shown with \u201c({unverified})\u201d.",
                unverified=t("unverified"),
            )
        else:
            waiting = await svc.stakeholders.count_unverified(gid)
            text = t(
                "Verification mode is now **required**: only members whose profile a coordinator"
                " verified can comment (`/stakeholder verify`)."
            )
            if waiting:
                text += " " + t.plural(
                    "{n} registered profile is not verified yet: `/stakeholder list"
                    " verified:unverified`.",
                    "{n} registered profiles are not verified yet: `/stakeholder list"
                    " verified:unverified`.",
                    waiting,
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
        await reply(interaction, setting_text(changed, lang_of(interaction)), ephemeral=True)

    @app_commands.command(name="show")
    async def show(self, interaction: Interaction) -> None:
        """Show this server's settings (anyone)."""
        svc = services(interaction)
        gid = guild_id(interaction)
        settings = await svc.settings.get(gid)
        groups = await svc.stakeholders.groups(gid)
        text = settings_text(settings, groups, lang_of(interaction))
        mirrored = await svc.discord_events.enabled(gid)
        t = Translator(lang_of(interaction))
        text += "\n" + t("Discord events: {state} (`/settings discord-events`)",
                         state=f"**{t('on') if mirrored else t('off')}**")
        await reply(interaction, text, ephemeral=True)

    @app_commands.command(name="language")
    @app_commands.describe(code="ar, zh, en, fr, ru or es")
    @app_commands.choices(code=LANGUAGE_CHOICES)
    @coordinator_only()
    async def language(self, interaction: Interaction, code: str) -> None:
        """Set the server's language: reminders and announcements are posted in it."""
        settings = await services(interaction).settings.set_language(
            guild_id(interaction), interaction.user.id, code
        )
        await reply(
            interaction,
            Msg(
                "This server's language is now {language}: reminders and announcements are"
                " posted in it, and members whose Discord app is in another language get their"
                " answers in theirs (or the one they choose with `/language`).",
                language=NATIVE_NAMES[settings.language],
            ),
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
