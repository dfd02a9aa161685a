"""/stakeholder register|show|list|verify|set|remove and /timezone: who is who in the process."""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.models import DEFAULT_GROUPS, Stakeholder
from bot.domain.timefmt import ts
from bot.errors import UserError
from bot.i18n import Msg, Translator, attribution_in, group_name, tr
from bot.paging import GONE, Page, pager, send_listing
from bot.ui import chunk_lines, inert, lang_of, reply
from cogs._autocomplete import group_autocomplete, timezone_autocomplete
from cogs._common import Interaction, coordinator_only, guild_id, services

Verified = Literal["verified", "unverified", "all"]
_STATES: dict[str, bool | None] = {"verified": True, "unverified": False, "all": None}


def state(profile: Stakeholder, lang: str = "en") -> str:
    return tr(lang, "verified") if profile.verified else tr(lang, "unverified")


def named(profile: Stakeholder, lang: str = "en") -> str:
    """**ISOC**, Civil Society: the organization as inert text (SPEC section 8), the group
    (named in `lang`)."""
    return f"**{inert(profile.organization)}**, {group_name(profile.group, lang)}"


def profile_line(profile: Stakeholder, lang: str = "en") -> str:
    return f"<@{profile.user_id}> — {named(profile, lang)} · {state(profile, lang)}"


@app_commands.guild_only()
class StakeholderCommands(app_commands.Group, name="stakeholder"):
    """Stakeholder profiles: your organization and stakeholder group."""

    @app_commands.command(name="register")
    @app_commands.describe(
        organization="Your organization, as the consolidated text should name it (e.g. ISOC)",
        group="Your stakeholder group (one of this server's groups)",
    )
    @app_commands.autocomplete(group=group_autocomplete)
    async def register(self, interaction: Interaction, organization: str, group: str) -> None:
        """Register (or update) your organization and stakeholder group."""
        profile, new = await services(interaction).stakeholders.register(
            guild_id(interaction), interaction.user.id, interaction.user.display_name,
            organization, group,
        )
        t = Translator(lang_of(interaction))
        facts = dict(
            who=named(profile, t.lang), state=state(profile, t.lang),
            attribution=inert(attribution_in(profile.attribution, t.lang)),
        )
        if new:
            text = t("Registered {who} ({state}). Your comments will be attributed as"
                     " \u201c{attribution}\u201d.", **facts)
        else:
            text = t("Your profile: {who} ({state}). Your comments will be attributed as"
                     " \u201c{attribution}\u201d.", **facts)
        if not profile.verified:
            text += " " + t("A coordinator can verify your profile with `/stakeholder verify`.")
        await reply(interaction, text, ephemeral=True)

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
                    Msg("You have no stakeholder profile yet; run `/stakeholder register` with"
                        " your organization and group.")
                )
            raise UserError(
                Msg("{name} has no stakeholder profile in this server.",
                    name=inert(target.display_name))
            )
        t = Translator(lang_of(interaction))
        if profile.verified:
            by = f"<@{profile.verified_by}>" if profile.verified_by else None
            on = ts(profile.verified_at, "D") if profile.verified_at else None
            if by and on:
                verification = t("verified by {member} on {day}", member=by, day=on)
            elif by:
                verification = t("verified by {member}", member=by)
            else:
                verification = t("verified")
        else:
            verification = t(
                "unverified (coordinators verify profiles with `/stakeholder verify`)"
            )
        lines = [
            f"**{inert(target.display_name)}**",
            t("Organization: {organization}", organization=f"**{inert(profile.organization)}**"),
            t("Stakeholder group: {group}", group=group_name(profile.group, t.lang)),
            t("Attributed as: {attribution}",
              attribution=f"\u201c{inert(attribution_in(profile.attribution, t.lang))}\u201d"),
            t("Verification: {state}", state=verification),
            t("Registered: {day}", day=ts(profile.created_at, "D")),
        ]
        zone = await svc.settings.member_timezone(target.id)
        if zone:
            lines.append(t("Timezone: {zone}", zone=zone))
        await reply(interaction, "\n".join(lines), ephemeral=True)

    @app_commands.command(name="list")
    @app_commands.describe(group="Only this stakeholder group", verified="Only verified or unverified profiles")
    @app_commands.autocomplete(group=group_autocomplete)
    async def list_(
        self, interaction: Interaction, group: str | None = None, verified: Verified = "all"
    ) -> None:
        """List registered stakeholders, by group, with whether each is verified."""
        profiles = await services(interaction).stakeholders.list(
            guild_id(interaction), group, _STATES[verified]
        )
        if not profiles:
            if group:
                name = group_name(group, lang_of(interaction))
                nobody = Msg("No stakeholders of this kind in {group} yet; `/stakeholder list`"
                             " shows everyone.", group=inert(name))
                if verified == "all":
                    nobody = Msg("No stakeholders registered in {group} yet; members join with"
                                 " `/stakeholder register`.", group=inert(name))
            else:
                nobody = _NO_STAKEHOLDERS[verified]
            await reply(interaction, nobody, ephemeral=True)
            return
        args = f"{verified}:{profiles[0].group if group else ''}"
        await send_listing(
            interaction, "stakeholders", args, stakeholder_pages(profiles, lang_of(interaction))
        )

    @app_commands.command(name="verify")
    @app_commands.describe(member="The member whose profile you vouch for")
    @coordinator_only()
    async def verify(self, interaction: Interaction, member: discord.Member) -> None:
        """Verify a member's profile: their comments are then attributed without "(unverified)"."""
        profile, now = await services(interaction).stakeholders.verify(
            guild_id(interaction), interaction.user.id, member.id, inert(member.display_name)
        )
        t = Translator(lang_of(interaction))
        who, facts = f"<@{member.id}>", named(profile, t.lang)
        if not now:
            text = t("{member}'s profile was already verified: {profile}.", member=who,
                     profile=facts)
        else:
            text = t(
                "Verified {member}: {profile}. Their comments from now on are attributed as"
                " \u201c{attribution}\u201d, verified; they can no longer change their"
                " organization or group themselves (`/stakeholder set` can).",
                member=who, profile=facts,
                attribution=inert(attribution_in(profile.attribution, t.lang)),
            )
        await reply(interaction, text, ephemeral=True)

    @app_commands.command(name="set")
    @app_commands.describe(
        member="Whose profile to set",
        organization="Their organization, as the consolidated text should name it",
        group="Their stakeholder group (one of this server's groups)",
    )
    @app_commands.autocomplete(group=group_autocomplete)
    @coordinator_only()
    async def set_(
        self, interaction: Interaction, member: discord.Member, organization: str, group: str
    ) -> None:
        """Set a member's organization and group; the profile is verified at once."""
        profile, _ = await services(interaction).stakeholders.set(
            guild_id(interaction), interaction.user.id, member.id, member.display_name,
            organization, group,
        )
        lang = lang_of(interaction)
        await reply(
            interaction,
            tr(lang, "Set {member}'s profile: {profile} ({verified}). Their comments will be"
               " attributed as \u201c{attribution}\u201d.", member=f"<@{member.id}>",
               profile=named(profile, lang), verified=tr(lang, "verified"),
               attribution=inert(attribution_in(profile.attribution, lang))),
            ephemeral=True,
        )

    @app_commands.command(name="remove")
    @app_commands.describe(member="Whose profile to remove")
    @coordinator_only()
    async def remove(self, interaction: Interaction, member: discord.Member) -> None:
        """Remove a member's profile; their comments keep the attribution they were made with."""
        removed = await services(interaction).stakeholders.remove(
            guild_id(interaction), interaction.user.id, member.id, inert(member.display_name)
        )
        lang = lang_of(interaction)
        await reply(
            interaction,
            tr(lang, "Removed {member}'s stakeholder profile ({profile}). Their comments keep the"
               " attribution they were made with; to comment again they register anew.",
               member=f"<@{member.id}>", profile=named(removed, lang)),
            ephemeral=True,
        )


