"""Discord's own events (SPEC 11): the `/settings discord-events` setting, what the mirror
should show for a server, and members' "Interested" on a mirrored event as a Maybe answer.

The mirror itself (the calls to Discord, retries, shard ownership) is
bot.discord_io.scheduled_events; it asks this service what a server's Discord events should be
(`desired`) and records what Discord did through the repository.

Decisions (the contract leaves them open):

- Turning the setting off removes the Discord events Concord made; RSVP answers stay.
- "Interested" is a Maybe attributed to Discord. It never lowers an answer given in Concord
  (Going stays Going, a Maybe stays Concord's); it replaces Not going (the member changed
  their mind). Leaving Interested removes only an answer that came from Discord.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.db import audit
from bot.db.database import Database, Executor
from bot.db.discord_events import FROM_CONCORD, FROM_DISCORD, DiscordEventRepository
from bot.db.rsvp import RsvpRepository, drop_dms, plan_dms
from bot.domain.clock import Clock
from bot.domain.discord_events import MirrorRow, MirrorSpec, is_mirrored, mirror_spec
from bot.domain.models import Event, EventKind, EventStatus
from bot.domain.rsvp import RsvpStatus, check_rsvp
from bot.errors import UserError
from bot.i18n import N_, Msg
from bot.services.calendar import CalendarService
from bot.services.settings import SettingsService

log = logging.getLogger(__name__)

NO_MANAGE_EVENTS = N_(
    "I can't create Discord events here: give my role the **Manage Events** permission"
    " (Server Settings -> Roles), then run `/settings discord-events enabled:true` again."
)


@dataclass(frozen=True, slots=True)
class Desired:
    """What a server's Discord events should be, for bot.domain.discord_events.plan_mirror."""

    rows: list[MirrorRow]
    wanted: dict[int, MirrorSpec] = field(default_factory=dict)
    cancelled: set[int] = field(default_factory=set)
    started: set[int] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class SettingChanged:
    enabled: bool
    was: bool
    meetings: int  # future meetings that will be mirrored (0 when off)
    mirrored: int  # Discord events that exist now (to be removed when off)


