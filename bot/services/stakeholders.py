"""The stakeholder service: members' profiles (organization and stakeholder group), their
verification by coordinators, and a server's own stakeholder groups (SPEC section 8)."""

from __future__ import annotations

from bot.db import audit
from bot.db.database import Database, Executor
from bot.db.groups import GroupRepository
from bot.db.guilds import GuildRepository
from bot.db.stakeholders import StakeholderRepository
from bot.domain.clock import Clock
from bot.domain.models import AttributionStatus, Stakeholder, StakeholderGroup, VerificationMode
from bot.domain.stakeholders import (
    clean_group_name,
    clean_organization,
    group_key,
    match_group,
    server_groups,
)
from bot.domain.stakeholders import parse_group as parse_group_in
from bot.errors import Forbidden, NotFound, UserError
from bot.i18n import Msg

#: The refusal of /comment in required mode to a member whose profile is not verified.
VERIFICATION_REQUIRED = Msg(
    "Only verified stakeholders can comment on this server; ask a coordinator (Manage Server"
    " or the coordinator role) to verify you with /stakeholder verify."
)
VERIFIED_LOCKED = Msg(
    "Your profile is verified, so you can no longer change your organization or group"
    " yourself; ask a coordinator (Manage Server or the coordinator role) to change it with"
    " `/stakeholder set`."
)


NO_PROFILE = Msg(
    "You need a stakeholder profile first: run `/stakeholder register` with your organization"
    " and group."
)


