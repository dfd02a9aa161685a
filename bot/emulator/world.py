"""The world: users, guilds, roles, channels, members and DMs, and their JSON for the client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any

from .gateway import GatewaySession
from .models import (
    DEFAULT_EVERYONE_PERMISSIONS,
    Channel,
    Guild,
    Member,
    Role,
    SentMessage,
    User,
    iso,
)
from .rest import HTTPError
from .state import EmulatorState
from .validation import snowflake


class World(EmulatorState):
    """Building the world (tests call these), looking it up, and rendering it as Discord JSON."""

    def add_user(
        self, name: str, bot: bool = False, *, global_name: str | None = None,
        locale: str = "en-US",
    ) -> User:
        user = User(id=self._ids.next(), name=name, bot=bot, global_name=global_name, locale=locale)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, *, owner: User | None = None) -> Guild:
        if owner is None:
            owner = self.add_user(f"{name.lower().replace(' ', '-')}-owner")
        gid = self._ids.next()
        guild = Guild(id=gid, name=name, owner=owner)
        guild.roles.append(
            Role(id=gid, guild_id=gid, name="@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS)
        )
        bot_role = Role(
            id=self._ids.next(),
            guild_id=gid,
            name=self.bot_user.name,
            permissions=self.bot_permissions,
            position=1,
            managed=True,
            bot_id=self.bot_user.id,
        )
        guild.roles.append(bot_role)
        guild.members[owner.id] = Member(user=owner, guild_id=gid)
        guild.members[self.bot_user.id] = Member(user=self.bot_user, guild_id=gid, roles=[bot_role])
        self.guilds[gid] = guild
        for s in self._sessions_for(gid):
            s.dispatch("GUILD_CREATE", self._guild_json(guild))
        return guild

    def add_role(
        self, guild: Guild | int, name: str, permissions: int = 0, *, position: int | None = None
    ) -> Role:
        g = self._guild(guild)
        pos = position if position is not None else len(g.roles)
        role = Role(
            id=self._ids.next(), guild_id=g.id, name=name, permissions=permissions, position=pos
        )
        g.roles.append(role)
        for s in self._sessions_for(g.id):
            s.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(g.id), "role": role.to_json()})
        return role

    def add_channel(self, guild: Guild | int, name: str, *, topic: str | None = None) -> Channel:
        g = self._guild(guild)
        ch = Channel(
            id=self._ids.next(), guild_id=g.id, name=name, position=len(g.channels), topic=topic
        )
        g.channels.append(ch)
        self.channels[ch.id] = ch
        for s in self._sessions_for(g.id):
            s.dispatch("CHANNEL_CREATE", ch.to_json())
        return ch

    def add_member(
        self,
        guild: Guild | int,
        user: User | int,
        roles: Iterable[Role | int] | None = None,
        permissions: int | None = None,
        *,
        nick: str | None = None,
    ) -> Member:
        """Add (or update) a member.

        ``permissions`` (an int) makes interactions report exactly those permissions; so that
        discord.py's ``member.guild_permissions`` agrees, the member also gets a role
        "<name> permissions" carrying them (guild permissions = @everyone | roles | that role).
        """
        g = self._guild(guild)
        u = self._user(user)
        role_objs: list[Role] = []
        for r in roles or []:
            rid = snowflake(r)
            role = g.role(rid)
            if role is None:
                raise ValueError(f"role {rid} is not in guild {g.name!r}")
            if role is not self._perm_roles.get((g.id, u.id)):
                role_objs.append(role)
        if permissions is not None:
            perm_role = self._perm_roles.get((g.id, u.id))
            if perm_role is None:
                perm_role = self.add_role(g, f"{u.name} permissions", permissions)
                self._perm_roles[(g.id, u.id)] = perm_role
            elif perm_role.permissions != permissions:
                perm_role.permissions = permissions
                for s in self._sessions_for(g.id):
                    s.dispatch(
                        "GUILD_ROLE_UPDATE", {"guild_id": str(g.id), "role": perm_role.to_json()}
                    )
            role_objs.append(perm_role)
        existed = u.id in g.members
        member = Member(
            user=u, guild_id=g.id, roles=role_objs, permissions_override=permissions, nick=nick
        )
        g.members[u.id] = member
        event = "GUILD_MEMBER_UPDATE" if existed else "GUILD_MEMBER_ADD"
        for s in self._sessions_for(g.id):
            s.dispatch(event, {"guild_id": str(g.id), **member.to_json()})
        return member

    def set_member_roles(
        self, guild: Guild | int, user: User | int, roles: Iterable[Role | int]
    ) -> Member:
        g = self._guild(guild)
        u = self._user(user)
        old = g.members.get(u.id)
        return self.add_member(g, u, roles, permissions=old.permissions_override if old else None)

    def block_dms(self, user: User | int, blocked: bool = True) -> None:
        uid = snowflake(user)
        if blocked:
            self._blocked_dms.add(uid)
        else:
            self._blocked_dms.discard(uid)

    def dm_channel_id(self, user: User | int) -> int | None:
        ch = self._dm_by_user.get(snowflake(user))
        return ch.id if ch else None

    def _ensure_dm(self, user: User) -> Channel:
        ch = self._dm_by_user.get(user.id)
        if ch is None:
            ch = Channel(id=self._ids.next(), guild_id=None, name="", type=1, recipient_id=user.id)
            self._dm_by_user[user.id] = ch
            self.channels[ch.id] = ch
        return ch

    def _guild(self, guild: Guild | int) -> Guild:
        gid = snowflake(guild)
        try:
            return self.guilds[gid]
        except KeyError:
            raise ValueError(f"unknown guild {gid}") from None

    def _user(self, user: User | int) -> User:
        uid = snowflake(user)
        try:
            return self.users[uid]
        except KeyError:
            raise ValueError(f"unknown user {uid}") from None

    def _channel_or_value_error(self, channel: Channel | int) -> Channel:
        cid = snowflake(channel)
        ch = self.channels.get(cid)
        if ch is None:
            raise ValueError(f"unknown channel {cid}")
        return ch

    def _channel_or_404(self, channel_id: int) -> Channel:
        ch = self.channels.get(channel_id)
        if ch is None:
            raise HTTPError(404, "Unknown Channel", 10003)
        return ch

    def channel_messages(self, channel_id: Channel | int) -> list[SentMessage]:
        return list(self._channel_messages.get(snowflake(channel_id), ()))

    def dm_messages(self, user: User | int) -> list[SentMessage]:
        cid = self.dm_channel_id(user)
        return [] if cid is None else self.channel_messages(cid)

    def get_message(self, message_id: int) -> SentMessage | None:
        return self._messages_by_id.get(message_id)

    async def wait_for_messages(
        self, n: int, channel_id: Channel | int | None = None, timeout: float = 10
    ) -> list[SentMessage]:
        cid = None if channel_id is None else snowflake(channel_id)

        def current() -> list[SentMessage]:
            return self.messages if cid is None else self._channel_messages.get(cid, [])

        if len(current()) < n:
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            entry = (n, cid, fut)
            self._message_waiters.append(entry)
            try:
                await asyncio.wait_for(fut, timeout)
            except TimeoutError:
                raise TimeoutError(
                    f"wanted {n} messages (channel={cid}), have {len(current())} after {timeout}s"
                ) from None
            finally:
                with contextlib.suppress(ValueError):
                    self._message_waiters.remove(entry)
        return list(current())

    def _sessions_for(self, guild_id: int | None) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.ready and s.owns(guild_id)]

    def _me_json(self) -> dict[str, Any]:
        data = self.bot_user.to_json()
        data.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"})
        return data

    def _channel_json(self, ch: Channel, *, for_user: int | None = None) -> dict[str, Any]:
        data = ch.to_json()
        if ch.type == 1 and ch.recipient_id is not None:
            recipient = self.users.get(ch.recipient_id)
            data["recipients"] = [recipient.to_json()] if recipient else []
            data.pop("name", None)
        if for_user is not None and ch.guild_id is not None:
            data["permissions"] = str(self.guilds[ch.guild_id].permissions_for(for_user))
        return data

    def _guild_json(self, g: Guild) -> dict[str, Any]:
        return {
            "id": str(g.id),
            "name": g.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(g.owner.id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "max_members": 500000,
            "max_video_channel_users": 25,
            "roles": [r.to_json() for r in g.roles],
            "emojis": [],
            "stickers": [],
            "features": [],
            "joined_at": iso(g.created_wall),
            "large": False,
            "unavailable": False,
            "lazy": True,
            "member_count": len(g.members),
            "members": [m.to_json() for m in g.members.values()],
            "channels": [c.to_json(include_guild_id=False) for c in g.channels],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [
                e for e in self.scheduled_events.values() if e["guild_id"] == str(g.id)
            ],
            "soundboard_sounds": [],
            "embedded_activities": [],
        }
