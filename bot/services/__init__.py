"""The domain services the cogs call, built once from the database and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.db.comments import CommentRepository
from bot.db.database import Database
from bot.db.discord_events import DiscordEventRepository
from bot.db.drafts import DraftRepository
from bot.db.events import EventRepository
from bot.db.feeds import FeedRepository, SubscriptionRepository
from bot.db.groups import GroupRepository
from bot.db.guilds import GuildRepository, MetaRepository, UserRepository
from bot.db.reminders import ReminderRepository
from bot.db.rsvp import RsvpRepository
from bot.db.stakeholders import StakeholderRepository
from bot.domain.clock import Clock
from bot.services.calendar import CalendarService
from bot.services.comments import CommentService
from bot.services.discord_events import DiscordEventsService
from bot.services.drafts import DraftService
from bot.services.feed import FeedService
from bot.services.reminders import ReminderService
from bot.services.rsvp import RsvpService
from bot.services.settings import SettingsService
from bot.services.stakeholders import StakeholderService
from bot.services.subscriptions import SubscriptionService
from bot.services.windows import WindowService


class Signal:
    """A change notice: services call `fire()` after committing new reminders; the reminder
    engine listens so it can wake earlier than it planned."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def connect(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def fire(self) -> None:
        for listener in self._listeners:
            listener()


@dataclass
class Services:
    db: Database
    clock: Clock
    meta: MetaRepository
    settings: SettingsService
    stakeholders: StakeholderService
    drafts: DraftService
    comments: CommentService
    reminder_repo: ReminderRepository
    reminders: ReminderService
    calendar: CalendarService
    rsvp: RsvpService
    feeds: FeedService
    subscriptions: SubscriptionService
    discord_events: DiscordEventsService
    reminders_changed: Signal = field(default_factory=Signal)
    windows: WindowService = field(init=False)

    @classmethod
    def build(cls, db: Database, clock: Clock) -> Services:
        signal = Signal()
        reminder_repo = ReminderRepository(db)
        guilds = GuildRepository(db)
        settings = SettingsService(db, guilds, UserRepository(db), clock)
        stakeholders = StakeholderService(
            db, StakeholderRepository(db), clock, guilds=guilds, groups=GroupRepository(db)
        )
        comment_repo = CommentRepository(db)
        drafts = DraftService(db, DraftRepository(db), comment_repo, clock)
        events = EventRepository(db)
        calendar = CalendarService(db, events, settings, clock, signal.fire)
        return cls(
            reminders_changed=signal,
            reminder_repo=reminder_repo,
            reminders=ReminderService(reminder_repo, clock, signal.fire),
            db=db,
            clock=clock,
            meta=MetaRepository(db),
            settings=settings,
            calendar=calendar,
            rsvp=RsvpService(db, RsvpRepository(db), calendar, stakeholders, clock, signal.fire),
            feeds=FeedService(db, FeedRepository(db), events, clock),
            subscriptions=SubscriptionService(db, SubscriptionRepository(db), calendar, clock),
            discord_events=DiscordEventsService(
                db, DiscordEventRepository(db), calendar, settings, clock, signal.fire
            ),
            stakeholders=stakeholders,
            drafts=drafts,
            comments=CommentService(db, comment_repo, drafts, stakeholders, clock),
        )

    def __post_init__(self) -> None:
        # A draft's comment window is also a calendar event.
        self.windows = WindowService(
            self.db, self.drafts, self.drafts.repo, self.clock, getattr(self, "calendar", None)
        )