class DiscordEventsService:
    def __init__(
        self,
        db: Database,
        repo: DiscordEventRepository,
        calendar: CalendarService,
        settings: SettingsService,
        clock: Clock,
        notify_reminders: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.repo = repo
        self.calendar = calendar
        self.settings = settings
        self.clock = clock
        self._notify_reminders = notify_reminders or (lambda: None)
        self._mirror_listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> None:
        """`listener` is called when the mirror should look again (the setting changed)."""
        self._mirror_listeners.append(listener)

    # ------------------------------------------------------------------ the setting

    async def enabled(self, guild_id: int) -> bool:
        return await self.repo.enabled(guild_id)

    async def set_enabled(
        self, guild_id: int, actor_id: int, enabled: bool, *, can_manage_events: bool
    ) -> SettingChanged:
        """Turn the mirror on or off. Turning it on needs the bot's Manage Events permission
        (`can_manage_events`, as Discord reported it with the command)."""
        if enabled and not can_manage_events:
            raise UserError(Msg(NO_MANAGE_EVENTS))
        now = self.clock()
        async with self.db.transaction() as tx:
            was = await DiscordEventRepository.set_enabled(tx, guild_id, enabled, actor_id, now)
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="settings.discord_events",
                target=f"guild:{guild_id}", at=now,
                detail={"enabled": enabled, "before": was},
            )
        meetings = 0
        if enabled:
            meetings = sum(
                1 for e in await self.repo.meetings_to_come(guild_id, now) if is_mirrored(e, now)
            )
        mirrored = sum(1 for r in await self.repo.mirrors(guild_id) if r.discord_id is not None)
        for listener in self._mirror_listeners:
            listener()
        return SettingChanged(enabled, was, meetings, mirrored)

    # ------------------------------------------------------------------ what Discord should show

    async def desired(self, guild_id: int, now: datetime) -> Desired:
        """The server's mirror rows and what each of its Discord events should be now. Each
        candidate is shown as `CalendarService.next_occurrence` gives it: for a series, its next
        occurrence only (when series arrive, the candidates must also include series whose
        first occurrence is past but whose next one is to come)."""
        rows = await self.repo.mirrors(guild_id)
        if not await self.repo.enabled(guild_id):
            return Desired(rows)
        zone = (await self.settings.get(guild_id)).timezone
        candidates = {e.id: e for e in await self.repo.meetings_to_come(guild_id, now)}
        missing = [r.event_id for r in rows if r.event_id not in candidates]
        for event in await self.repo.events_by_id(guild_id, missing):
            candidates[event.id] = event
        desired = Desired(rows)
        for event in candidates.values():
            shown = await self.calendar.next_occurrence(event, now)
            if shown is None:
                continue
            if is_mirrored(shown, now):
                desired.wanted[event.id] = mirror_spec(shown, zone)
            elif shown.kind is not EventKind.MEETING:
                continue  # no longer a meeting: its Discord event is deleted
            elif shown.status is EventStatus.CANCELLED and shown.start > now:
                desired.cancelled.add(event.id)
            elif shown.start <= now:
                desired.started.add(event.id)
        return desired

    # ------------------------------------------------------------------ Interested -> Maybe

    async def interested(self, guild_id: int, user_id: int, discord_id: int) -> RsvpStatus | None:
        """A member marked Interested on a mirrored event: a Maybe from Discord, unless they
        answered Going or Maybe in Concord. Returns the answer it recorded (None: none)."""
        event = await self._mirrored_event(guild_id, discord_id)
        if event is None:
            return None
        now = self.clock()
        try:
            check_rsvp(event, now)
        except UserError:
            return None
        async with self.db.transaction() as tx:
            await self._lock(tx, event)
            current = await DiscordEventRepository.answer_of(tx, event.id, user_id)
            if current is not None and current[0] is not RsvpStatus.NOT_GOING:
                return None
            await RsvpRepository.set(
                tx, event_id=event.id, guild_id=guild_id, user_id=user_id,
                status=RsvpStatus.MAYBE, at=now, source=FROM_DISCORD,
            )
            await drop_dms(tx, event.id, user_id, now)
            await plan_dms(tx, event.id, now, user_id=user_id)
            await audit.record(
                tx, guild_id=guild_id, actor_id=user_id, action="event.rsvp",
                target=f"event:{event.id}", at=now,
                detail={"status": RsvpStatus.MAYBE.value, "via": "discord-interested",
                        "before": current[0].value if current else None},
            )
        self._notify_reminders()
        return RsvpStatus.MAYBE

    async def not_interested(self, guild_id: int, user_id: int, discord_id: int) -> bool:
        """A member left Interested: their answer goes if it came from Discord (one given in
        Concord stays). Returns whether an answer was removed."""
        event = await self._mirrored_event(guild_id, discord_id)
        if event is None:
            return False
        now = self.clock()
        async with self.db.transaction() as tx:
            await self._lock(tx, event)
            current = await DiscordEventRepository.answer_of(tx, event.id, user_id)
            if current is None or current[1] == FROM_CONCORD:
                return False
            await DiscordEventRepository.remove_answer(tx, event.id, user_id)
            await drop_dms(tx, event.id, user_id, now)
            await audit.record(
                tx, guild_id=guild_id, actor_id=user_id, action="event.rsvp",
                target=f"event:{event.id}", at=now,
                detail={"status": None, "via": "discord-interested",
                        "before": current[0].value},
            )
        self._notify_reminders()
        return True

    async def sync_interested(self, guild_id: int, discord_id: int, users: set[int]) -> int:
        """Bring the answers from Discord in line with who is Interested now (after the bot
        was away and missed the gateway's events). Returns how many answers changed."""
        event = await self._mirrored_event(guild_id, discord_id)
        if event is None:
            return 0
        sources = await self.repo.sources(event.id)
        changed = 0
        for user_id in sorted(users - set(sources)):
            changed += await self.interested(guild_id, user_id, discord_id) is not None
        for user_id, source in sources.items():
            if source == FROM_DISCORD and user_id not in users:
                changed += await self.not_interested(guild_id, user_id, discord_id)
        return changed

    async def _mirrored_event(self, guild_id: int, discord_id: int) -> Event | None:
        row = await self.repo.by_discord_id(guild_id, discord_id)
        if row is None:
            return None
        found = await self.repo.events_by_id(guild_id, [row.event_id])
        return found[0] if found else None

    @staticmethod
    async def _lock(tx: Executor, event: Event) -> None:
        # The event's row first (PostgreSQL), as RsvpService.answer does, so an answer and an
        # edit of the event's time take turns and the DMs follow its current reminders.
        if tx.dialect == "postgresql":
            await tx.execute("SELECT id FROM events WHERE id = $1 FOR UPDATE", event.id)
