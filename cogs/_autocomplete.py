"""The autocompletes that several commands share: drafts, sections, events, timezones,
stakeholder groups.

They help; they never decide. Every value is validated again by the service it reaches.
"""

from __future__ import annotations

from babel.dates import format_date, format_skeleton
from discord import app_commands

from bot.domain.models import Event, Section
from bot.domain.sections import normalize_section_key, resolve_section_key, section_label
from bot.domain.timefmt import local_date
from bot.domain.when import zones as timezones
from bot.errors import UserError
from bot.i18n import babel_locale, group_name, tr
from bot.text import strip_bidi
from bot.ui import lang_of, truncate
from cogs._common import Interaction, services


async def _reader_language(interaction: Interaction) -> str:
    """The language the labels are written in: an autocomplete has no command run yet to
    choose it, so it is chosen here (the member's, their client's, the server's)."""
    from bot.app import choose_language  # bot.app loads the cogs' helpers

    await choose_language(interaction)
    return lang_of(interaction)


def _matches(current: str, *names: str) -> bool:
    wanted = current.strip().lower()
    return not wanted or any(wanted in name.lower() for name in names)


async def draft_autocomplete(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The server's draft codes that contain what was typed."""
    if interaction.guild_id is None:
        return []
    codes = await services(interaction).drafts.codes(interaction.guild_id)
    return [app_commands.Choice(name=c, value=c) for c in codes if _matches(current, c)][:25]


def _section_choice(section: Section) -> app_commands.Choice[str]:
    label = f"{section_label(section.key)} — {' '.join(section.text.split())}"
    return app_commands.Choice(name=truncate(label, 100), value=section.key)


async def section_autocomplete(
    interaction: Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The sections of the draft named in the same command (option `code` or `draft`)."""
    if interaction.guild_id is None:
        return []
    namespace = interaction.namespace
    code = getattr(namespace, "code", None) or getattr(namespace, "draft", None)
    if not code:
        return []
    sections = await services(interaction).drafts.section_keys(interaction.guild_id, str(code))
    try:
        keys = [s.key for s in sections]
        typed = (
            resolve_section_key(current, keys) or normalize_section_key(current)
            if current.strip()
            else None
        )
    except UserError:
        typed = None
    exact = [s for s in sections if s.key == typed]
    rest = [
        s for s in sections
        if s.key != typed and _matches(current, s.key, section_label(s.key))
    ]
    choices = [_section_choice(s) for s in exact + rest]
    creating = interaction.command is not None and interaction.command.name == "section"
    if typed and not exact and creating:
        label = tr(await _reader_language(interaction), "{section} (new)",
                   section=section_label(typed))
        choices.insert(0, app_commands.Choice(name=truncate(label, 100), value=typed))
    return choices[:25]


def choice_name(event: Event, lang: str = "en") -> str:
    """An autocomplete label: "#12 ICANN 49 · 23 Mar 2014" (at most 100 characters), its
    date written the way `lang` writes dates."""
    day = local_date(event.start, event.timezone)
    when = (  # "23 Mar 2014" in English; each language's own order and words else
        format_date(day, "d MMM y", locale="en") if lang == "en"
        else format_skeleton("yMMMd", day, locale=babel_locale(lang))
    )
    prefix = f"#{event.id} "
    suffix = f" · {when}"
    title = strip_bidi(event.title)  # titles stored before bidi was removed at input
    return prefix + truncate(title, 100 - len(prefix) - len(suffix)) + suffix


async def event_autocomplete(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    lang = await _reader_language(interaction)
    events = await services(interaction).calendar.search(interaction.guild_id, current, limit=25)
    return [app_commands.Choice(name=choice_name(e, lang), value=str(e.id)) for e in events]


async def group_autocomplete(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The server's stakeholder groups (the five WSIS groups, then its own) that contain what
    was typed. Group options are free text: Discord forbids choices and autocomplete on one
    option, and the service accepts any of the server's groups as typed."""
    if interaction.guild_id is None:
        return []
    lang = await _reader_language(interaction)
    groups = await services(interaction).stakeholders.groups(interaction.guild_id)
    named = [(g, group_name(g, lang)) for g in groups]
    return [
        app_commands.Choice(name=name, value=g) for g, name in named if _matches(current, g, name)
    ][:25]


async def timezone_autocomplete(
    interaction: Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=z, value=z) for z in timezones.search(current)]
