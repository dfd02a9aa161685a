"""/language: the language Concord answers a member in (SPEC section 12)."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.i18n import LANGUAGES, NATIVE_NAMES, Msg
from bot.ui import reply
from cogs._common import Interaction, services

#: The six languages as choices, each named in itself ("fr — Français").
LANGUAGE_CHOICES = [
    app_commands.Choice(name=f"{code} — {NATIVE_NAMES[code]}", value=code) for code in LANGUAGES
]


class LanguageCog(commands.Cog):
    """A member's own language."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="language")
    @app_commands.describe(code="ar, zh, en, fr, ru or es; leave it out to follow your Discord language")
    @app_commands.choices(code=LANGUAGE_CHOICES)
    async def language(self, interaction: Interaction, code: str | None = None) -> None:
        """Choose the language Concord answers you in."""
        lang = await services(interaction).settings.set_member_language(interaction.user.id, code)
        chosen = await services(interaction).settings.reader_language(
            interaction.guild_id, interaction.user.id, interaction.locale
        )
        interaction.extras["lang"] = chosen
        if lang is None:
            message = Msg(
                "I will answer you in the language of your Discord app when it is one of the"
                " six UN languages, else in this server's: for now, {language}.",
                language=NATIVE_NAMES[chosen],
            )
        else:
            message = Msg("I will answer you in {language}.", language=NATIVE_NAMES[lang])
        await reply(interaction, message, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(LanguageCog(bot))
