"""Stakeholder profiles as typed: organization names, stakeholder groups (the five WSIS groups
and a server's own), and who counts as a coordinator. Pure; the service is
bot.services.stakeholders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.domain.models import DEFAULT_GROUPS, GuildSettings, StakeholderGroup
from bot.errors import UserError
from bot.i18n import Msg
from bot.text import strip_bidi

MAX_ORGANIZATION = 100
MAX_GROUP_NAME = 40

#: The short forms /coverage uses for the five groups' columns.
ABBREVIATIONS: dict[str, str] = {
    StakeholderGroup.GOVERNMENT.value: "Gov",
    StakeholderGroup.PRIVATE_SECTOR.value: "Priv",
    StakeholderGroup.CIVIL_SOCIETY.value: "CS",
    StakeholderGroup.INTERNATIONAL_ORGANIZATION.value: "IO",
    StakeholderGroup.TECHNICAL_COMMUNITY.value: "Tech",
}


def clean_organization(text: str) -> str:
    """Trimmed, single-spaced organization name without bidirectional overrides, or a
    UserError saying what to type."""
    cleaned = " ".join(strip_bidi(text).split())
    if not cleaned:
        raise UserError(
            Msg('Give your organization\'s name, for example "ISOC" or "Government of Brazil".')
        )
    if len(cleaned) > MAX_ORGANIZATION:
        raise UserError(
            Msg("That organization name is {length} characters; keep it to {limit}"
                " (an acronym such as \"ISOC\" works well).", length=len(cleaned),
                limit=MAX_ORGANIZATION)
        )
    return cleaned


def group_key(name: str) -> str:
    """What makes two group names the same: case and spacing do not matter."""
    return " ".join(name.split()).casefold()


def server_groups(own: Iterable[str] = ()) -> list[str]:
    """A server's groups in order: the five WSIS groups, then its own."""
    return [*DEFAULT_GROUPS, *own]


def match_group(text: str, own: Sequence[str] = ()) -> str | None:
    """The canonical name of the server group `text` names, or None. The five WSIS groups keep
    their forgiving aliases ("gov", "business", "civil society"); a server's own groups match
    case-insensitively."""
    try:
        return StakeholderGroup.parse(text).value
    except ValueError:
        pass
    wanted = group_key(text)
    return next((name for name in own if group_key(name) == wanted), None)


def parse_group(text: str, own: Sequence[str] = ()) -> str:
    """Like match_group, or a UserError naming the server's groups."""
    found = match_group(text, own)
    if found is None:
        names = ", ".join(server_groups(own))
        raise UserError(
            Msg('"{text}" is not a stakeholder group here; choose one of: {names}.',
                text=strip_bidi(text).strip()[:60], names=names)
        )
    return found


def clean_group_name(text: str) -> str:
    """A new server group's name, trimmed and single-spaced: 1-40 characters, no comma or
    colon (an attribution "ISOC, Academia: text" splits at them)."""
    name = " ".join(strip_bidi(text).split())
    if not name:
        raise UserError(Msg('Give the group\'s name, for example "Academia".'))
    if len(name) > MAX_GROUP_NAME:
        raise UserError(Msg("A group's name is at most {limit} characters; that one has {length}.",
                            limit=MAX_GROUP_NAME, length=len(name)))
    if "," in name or ":" in name:
        raise UserError(
            Msg("A group's name cannot hold a comma or a colon (attributions are split at them).")
        )
    return name


def abbreviation(group: str) -> str:
    """A group's short form for narrow columns: "CS" for Civil Society; for a server's own
    group, its initials when it has several words, else its first four letters."""
    if group in ABBREVIATIONS:
        return ABBREVIATIONS[group]
    words = group.split()
    if len(words) > 1:
        return "".join(w[0] for w in words)[:4].upper()
    return group[:4]


def is_coordinator(*, manage_guild: bool, role_ids: Iterable[int], settings: GuildSettings) -> bool:
    """Coordinators have Manage Server, or the server's coordinator role."""
    if manage_guild:
        return True
    return settings.coordinator_role_id is not None and settings.coordinator_role_id in set(role_ids)
