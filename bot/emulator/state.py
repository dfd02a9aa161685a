"""Everything the emulator remembers, in one place: the constructor shared by every part."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .gateway import (
    HEARTBEAT_ACK_DELAY,
    HEARTBEAT_INTERVAL_MS,
    GatewayConnection,
    GatewaySession,
)
from .models import (
    DEFAULT_BOT_PERMISSIONS,
    Channel,
    Guild,
    InteractionResult,
    RateLimits,
    Role,
    SentMessage,
    SnowflakeGenerator,
    Stats,
    StoredAttachment,
    User,
)
from .rest import API_PREFIX

if TYPE_CHECKING:
    from .ratelimits import ChannelBucket

MessageHook = Callable[[SentMessage], Any]


class EmulatorState:
    """The state of a :class:`~bot.emulator.DiscordEmulator`; its parts are mixins over this."""

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

        # guild scheduled events (routes_scheduled_events.py): Discord's JSON by id, the
        # members who marked each Interested, and the clock that decides what "future" is
        self.scheduled_events: dict[int, dict[str, Any]] = {}
        self._interested: dict[int, set[int]] = {}
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)

        # commands
        self.commands: dict[Any, list[dict[str, Any]]] = {}
        self.command_syncs: int = 0
        self._commands_event = asyncio.Event()
        self._command_version = self._ids.next()

        # interactions
        self.interactions: dict[int, InteractionResult] = {}
        # Modals the bot opened, by custom id: a member can only submit one of these.
        self.opened_modals: dict[str, dict[str, Any]] = {}
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
        self._buckets: dict[int, ChannelBucket] = {}
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

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway/"
