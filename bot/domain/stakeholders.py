"""Stakeholder profiles as typed: organization names, stakeholder groups, and who counts as a
coordinator. Pure; the service is bot.services.stakeholders."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.models import GuildSettings, StakeholderGroup
from bot.errors import UserError

MAX_ORGANIZATION = 100


def clean_organization(text: str) -> str:
    """Trimmed, single-spaced organization name, or a UserError saying what to type."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise UserError('Give your organization\'s name, for example "ISOC" or "Government of Brazil".')
    if len(cleaned) > MAX_ORGANIZATION:
        raise UserError(
            f"That organization name is {len(cleaned)} characters; keep it to {MAX_ORGANIZATION}"
            " (an acronym such as \"ISOC\" works well)."
        )
    return cleaned


def parse_group(text: str) -> StakeholderGroup:
    try:
        return StakeholderGroup.parse(text)
    except ValueError:
        names = ", ".join(g.value for g in StakeholderGroup)
        raise UserError(f"Choose a stakeholder group: {names}.") from None


def is_coordinator(*, manage_guild: bool, role_ids: Iterable[int], settings: GuildSettings) -> bool:
    """Coordinators have Manage Server, or the server's coordinator role."""
    if manage_guild:
        return True
    return settings.coordinator_role_id is not None and settings.coordinator_role_id in set(role_ids)
