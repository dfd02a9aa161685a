"""Drafts' comment windows: set from a typed range, cleared with `when:none`, and shown in the
calendar as the draft's kind=window event (written by the calendar service, in the same
transaction as the window on the draft).

Decisions (the contract leaves them open):

- A window entirely in the past is refused unless `past` (as for a new event); one that opened
  in the past and closes later is accepted and open at once.
- `none` (or "clear", "-") removes the window: comments are accepted at any time again, and
  its calendar event and pending reminders go.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.db import audit
from bot.db.database import Database, opt_ms
from bot.db.drafts import DraftRepository
from bot.domain.clock import Clock
from bot.domain.drafts import WindowSet
from bot.domain.models import Draft, Event
from bot.domain.when import parse_when
from bot.domain.when.reading import ZoneSource, reading_lines, refuse_past
from bot.errors import UserError
from bot.i18n import Msg
from bot.services.drafts import DraftService

#: What `/draft window code when:` takes to remove a window.
CLEAR_WORDS = frozenset({"none", "clear", "-", "no window", "remove"})


class WindowCalendar(Protocol):
    """What windows need of the calendar: the draft's window as a kind=window event."""

    async def upsert_draft_window(
        self,
        *,
        guild_id: int,
        draft_id: int,
        code: str,
        title: str,
        opens: datetime,
        closes: datetime,
        timezone: str,
        actor_id: int | None,
    ) -> Event: ...

    async def remove_draft_window(
        self, *, guild_id: int, draft_id: int, actor_id: int | None
    ) -> Event | None: ...


def is_clear(text: str) -> bool:
    """`when:none` (or "clear", "-"): remove the window."""
    return " ".join(text.lower().split()) in CLEAR_WORDS


class WindowService:
    def __init__(
        self,
        db: Database,
        drafts: DraftService,
        repo: DraftRepository,
        clock: Clock,
        calendar: WindowCalendar | None = None,
    ) -> None:
        self.db = db
        self.drafts = drafts
        self.repo = repo
        self.clock = clock
        #: Wired by Services once the calendar service exists; None leaves windows off it.
        self.calendar = calendar

    async def set_window(
        self,
        guild_id: int,
        actor_id: int,
        code: str,
        when_text: str,
        timezone: str,
        *,
        past: bool = False,
        month_first: bool = False,
        source: ZoneSource = "member",
    ) -> WindowSet:
        """Set the comment window from a range and show it in the calendar. `WindowSet.notes`
        say how the range was read."""
        draft = await self.drafts.require(guild_id, code)
        now = self.clock()
        when = parse_when(when_text, now, timezone, month_first=month_first)
        if when.end is None or (when.all_day and when.last_day() == when.first_day()):
            raise UserError(Msg(
                "A comment window needs a range with a start and an end, like"
                ' "19 December 2013 - 24 January 2014" or "from 1 March to 15 March 2014";'
                " `none` removes it."
            ))
        if when.tentative:
            raise UserError(Msg(
                "A comment window needs definite dates, not a tentative one; give the range"
                ' once it is known, like "19 December 2013 - 24 January 2014".'
            ))
        if not past:
            refuse_past(when, now, "window")
        notes = tuple(reading_lines(when, source))
        event: Event | None = None
        if self.calendar is not None:
            # The calendar writes the window event and the draft's window in one transaction.
            event = await self.calendar.upsert_draft_window(
                guild_id=guild_id, draft_id=draft.id, code=draft.code,
                title=f"{draft.code} comment window", opens=when.start, closes=when.end,
                timezone=when.timezone, actor_id=actor_id,
            )
            if getattr(self.calendar, "records_draft_window", False):
                stored = await self.repo.get_by_id(draft.id)
                if stored is not None:
                    return WindowSet(stored, when, event, notes)
        # No calendar, or one that only shows the window: the draft records it itself.
        event_id = event.id if event is not None else None
        async with self.db.transaction() as tx:
            updated = await self.repo.set_window(tx, draft, when.start, when.end, event_id, now)
            await audit.record(
                tx, guild_id=draft.guild_id, actor_id=actor_id, action="draft.window",
                target=f"draft:{draft.code}", at=now,
                detail={
                    "opens": when.start.isoformat(),
                    "closes": when.end.isoformat(),
                    "previous_opens": opt_ms(draft.window_opens),
                    "previous_closes": opt_ms(draft.window_closes),
                    "event_id": event_id,
                },
            )
        return WindowSet(updated, when, event, notes)

    async def clear_window(self, guild_id: int, actor_id: int, code: str) -> tuple[Draft, bool]:
        """Remove the draft's comment window, its calendar event and that event's reminders;
        returns the draft and whether it had a window."""
        draft = await self.drafts.require(guild_id, code)
        had = draft.window_opens is not None or draft.window_closes is not None
        if self.calendar is not None:
            # The calendar removes the event and the draft's window in one transaction.
            await self.calendar.remove_draft_window(
                guild_id=guild_id, draft_id=draft.id, actor_id=actor_id
            )
            if getattr(self.calendar, "records_draft_window", False):
                return await self.drafts.require(guild_id, code), had
        now = self.clock()
        async with self.db.transaction() as tx:
            updated = await self.repo.clear_window(tx, draft, now)
            if had:
                await audit.record(
                    tx, guild_id=guild_id, actor_id=actor_id, action="draft.window.clear",
                    target=f"draft:{draft.code}", at=now,
                    detail={
                        "previous_opens": opt_ms(draft.window_opens),
                        "previous_closes": opt_ms(draft.window_closes),
                    },
                )
        return updated, had
