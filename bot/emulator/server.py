"""A local Discord (REST + gateway on one loopback port) that the real discord.py client talks to.

Point discord.py at it with::

    discord.http.Route.BASE = emu.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import json
import logging
import mimetypes
import secrets
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from .gateway import (
    DECODE_ERROR,
    HEARTBEAT_ACK_DELAY,
    HEARTBEAT_INTERVAL_MS,
    HEARTBEAT_TIMEOUT_FACTOR,
    GatewayConnection,
    GatewaySession,
)
from .models import (
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    Channel,
    Guild,
    InteractionResult,
    Member,
    RateLimits,
    Role,
    SentMessage,
    SnowflakeGenerator,
    Stats,
    StoredAttachment,
    User,
    iso,
)

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
ATTACHMENT_SIZE_LIMIT = 26214400
MESSAGE_CREATE_BUCKET = hashlib.md5(b"POST /channels/{channel.id}/messages").hexdigest()[:32]

# Option types
SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
NUMBER = 10
ATTACHMENT = 11

OPTION_TYPE_NAMES = {
    STRING: "string",
    INTEGER: "integer",
    BOOLEAN: "boolean",
    USER: "user",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "mentionable",
    NUMBER: "number",
    ATTACHMENT: "attachment",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MessageHook = Callable[[SentMessage], Any]


class HTTPError(Exception):
    """Raised inside a handler to answer with a Discord-style JSON error."""

    def __init__(
        self, status: int, message: str, code: int = 0, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """JSON with ``Content-Type: application/json`` exactly (discord.py needs no charset)."""
    h = {"Content-Type": "application/json"}
    if headers:
        h.update(headers)
    return web.Response(
        body=json.dumps(data, separators=(",", ":")).encode(), status=status, headers=h
    )


def validate_message(payload: dict[str, Any], *, partial: bool = False) -> str | None:
    """Discord's message limits; returns an error text (400 Invalid Form Body) or None."""
    content = payload.get("content")
    if content is not None and len(str(content)) > 2000:
        return f"content: Must be 2000 or fewer in length (got {len(str(content))})."
    embeds = payload.get("embeds")
    if embeds:
        if len(embeds) > 10:
            return f"embeds: Must be 10 or fewer in length (got {len(embeds)})."
        total = 0
        for i, e in enumerate(embeds):
            if not isinstance(e, dict):
                return f"embeds.{i}: must be an object"
            checks: list[tuple[str, Any, int]] = [
                ("title", e.get("title"), 256),
                ("description", e.get("description"), 4096),
                ("footer.text", (e.get("footer") or {}).get("text"), 2048),
                ("author.name", (e.get("author") or {}).get("name"), 256),
            ]
            fields = e.get("fields") or []
            if len(fields) > 25:
                return f"embeds.{i}.fields: Must be 25 or fewer in length."
            for j, f in enumerate(fields):
                checks.append((f"fields.{j}.name", f.get("name"), 256))
                checks.append((f"fields.{j}.value", f.get("value"), 1024))
                if not f.get("name") or not f.get("value"):
                    return f"embeds.{i}.fields.{j}: name and value are required."
            for name, value, limit in checks:
                if value is None:
                    continue
                n = len(str(value))
                total += n
                if n > limit:
                    return f"embeds.{i}.{name}: Must be {limit} or fewer in length (got {n})."
        if total > 6000:
            return f"embeds: Embed size exceeds maximum size of 6000 (got {total})."
    components = payload.get("components")
    if components and len(components) > 5 and not int(payload.get("flags") or 0) & (1 << 15):
        return "components: Must be 5 or fewer in length."
    return None


def validate_choices(choices: Any) -> str | None:
    if not isinstance(choices, list):
        return "choices: must be a list"
    if len(choices) > 25:
        return f"choices: Must be 25 or fewer in length (got {len(choices)})."
    for i, c in enumerate(choices):
        name = str(c.get("name", "")) if isinstance(c, dict) else ""
        if not 1 <= len(name) <= 100:
            return f"choices.{i}.name: Must be between 1 and 100 in length."
        value = c.get("value")
        if isinstance(value, str) and len(value) > 100:
            return f"choices.{i}.value: Must be 100 or fewer in length."
    return None


def _snowflake(value: Any) -> int:
    if isinstance(value, int):
        return value
    if hasattr(value, "id"):
        return int(value.id)
    return int(str(value))


class _ChannelBucket:
    __slots__ = ("count", "window_start")

    def __init__(self) -> None:
        self.window_start = 0.0
        self.count = 0


