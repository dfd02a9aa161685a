"""The settings service: server timezones, coordinator role, reminder channel and offsets, and
members' own timezones. Every change writes its audit row in the same transaction."""

from __future__ import annotations

from bot.db import audit
from bot.db.database import Database, Executor
from bot.db.guilds import GuildRepository, MetaRepository, UserRepository
from bot.domain.clock import Clock
from bot.domain.models import GuildSettings, VerificationMode
from bot.domain.offsets import format_offsets, parse_offsets
from bot.domain.when import validate_zone
from bot.domain.when.reading import ZoneSource, zone_source
from bot.errors import UserError
from bot.i18n import LANGUAGES, Msg, normalize, resolve

EVERYONE_REFUSED = Msg(
    "@everyone would make every member a coordinator; choose a role that only the"
    " secretariat has."
)
EVERYONE_PING_REFUSED = Msg(
    "@everyone would ping every member with each reminder; create a role such as"
    " \"Reminders\" for the members who want them, and choose that."
)


TIMEZONE_HINT = (
    "This server has no timezone yet, so the dates and times members type are read as UTC;"
    " a coordinator sets it with `/settings timezone`, e.g. `Europe/Zurich`."
)


def _hint_key(guild_id: int) -> str:
    return f"timezone-hint:{guild_id}"


