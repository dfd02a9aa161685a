"""Server and member settings: timezones, coordinator role, reminder channel and offsets."""

from __future__ import annotations

from bot.db.database import Executor
from bot.db.guilds import GuildRepository, UserRepository
from bot.domain.clock import Clock
from bot.domain.models import GuildSettings
from bot.domain.offsets import format_offsets, parse_offsets
from bot.domain.when import validate_zone


class SettingsService:
    def __init__(self, guilds: GuildRepository, users: UserRepository, clock: Clock) -> None:
        self.guilds = guilds
        self.users = users
        self.clock = clock

    async def get(self, guild_id: int) -> GuildSettings:
        return await self.guilds.get(guild_id)

    async def set_timezone(self, guild_id: int, actor_id: int, zone: str) -> GuildSettings:
        return await self.guilds.update(
            guild_id, actor_id=actor_id, at=self.clock(), timezone=validate_zone(zone)
        )

    async def set_coordinator_role(self, guild_id: int, actor_id: int, role_id: int) -> GuildSettings:
        return await self.guilds.update(
            guild_id, actor_id=actor_id, at=self.clock(), coordinator_role_id=role_id
        )

    async def set_reminder_channel(self, guild_id: int, actor_id: int, channel_id: int) -> GuildSettings:
        return await self.guilds.update(
            guild_id, actor_id=actor_id, at=self.clock(), reminder_channel_id=channel_id
        )

    async def set_reminder_offsets(
        self, guild_id: int, actor_id: int, text: str, *, tx: Executor | None = None
    ) -> GuildSettings:
        """Store the server's reminder offsets (in `tx`, when the caller replans in the same
        transaction)."""
        normalized = format_offsets(parse_offsets(text))
        return await self.guilds.update(
            guild_id, actor_id=actor_id, at=self.clock(), tx=tx, reminder_offsets=normalized
        )

    async def set_member_timezone(self, user_id: int, zone: str) -> str:
        canonical = validate_zone(zone)
        await self.users.set_timezone(user_id, canonical, self.clock())
        return canonical

    async def member_timezone(self, user_id: int) -> str | None:
        return await self.users.timezone(user_id)

    async def effective_timezone(self, guild_id: int | None, user_id: int) -> str:
        """The member's own timezone, else the server's, else UTC."""
        own = await self.users.timezone(user_id)
        if own:
            return own
        if guild_id is None:
            return "UTC"
        return (await self.guilds.get(guild_id)).timezone
