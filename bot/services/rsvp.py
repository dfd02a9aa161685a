"""RSVP (SPEC 10): members answer Going, Maybe or Not going to a meeting; Going and Maybe get
its reminders by DM as well; coordinators see who answered what, with their attribution.

An answer and the DM reminders it earns or drops are written in one transaction, with the
audit row, and the reminder engine is told after it commits. The event's row is locked first
(on PostgreSQL), so an answer and a concurrent edit of the event's time take turns and the DMs
always follow the event's current reminders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.db import audit
from bot.db.database import Database
from bot.db.rsvp import RsvpRepository, drop_dms, plan_dms
from bot.domain.clock import Clock
from bot.domain.models import Event, Stakeholder
from bot.domain.rsvp import Rsvp, RsvpCounts, RsvpStatus, check_rsvp, parse_status, require_meeting
from bot.services.calendar import CalendarService
from bot.services.stakeholders import StakeholderService


@dataclass(frozen=True, slots=True)
class Answered:
    """What an answer did: the event, the new and previous status, how many of its reminders
    will reach the member by DM, and whether their DMs were closed last time we tried."""

    event: Event
    status: RsvpStatus
    previous: RsvpStatus | None
    dms_ahead: int
    dms_were_closed: bool


@dataclass(frozen=True, slots=True)
class Attendee:
    rsvp: Rsvp
    profile: Stakeholder | None  # None: the member has no stakeholder profile here


class RsvpService:
    def __init__(
        self,
        db: Database,
        repo: RsvpRepository,
        calendar: CalendarService,
        stakeholders: StakeholderService,
        clock: Clock,
        notify: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.repo = repo
        self.calendar = calendar
        self.stakeholders = stakeholders
        self.clock = clock
        self._notify = notify or (lambda: None)

    async def answer(
        self, guild_id: int, user_id: int, ref: str | int, status: str | RsvpStatus
    ) -> Answered:
        """Record `user_id`'s answer to the meeting `ref` and plan (or drop) their DMs."""
        chosen = status if isinstance(status, RsvpStatus) else parse_status(status)
        event = await self.calendar.get(guild_id, ref)
        now = self.clock()
        check_rsvp(event, now)
        async with self.db.transaction() as tx:
            if tx.dialect == "postgresql":
                await tx.execute("SELECT id FROM events WHERE id = $1 FOR UPDATE", event.id)
            previous = await RsvpRepository.set(
                tx, event_id=event.id, guild_id=guild_id, user_id=user_id, status=chosen, at=now
            )
            # Answering again is the member's way to say their DMs are open again.
            were_closed = await RsvpRepository.clear_refused(tx, user_id)
            await drop_dms(tx, event.id, user_id, now)
            if chosen.gets_dms:
                await plan_dms(tx, event.id, now, user_id=user_id)
            await audit.record(
                tx, guild_id=guild_id, actor_id=user_id, action="event.rsvp",
                target=f"event:{event.id}", at=now,
                detail={"status": chosen.value,
                        "before": previous.value if previous else None},
            )
        self._notify()
        ahead = await self.repo.dms_ahead(event.id, user_id, now)
        return Answered(event, chosen, previous, ahead, were_closed)

    async def counts(self, event_id: int) -> RsvpCounts:
        return await self.repo.counts(event_id)

    async def attendees(self, guild_id: int, ref: str | int) -> tuple[Event, list[Attendee]]:
        """The meeting and every answer to it, Going first, then Maybe, then Not going, each
        with the member's stakeholder profile in this server (if any)."""
        event = await self.calendar.get(guild_id, ref)
        require_meeting(event)
        answers = await self.repo.for_event(event.id)
        order = list(RsvpStatus)
        answers.sort(key=lambda a: order.index(a.status))
        profiles = {p.user_id: p for p in await self.stakeholders.list(guild_id)} if answers else {}
        return event, [Attendee(a, profiles.get(a.user_id)) for a in answers]
