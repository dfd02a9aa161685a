"""The stakeholder service: members' profiles (organization and stakeholder group)."""

from __future__ import annotations

from bot.db import audit
from bot.db.database import Database
from bot.db.guilds import GuildRepository
from bot.db.stakeholders import StakeholderRepository
from bot.domain.clock import Clock
from bot.domain.models import AttributionStatus, Stakeholder, VerificationMode
from bot.domain.stakeholders import clean_organization, parse_group
from bot.errors import Forbidden, UserError

#: The refusal of /comment in required mode to a member whose profile is not verified.
VERIFICATION_REQUIRED = (
    "Only verified stakeholders can comment on this server; ask a coordinator (Manage Server"
    " or the coordinator role) to verify you with /stakeholder verify."
)


class StakeholderService:
    def __init__(
        self,
        db: Database,
        repo: StakeholderRepository,
        clock: Clock,
        guilds: GuildRepository | None = None,
    ) -> None:
        self.db = db
        self.repo = repo
        self.clock = clock
        self.guilds = guilds or GuildRepository(db)

    async def register(
        self, guild_id: int, user_id: int, display_name: str, organization: str, group: str
    ) -> tuple[Stakeholder, bool]:
        """Create or update the member's profile; returns it and whether it is new."""
        org = clean_organization(organization)
        grp = parse_group(group)
        at = self.clock()
        async with self.db.transaction() as tx:
            profile, new = await self.repo.upsert(
                tx, guild_id, user_id, display_name[:100], org, grp, at
            )
            await audit.record(
                tx, guild_id=guild_id, actor_id=user_id,
                action="stakeholder.register" if new else "stakeholder.update",
                target=f"user:{user_id}", at=at,
                detail={"organization": org, "group": grp.value},
            )
        return profile, new

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

    async def for_comment(self, guild_id: int, user_id: int) -> tuple[Stakeholder, AttributionStatus]:
        """The profile a new comment is attributed to and how that attribution stands now
        (verified or unverified). In a server whose verification mode is `required`, an
        unverified member is refused (SPEC section 8)."""
        profile = await self.require(guild_id, user_id)
        if profile.verified:
            return profile, AttributionStatus.VERIFIED
        settings = await self.guilds.get(guild_id)
        if settings.verification_mode is VerificationMode.REQUIRED:
            raise Forbidden(VERIFICATION_REQUIRED)
        return profile, AttributionStatus.UNVERIFIED

    async def list(self, guild_id: int, group: str | None = None) -> list[Stakeholder]:
        return await self.repo.list(guild_id, parse_group(group) if group else None)