class DiscordEmulator:
    """Local Discord: world building, REST, gateway, interactions and counters."""

    def __init__(
        self,
        token: str = "test-token",
        rate_limits: RateLimits | None = None,
        *,
        nonce_window: float = 600.0,
        bot_name: str = "Concord",
        application_name: str = "Concord",
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        heartbeat_interval_ms: int = HEARTBEAT_INTERVAL_MS,
        heartbeat_ack_delay: float = HEARTBEAT_ACK_DELAY,
    ) -> None:
        self.token = token
        # announced in HELLO; a connection without a heartbeat for interval * 1.5 is closed
        self.heartbeat_interval_ms = heartbeat_interval_ms
        # seconds between a heartbeat and its ACK: the network round trip of a real gateway
        self.heartbeat_ack_delay = heartbeat_ack_delay
        self.rate_limits = rate_limits
        self.nonce_window = nonce_window
        self._ids = SnowflakeGenerator()
        self.application_id: int = self._ids.next()
        self.bot_user = User(id=self.application_id, name=bot_name, bot=True)
        self.bot_user_id: int = self.bot_user.id
        self.application_name = application_name
        self.bot_permissions = bot_permissions
        self.app_owner = User(id=self._ids.next(), name="app-owner")

        self.host = "127.0.0.1"
        self.port: int = 0
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

        # world
        self.guilds: dict[int, Guild] = {}
        self.users: dict[int, User] = {self.bot_user.id: self.bot_user}
        self.channels: dict[int, Channel] = {}
        self._dm_by_user: dict[int, Channel] = {}
        self._blocked_dms: set[int] = set()
        self._perm_roles: dict[tuple[int, int], Role] = {}

        # messages
        self.messages: list[SentMessage] = []
        self._messages_by_id: dict[int, SentMessage] = {}
        self._channel_messages: dict[int, list[SentMessage]] = {}
        self._nonces: dict[int, dict[str, tuple[SentMessage, float]]] = {}
        self._attachments: dict[int, StoredAttachment] = {}
        self._message_waiters: list[tuple[int, int | None, asyncio.Future[None]]] = []
        self.on_message: MessageHook | None = None
        self._hook_tasks: set[asyncio.Task[Any]] = set()

        # commands
        self.commands: dict[Any, list[dict[str, Any]]] = {}
        self.command_syncs: int = 0
        self._commands_event = asyncio.Event()
        self._command_version = self._ids.next()

        # interactions
        self.interactions: dict[int, InteractionResult] = {}
        self._interactions_by_token: dict[str, InteractionResult] = {}

        # gateway
        self.sessions: dict[str, GatewaySession] = {}
        self._sessions_changed = asyncio.Event()
        self._connections: set[GatewayConnection] = set()
        self.identify_count: int = 0
        self.resume_count: int = 0
        self.heartbeats_received: int = 0
        self.zombie_closes: int = 0

        # limits and counters
        self.stats = Stats()
        self._global_window: deque[float] = deque()
        self._buckets: dict[int, _ChannelBucket] = {}
        self._holds: dict[int, float] = {}
        self._failures: list[list[Any]] = []
        # (METHOD path, status, message) of every 4xx/5xx the emulator itself produced
        self.errors: list[tuple[str, int, str]] = []
        # seconds after which an interaction callback counts as late (Discord: 3 s); when
        # ``enforce_interaction_deadline`` is set, late callbacks get 404 Unknown interaction.
        self.interaction_deadline = 3.0
        self.enforce_interaction_deadline = False
        # an interaction's token (followups, edits of the original) works for 15 minutes after
        # the interaction was created; later webhook calls get 401 Invalid Webhook Token (50027)
        self.interaction_token_lifetime = 15 * 60.0

    # ------------------------------------------------------------------------------------------
    # lifecycle
    # ------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway/"

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

    # ------------------------------------------------------------------------------------------
    # world building
    # ------------------------------------------------------------------------------------------
    def add_user(self, name: str, bot: bool = False, *, global_name: str | None = None) -> User:
        user = User(id=self._ids.next(), name=name, bot=bot, global_name=global_name)
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
            rid = _snowflake(r)
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
        uid = _snowflake(user)
        if blocked:
            self._blocked_dms.add(uid)
        else:
            self._blocked_dms.discard(uid)

    def dm_channel_id(self, user: User | int) -> int | None:
        ch = self._dm_by_user.get(_snowflake(user))
        return ch.id if ch else None

    def _ensure_dm(self, user: User) -> Channel:
        ch = self._dm_by_user.get(user.id)
        if ch is None:
            ch = Channel(id=self._ids.next(), guild_id=None, name="", type=1, recipient_id=user.id)
            self._dm_by_user[user.id] = ch
            self.channels[ch.id] = ch
        return ch

    def _guild(self, guild: Guild | int) -> Guild:
        gid = _snowflake(guild)
        try:
            return self.guilds[gid]
        except KeyError:
            raise ValueError(f"unknown guild {gid}") from None

    def _user(self, user: User | int) -> User:
        uid = _snowflake(user)
        try:
            return self.users[uid]
        except KeyError:
            raise ValueError(f"unknown user {uid}") from None

    # ------------------------------------------------------------------------------------------
    # test controls
    # ------------------------------------------------------------------------------------------
    def fail_next(
        self, route_substring: str, status: int, count: int = 1, *, after_processing: bool = False
    ) -> None:
        """Answer the next ``count`` requests whose "METHOD /path" contains the substring with
        ``status`` (e.g. 500 or 403) instead of handling them. With ``after_processing`` the
        request IS handled (a message gets created) and only the response is lost, as when
        Discord times out behind Cloudflare; discord.py then retries 500/502/504/524."""
        self._failures.append([route_substring, status, count, after_processing])

    def hold_channel(self, channel_id: Channel | int, seconds: float) -> None:
        """For ``seconds``, the channel's message route reports Remaining 0 and creates get 429."""
        self._holds[_snowflake(channel_id)] = time.monotonic() + seconds

    def reset_stats(self) -> None:
        self.stats = Stats()
        self._global_window.clear()

    def channel_messages(self, channel_id: Channel | int) -> list[SentMessage]:
        return list(self._channel_messages.get(_snowflake(channel_id), ()))

    def dm_messages(self, user: User | int) -> list[SentMessage]:
        cid = self.dm_channel_id(user)
        return [] if cid is None else self.channel_messages(cid)

    def get_message(self, message_id: int) -> SentMessage | None:
        return self._messages_by_id.get(message_id)

    async def wait_for_messages(
        self, n: int, channel_id: Channel | int | None = None, timeout: float = 10
    ) -> list[SentMessage]:
        cid = None if channel_id is None else _snowflake(channel_id)

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

    async def wait_for_ready(self, timeout: float = 10, sessions: int = 1) -> None:
        """Wait until ``sessions`` live gateway sessions have IDENTIFIED and got READY."""
        deadline = time.monotonic() + timeout
        while sum(1 for s in self.sessions.values() if s.live and s.ready) < sessions:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no READY gateway session after {timeout}s")
            ev = self._sessions_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ev.wait(), remaining)

    async def wait_for_commands(self, timeout: float = 10) -> None:
        try:
            await asyncio.wait_for(self._commands_event.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"the bot did not sync its commands within {timeout}s") from None

    async def disconnect_all(self, code: int = 4000, *, resumable: bool = True) -> None:
        """Drop every gateway connection (the client reconnects; with RESUME if resumable)."""
        for s in list(self.sessions.values()):
            if not resumable:
                self.sessions.pop(s.session_id, None)
        for conn in list(self._connections):
            await conn.close(code=code)

    def request_heartbeats(self) -> None:
        """Send op 1 to every live connection: Discord's request for an immediate heartbeat."""
        for conn in list(self._connections):
            conn.send({"op": 1, "d": None, "s": None, "t": None})

    # ------------------------------------------------------------------------------------------
    # middleware: auth, counters, failures, global rate limit
    # ------------------------------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
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
            now = time.monotonic()
            window = self._global_window
            while window and window[0] <= now - 1.0:
                window.popleft()
            limits = self.rate_limits
            glimit = limits.global_per_second if limits is not None else None
            if glimit is not None and len(window) >= glimit:
                retry = max(0.001, window[0] + 1.0 - now)
                self.stats.status_429 += 1
                self.stats.status_429_global += 1
                return json_response(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": round(retry, 3),
                        "global": True,
                        "code": 0,
                    },
                    429,
                    {
                        "Via": "1.1 google",
                        "Retry-After": str(max(1, round(retry))),
                        "X-RateLimit-Global": "true",
                        "X-RateLimit-Scope": "global",
                    },
                )
            window.append(now)
            if len(window) > self.stats.global_window_max:
                self.stats.global_window_max = len(window)
        if self._failures:
            key = f"{request.method} {path}"
            for entry in self._failures:
                if entry[0] in key and entry[2] > 0:
                    entry[2] -= 1
                    if entry[2] <= 0:
                        self._failures.remove(entry)
                    status = int(entry[1])
                    if entry[3]:
                        with contextlib.suppress(HTTPError):
                            await handler(request)
                    if status == 429:
                        self.stats.status_429 += 1
                        return json_response(
                            {
                                "message": "You are being rate limited.",
                                "retry_after": 0.1,
                                "global": False,
                            },
                            429,
                            {"Via": "1.1 google", "Retry-After": "1"},
                        )
                    return json_response(
                        {"message": f"{status}: injected failure", "code": 0}, status
                    )
        try:
            return await handler(request)
        except HTTPError as e:
            if e.status == 429:
                self.stats.status_429 += 1
            self.errors.append((f"{request.method} {path}", e.status, e.message))
            if len(self.errors) > 1000:
                del self.errors[:500]
            return json_response({"message": e.message, "code": e.code}, e.status, e.headers)

    async def _not_found(self, request: web.Request) -> web.StreamResponse:
        return json_response({"message": "404: Not Found", "code": 0}, 404)

    # ------------------------------------------------------------------------------------------
    # simple REST
    # ------------------------------------------------------------------------------------------
    def _me_json(self) -> dict[str, Any]:
        data = self.bot_user.to_json()
        data.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"})
        return data

    async def _get_me(self, request: web.Request) -> web.StreamResponse:
        return json_response(self._me_json())

    async def _get_user(self, request: web.Request) -> web.StreamResponse:
        user = self.users.get(int(request.match_info["user_id"]))
        if user is None:
            raise HTTPError(404, "Unknown User", 10013)
        return json_response(user.to_json())

    async def _get_application(self, request: web.Request) -> web.StreamResponse:
        return json_response(
            {
                "id": str(self.application_id),
                "name": self.application_name,
                "description": "Concord (local emulator)",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.app_owner.to_json(),
                "verify_key": "0" * 64,
                "flags": 0,
                "interactions_endpoint_url": None,
                "team": None,
                "summary": "",
                "tags": [],
                "redirect_uris": [],
                "rpc_origins": [],
                "bot": self.bot_user.to_json(),
            }
        )

    def _gateway_info(self, bot: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"url": f"ws://{self.host}:{self.port}/gateway"}
        if bot:
            data["shards"] = 1
            data["session_start_limit"] = {
                "total": 1000,
                "remaining": 1000,
                "reset_after": 0,
                "max_concurrency": 16,
            }
        return data

    async def _get_gateway(self, request: web.Request) -> web.StreamResponse:
        return json_response(self._gateway_info(False))

    async def _get_gateway_bot(self, request: web.Request) -> web.StreamResponse:
        return json_response(self._gateway_info(True))

    async def _get_attachment(self, request: web.Request) -> web.StreamResponse:
        try:
            att = self._attachments[int(request.match_info["attachment_id"])]
        except (KeyError, ValueError):
            return web.Response(status=404, text="not found")
        return web.Response(
            body=att.data, content_type=att.content_type or "application/octet-stream"
        )

    async def _typing(self, request: web.Request) -> web.StreamResponse:
        self._channel_or_404(int(request.match_info["channel_id"]))
        return web.Response(status=204)

    def _channel_or_404(self, channel_id: int) -> Channel:
        ch = self.channels.get(channel_id)
        if ch is None:
            raise HTTPError(404, "Unknown Channel", 10003)
        return ch

    def _channel_json(self, ch: Channel, *, for_user: int | None = None) -> dict[str, Any]:
        data = ch.to_json()
        if ch.type == 1 and ch.recipient_id is not None:
            recipient = self.users.get(ch.recipient_id)
            data["recipients"] = [recipient.to_json()] if recipient else []
            data.pop("name", None)
        if for_user is not None and ch.guild_id is not None:
            data["permissions"] = str(self.guilds[ch.guild_id].permissions_for(for_user))
        return data

    async def _get_channel(self, request: web.Request) -> web.StreamResponse:
        ch = self._channel_or_404(int(request.match_info["channel_id"]))
        return json_response(self._channel_json(ch))

    async def _create_dm(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        try:
            user = self.users[int(body.get("recipient_id"))]
        except (KeyError, TypeError, ValueError):
            raise HTTPError(400, "Invalid Recipient(s)", 50033) from None
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

    # ------------------------------------------------------------------------------------------
    # commands
    # ------------------------------------------------------------------------------------------
    def _command_key(self, request: web.Request) -> Any:
        gid = request.match_info.get("guild_id")
        return "global" if gid is None else int(gid)

    async def _put_commands(self, request: web.Request) -> web.StreamResponse:
        if int(request.match_info["app_id"]) != self.application_id:
            raise HTTPError(403, "Missing Access", 50001)
        key = self._command_key(request)
        body = await request.json()
        if not isinstance(body, list):
            raise HTTPError(400, "Invalid Form Body", 50035)
        previous = {c["name"]: c for c in self.commands.get(key, [])}
        stored: list[dict[str, Any]] = []
        for cmd in body:
            c = dict(cmd)
            old = previous.get(c.get("name", ""))
            c["id"] = old["id"] if old else str(self._ids.next())
            c["application_id"] = str(self.application_id)
            c["version"] = str(self._ids.next())
            c.setdefault("type", 1)
            c.setdefault("description", "")
            c.setdefault("options", [])
            c.setdefault("default_member_permissions", None)
            c.setdefault("nsfw", False)
            c.setdefault("contexts", None)
            c.setdefault("integration_types", [0])
            if key != "global":
                c["guild_id"] = str(key)
            stored.append(c)
        self.commands[key] = stored
        self.command_syncs += 1
        self._commands_event.set()
        return json_response(stored)

    async def _get_commands(self, request: web.Request) -> web.StreamResponse:
        return json_response(self.commands.get(self._command_key(request), []))

    # ------------------------------------------------------------------------------------------
    # messages
    # ------------------------------------------------------------------------------------------
    async def _read_payload(
        self, request: web.Request
    ) -> tuple[dict[str, Any], list[tuple[int, str, bytes, str | None]]]:
        """JSON body, or multipart with ``payload_json`` and ``files[n]`` parts."""
        ctype = request.headers.get("Content-Type", "")
        files: list[tuple[int, str, bytes, str | None]] = []
        if ctype.startswith("multipart/"):
            payload: dict[str, Any] = {}
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name or ""
                raw = await part.read(decode=False)
                if name == "payload_json":
                    payload = json.loads(bytes(raw).decode())
                elif name.startswith("files[") or name.startswith("file"):
                    try:
                        index = int(name[name.index("[") + 1 : name.index("]")])
                    except ValueError:
                        index = len(files)
                    filename = part.filename or f"file{index}"
                    ct = part.headers.get("Content-Type")
                    files.append((index, filename, bytes(raw), ct))
            return payload, files
        if request.can_read_body:
            text = await request.text()
            if text:
                data = json.loads(text)
                if isinstance(data, dict):
                    return data, files
        return {}, files

    def _store_attachment(
        self, filename: str, data: bytes, content_type: str | None, description: str | None = None
    ) -> StoredAttachment:
        if content_type in (None, "application/octet-stream"):
            guessed = mimetypes.guess_type(filename)[0]
            content_type = guessed or content_type
        att = StoredAttachment(
            id=self._ids.next(),
            filename=filename,
            data=data,
            content_type=content_type,
            description=description,
        )
        self._attachments[att.id] = att
        return att

    def _attachments_from(
        self,
        payload: dict[str, Any],
        files: list[tuple[int, str, bytes, str | None]],
        existing: list[StoredAttachment] | None = None,
    ) -> list[StoredAttachment] | None:
        """New attachment list for a create/edit, or None if the payload leaves them alone."""
        meta: dict[str, dict[str, Any]] = {}
        keep: list[StoredAttachment] = []
        listed = payload.get("attachments")
        existing_by_id = {a.id: a for a in existing or []}
        if isinstance(listed, list):
            for item in listed:
                if not isinstance(item, dict):
                    continue
                try:
                    aid = int(item.get("id", -1))
                except (TypeError, ValueError):
                    continue
                if aid in existing_by_id:
                    keep.append(existing_by_id[aid])
                else:
                    meta[str(aid)] = item
        if not files and not isinstance(listed, list):
            return None
        new: list[StoredAttachment] = []
        for index, filename, data, ct in files:
            m = meta.get(str(index), {})
            new.append(
                self._store_attachment(
                    m.get("filename") or filename, data, ct, m.get("description")
                )
            )
        return keep + new

    def _attachment_json(self, a: StoredAttachment) -> dict[str, Any]:
        url = f"{self.base_url}/attachments/{a.id}/{a.filename}"
        data: dict[str, Any] = {
            "id": str(a.id),
            "filename": a.filename,
            "size": len(a.data),
            "url": url,
            "proxy_url": url,
            "content_type": a.content_type,
        }
        if a.description:
            data["description"] = a.description
        return data

    def message_json(self, m: SentMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(m.id),
            "channel_id": str(m.channel_id),
            "author": self.bot_user.to_json(),
            "content": m.content,
            "embeds": m.embeds,
            "attachments": [self._attachment_json(a) for a in m.stored_attachments],
            "components": m.components,
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": m.tts,
            "type": 20 if m.interaction_id is not None else 0,
            "timestamp": iso(m.created_at_wall),
            "edited_timestamp": iso(m.edited_at_wall) if m.edited_at_wall else None,
            "flags": m.flags,
        }
        if m.guild_id is not None:
            data["guild_id"] = str(m.guild_id)
        if m.nonce is not None:
            data["nonce"] = m.nonce
        if m.webhook:
            data["webhook_id"] = str(self.application_id)
            data["application_id"] = str(self.application_id)
        return data

    def _new_message(
        self,
        payload: dict[str, Any],
        files: list[tuple[int, str, bytes, str | None]],
        *,
        channel_id: int,
        guild_id: int | None,
        webhook: bool,
        interaction_id: int | None = None,
        extra_flags: int = 0,
    ) -> SentMessage:
        nonce = payload.get("nonce")
        msg = SentMessage(
            id=self._ids.next(),
            channel_id=channel_id,
            guild_id=guild_id,
            author_id=self.bot_user.id,
            content=str(payload.get("content") or ""),
            embeds=list(payload.get("embeds") or []),
            components=list(payload.get("components") or []),
            stored_attachments=self._attachments_from(payload, files) or [],
            allowed_mentions=payload.get("allowed_mentions"),
            nonce=None if nonce is None else str(nonce),
            flags=int(payload.get("flags") or 0) | extra_flags,
            webhook=webhook,
            interaction_id=interaction_id,
            tts=bool(payload.get("tts", False)),
        )
        self._messages_by_id[msg.id] = msg
        return msg

    def _apply_edit(
        self,
        msg: SentMessage,
        payload: dict[str, Any],
        files: list[tuple[int, str, bytes, str | None]],
    ) -> None:
        problem = validate_message(payload)
        if problem:
            raise HTTPError(400, f"Invalid Form Body: {problem}", 50035)
        if "content" in payload:
            msg.content = str(payload["content"] or "")
        if "embeds" in payload:
            msg.embeds = list(payload["embeds"] or [])
        if "components" in payload:
            msg.components = list(payload["components"] or [])
        if "allowed_mentions" in payload:
            msg.allowed_mentions = payload["allowed_mentions"]
        if payload.get("flags") is not None:
            msg.flags = (msg.flags & 64) | int(payload["flags"])
        atts = self._attachments_from(payload, files, msg.stored_attachments)
        if atts is not None:
            msg.stored_attachments = atts
        msg.flags &= ~128  # no longer loading
        msg.edits += 1
        msg.edited_at_wall = time.time()

    def _record_channel_message(self, msg: SentMessage) -> None:
        self.messages.append(msg)
        self._channel_messages.setdefault(msg.channel_id, []).append(msg)
        self.stats.message_creates += 1
        if self._message_waiters:
            total = len(self.messages)
            in_channel = len(self._channel_messages[msg.channel_id])
            for n, cid, fut in list(self._message_waiters):
                if fut.done():
                    continue
                if (cid is None and total >= n) or (cid == msg.channel_id and in_channel >= n):
                    fut.set_result(None)
        hook = self.on_message
        if hook is not None:
            try:
                result = hook(msg)
                if inspect.isawaitable(result):
                    task = asyncio.ensure_future(result)
                    self._hook_tasks.add(task)
                    task.add_done_callback(self._hook_tasks.discard)
            except Exception:
                log.exception("on_message hook failed")

    def _ratelimit_headers(self, channel_id: int, now: float) -> tuple[dict[str, str], float]:
        """Headers for the channel's message-create route; also returns seconds until allowed
        (0 when a create may go through now). Counts the create when allowed."""
        limits = self.rate_limits
        per_channel = limits.per_channel if limits is not None else None
        hold_until = self._holds.get(channel_id)
        if hold_until is not None and hold_until <= now:
            del self._holds[channel_id]
            hold_until = None
        if per_channel is None and hold_until is None:
            return {}, 0.0
        limit, window = per_channel if per_channel is not None else (5, 5.0)
        blocked_for = 0.0
        if per_channel is not None:
            bucket = self._buckets.get(channel_id)
            if bucket is None:
                bucket = self._buckets[channel_id] = _ChannelBucket()
            if now >= bucket.window_start + window:
                bucket.window_start = now
                bucket.count = 0
            if bucket.count >= limit:
                blocked_for = bucket.window_start + window - now
            elif hold_until is None:
                bucket.count += 1
            remaining = max(0, limit - bucket.count)
            reset_after = bucket.window_start + window - now
        else:
            remaining = limit
            reset_after = 0.0
        if hold_until is not None:
            held = hold_until - now
            blocked_for = max(blocked_for, held)
            remaining = 0
            reset_after = max(reset_after, held)
        reset_after = max(reset_after, 0.001)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": MESSAGE_CREATE_BUCKET,
        }
        return headers, blocked_for

    async def _create_message(self, request: web.Request) -> web.StreamResponse:
        channel_id = int(request.match_info["channel_id"])
        ch = self._channel_or_404(channel_id)
        headers, blocked_for = self._ratelimit_headers(channel_id, time.monotonic())
        if blocked_for > 0:
            headers.update({"Via": "1.1 google", "Retry-After": str(max(1, round(blocked_for)))})
            self.stats.status_429 += 1
            return json_response(
                {
                    "message": "You are being rate limited.",
                    "retry_after": round(blocked_for, 3),
                    "global": False,
                    "code": 0,
                },
                429,
                headers,
            )
        if ch.type == 1 and ch.recipient_id in self._blocked_dms:
            raise HTTPError(403, "Cannot send messages to this user", 50007, headers)
        payload, files = await self._read_payload(request)
        nonce = payload.get("nonce")
        if nonce is not None:
            key = str(nonce)
            self.stats.creates_per_nonce[key] = self.stats.creates_per_nonce.get(key, 0) + 1
            if payload.get("enforce_nonce"):
                seen = self._nonces.setdefault(channel_id, {})
                hit = seen.get(key)
                now = time.monotonic()
                if hit is not None and now - hit[1] <= self.nonce_window:
                    self.stats.nonce_duplicates += 1
                    return json_response(self.message_json(hit[0]), 200, headers)
        if not (
            payload.get("content")
            or payload.get("embeds")
            or files
            or payload.get("components")
            or payload.get("sticker_ids")
            or payload.get("poll")
        ):
            raise HTTPError(400, "Cannot send an empty message", 50006, headers)
        problem = validate_message(payload)
        if problem:
            raise HTTPError(400, f"Invalid Form Body: {problem}", 50035, headers)
        msg = self._new_message(
            payload, files, channel_id=channel_id, guild_id=ch.guild_id, webhook=False
        )
        if nonce is not None and payload.get("enforce_nonce"):
            seen = self._nonces.setdefault(channel_id, {})
            if len(seen) > 10000:
                cutoff = time.monotonic() - self.nonce_window
                for k in [k for k, v in seen.items() if v[1] < cutoff]:
                    del seen[k]
            seen[str(nonce)] = (msg, msg.created_at_monotonic)
        self._record_channel_message(msg)
        return json_response(self.message_json(msg), 200, headers)

    def _message_in_channel(self, request: web.Request) -> SentMessage:
        channel_id = int(request.match_info["channel_id"])
        self._channel_or_404(channel_id)
        try:
            msg = self._messages_by_id[int(request.match_info["message_id"])]
        except (KeyError, ValueError):
            raise HTTPError(404, "Unknown Message", 10008) from None
        if msg.channel_id != channel_id or msg.deleted:
            raise HTTPError(404, "Unknown Message", 10008)
        return msg

    async def _channel_message(self, request: web.Request) -> web.StreamResponse:
        msg = self._message_in_channel(request)
        if request.method == "GET":
            return json_response(self.message_json(msg))
        if request.method == "PATCH":
            payload, files = await self._read_payload(request)
            self._apply_edit(msg, payload, files)
            return json_response(self.message_json(msg))
        if request.method == "DELETE":
            msg.deleted = True
            return web.Response(status=204)
        raise HTTPError(405, "405: Method Not Allowed")

    async def _list_messages(self, request: web.Request) -> web.StreamResponse:
        channel_id = int(request.match_info["channel_id"])
        self._channel_or_404(channel_id)
        limit = min(100, int(request.query.get("limit", "50")))
        msgs = [m for m in self._channel_messages.get(channel_id, [])[-limit:] if not m.deleted]
        return json_response([self.message_json(m) for m in reversed(msgs)])

    # ------------------------------------------------------------------------------------------
    # interaction callbacks and webhooks
    # ------------------------------------------------------------------------------------------
    async def _interaction_callback(self, request: web.Request) -> web.StreamResponse:
        try:
            res = self.interactions[int(request.match_info["interaction_id"])]
        except (KeyError, ValueError):
            raise HTTPError(404, "Unknown interaction", 10062) from None
        if res.token != request.match_info["token"]:
            raise HTTPError(401, "Invalid Webhook Token", 50027)
        payload, files = await self._read_payload(request)
        if res.callback_type is not None:
            raise HTTPError(400, "Interaction has already been acknowledged.", 40060)
        late = time.monotonic() - res.created_at_monotonic > self.interaction_deadline
        if late:
            self.stats.late_responses += 1
            if self.enforce_interaction_deadline:
                res.errors.append("late response: Unknown interaction")
                raise HTTPError(404, "Unknown interaction", 10062)
        ctype = int(payload.get("type", 0))
        data = payload.get("data") or {}
        problem: str | None = None
        if ctype in (4, 7):
            problem = validate_message(data)
        elif ctype == 8:
            problem = validate_choices(data.get("choices") or [])
        elif ctype == 9:
            if not data.get("custom_id") or not data.get("title"):
                problem = "modal: custom_id and title are required."
            elif len(str(data.get("title"))) > 45:
                problem = "title: Must be 45 or fewer in length."
        if problem:
            res.errors.append(problem)
            raise HTTPError(400, f"Invalid Form Body: {problem}", 50035)
        res.callback_type = ctype
        res.callback_data = data
        message: SentMessage | None = None
        flags = int(data.get("flags") or 0)
        if ctype == 4:
            res.ephemeral = bool(flags & 64)
            message = self._new_message(
                data,
                files,
                channel_id=res.channel_id,
                guild_id=res.guild_id,
                webhook=False,
                interaction_id=res.id,
            )
            res.original = message
        elif ctype == 5:
            res.ephemeral = bool(flags & 64)
            message = self._new_message(
                {"flags": flags & 64},
                [],
                channel_id=res.channel_id,
                guild_id=res.guild_id,
                webhook=False,
                interaction_id=res.id,
                extra_flags=128,
            )
            res._placeholder = message
        elif ctype in (6, 7):
            source = res.source_message
            if source is not None:
                if ctype == 7:
                    self._apply_edit(source, data, files)
                    res.edits += 1
                res.original = source
                res.ephemeral = source.ephemeral
                message = source
        elif ctype == 8:
            res.choices = list(data.get("choices") or [])
        elif ctype == 9:
            res.modal = data
        res._mark_responded()
        body: dict[str, Any] = {
            "interaction": {
                "id": str(res.id),
                "type": res.type,
                "activity_instance_id": None,
                "response_message_id": str(message.id) if message is not None else None,
                "response_message_loading": ctype == 5,
                "response_message_ephemeral": res.ephemeral,
            }
        }
        if message is not None:
            body["resource"] = {"type": ctype, "message": self.message_json(message)}
        elif ctype not in (1,):
            body["resource"] = {"type": ctype}
        return json_response(body)

    def _interaction_for_webhook(self, request: web.Request) -> InteractionResult:
        if int(request.match_info["app_id"]) != self.application_id:
            raise HTTPError(404, "Unknown Webhook", 10015)
        res = self._interactions_by_token.get(request.match_info["token"])
        if res is None:
            raise HTTPError(404, "Unknown Webhook", 10015)
        if time.monotonic() - res.created_at_monotonic > self.interaction_token_lifetime:
            res.errors.append("expired interaction token: Invalid Webhook Token")
            raise HTTPError(401, "Invalid Webhook Token", 50027)
        return res

    async def _webhook_execute(self, request: web.Request) -> web.StreamResponse:
        res = self._interaction_for_webhook(request)
        if res.callback_type is None:
            raise HTTPError(404, "Unknown Webhook", 10015)
        payload, files = await self._read_payload(request)
        problem = validate_message(payload)
        if problem:
            res.errors.append(problem)
            raise HTTPError(400, f"Invalid Form Body: {problem}", 50035)
        msg = self._new_message(
            payload,
            files,
            channel_id=res.channel_id,
            guild_id=res.guild_id,
            webhook=True,
            interaction_id=res.id,
        )
        res.followups.append(msg)
        res._mark_completed()
        res._notify()
        if request.query.get("wait", "").lower() in ("1", "true"):
            return json_response(self.message_json(msg))
        return web.Response(status=204)

    async def _webhook_message(self, request: web.Request) -> web.StreamResponse:
        res = self._interaction_for_webhook(request)
        mid = request.match_info["message_id"]
        msg: SentMessage | None
        if mid == "@original":
            msg = res.original or res._placeholder
            if msg is None and res.source_message is not None and res.type == 3:
                msg = res.source_message
        else:
            msg = next((m for m in res.followups if str(m.id) == mid), None)
            if msg is None and res.original is not None and str(res.original.id) == mid:
                msg = res.original
        if msg is None or msg.deleted:
            raise HTTPError(404, "Unknown Message", 10008)
        if request.method == "GET":
            return json_response(self.message_json(msg))
        if request.method == "PATCH":
            payload, files = await self._read_payload(request)
            self._apply_edit(msg, payload, files)
            res.edits += 1
            if mid == "@original" or msg is res._placeholder:
                res.original = msg
                res._placeholder = None
                res._mark_completed()
            res._notify()
            return json_response(self.message_json(msg))
        if request.method == "DELETE":
            msg.deleted = True
            if msg is res.original:
                res.original = None
            if msg in res.followups:
                res.followups.remove(msg)
            if msg is res._placeholder:
                res._placeholder = None
            res._mark_completed()
            res._notify()
            return web.Response(status=204)
        raise HTTPError(405, "405: Method Not Allowed")

    # ------------------------------------------------------------------------------------------
    # gateway
    # ------------------------------------------------------------------------------------------
    def _sessions_for(self, guild_id: int | None) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.ready and s.owns(guild_id)]

    def _live_session_for(self, guild_id: int | None) -> GatewaySession | None:
        best: GatewaySession | None = None
        for s in self.sessions.values():
            if (
                s.live
                and s.ready
                and s.owns(guild_id)
                and (best is None or s.identified_at > best.identified_at)
            ):
                best = s
        return best

    async def _wait_session(self, guild_id: int | None, timeout: float) -> GatewaySession:
        deadline = time.monotonic() + timeout
        while True:
            s = self._live_session_for(guild_id)
            if s is not None:
                return s
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no live gateway session owns guild {guild_id}")
            ev = self._sessions_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ev.wait(), remaining)

    def _signal_sessions(self) -> None:
        self._sessions_changed.set()
        self._sessions_changed = asyncio.Event()

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
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "embedded_activities": [],
        }

    async def _ws_gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True, timeout=2.0)
        await ws.prepare(request)
        conn = GatewayConnection(ws, compress=request.query.get("compress") == "zlib-stream")
        conn.start()
        self._connections.add(conn)
        interval = self.heartbeat_interval_ms
        conn.send({"op": 10, "d": {"heartbeat_interval": interval}, "s": None, "t": None})
        watchdog = asyncio.create_task(
            conn.watch_heartbeats(interval / 1000 * HEARTBEAT_TIMEOUT_FACTOR)
        )
        try:
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    msg = json.loads(frame.data)
                elif frame.type == WSMsgType.BINARY:
                    msg = json.loads(frame.data.decode())
                else:
                    break
                if not await self._gateway_op(conn, msg):
                    break
        except (ConnectionResetError, json.JSONDecodeError):
            pass
        finally:
            self._connections.discard(conn)
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
            if conn.zombie:  # Discord: the timed-out session cannot be resumed
                self.zombie_closes += 1
                if session is not None and session.conn is None:
                    self.sessions.pop(session.session_id, None)
                await asyncio.wait([watchdog], timeout=3)  # its close handshake
            watchdog.cancel()
            await conn.close()
            self._signal_sessions()
        return ws

    async def _gateway_op(self, conn: GatewayConnection, msg: dict[str, Any]) -> bool:
        op = msg.get("op")
        d = msg.get("d")
        if op == 1:
            # d is the last sequence number the client received, or null before any dispatch
            if d is not None and (not isinstance(d, int) or isinstance(d, bool) or d < 0):
                self.errors.append(("GATEWAY op 1", DECODE_ERROR, f"invalid heartbeat d={d!r}"))
                await conn.close(code=DECODE_ERROR, message=b"Decode error.")
                return False
            self.heartbeats_received += 1
            conn.heartbeat(d, self.heartbeat_ack_delay)
        elif op == 2:
            token = str((d or {}).get("token", ""))
            if token.removeprefix("Bot ") != self.token:
                await conn.close(code=4004, message=b"Authentication failed.")
                return False
            shard = (d or {}).get("shard") or [0, 1]
            session = GatewaySession(
                uuid.uuid4().hex, int(shard[0]), int(shard[1]), int((d or {}).get("intents", 0))
            )
            self.identify_count += 1
            session.conn = conn
            conn.session = session
            self.sessions[session.session_id] = session
            guilds = [g for g in self.guilds.values() if session.owns(g.id)]
            session.dispatch(
                "READY",
                {
                    "v": 10,
                    "user": self._me_json(),
                    "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                    "session_id": session.session_id,
                    "session_type": "normal",
                    "resume_gateway_url": self.gateway_url,
                    "shard": [session.shard_id, session.shard_count],
                    "application": {"id": str(self.application_id), "flags": 0},
                    "private_channels": [],
                    "relationships": [],
                    "presences": [],
                    "guild_join_requests": [],
                    "geo_ordered_rtc_regions": [],
                    "user_settings": {},
                    "auth": {},
                },
            )
            for g in guilds:
                session.dispatch("GUILD_CREATE", self._guild_json(g))
            session.ready = True
            self._signal_sessions()
        elif op == 6:
            sid = str((d or {}).get("session_id", ""))
            token = str((d or {}).get("token", ""))
            found = self.sessions.get(sid)
            if found is None or token.removeprefix("Bot ") != self.token:
                conn.send({"op": 9, "d": False, "s": None, "t": None})
                return True
            old = found.conn
            if old is not None and old is not conn:
                old.session = None
                await old.close(code=4009)
            found.conn = conn
            conn.session = found
            self.resume_count += 1
            found.replay_after(int((d or {}).get("seq") or 0))
            found.dispatch("RESUMED", {})
            self._signal_sessions()
        elif op == 8:
            gid = int((d or {}).get("guild_id", 0))
            chunk_guild = self.guilds.get(gid)
            if chunk_guild is not None and conn.session is not None:
                conn.session.dispatch(
                    "GUILD_MEMBERS_CHUNK",
                    {
                        "guild_id": str(chunk_guild.id),
                        "members": [m.to_json() for m in chunk_guild.members.values()],
                        "chunk_index": 0,
                        "chunk_count": 1,
                        "not_found": [],
                        "presences": [],
                        "nonce": (d or {}).get("nonce"),
                    },
                )
        return True

    # ------------------------------------------------------------------------------------------
    # interactions: building and dispatching
    # ------------------------------------------------------------------------------------------
    def _find_command(
        self, name: str, guild: Guild | None, cmd_type: int = 1
    ) -> tuple[dict[str, Any], list[str]]:
        parts = name.split()
        if not parts:
            raise ValueError("empty command name")
        pools: list[list[dict[str, Any]]] = []
        if guild is not None:
            pools.append(self.commands.get(guild.id, []))
        pools.append(self.commands.get("global", []))
        for pool in pools:
            for cmd in pool:
                if cmd.get("name") == parts[0] and int(cmd.get("type", 1)) == cmd_type:
                    return cmd, parts[1:]
        valid = sorted(self.command_names(guild))
        raise ValueError(
            f"unknown command {parts[0]!r}; valid commands: {', '.join(valid) or '(none synced)'}"
        )

    def command_names(self, guild: Guild | int | None = None) -> list[str]:
        """Full invocable names ("event add", "upcoming", "admin config set") of synced commands."""
        g = None if guild is None else self._guild(guild)
        cmds = list(self.commands.get("global", []))
        if g is not None:
            cmds += self.commands.get(g.id, [])
        names: list[str] = []

        def walk(prefix: str, options: list[dict[str, Any]]) -> bool:
            found = False
            for o in options:
                if o.get("type") == SUB_COMMAND:
                    names.append(f"{prefix} {o['name']}")
                    found = True
                elif o.get("type") == SUB_COMMAND_GROUP:
                    walk(f"{prefix} {o['name']}", o.get("options") or [])
                    found = True
            return found

        for c in cmds:
            if int(c.get("type", 1)) != 1:
                continue
            if not walk(c["name"], c.get("options") or []):
                names.append(c["name"])
        return names

    def command_schema(self, name: str, guild: Guild | int | None = None) -> dict[str, Any]:
        """The leaf (command or subcommand) schema for a full name."""
        g = None if guild is None else self._guild(guild)
        cmd, rest = self._find_command(name, g)
        leaf, _ = self._descend(cmd, rest, name)
        return leaf

    def _descend(
        self, cmd: dict[str, Any], rest: list[str], full: str
    ) -> tuple[dict[str, Any], list[tuple[str, int]]]:
        """Walk subcommand groups/subcommands; returns the leaf and the path of (name, type)."""
        node = cmd
        path: list[tuple[str, int]] = []
        for part in rest:
            subs = [
                o
                for o in node.get("options") or []
                if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)
            ]
            match = next((o for o in subs if o.get("name") == part), None)
            if match is None:
                valid = ", ".join(o["name"] for o in subs) or "(no subcommands)"
                raise ValueError(f"unknown subcommand {part!r} in {full!r}; valid: {valid}")
            path.append((part, int(match["type"])))
            node = match
        subs = [
            o
            for o in node.get("options") or []
            if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)
        ]
        if subs:
            valid = ", ".join(o["name"] for o in subs)
            raise ValueError(f"{full!r} needs a subcommand; valid: {valid}")
        return node, path

    def _resolve_member_or_user(
        self, value: Any, guild: Guild | None, resolved: dict[str, dict[str, Any]]
    ) -> str:
        uid = _snowflake(value)
        user = self.users.get(uid)
        if user is None:
            raise ValueError(f"unknown user {uid}")
        resolved.setdefault("users", {})[str(uid)] = user.to_json()
        if guild is not None and uid in guild.members:
            resolved.setdefault("members", {})[str(uid)] = guild.members[uid].to_json(
                include_user=False, permissions=guild.permissions_for(uid)
            )
        return str(uid)

    def _coerce_option(
        self,
        opt: dict[str, Any],
        value: Any,
        guild: Guild | None,
        resolved: dict[str, dict[str, Any]],
        actor: User,
        *,
        focused: bool = False,
    ) -> Any:
        otype = int(opt["type"])
        name = opt["name"]
        if focused:
            return "" if value is None else str(value)
        choices = opt.get("choices") or []
        if choices:
            for ch in choices:
                if value == ch.get("value") or (isinstance(value, str) and value == ch.get("name")):
                    value = ch["value"]
                    break
            else:
                # Allow "2" for an integer choice 2.
                str_values = {str(c.get("value")): c.get("value") for c in choices}
                if str(value) in str_values:
                    value = str_values[str(value)]
                else:
                    valid = ", ".join(f"{c.get('name')}={c.get('value')!r}" for c in choices)
                    raise ValueError(f"option {name!r}: {value!r} is not a choice; valid: {valid}")
        try:
            if otype == STRING:
                return str(value)
            if otype == INTEGER:
                if isinstance(value, bool):
                    raise ValueError
                return int(value)
            if otype == NUMBER:
                return float(value)
            if otype == BOOLEAN:
                if isinstance(value, str):
                    low = value.lower()
                    if low in ("true", "yes", "1", "on"):
                        return True
                    if low in ("false", "no", "0", "off"):
                        return False
                    raise ValueError
                return bool(value)
        except (TypeError, ValueError):
            raise ValueError(
                f"option {name!r} expects {OPTION_TYPE_NAMES.get(otype, otype)}, got {value!r}"
            ) from None
        if otype == USER:
            return self._resolve_member_or_user(value, guild, resolved)
        if otype == ROLE:
            return self._resolve_role(value, guild, resolved)
        if otype == MENTIONABLE:
            rid = _snowflake(value)
            if isinstance(value, Role) or (guild is not None and guild.role(rid) is not None):
                return self._resolve_role(value, guild, resolved)
            return self._resolve_member_or_user(value, guild, resolved)
        if otype == CHANNEL:
            cid = _snowflake(value)
            ch = self.channels.get(cid)
            if ch is None:
                raise ValueError(f"option {name!r}: unknown channel {cid}")
            resolved.setdefault("channels", {})[str(cid)] = self._channel_json(
                ch, for_user=actor.id
            )
            return str(cid)
        if otype == ATTACHMENT:
            if isinstance(value, StoredAttachment):
                att = value
            elif isinstance(value, tuple) and len(value) in (2, 3):
                ct = value[2] if len(value) == 3 else None
                att = self._store_attachment(str(value[0]), bytes(value[1]), ct)
            elif isinstance(value, bytes | bytearray):
                att = self._store_attachment(f"{name}.bin", bytes(value), None)
            else:
                raise ValueError(
                    f"option {name!r} expects an attachment: (filename, bytes) or bytes"
                )
            resolved.setdefault("attachments", {})[str(att.id)] = {
                **self._attachment_json(att),
                "ephemeral": True,
            }
            return str(att.id)
        return value

    def _resolve_role(
        self, value: Any, guild: Guild | None, resolved: dict[str, dict[str, Any]]
    ) -> str:
        rid = _snowflake(value)
        if guild is None or guild.role(rid) is None:
            raise ValueError(f"unknown role {rid} (roles need a guild)")
        role = guild.role(rid)
        assert role is not None
        resolved.setdefault("roles", {})[str(rid)] = role.to_json()
        return str(rid)

    def _build_options(
        self,
        leaf: dict[str, Any],
        values: dict[str, Any],
        guild: Guild | None,
        actor: User,
        full: str,
        *,
        focused: str | None = None,
        check_required: bool = True,
    ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        schema = {o["name"]: o for o in leaf.get("options") or []}
        unknown = [k for k in values if k not in schema]
        if unknown:
            valid = ", ".join(
                f"{o['name']}({OPTION_TYPE_NAMES.get(int(o['type']), o['type'])}"
                f"{', required' if o.get('required') else ''})"
                for o in schema.values()
            )
            raise ValueError(
                f"{full!r}: unknown option(s) {', '.join(unknown)}; valid: {valid or '(none)'}"
            )
        if focused is not None and focused not in schema:
            raise ValueError(f"{full!r}: focused option {focused!r} does not exist")
        if check_required:
            missing = [n for n, o in schema.items() if o.get("required") and n not in values]
            if missing:
                raise ValueError(f"{full!r}: missing required option(s) {', '.join(missing)}")
        resolved: dict[str, dict[str, Any]] = {}
        options: list[dict[str, Any]] = []
        for name, value in values.items():
            opt = schema[name]
            is_focused = name == focused
            entry: dict[str, Any] = {
                "name": name,
                "type": int(opt["type"]),
                "value": self._coerce_option(
                    opt, value, guild, resolved, actor, focused=is_focused
                ),
            }
            if is_focused:
                entry["focused"] = True
            options.append(entry)
        if focused is not None and focused not in values:
            options.append(
                {
                    "name": focused,
                    "type": int(schema[focused]["type"]),
                    "value": "",
                    "focused": True,
                }
            )
        return options, resolved

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
            "locale": "en-US",
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
        """Submit a modal (type 5) with text input values by custom_id."""
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

    def _channel_or_value_error(self, channel: Channel | int) -> Channel:
        cid = _snowflake(channel)
        ch = self.channels.get(cid)
        if ch is None:
            raise ValueError(f"unknown channel {cid}")
        return ch
