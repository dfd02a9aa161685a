"""The reminder engine's way out to Discord: a channel message or a DM, with a nonce."""

from __future__ import annotations

from typing import Any

import aiohttp
import discord

from bot.discord_io.budget import GlobalBudget
from bot.reminders.retry import SendError, permanent_status
from bot.ui import NO_PINGS

#: Discord's "Cannot send messages to this user": the member's privacy settings refuse DMs.
CANNOT_MESSAGE_USER = 50007


class DiscordSender:
    """Sends through discord.py, so its per-route rate-limit handling is honoured."""

    def __init__(self, client: discord.Client, budget: GlobalBudget | None = None) -> None:
        self.client = client
        self.budget = budget
        self._dm_channels: dict[int, int] = {}

    async def _dm_channel(self, user_id: int) -> int:
        channel_id = self._dm_channels.get(user_id)
        if channel_id is None:
            if self.budget is not None:
                await self.budget.acquire(filler=True)  # opening a DM is a request of its own
            data: Any = await self.client.http.start_private_message(user_id)
            channel_id = int(data["id"])
            self._dm_channels[user_id] = channel_id
        return channel_id

    async def prepare(self, target: tuple[str, int]) -> None:
        """Open the DM channel of ("dm", user_id) once, before the engine takes a slot of
        the budget for the message: the opening takes a slot of its own, so a burst of DMs
        never holds one slot while waiting for another."""
        if target[0] == "dm":
            try:
                await self._dm_channel(target[1])
            except _FAILURES as exc:
                raise _send_error(exc, "dm") from exc

    async def send(
        self, target: tuple[str, int], content: str, nonce: str, *, mention_role: int | None = None
    ) -> int:
        """Post with a nonce. The message pings `mention_role` (the server's reminder role)
        and nothing else: never @everyone, users or other roles, whatever its text says;
        without a role it pings nobody."""
        kind, ident = target
        allowed = NO_PINGS
        if mention_role is not None and kind == "channel":
            allowed = discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(id=mention_role)],
                replied_user=False,
            )
        try:
            channel_id = await self._dm_channel(ident) if kind == "dm" else ident
            channel = self.client.get_partial_messageable(channel_id)
            message = await channel.send(content, nonce=nonce, allowed_mentions=allowed)
            return message.id
        except _FAILURES as exc:
            raise _send_error(exc, kind) from exc


_FAILURES = (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError)


def _send_error(exc: Exception, kind: str) -> SendError:
    """What a failed request means for the engine: permanent (no access, unknown channel,
    DMs closed, any other 4xx but 429) or worth trying again."""
    if isinstance(exc, discord.Forbidden | discord.NotFound):
        return SendError(
            f"{exc.status} {exc.text or exc.__class__.__name__}",
            permanent=True,
            dms_closed=kind == "dm" and exc.code == CANNOT_MESSAGE_USER,
        )
    if isinstance(exc, discord.HTTPException):
        permanent = permanent_status(exc.status)
        return SendError(f"{exc.status} {exc.text or 'HTTP error'}", permanent=permanent)
    return SendError(f"{exc.__class__.__name__}: {exc}", permanent=False)
