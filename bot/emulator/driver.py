"""The user side: what a member does in Discord (invoke a command, type into an autocomplete,
click a button, submit a modal), sent to the bot as interactions over its gateway session."""

from __future__ import annotations

import secrets
import time
from typing import Any

from .models import (
    ALL_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    Channel,
    Guild,
    InteractionResult,
    SentMessage,
    User,
)
from .options import OptionCoercion
from .routes_commands import CommandRoutes
from .routes_gateway import GatewayServer

ATTACHMENT_SIZE_LIMIT = 26214400


class UserDriver(OptionCoercion, CommandRoutes, GatewayServer):
    """Interactions as a user makes them; each returns (or waits for) an InteractionResult."""

    async def invoke(
        self,
        user: User | int,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        guild: Guild | int | None = None,
        channel: Channel | int | None = None,
        attachments: dict[str, Any] | None = None,
        wait: bool = True,
        timeout: float = 10,
    ) -> InteractionResult:
        """Send an application command (type 2) interaction as ``user``."""
        u = self._user(user)
        g = None if guild is None else self._guild(guild)
        ch = None if channel is None else self._channel_or_value_error(channel)
        if g is None and ch is not None and ch.guild_id is not None:
            g = self.guilds[ch.guild_id]
        all_options = dict(options or {})
        for name, value in (attachments or {}).items():
            all_options[name] = value
        data = self._command_data(u, command, all_options, g)
        payload, res = self._base_interaction(2, u, g, ch)
        payload["data"] = data
        await self._dispatch_interaction(payload, res, timeout)
        if wait:
            await res.wait_completed(timeout)
        return res

    async def autocomplete(
        self,
        user: User | int,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        focused: str,
        guild: Guild | int | None = None,
        channel: Channel | int | None = None,
        timeout: float = 10,
    ) -> list[dict[str, Any]]:
        """Send an autocomplete (type 4) interaction; returns the choices the bot offered."""
        u = self._user(user)
        g = None if guild is None else self._guild(guild)
        ch = None if channel is None else self._channel_or_value_error(channel)
        if g is None and ch is not None and ch.guild_id is not None:
            g = self.guilds[ch.guild_id]
        data = self._command_data(u, command, options, g, focused=focused)
        payload, res = self._base_interaction(4, u, g, ch)
        payload["data"] = data
        await self._dispatch_interaction(payload, res, timeout)
        await res.wait(timeout)
        return list(res.choices or [])

    async def click(
        self,
        user: User | int,
        message: SentMessage | int,
        custom_id: str,
        *,
        guild: Guild | int | None = None,
        channel: Channel | int | None = None,
        component_type: int = 2,
        values: list[str] | None = None,
        wait: bool = True,
        timeout: float = 10,
    ) -> InteractionResult:
        """Press a button (or pick select ``values``) on a message the bot sent."""
        u = self._user(user)
        msg = (
            message if isinstance(message, SentMessage) else self._messages_by_id.get(int(message))
        )
        if msg is None:
            raise ValueError(f"unknown message {message}")
        ids = msg.custom_ids()
        if custom_id not in ids:
            raise ValueError(f"message {msg.id} has no component {custom_id!r}; has: {ids}")
        g = None if guild is None else self._guild(guild)
        if g is None and msg.guild_id is not None:
            g = self.guilds.get(msg.guild_id)
        ch = self._channel_or_value_error(channel if channel is not None else msg.channel_id)
        payload, res = self._base_interaction(3, u, g, ch)
        res.source_message = msg
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        payload["data"] = data
        payload["message"] = self.message_json(msg)
        await self._dispatch_interaction(payload, res, timeout)
        if wait:
            await res.wait_completed(timeout)
        return res

    async def submit_modal(
        self,
        user: User | int,
        custom_id: str,
        fields: dict[str, str],
        *,
        guild: Guild | int | None = None,
        channel: Channel | int | None = None,
        wait: bool = True,
        timeout: float = 10,
    ) -> InteractionResult:
        """Submit a modal (type 5) with text input values by custom_id. As in Discord, only a
        modal the bot opened can be submitted, with its own fields, each value within the
        field's length limits (a required field is not empty): anything else is a ValueError."""
        self._check_submit(custom_id, fields)
        u = self._user(user)
        g = None if guild is None else self._guild(guild)
        ch = None if channel is None else self._channel_or_value_error(channel)
        payload, res = self._base_interaction(5, u, g, ch)
        payload["data"] = {
            "custom_id": custom_id,
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
                for k, v in fields.items()
            ],
        }
        await self._dispatch_interaction(payload, res, timeout)
        if wait:
            await res.wait_completed(timeout)
        return res

    def _check_submit(self, custom_id: str, fields: dict[str, str]) -> None:
        modal = self.opened_modals.get(custom_id)
        if modal is None:
            raise ValueError(f"the bot never opened a modal {custom_id!r}")
        inputs = {
            str(c.get("custom_id")): c
            for row in modal.get("components") or []
            for c in row.get("components") or []
        }
        for name, value in fields.items():
            field = inputs.get(name)
            if field is None:
                raise ValueError(f"modal {custom_id!r} has no field {name!r}; has {sorted(inputs)}")
            low, high = int(field.get("min_length", 0)), int(field.get("max_length", 4000))
            if field.get("required", True) and not value:
                raise ValueError(f"field {name!r} is required")
            if value and not low <= len(value) <= high:
                raise ValueError(f"field {name!r} takes {low}-{high} characters, got {len(value)}")

    def _base_interaction(
        self,
        itype: int,
        user: User,
        guild: Guild | None,
        channel: Channel | None,
    ) -> tuple[dict[str, Any], InteractionResult]:
        if guild is not None and channel is None:
            if not guild.channels:
                raise ValueError(f"guild {guild.name!r} has no channels; pass channel=")
            channel = guild.channels[0]
        if guild is None and channel is not None and channel.guild_id is not None:
            guild = self.guilds[channel.guild_id]
        if guild is None:
            channel = channel or self._ensure_dm(user)
        assert channel is not None
        iid = self._ids.next()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "token": token,
            "version": 1,
            "channel_id": str(channel.id),
            "locale": user.locale,
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if guild is not None:
            if user.id not in guild.members:
                raise ValueError(f"user {user.name!r} is not a member of guild {guild.name!r}")
            member = guild.members[user.id]
            perms = guild.permissions_for(user.id)
            payload.update(
                {
                    "guild_id": str(guild.id),
                    "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
                    "guild_locale": "en-US",
                    "member": member.to_json(permissions=perms),
                    "app_permissions": str(guild.permissions_for(self.bot_user.id)),
                    "authorizing_integration_owners": {"0": str(guild.id)},
                    "context": 0,
                    "channel": self._channel_json(channel, for_user=user.id),
                }
            )
        else:
            payload.update(
                {
                    "user": user.to_json(),
                    "app_permissions": str(ALL_PERMISSIONS & DEFAULT_EVERYONE_PERMISSIONS),
                    "authorizing_integration_owners": {"0": "0"},
                    "context": 1,
                    "channel": self._channel_json(channel),
                }
            )
        res = InteractionResult(
            id=iid,
            token=token,
            type=itype,
            user=user,
            guild_id=guild.id if guild is not None else None,
            channel_id=channel.id,
            payload=payload,
        )
        return payload, res

    def _command_data(
        self,
        user: User,
        command: str,
        options: dict[str, Any] | None,
        guild: Guild | None,
        *,
        focused: str | None = None,
    ) -> dict[str, Any]:
        cmd, rest = self._find_command(command, guild)
        leaf, path = self._descend(cmd, rest, command)
        opts, resolved = self._build_options(
            leaf,
            dict(options or {}),
            guild,
            user,
            command,
            focused=focused,
            check_required=focused is None,
        )
        nested: list[dict[str, Any]] = opts
        for name, ptype in reversed(path):
            nested = [{"name": name, "type": ptype, "options": nested}]
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": int(cmd.get("type", 1)),
            "options": nested,
        }
        if resolved:
            data["resolved"] = resolved
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return data

    async def _dispatch_interaction(
        self, payload: dict[str, Any], res: InteractionResult, timeout: float
    ) -> None:
        session = await self._wait_session(res.guild_id, timeout)
        self.interactions[res.id] = res
        self._interactions_by_token[res.token] = res
        res.created_at_monotonic = time.monotonic()
        session.dispatch("INTERACTION_CREATE", payload)