class SettingsService:
    def __init__(
        self, db: Database, guilds: GuildRepository, users: UserRepository, clock: Clock
    ) -> None:
        self.db = db
        self.guilds = guilds
        self.users = users
        self.clock = clock
        # Languages are read on every interaction (SPEC 12): kept here, dropped on change. A
        # guild's interactions reach the process that owns its shard, which is the one that
        # changes its settings.
        self._member_languages: dict[int, str | None] = {}
        self._guild_languages: dict[int, str] = {}

    async def get(self, guild_id: int) -> GuildSettings:
        return await self.guilds.get(guild_id)

    async def _update(
        self, guild_id: int, actor_id: int | None, tx: Executor | None, **changes: object
    ) -> GuildSettings:
        """Write the named settings and their audit row, in `tx` or a transaction of its own."""
        if tx is None:
            async with self.db.transaction() as own:
                return await self._update(guild_id, actor_id, own, **changes)
        at = self.clock()
        await self.guilds.update(tx, guild_id, at=at, **changes)
        self._guild_languages.pop(guild_id, None)
        await audit.record(
            tx, guild_id=guild_id, actor_id=actor_id, action="settings.update",
            target=f"guild:{guild_id}", at=at, detail=dict(changes),
        )
        return await self.guilds.get(guild_id, tx)

    async def set_timezone(self, guild_id: int, actor_id: int, zone: str) -> GuildSettings:
        canonical = validate_zone(zone)
        async with self.db.transaction() as tx:
            # A server that chose its zone (UTC included) needs no hint to set one.
            await MetaRepository.claim(tx, _hint_key(guild_id), self.clock().isoformat())
            return await self._update(guild_id, actor_id, tx, timezone=canonical)

    async def timezone_hint_due(self, guild_id: int) -> bool:
        """True once per server, at its first coordinator command while it has no timezone:
        that answer suggests `/settings timezone` (dates would be read as UTC)."""
        if (await self.guilds.get(guild_id)).timezone != "UTC":
            return False
        if await MetaRepository(self.db).get(_hint_key(guild_id)) is not None:
            return False  # given already: a read, not a write per coordinator command
        async with self.db.transaction() as tx:
            return await MetaRepository.claim(tx, _hint_key(guild_id), self.clock().isoformat())

    async def set_coordinator_role(self, guild_id: int, actor_id: int, role_id: int) -> GuildSettings:
        """Choose the coordinator role; @everyone (whose id is the server's) is refused."""
        if role_id == guild_id:
            raise UserError(EVERYONE_REFUSED)
        return await self._update(guild_id, actor_id, None, coordinator_role_id=role_id)

    async def set_reminder_channel(self, guild_id: int, actor_id: int, channel_id: int) -> GuildSettings:
        return await self._update(guild_id, actor_id, None, reminder_channel_id=channel_id)

    async def set_reminder_role(
        self, guild_id: int, actor_id: int, role_id: int | None
    ) -> GuildSettings:
        """Choose the role event reminders ping (None: they ping nobody); @everyone (whose id
        is the server's) is refused."""
        if role_id == guild_id:
            raise UserError(EVERYONE_PING_REFUSED)
        return await self._update(guild_id, actor_id, None, reminder_role_id=role_id)

    async def set_verification_mode(
        self, guild_id: int, actor_id: int, mode: str | VerificationMode
    ) -> GuildSettings:
        """Open (unverified members comment, marked) or required (verified members only)."""
        try:
            chosen = VerificationMode(str(mode).strip().lower())
        except ValueError:
            raise UserError(Msg("Choose a verification mode: open or required.")) from None
        return await self._update(guild_id, actor_id, None, verification_mode=chosen.value)

    async def set_reminder_offsets(
        self, guild_id: int, actor_id: int, text: str, *, tx: Executor | None = None
    ) -> GuildSettings:
        """Store the server's reminder offsets (in `tx`, when the caller replans in the same
        transaction)."""
        normalized = format_offsets(parse_offsets(text))
        return await self._update(guild_id, actor_id, tx, reminder_offsets=normalized)

    async def set_member_timezone(self, user_id: int, zone: str) -> str:
        canonical = validate_zone(zone)
        at = self.clock()
        async with self.db.transaction() as tx:
            await self.users.set_timezone(tx, user_id, canonical, at)
            await audit.record(
                tx, guild_id=None, actor_id=user_id, action="user.timezone",
                target=f"user:{user_id}", at=at, detail={"timezone": canonical},
            )
        return canonical

    async def set_language(self, guild_id: int, actor_id: int, code: str) -> GuildSettings:
        """The server's language: what the bot posts on its own in its channels."""
        return await self._update(guild_id, actor_id, None, language=language_code(code))

    async def set_member_language(self, user_id: int, code: str | None) -> str | None:
        """A member's own language; None goes back to the automatic choice."""
        lang = language_code(code) if code else None
        at = self.clock()
        async with self.db.transaction() as tx:
            await self.users.set_language(tx, user_id, lang, at)
            await audit.record(
                tx, guild_id=None, actor_id=user_id, action="user.language",
                target=f"user:{user_id}", at=at, detail={"language": lang},
            )
        self._member_languages[user_id] = lang
        return lang

    async def member_language(self, user_id: int) -> str | None:
        if user_id not in self._member_languages:
            self._member_languages[user_id] = await self.users.language(user_id)
        return self._member_languages[user_id]

    async def guild_language(self, guild_id: int | None) -> str:
        if guild_id is None:
            return "en"
        if guild_id not in self._guild_languages:
            self._guild_languages[guild_id] = (await self.guilds.get(guild_id)).language
        return self._guild_languages[guild_id]

    async def reader_language(
        self, guild_id: int | None, user_id: int, discord_locale: object = None
    ) -> str:
        """The language a member reads answers in (SPEC 12): theirs, else their Discord
        client's when it is one of the six, else the server's."""
        return resolve(
            member=await self.member_language(user_id),
            discord_locale=discord_locale,
            server=await self.guild_language(guild_id),
        )

    async def member_timezone(self, user_id: int) -> str | None:
        return await self.users.timezone(user_id)

    async def reading_zone(
        self, guild_id: int | None, user_id: int | None, option: str | None = None
    ) -> tuple[str, ZoneSource]:
        """The zone a member's typed time is read in (the command's `timezone` option, theirs,
        else the server's) and where it came from, for the answer to say."""
        if option is not None and option.strip():
            return validate_zone(option), "option"
        own = await self.users.timezone(user_id) if user_id is not None else None
        server = (await self.guilds.get(guild_id)).timezone if guild_id is not None else "UTC"
        source = zone_source(option=False, member=own, server=server)
        return own or server, source

    async def effective_timezone(self, guild_id: int | None, user_id: int) -> str:
        """The member's own timezone, else the server's, else UTC."""
        own = await self.users.timezone(user_id)
        if own:
            return own
        if guild_id is None:
            return "UTC"
        return (await self.guilds.get(guild_id)).timezone


def language_code(code: str | None) -> str:
    """One of the six language codes, or a refusal that names them."""
    lang = normalize(code)
    if lang is None:
        raise UserError(
            Msg("{code} is not one of the languages: {choices}.", code=str(code)[:40],
                choices=", ".join(LANGUAGES))
        )
    return lang