def stakeholder_pages(profiles: list[Stakeholder], lang: str = "en") -> list[str]:
    """/stakeholder list: the profiles by group (the five, then the server's own), in pages."""
    lines: list[str] = []
    groups = list(dict.fromkeys([*DEFAULT_GROUPS, *sorted({p.group for p in profiles})]))
    for grp in groups:
        members = [p for p in profiles if p.group == grp]
        if members:
            lines.append(f"**{group_name(grp, lang)}** ({len(members)})")
            lines.extend(f"- {profile_line(p, lang)}" for p in members)
    title = tr(lang, "Stakeholders")
    return chunk_lines(lines, header=f"**{title}** ({len(profiles)})")


_NO_STAKEHOLDERS = {
    "all": Msg("No stakeholders registered yet; members join with `/stakeholder register`."),
    "verified": Msg("No verified stakeholders yet; coordinators verify profiles with"
                    " `/stakeholder verify`."),
    "unverified": Msg("No unverified stakeholders: every profile is verified."),
}


@pager("stakeholders")
async def stakeholders_page(interaction: Interaction, args: str, index: int) -> Page:
    """Page `index` of /stakeholder list (args: "verified:group", each may be empty)."""
    which, _, group = args.partition(":")
    if which not in _STATES:
        raise UserError(GONE)
    profiles = await services(interaction).stakeholders.list(
        guild_id(interaction), group or None, _STATES[which]
    )
    lang = lang_of(interaction)
    pages = stakeholder_pages(profiles, lang) if profiles else [tr(lang, "No stakeholders any more.")]
    return Page.of(pages, index)


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
            Msg("Your timezone is now {zone}: dates and times you type are read in it. (Times I"
                " show appear in your own Discord's timezone anyway.)", zone=f"**{canonical}**"),
            ephemeral=True,
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(StakeholderCog(bot))