class StakeholderService:
    def __init__(
        self,
        db: Database,
        repo: StakeholderRepository,
        clock: Clock,
        guilds: GuildRepository | None = None,
        groups: GroupRepository | None = None,
    ) -> None:
        self.db = db
        self.repo = repo
        self.clock = clock
        self.guilds = guilds or GuildRepository(db)
        self.group_repo = groups or GroupRepository(db)

    # ------------------------------------------------------------------ groups

    async def groups(self, guild_id: int, tx: Executor | None = None) -> list[str]:
        """The server's groups: the five WSIS groups in their order, then its own."""
        return server_groups(await self.group_repo.names(guild_id, tx))

    async def parse_group(self, guild_id: int, text: str) -> str:
        """The canonical name of the server group `text` names (case-insensitively; the five
        keep their aliases), or a UserError naming the server's groups. The five are known
        without reading the server's own groups (which cannot take their names)."""
        found = match_group(text)
        if found is not None:
            return found
        return parse_group_in(text, await self.group_repo.names(guild_id))

    async def add_group(self, guild_id: int, actor_id: int, name: str) -> str:
        """Add a server-specific group; returns its name."""
        cleaned = clean_group_name(name)
        at = self.clock()
        async with self.db.transaction() as tx:
            own = await self.group_repo.names(guild_id, tx)
            existing = match_group(cleaned, own)
            if existing is not None:
                raise UserError(Msg("This server already has the group {group}.", group=existing))
            await self.group_repo.add(tx, guild_id, cleaned, group_key(cleaned), actor_id, at)
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="group.add",
                target=f"group:{cleaned}", at=at, detail={"name": cleaned},
            )
        return cleaned

    async def remove_group(self, guild_id: int, actor_id: int, name: str) -> str:
        """Remove a group the server added, if no profile uses it; returns its name."""
        at = self.clock()
        async with self.db.transaction() as tx:
            own = await self.group_repo.names(guild_id, tx)
            found = match_group(name, own)
            if found is None:
                shown = " ".join(name.split())[:60]
                if not own:
                    raise NotFound(Msg(
                        '"{name}" is not a group this server added (it has added none yet).',
                        name=shown,
                    ))
                raise NotFound(Msg(
                    '"{name}" is not a group this server added (its own groups: {groups}).',
                    name=shown, groups=", ".join(own),
                ))
            if found in {g.value for g in StakeholderGroup}:
                raise UserError(Msg(
                    "{group} is one of the five WSIS groups every server has; it cannot be"
                    " removed.", group=Msg(found),
                ))
            using = await self.group_repo.profiles_using(tx, guild_id, found)
            if using:
                raise UserError(Msg.plural(
                    "{n} profile uses {group}; move it to another group with `/stakeholder set`"
                    " first (`/stakeholder list` shows who).",
                    "{n} profiles use {group}; move them to another group with `/stakeholder set`"
                    " first (`/stakeholder list` shows who).",
                    using, group=found,
                ))
            await self.group_repo.remove(tx, guild_id, group_key(found))
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="group.remove",
                target=f"group:{found}", at=at, detail={"name": found},
            )
        return found

    # ------------------------------------------------------------------ profiles

    async def register(
        self, guild_id: int, user_id: int, display_name: str, organization: str, group: str
    ) -> tuple[Stakeholder, bool]:
        """Create or change the member's own profile, as unverified; returns it and whether
        it is new. A verified member cannot change their own organization or group."""
        org = clean_organization(organization)
        grp = await self.parse_group(guild_id, group)
        at = self.clock()
        async with self.db.transaction() as tx:
            current = await self.repo.get(guild_id, user_id, tx)
            if current is not None and current.verified:
                if (current.organization, current.group) == (org, grp):
                    return current, False
                raise Forbidden(VERIFIED_LOCKED)
            profile, new = await self.repo.upsert(
                tx, guild_id, user_id, display_name[:100], org, grp, at
            )
            await audit.record(
                tx, guild_id=guild_id, actor_id=user_id,
                action="stakeholder.register" if new else "stakeholder.update",
                target=f"user:{user_id}", at=at,
                detail={"organization": org, "group": grp},
            )
        return profile, new

    async def set(
        self,
        guild_id: int,
        actor_id: int,
        user_id: int,
        display_name: str,
        organization: str,
        group: str,
    ) -> tuple[Stakeholder, bool]:
        """A coordinator sets a member's profile; it is verified at once. Returns it and
        whether it is new."""
        org = clean_organization(organization)
        grp = await self.parse_group(guild_id, group)
        at = self.clock()
        async with self.db.transaction() as tx:
            profile, new = await self.repo.upsert(
                tx, guild_id, user_id, display_name[:100], org, grp, at, verified_by=actor_id
            )
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="stakeholder.set",
                target=f"user:{user_id}", at=at,
                detail={"organization": org, "group": grp, "verified": True},
            )
        return profile, new

    async def verify(
        self, guild_id: int, actor_id: int, user_id: int, name: str
    ) -> tuple[Stakeholder, bool]:
        """A coordinator verifies a member's profile as it stands; returns it and whether it
        was verified now (False: it already was)."""
        at = self.clock()
        async with self.db.transaction() as tx:
            current = await self.repo.get(guild_id, user_id, tx)
            if current is None:
                raise NotFound(Msg(
                    "{name} has no stakeholder profile to verify; they register with"
                    " `/stakeholder register`, or set theirs with `/stakeholder set`.", name=name,
                ))
            if current.verified:
                return current, False
            profile = await self.repo.verify(tx, guild_id, user_id, actor_id, at)
            assert profile is not None
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="stakeholder.verify",
                target=f"user:{user_id}", at=at,
                detail={"organization": profile.organization, "group": profile.group},
            )
        return profile, True

    async def remove(self, guild_id: int, actor_id: int, user_id: int, name: str) -> Stakeholder:
        """A coordinator removes a member's profile; their comments keep the attribution they
        were made with."""
        at = self.clock()
        async with self.db.transaction() as tx:
            removed = await self.repo.remove(tx, guild_id, user_id)
            if removed is None:
                raise NotFound(Msg("{name} has no stakeholder profile in this server.",
                                   name=name))
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="stakeholder.remove",
                target=f"user:{user_id}", at=at,
                detail={
                    "organization": removed.organization,
                    "group": removed.group,
                    "verified": removed.verified,
                },
            )
        return removed

    async def get(self, guild_id: int, user_id: int) -> Stakeholder | None:
        return await self.repo.get(guild_id, user_id)

    async def require(self, guild_id: int, user_id: int) -> Stakeholder:
        """The member's profile, or the refusal that tells them how to register."""
        found = await self.repo.get(guild_id, user_id)
        if found is None:
            raise UserError(NO_PROFILE)
        return found

    async def for_comment(self, guild_id: int, user_id: int) -> tuple[Stakeholder, AttributionStatus]:
        """The profile a new comment is attributed to and how that attribution stands now
        (verified or unverified). In a server whose verification mode is `required`, an
        unverified member is refused (SPEC section 8)."""
        found = await self.repo.get_with_mode(guild_id, user_id)
        if found is None:
            raise UserError(NO_PROFILE)
        profile, mode = found
        if profile.verified:
            return profile, AttributionStatus.VERIFIED
        if VerificationMode(mode) is VerificationMode.REQUIRED:
            raise Forbidden(VERIFICATION_REQUIRED)
        return profile, AttributionStatus.UNVERIFIED

    async def count_unverified(self, guild_id: int) -> int:
        return await self.repo.count(guild_id, verified=False)

    async def list(
        self, guild_id: int, group: str | None = None, verified: bool | None = None
    ) -> list[Stakeholder]:
        """The server's profiles, optionally of one group (any of the server's groups, as
        typed) and one verification state."""
        chosen = await self.parse_group(guild_id, group) if group else None
        return await self.repo.list(guild_id, chosen, verified)
