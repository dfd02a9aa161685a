"""Data model of the local Discord emulator: world objects, messages, interactions, counters.

Everything here is plain Python; the server is composed in ``server.py`` (see README.md).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Permission bits used by the emulator (see discord.Permissions).
CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CHANGE_NICKNAME = 1 << 26
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 53) - 1

DEFAULT_EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
# What the bot's managed integration role grants (a typical invite, not Administrator).
DEFAULT_BOT_PERMISSIONS = (
    DEFAULT_EVERYONE_PERMISSIONS | MANAGE_MESSAGES | MANAGE_CHANNELS | MENTION_EVERYONE
)


class SnowflakeGenerator:
    """Unique, increasing snowflakes whose timestamp bits are the real creation time."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = max(self._last + 1, now_ms << 22)
        self._last = value
        return value


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


@dataclass(eq=False)
class User:
    id: int
    name: str
    bot: bool = False
    global_name: str | None = None
    #: The language of the user's Discord client, sent as an interaction's `locale`
    #: ("fr", "es-419", "zh-TW", "ar" ...).
    locale: str = "en-US"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0000" if self.bot else "0",
            "global_name": self.global_name if self.global_name is not None else self.name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
        }

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(eq=False)
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False
    bot_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "managed": self.managed,
            "mentionable": False,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass(eq=False)
class Channel:
    id: int
    guild_id: int | None
    name: str
    type: int = 0
    position: int = 0
    topic: str | None = None
    recipient_id: int | None = None  # DM channels

    def to_json(self, *, include_guild_id: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "last_message_id": None,
            "flags": 0,
        }
        if self.guild_id is not None:
            data.update(
                {
                    "position": self.position,
                    "permission_overwrites": [],
                    "nsfw": False,
                    "parent_id": None,
                    "topic": self.topic,
                    "rate_limit_per_user": 0,
                }
            )
            if include_guild_id:
                data["guild_id"] = str(self.guild_id)
        return data

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass(eq=False)
class Member:
    user: User
    guild_id: int
    roles: list[Role] = field(default_factory=list)
    permissions_override: int | None = None
    joined_at: float = field(default_factory=time.time)
    nick: str | None = None

    def to_json(
        self, *, include_user: bool = True, permissions: int | None = None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r.id) for r in self.roles],
            "joined_at": iso(self.joined_at),
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if include_user:
            data["user"] = self.user.to_json()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass(eq=False)
class Guild:
    id: int
    name: str
    owner: User
    roles: list[Role] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    created_wall: float = field(default_factory=time.time)

    @property
    def everyone(self) -> Role:
        return self.roles[0]

    def role(self, role_id: int) -> Role | None:
        for r in self.roles:
            if r.id == role_id:
                return r
        return None

    def permissions_for(self, user_id: int) -> int:
        """Guild-level permissions as Discord computes them (no channel overwrites)."""
        if user_id == self.owner.id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        if member is not None and member.permissions_override is not None:
            return member.permissions_override
        perms = self.everyone.permissions
        if member is not None:
            for r in member.roles:
                perms |= r.permissions
        if perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms


@dataclass
class RateLimits:
    """Rate limits the emulator enforces. ``None`` disables a limit.

    per_channel: (N, W) = N message creates per W seconds per channel (fixed window).
    global_per_second: G requests per second across all routes (interaction endpoints exempt).
    """

    per_channel: tuple[int, float] | None = (5, 5.0)
    global_per_second: int | None = 50


@dataclass
class Stats:
    requests: Counter[str] = field(default_factory=Counter)
    status_429: int = 0
    status_429_global: int = 0
    nonce_duplicates: int = 0
    creates_per_nonce: dict[str, int] = field(default_factory=dict)
    global_window_max: int = 0
    message_creates: int = 0
    late_responses: int = 0

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())


@dataclass(eq=False)
class StoredAttachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None


@dataclass(eq=False)
class SentMessage:
    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[Any] = field(default_factory=list)
    stored_attachments: list[StoredAttachment] = field(default_factory=list)
    allowed_mentions: dict[str, Any] | None = None
    nonce: str | None = None
    flags: int = 0
    webhook: bool = False
    created_at_monotonic: float = field(default_factory=time.monotonic)
    created_at_wall: float = field(default_factory=time.time)
    edited_at_wall: float | None = None
    edits: int = 0
    deleted: bool = False
    interaction_id: int | None = None
    tts: bool = False

    @property
    def attachments(self) -> list[tuple[str, bytes]]:
        return [(a.filename, a.data) for a in self.stored_attachments]

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    @property
    def loading(self) -> bool:
        return bool(self.flags & 128)

    def buttons(self) -> list[dict[str, Any]]:
        """All button components (type 2), flattened out of action rows."""
        out: list[dict[str, Any]] = []

        def walk(items: list[Any]) -> None:
            for item in items:
                if not isinstance(item, dict):
                    continue
                if item.get("type") == 2:
                    out.append(item)
                walk(item.get("components") or [])

        walk(self.components)
        return out

    def custom_ids(self) -> list[str]:
        ids: list[str] = []

        def walk(items: list[Any]) -> None:
            for item in items:
                if not isinstance(item, dict):
                    continue
                if "custom_id" in item:
                    ids.append(str(item["custom_id"]))
                walk(item.get("components") or [])

        walk(self.components)
        return ids

    def text(self) -> str:
        """Content plus embeds flattened to plain text (title, description, fields, footer)."""
        parts: list[str] = []
        if self.content:
            parts.append(self.content)
        for e in self.embeds:
            author = (e.get("author") or {}).get("name")
            if author:
                parts.append(str(author))
            if e.get("title"):
                parts.append(str(e["title"]))
            if e.get("description"):
                parts.append(str(e["description"]))
            for f in e.get("fields") or []:
                parts.append(f"{f.get('name', '')}: {f.get('value', '')}")
            footer = (e.get("footer") or {}).get("text")
            if footer:
                parts.append(str(footer))
        for a in self.stored_attachments:
            parts.append(f"[attachment {a.filename} ({len(a.data)} bytes)]")
        return "\n".join(parts)

    def __repr__(self) -> str:
        text = self.text().replace("\n", " | ")
        if len(text) > 80:
            text = text[:77] + "..."
        return f"<SentMessage id={self.id} channel={self.channel_id} {text!r}>"


