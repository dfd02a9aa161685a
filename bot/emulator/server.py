"""A local Discord (REST + gateway on one loopback port) that the real discord.py client talks to.

``DiscordEmulator`` is composed of one mixin per part (all over ``state.EmulatorState``):

    world.py, messages.py       the world and the messages the bot sent
    routes_*.py                 REST by resource, and the gateway websocket
    ratelimits.py, faults.py    Discord's limits, and failures a test injects
    options.py, driver.py       the user side: invoke, autocomplete, click, submit_modal

This module starts and stops the server, routes requests, and runs the middleware. Point
discord.py at it with ``bot.discord_target.point_discord_at`` (see README.md).
"""

from __future__ import annotations

import time

from aiohttp import web

from .driver import UserDriver
from .faults import Faults
from .rest import API_PREFIX, Handler, HTTPError, json_response
from .routes_guilds import GuildRoutes
from .routes_interactions import InteractionRoutes
from .routes_messages import MessageRoutes
from .routes_misc import MiscRoutes
from .routes_scheduled_events import ScheduledEventRoutes


class DiscordEmulator(
    UserDriver, MessageRoutes, InteractionRoutes, ScheduledEventRoutes, GuildRoutes, MiscRoutes,
    Faults,
):
    """Local Discord: world building, REST, gateway, interactions and counters."""

    def env(self) -> dict[str, str]:
        """Environment for a bot subprocess (names from SPEC §7)."""
        return {
            "DISCORD_API_BASE": self.api_base,
            "DISCORD_GATEWAY_URL": self.gateway_url,
            "DISCORD_TOKEN": self.token,
        }

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        r = app.router
        p = API_PREFIX
        r.add_get("/gateway", self._ws_gateway)
        r.add_get("/gateway/", self._ws_gateway)
        r.add_get("/attachments/{attachment_id}/{filename}", self._get_attachment)
        r.add_get(p + "/users/@me", self._get_me)
        r.add_get(p + "/users/{user_id}", self._get_user)
        r.add_get(p + "/oauth2/applications/@me", self._get_application)
        r.add_get(p + "/applications/@me", self._get_application)
        r.add_get(p + "/gateway", self._get_gateway)
        r.add_get(p + "/gateway/bot", self._get_gateway_bot)
        r.add_put(p + "/applications/{app_id}/commands", self._put_commands)
        r.add_get(p + "/applications/{app_id}/commands", self._get_commands)
        r.add_put(p + "/applications/{app_id}/guilds/{guild_id}/commands", self._put_commands)
        r.add_get(p + "/applications/{app_id}/guilds/{guild_id}/commands", self._get_commands)
        r.add_post(
            p + "/interactions/{interaction_id}/{token}/callback", self._interaction_callback
        )
        r.add_post(p + "/webhooks/{app_id}/{token}", self._webhook_execute)
        r.add_route(
            "*", p + "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_message
        )
        r.add_post(p + "/channels/{channel_id}/messages", self._create_message)
        r.add_route("*", p + "/channels/{channel_id}/messages/{message_id}", self._channel_message)
        r.add_get(p + "/channels/{channel_id}/messages", self._list_messages)
        r.add_post(p + "/channels/{channel_id}/typing", self._typing)
        r.add_get(p + "/channels/{channel_id}", self._get_channel)
        r.add_post(p + "/users/@me/channels", self._create_dm)
        r.add_get(p + "/guilds/{guild_id}", self._get_guild)
        r.add_get(p + "/guilds/{guild_id}/channels", self._get_guild_channels)
        r.add_get(p + "/guilds/{guild_id}/roles", self._get_guild_roles)
        r.add_get(p + "/guilds/{guild_id}/members/{user_id}", self._get_guild_member)
        events = p + "/guilds/{guild_id}/scheduled-events"
        r.add_get(events, self._list_scheduled_events)
        r.add_post(events, self._create_scheduled_event)
        r.add_get(events + "/{event_id}", self._get_scheduled_event)
        r.add_patch(events + "/{event_id}", self._modify_scheduled_event)
        r.add_delete(events + "/{event_id}", self._delete_scheduled_event)
        r.add_get(events + "/{event_id}/users", self._scheduled_event_users)
        r.add_route("*", "/{tail:.*}", self._not_found)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> DiscordEmulator:
        self._runner = web.AppRunner(self._build_app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, host, port, reuse_address=True)
        await self._site.start()
        server = self._site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1]) if sockets else port
        self.host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
        return self

    async def stop(self) -> None:
        for conn in list(self._connections):
            await conn.close(code=1001)
        self._connections.clear()
        for task in list(self._hook_tasks):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Auth, request counters, the global rate limit and injected failures, then the route;
        an HTTPError from a route becomes Discord's JSON error (and is kept in ``errors``)."""
        path = request.path
        if not path.startswith(API_PREFIX):
            return await handler(request)
        route = request.match_info.route.resource
        canonical = route.canonical if route is not None else path
        self.stats.requests[f"{request.method} {canonical[len(API_PREFIX) :]}"] += 1
        exempt = path.startswith(API_PREFIX + "/interactions/") or path.startswith(
            API_PREFIX + "/webhooks/"
        )
        if not exempt:
            auth = request.headers.get("Authorization")
            if auth != f"Bot {self.token}":
                return json_response({"message": "401: Unauthorized", "code": 0}, 401)
            limited = self._global_limit(time.monotonic())
            if limited is not None:
                return limited
        if self._failures:
            failed = await self._injected_failure(request, handler)
            if failed is not None:
                return failed
        try:
            return await handler(request)
        except HTTPError as e:
            if e.status == 429:
                self.stats.status_429 += 1
            self.errors.append((f"{request.method} {path}", e.status, e.message))
            if len(self.errors) > 1000:
                del self.errors[:500]
            return json_response({"message": e.message, "code": e.code}, e.status, e.headers)
