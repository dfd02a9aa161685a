"""Subscriptions to outside calendars (SPEC 11): follow an iCalendar URL, import its events,
check it again every SUBSCRIPTION_MINUTES, and announce what changed in the reminder channel.

- A subscription's events are ordinary events whose UID is scoped to it ("sub3:<UID>"), so two
  feeds with the same UIDs do not collide, and they are written through the calendar's
  EventWrite (CalendarService.writing): their reminders are planned and replanned exactly as
  for /event add, edit and remove, in the same transaction as the subscription's own row and its
  announcements.
- A check that fails (network, size, not a calendar, unreadable) changes no event; the
  subscription records when and why, and keeps its events.
- Announcements are rows written in the check's transaction; SubscriptionRunner sends them.
- /calendar unsubscribe removes the subscription's events and their pending reminders.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.db.database import Database
from bot.db.feeds import SubscriptionRepository
from bot.domain import ical
from bot.domain.calendar import apply_to, changes, to_event
from bot.domain.calendar import parse_ref as parse_number
from bot.domain.clock import Clock
from bot.domain.feeds import (
    MAX_SUBSCRIPTIONS,
    Change,
    ChangeKind,
    FetchRefused,
    Subscription,
    announced,
    announcement_messages,
    calendar_name,
    change_line,
    check_subscription_url,
    classify,
    diff_events,
    plain,
    scoped,
)
from bot.errors import NotFound, UserError
from bot.i18n import Msg, ntr, render, tr
from bot.services.calendar import CalendarService
from bot.services.calendar_files import read_ics_off_loop
from bot.services.calendar_write import EventWrite
from bot.services.ical_fetch import Fetched, fetch_calendar

log = logging.getLogger(__name__)

Fetch = Callable[..., Awaitable[Fetched]]


@dataclass(slots=True)
class CheckResult:
    """What one check of a subscription did."""

    subscription: Subscription
    outcome: str  # "changed", "unchanged", "failed", "gone" (unsubscribed meanwhile)
    error: str | None = None
    counts: Counter[str] = field(default_factory=Counter)  # ChangeKind value -> how many
    announced: int = 0  # lines for the reminder channel


class SubscriptionService:
    def __init__(
        self,
        db: Database,
        repo: SubscriptionRepository,
        calendar: CalendarService,
        clock: Clock,
        *,
        minutes: int = 60,
        allow_private: bool = False,
        fetch: Fetch = fetch_calendar,
        notify: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.repo = repo
        self.calendar = calendar
        self.clock = clock
        self.interval = timedelta(minutes=minutes)
        self.allow_private = allow_private
        self._fetch = fetch
        #: Told after a check committed announcements (the runner sends them).
        self.announcements_changed = notify or (lambda: None)

    # ------------------------------------------------------------------ reading

    async def for_guild(self, guild_id: int) -> list[Subscription]:
        return await self.repo.for_guild(guild_id)

    async def get(self, guild_id: int, ref: str | int) -> Subscription:
        number = parse_number(ref)
        found = (
            await self.repo.get(guild_id, number)
            if number is not None and number < 2**62
            else None
        )
        if found is None:
            raise NotFound(Msg(
                "There is no subscription {ref} here; `/calendar subscriptions` lists them with"
                " their numbers.", ref=repr(str(ref)[:40]),
            ))
        return found

    # ------------------------------------------------------------------ subscribing

    async def subscribe(self, guild_id: int, actor_id: int, url_text: str) -> CheckResult:
        """Follow `url_text`: fetch it now, import its events, check it again later. Nothing
        is stored when the first fetch fails (the refusal says why)."""
        url = check_subscription_url(url_text)
        await self._check_room(self.db, guild_id, url)
        try:
            fetched = await self._fetch(url, allow_private=self.allow_private)
        except FetchRefused as exc:
            raise UserError(Msg("I can't follow {host}: {reason}.", host=_host(url),
                                reason=str(exc))) from None
        assert fetched.data is not None
        items = await self._read(guild_id, url, fetched.data)
        name = calendar_name(fetched.data)
        now = self.clock()
        lang = await self._server_language(guild_id)
        async with self.calendar.writing(guild_id, actor_id) as write:
            await self.repo.lock_guild(write.tx, guild_id)
            await self._check_room(write.tx, guild_id, url)
            sub = await self.repo.add(
                write.tx, guild_id=guild_id, url=url, name=name, created_by=actor_id, at=now,
                next_check=now + self.interval,
            )
            found = await self._apply(write, sub, items)
            counts = Counter(c.kind.value for c in found)
            await self.repo.record_check(
                write.tx, sub, at=now, next_check=now + self.interval, error=None,
                etag=fetched.etag, last_modified=fetched.last_modified,
                body_hash=fetched.body_hash, event_count=len(items), name=name,
            )
            await self.repo.announce(
                write.tx, guild_id, sub.id,
                [ntr(lang, "Now following the calendar **{name}** (subscription #{id}): {n} event"
                     " added; changes will be announced here.",
                     "Now following the calendar **{name}** (subscription #{id}): {n} events"
                     " added; changes will be announced here.",
                     len(items), name=plain(sub.label), id=sub.id)],
                now,
            )
            await write.audit("calendar.subscribe", f"subscription:{sub.id}", {"url": url})
            stored = await self.repo.get_in(write.tx, guild_id, sub.id)
            assert stored is not None
        self.announcements_changed()
        return CheckResult(stored, "changed", counts=counts, announced=1)

    async def _check_room(self, tx: Any, guild_id: int, url: str) -> None:
        same = await self.repo.by_url(tx, guild_id, url)
        if same is not None:
            raise UserError(Msg(
                "This server already follows that calendar as subscription #{id};"
                " `/calendar refresh id:{id}` checks it now.", id=same.id,
            ))
        if await self.repo.count(tx, guild_id) >= MAX_SUBSCRIPTIONS:
            raise UserError(Msg(
                "This server follows {n} calendars already; stop one with"
                " `/calendar unsubscribe id` first.", n=MAX_SUBSCRIPTIONS,
            ))

    async def _read(self, guild_id: int, url: str, data: bytes) -> list[ical.ImportedEvent]:
        zone = (await self.calendar.settings.get(guild_id)).timezone
        items, _result = await read_ics_off_loop(data, default_zone=zone, filename=_host(url))
        return items

    async def unsubscribe(
        self, guild_id: int, actor_id: int, ref: str | int
    ) -> tuple[Subscription, int]:
        """Stop following a calendar and remove its events (with their pending reminders);
        returns the subscription and how many events were removed."""
        sub = await self.get(guild_id, ref)
        async with self.calendar.writing(guild_id, actor_id) as write:
            locked = await self.repo.get_in(write.tx, guild_id, sub.id, for_update=True)
            if locked is None:
                raise NotFound(Msg("Subscription #{id} was stopped already.", id=sub.id))
            events = await self.repo.events(write.tx, guild_id, sub.id)
            for event in events.values():
                await write.remove(event)
            await self.repo.delete(write.tx, sub.id)
            await write.audit(
                "calendar.unsubscribe", f"subscription:{sub.id}",
                {"url": sub.url, "events_removed": len(events)},
            )
        return sub, len(events)

    # ------------------------------------------------------------------ checking

    async def refresh(self, guild_id: int, ref: str | int | None = None) -> list[CheckResult]:
        """Check one subscription (or all of the server's) now."""
        subs = [await self.get(guild_id, ref)] if ref is not None else await self.for_guild(guild_id)
        return [await self.check(sub) for sub in subs]

    async def check(self, sub: Subscription) -> CheckResult:
        """Fetch the subscription (conditionally), apply what changed, announce it."""
        try:
            fetched = await self._fetch(
                sub.url, etag=sub.etag, last_modified=sub.last_modified,
                allow_private=self.allow_private,
            )
        except FetchRefused as exc:
            return await self._failed(sub, str(exc))
        if fetched.data is None or fetched.body_hash == sub.body_hash:
            return await self._unchanged(sub, fetched)
        try:
            items = await self._read(sub.guild_id, sub.url, fetched.data)
        except UserError as exc:
            return await self._failed(sub, str(exc).rstrip("."))
        now = self.clock()
        lang = await self._server_language(sub.guild_id)  # channel posts: the server's
        async with self.calendar.writing(sub.guild_id, None) as write:
            current = await self.repo.get_in(write.tx, sub.guild_id, sub.id, for_update=True)
            if current is None:
                return CheckResult(sub, "gone")
            if current.body_hash == fetched.body_hash:  # another check applied it meanwhile
                await self.repo.record_check(
                    write.tx, current, at=now, next_check=now + self.interval, error=None
                )
                return CheckResult(current, "unchanged")
            found = await self._apply(write, current, items)
            lines = [render(change_line(c), lang) for c in announced(found, now)]
            await self.repo.announce(
                write.tx, sub.guild_id, sub.id,
                announcement_messages(
                    tr(lang, "Changes in the calendar **{name}** (subscription #{id}):",
                       name=plain(current.label), id=sub.id),
                    lines,
                ),
                now,
            )
            name = calendar_name(fetched.data)
            await self.repo.record_check(
                write.tx, current, at=now, next_check=now + self.interval, error=None,
                etag=fetched.etag, last_modified=fetched.last_modified,
                body_hash=fetched.body_hash, event_count=len(items), name=name,
            )
            if found:
                await write.audit(
                    "calendar.subscription.check", f"subscription:{sub.id}",
                    {"changes": dict(Counter(c.kind.value for c in found))},
                )
            stored = await self.repo.get_in(write.tx, sub.guild_id, sub.id)
            assert stored is not None
        if lines:
            self.announcements_changed()
        counts = Counter(c.kind.value for c in found)
        return CheckResult(stored, "changed" if found else "unchanged", counts=counts,
                           announced=len(lines))

    async def _server_language(self, guild_id: int) -> str:
        """The server's language: announcements are posted in it (SPEC 12), and are stored
        already worded."""
        return (await self.calendar.settings.get(guild_id)).language

    async def _failed(self, sub: Subscription, error: str) -> CheckResult:
        now = self.clock()
        log.info("subscription %s (%s) failed: %s", sub.id, sub.url, error)
        async with self.db.transaction() as tx:
            await self.repo.record_check(
                tx, sub, at=now, next_check=now + self.interval, error=error
            )
            stored = await self.repo.get_in(tx, sub.guild_id, sub.id)
        return CheckResult(stored or sub, "failed", error=error)

    async def _unchanged(self, sub: Subscription, fetched: Fetched) -> CheckResult:
        now = self.clock()
        async with self.db.transaction() as tx:
            await self.repo.record_check(
                tx, sub, at=now, next_check=now + self.interval, error=None,
                etag=fetched.etag, last_modified=fetched.last_modified,
            )
            stored = await self.repo.get_in(tx, sub.guild_id, sub.id)
        return CheckResult(stored or sub, "unchanged")

    async def _apply(
        self, write: EventWrite, sub: Subscription, items: list[ical.ImportedEvent]
    ) -> list[Change]:
        """Make the stored events of `sub` what the feed says, in `write`'s transaction;
        returns what changed."""
        stored = await self.repo.events(write.tx, sub.guild_id, sub.id)
        new, pairs, gone = diff_events(stored, [scoped(sub.id, item) for item in items])
        found: list[Change] = []
        for item in new:
            event = await write.save_new_uid(to_event(item, sub.guild_id, created_by=None))
            if event is not None:
                found.append(Change(ChangeKind.NEW, None, event))
        for before, item in pairs:
            wanted = apply_to(item, before)
            if not changes(before, wanted):
                continue
            kind = classify(before, wanted) or ChangeKind.UPDATED
            after = await write.save(before, wanted)
            found.append(Change(kind, before, after))
        for event in gone:
            await write.remove(event)
            found.append(Change(ChangeKind.REMOVED, event, None))
        return found


def _host(url: str) -> str:
    return urlsplit(url).hostname or url[:60]