class InteractionResult:
    """Live view of one interaction and everything the bot answered to it."""

    def __init__(
        self,
        *,
        id: int,
        token: str,
        type: int,
        user: User,
        guild_id: int | None,
        channel_id: int,
        payload: dict[str, Any],
        source_message: SentMessage | None = None,
    ) -> None:
        self.id = id
        self.token = token
        self.type = type
        self.user = user
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.payload = payload
        self.source_message = source_message
        self.callback_type: int | None = None
        self.callback_data: dict[str, Any] | None = None
        self.ephemeral: bool = False
        self.original: SentMessage | None = None
        self.followups: list[SentMessage] = []
        self.choices: list[dict[str, Any]] | None = None
        self.modal: dict[str, Any] | None = None
        self.edits: int = 0
        self.errors: list[str] = []
        self.created_at_monotonic = time.monotonic()
        self.responded_at_monotonic: float | None = None
        self.completed_at_monotonic: float | None = None
        # The message a type-5 deferral created (loading) before it is edited.
        self._placeholder: SentMessage | None = None
        # True when a followup (not an edit of @original) ended the loading state.
        self.resolved_by_followup = False
        self._responded = asyncio.Event()
        self._completed = asyncio.Event()
        self._changed = asyncio.Event()

    # -- derived ----------------------------------------------------------------------------
    @property
    def deferred(self) -> bool:
        return self.callback_type in (5, 6)

    @property
    def responded(self) -> bool:
        return self.callback_type is not None

    @property
    def completed(self) -> bool:
        return self._completed.is_set()

    @property
    def messages(self) -> list[SentMessage]:
        out = [self.original] if self.original is not None else []
        return out + list(self.followups)

    @property
    def answer(self) -> SentMessage | None:
        """The message that answers: the original response, or (when the bot removed it, as
        after a private deferral followed by a public answer) the first followup."""
        if self.original is not None:
            return self.original
        return self.followups[0] if self.followups else None

    @property
    def content(self) -> str:
        answer = self.answer
        return answer.content if answer is not None else ""

    async def wait_until(
        self, predicate: Any, timeout: float = 5, *, what: Any = None
    ) -> InteractionResult:
        """Wait until `predicate(self)` holds (after later edits, followups or deletions);
        on time-out the error says `what()` (what was seen instead), if given."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = what() if what is not None else "the condition did not come true"
                raise TimeoutError(f"interaction {self.id}: {seen}")
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                continue
        return self

    def text(self) -> str:
        return "\n".join(m.text() for m in self.messages)

    @property
    def latency(self) -> float | None:
        """Seconds from dispatch to the first response."""
        if self.responded_at_monotonic is None:
            return None
        return self.responded_at_monotonic - self.created_at_monotonic

    # -- internal notifications ----------------------------------------------------------------
    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _mark_responded(self) -> None:
        self.responded_at_monotonic = time.monotonic()
        self._responded.set()
        if self.callback_type not in (5, 6):
            self._mark_completed()
        self._notify()

    def _mark_completed(self) -> None:
        if not self._completed.is_set():
            self.completed_at_monotonic = time.monotonic()
            self._completed.set()

    # -- waiting ---------------------------------------------------------------------------------
    async def wait(self, timeout: float = 5) -> InteractionResult:
        """Wait for the first response (callback) of the bot."""
        try:
            await asyncio.wait_for(self._responded.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"interaction {self.id} got no response within {timeout}s") from None
        return self

    async def wait_completed(self, timeout: float = 5) -> InteractionResult:
        """Wait for the first response and, for a deferral, its completion (edit or followup)."""
        deadline = time.monotonic() + timeout
        await self.wait(timeout)
        try:
            await asyncio.wait_for(self._completed.wait(), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise TimeoutError(
                f"interaction {self.id} was deferred but not completed within {timeout}s"
                + (f" (rejected: {'; '.join(self.errors)})" if self.errors else "")
            ) from None
        return self

    async def wait_for_followups(self, n: int, timeout: float = 5) -> list[SentMessage]:
        await self.wait_until(
            lambda r: len(r.followups) >= n, timeout,
            what=lambda: f"{len(self.followups)} followups, wanted {n}",
        )
        return list(self.followups)

    async def wait_for_edits(self, n: int, timeout: float = 5) -> InteractionResult:
        return await self.wait_until(
            lambda r: r.edits >= n, timeout, what=lambda: f"{self.edits} edits, wanted {n}"
        )

    def __repr__(self) -> str:
        return (
            f"<InteractionResult id={self.id} type={self.type} callback={self.callback_type} "
            f"ephemeral={self.ephemeral} content={self.content[:40]!r} "
            f"followups={len(self.followups)}>"
        )
