"""Stakeholder profiles and who counts as a coordinator."""

from __future__ import annotations

from collections.abc import Iterable

from bot.db.stakeholders import StakeholderRepository
from bot.domain.clock import Clock
from bot.domain.models import GuildSettings, Stakeholder, StakeholderGroup
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


class StakeholderService:
    def __init__(self, repo: StakeholderRepository, clock: Clock) -> None:
        self.repo = repo
        self.clock = clock

    async def register(
        self, guild_id: int, user_id: int, display_name: str, organization: str, group: str
    ) -> tuple[Stakeholder, bool]:
        """Create or update the member's profile; returns it and whether it is new."""
        org = clean_organization(organization)
        grp = parse_group(group)
        return await self.repo.upsert(guild_id, user_id, display_name[:100], org, grp, self.clock())

    async def get(self, guild_id: int, user_id: int) -> Stakeholder | None:
        return await self.repo.get(guild_id, user_id)

    async def require(self, guild_id: int, user_id: int) -> Stakeholder:
        """The member's profile, or the refusal that tells them how to register."""
        found = await self.repo.get(guild_id, user_id)
        if found is None:
            raise UserError(
                "You need a stakeholder profile first: run `/stakeholder register` with your"
                " organization and group."
            )
        return found

    async def list(self, guild_id: int, group: str | None = None) -> list[Stakeholder]:
        return await self.repo.list(guild_id, parse_group(group) if group else None)
