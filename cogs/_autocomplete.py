"""The autocompletes that several commands share: drafts, sections, events, timezones,
stakeholder groups.

They help; they never decide. Every value is validated again by the service it reaches.
"""

from __future__ import annotations

from discord import app_commands

from bot.domain.models import Event, Section
from bot.domain.sections import normalize_section_key, resolve_section_key, section_label
from bot.domain.timefmt import local_date
from bot.domain.when import zones as timezones
from bot.errors import UserError
from bot.text import strip_bidi
from bot.ui import truncate
from cogs._common import Interaction, services


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
        choices.insert(0, app_commands.Choice(name=f"{section_label(typed)} (new)", value=typed))
    return choices[:25]


def choice_name(event: Event) -> str:
    """An autocomplete label: "#12 ICANN 49 · 23 Mar 2014" (at most 100 characters)."""
    day = local_date(event.start, event.timezone)
    when = f"{day.day} {day:%b %Y}"
    prefix = f"#{event.id} "
    suffix = f" · {when}"
    title = strip_bidi(event.title)  # titles stored before bidi was removed at input
    return prefix + truncate(title, 100 - len(prefix) - len(suffix)) + suffix


async def event_autocomplete(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    events = await services(interaction).calendar.search(interaction.guild_id, current, limit=25)
    return [app_commands.Choice(name=choice_name(e), value=str(e.id)) for e in events]


async def group_autocomplete(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The server's stakeholder groups (the five WSIS groups, then its own) that contain what
    was typed. Group options are free text: Discord forbids choices and autocomplete on one
    option, and the service accepts any of the server's groups as typed."""
    if interaction.guild_id is None:
        return []
    groups = await services(interaction).stakeholders.groups(interaction.guild_id)
    return [app_commands.Choice(name=g, value=g) for g in groups if _matches(current, g)][:25]


async def timezone_autocomplete(
    interaction: Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=z, value=z) for z in timezones.search(current)]
