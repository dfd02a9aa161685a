"""/stakeholder register|show|list and /timezone: who is who in the process."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.models import DEFAULT_GROUPS, Stakeholder
from bot.domain.timefmt import ts
from bot.errors import UserError
from bot.paging import Page, pager, send_listing
from bot.ui import chunk_lines, reply
from cogs._autocomplete import group_autocomplete, timezone_autocomplete
from cogs._common import Interaction, guild_id, services


def profile_line(profile: Stakeholder) -> str:
    return f"<@{profile.user_id}> — **{profile.organization}**, {profile.group}"


@app_commands.guild_only()
class StakeholderCommands(app_commands.Group, name="stakeholder"):
    """Stakeholder profiles: your organization and stakeholder group."""

    @app_commands.command(name="register")
    @app_commands.describe(
        organization="Your organization, as the consolidated text should name it (e.g. ISOC)",
        group="Your stakeholder group",
    )
    @app_commands.autocomplete(group=group_autocomplete)
    async def register(self, interaction: Interaction, organization: str, group: str) -> None:
        """Register (or update) your organization and stakeholder group."""
        profile, new = await services(interaction).stakeholders.register(
            guild_id(interaction), interaction.user.id, interaction.user.display_name,
            organization, group,
        )
        verb = "Registered" if new else "Updated your profile:"
        await reply(
            interaction,
            f"{verb} **{profile.organization}**, {profile.group}. Your comments will be"
            f" attributed as \u201c{profile.attribution}\u201d.",
            ephemeral=True,
        )

    @app_commands.command(name="show")
    @app_commands.describe(member="Whose profile to show (default: yours)")
    async def show(self, interaction: Interaction, member: discord.Member | None = None) -> None:
        """Show a member's stakeholder profile."""
        svc = services(interaction)
        target = member or interaction.user
        profile = await svc.stakeholders.get(guild_id(interaction), target.id)
        if profile is None:
            if target.id == interaction.user.id:
                raise UserError(
                    "You have no stakeholder profile yet; run `/stakeholder register` with your"
                    " organization and group."
                )
            raise UserError(f"{target.display_name} has no stakeholder profile in this server.")
        lines = [
            f"**{target.display_name}**",
            f"Organization: **{profile.organization}**",
            f"Stakeholder group: {profile.group}",
            f"Attributed as: \u201c{profile.attribution}\u201d",
            f"Registered: {ts(profile.created_at, 'D')}",
        ]
        zone = await svc.settings.member_timezone(target.id)
        if zone:
            lines.append(f"Timezone: {zone}")
        await reply(interaction, "\n".join(lines), ephemeral=True)

    @app_commands.command(name="list")
    @app_commands.describe(group="Only this stakeholder group")
    @app_commands.autocomplete(group=group_autocomplete)
    async def list_(self, interaction: Interaction, group: str | None = None) -> None:
        """List registered stakeholders, by group."""
        profiles = await services(interaction).stakeholders.list(guild_id(interaction), group)
        if not profiles:
            where = f" in {group}" if group else ""
            await reply(
                interaction,
                f"No stakeholders registered{where} yet; members join with `/stakeholder register`.",
                ephemeral=True,
            )
            return
        args = profiles[0].group if group else ""
        await send_listing(interaction, "stakeholders", args, stakeholder_pages(profiles))


def stakeholder_pages(profiles: list[Stakeholder]) -> list[str]:
    """/stakeholder list: the profiles by group (the five, then the server's own), in pages."""
    lines: list[str] = []
    groups = list(dict.fromkeys([*DEFAULT_GROUPS, *sorted({p.group for p in profiles})]))
    for grp in groups:
        members = [p for p in profiles if p.group == grp]
        if members:
            lines.append(f"**{grp}** ({len(members)})")
            lines.extend(f"- {profile_line(p)}" for p in members)
    return chunk_lines(lines, header=f"**Stakeholders** ({len(profiles)})")


@pager("stakeholders")
async def stakeholders_page(interaction: Interaction, args: str, index: int) -> Page:
    """Page `index` of /stakeholder list (args: the group, or empty for all)."""
    group = args or None
    profiles = await services(interaction).stakeholders.list(guild_id(interaction), group)
    return Page.of(stakeholder_pages(profiles) if profiles else ["No stakeholders any more."], index)


class StakeholderCog(commands.Cog):
    """The `/stakeholder` group and the top-level commands of this area. The group is a class
    attribute, so loading, unloading and reloading the extension adds and removes it too."""

    stakeholder = StakeholderCommands()

    def __init__(self, bot: Any) -> None:
        self.bot = bot

    @app_commands.command(name="timezone")
    @app_commands.describe(zone="An IANA timezone such as Europe/Zurich or America/Sao_Paulo")
    @app_commands.autocomplete(zone=timezone_autocomplete)
    async def timezone(self, interaction: Interaction, zone: str) -> None:
        """Set your own timezone: the times you type are read in it."""
        canonical = await services(interaction).settings.set_member_timezone(interaction.user.id, zone)
        await reply(
            interaction,
            f"Your timezone is now **{canonical}**: dates and times you type are read in it."
            " (Times I show appear in your own Discord's timezone anyway.)",
            ephemeral=True,
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(StakeholderCog(bot))
