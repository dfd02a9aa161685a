"""REST routes of guilds, channels, roles, members and DM channels."""

from __future__ import annotations

from aiohttp import web

from .models import Guild
from .rest import HTTPError, json_response
from .world import World


class GuildRoutes(World):
    """``/guilds/...``, ``/channels/{channel_id}`` and ``/users/@me/channels``."""

    async def _get_channel(self, request: web.Request) -> web.StreamResponse:
        ch = self._channel_or_404(int(request.match_info["channel_id"]))
        return json_response(self._channel_json(ch))

    async def _create_dm(self, request: web.Request) -> web.StreamResponse:
        """Create DM (CreatePrivateChannelRequest): `recipient_id` a snowflake; group DMs
        (`access_tokens`) need OAuth2 tokens a bot does not have. An unknown user is refused;
        a user who refuses DMs is not: the refusal comes with the first message (50007)."""
        try:
            body = await request.json()
        except ValueError:
            raise HTTPError(400, "The request body contains invalid JSON.", 50109) from None
        if not isinstance(body, dict):
            raise HTTPError(400, "Invalid Form Body: Must be an object.", 50035)
        recipient = body.get("recipient_id")
        if recipient is None:
            raise HTTPError(400, "Invalid Form Body: recipient_id: This field is required", 50035)
        if not str(recipient).isdigit():
            raise HTTPError(
                400, "Invalid Form Body: recipient_id: Value is not snowflake.", 50035
            )
        user = self.users.get(int(recipient))
        if user is None:
            raise HTTPError(400, "Invalid Recipient(s)", 50033)
        return json_response(self._channel_json(self._ensure_dm(user)))

    def _guild_or_404(self, request: web.Request) -> Guild:
        g = self.guilds.get(int(request.match_info["guild_id"]))
        if g is None:
            raise HTTPError(404, "Unknown Guild", 10004)
        return g

    async def _get_guild(self, request: web.Request) -> web.StreamResponse:
        g = self._guild_or_404(request)
        data = self._guild_json(g)
        for key in ("members", "channels", "threads", "presences", "voice_states"):
            data.pop(key, None)
        return json_response(data)

    async def _get_guild_channels(self, request: web.Request) -> web.StreamResponse:
        g = self._guild_or_404(request)
        return json_response([c.to_json() for c in g.channels])

    async def _get_guild_roles(self, request: web.Request) -> web.StreamResponse:
        g = self._guild_or_404(request)
        return json_response([r.to_json() for r in g.roles])

    async def _get_guild_member(self, request: web.Request) -> web.StreamResponse:
        g = self._guild_or_404(request)
        m = g.members.get(int(request.match_info["user_id"]))
        if m is None:
            raise HTTPError(404, "Unknown Member", 10007)
        return json_response(m.to_json())
