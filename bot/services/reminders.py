"""Personal reminders (/remind) and the list of what is coming (/reminders list)."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

from bot.db import audit
from bot.db.reminders import ReminderRepository
from bot.domain.clock import Clock
from bot.domain.models import Reminder
from bot.domain.reminders import REPEAT_LABELS, first_occurrence, local_time, repeat_rule
from bot.domain.when import parse_when
from bot.domain.when.reading import ZoneSource, reading_lines
from bot.errors import UserError
from bot.i18n import Msg

MAX_TEXT = 1500
#: A personal reminder set again (same member, moment, text, place) within this is a retry.
SAME_REMINDER_WINDOW = timedelta(minutes=10)


class ReminderService:
    def __init__(self, repo: ReminderRepository, clock: Clock, on_change: object = None) -> None:
        self.repo = repo
        self.clock = clock
        self._on_change = on_change

    async def remind(
        self,
        *,
        guild_id: int | None,
        user_id: int,
        when: str,
        text: str,
        timezone: str,
        channel_id: int | None = None,
        repeat: str | None = None,
        language: str | None = None,
        month_first: bool = False,
        source: ZoneSource | None = None,
    ) -> Reminder:
        """A reminder for `user_id` at `when` (their timezone), to a channel or, by default, a DM.
        With `repeat` (a key of REPEAT_LABELS) it comes back at the same local clock time in
        `timezone`; only the next occurrence is stored. A DM is worded in `language`."""
        body = text.strip()
        if not body:
            raise UserError(Msg('Say what to remind you of, e.g. text: "send the ISOC comments".'))
        if len(body) > MAX_TEXT:
            raise UserError(
                Msg("A reminder's text is at most {limit} characters; yours has {length}.",
                    limit=MAX_TEXT, length=len(body))
            )
        if repeat is not None and repeat not in REPEAT_LABELS:
            raise UserError(Msg("Repeat is one of: {choices}.", choices=", ".join(REPEAT_LABELS)))
        now = self.clock()
        parsed = parse_when(when, now, timezone, month_first=month_first)
        if parsed.end is not None and not parsed.all_day:
            raise UserError(
                Msg('Give one moment for a reminder, e.g. "in 3 days" or "next friday 9am".')
            )
        due = parsed.start
        if parsed.all_day:
            # A bare date: remind at 09:00 on the member's wall clock that day (not midnight
            # plus nine hours, which is 08:00 or 10:00 on a day the clocks change).
            due = local_time(parsed.start, timezone, time(9, 0))
        rule: str | None = None
        if repeat is not None:
            due = first_occurrence(due, repeat, timezone)  # weekdays: from the next weekday
            rule = repeat_rule(repeat, due, timezone)
        if due <= now:
            raise UserError(
                Msg('That moment has already passed; give a time in the future, e.g. "in 2 hours".')
            )
        async with self.repo.db.transaction() as tx:
            await self.repo.lock_member(tx, user_id)
            # The same reminder set again within minutes is a retry (no answer came in time).
            same = await self.repo.same_personal(
                tx, user_id=user_id, channel_id=channel_id, due_at=due, text=body,
                since=now - SAME_REMINDER_WINDOW, repeat=rule,
            )
            if same is not None:
                reminder = same
            else:
                reminder = await self.repo.add_personal(
                    tx, guild_id=guild_id, user_id=user_id, channel_id=channel_id, due_at=due,
                    text=body, now=now, repeat=rule, timezone=timezone if rule else None,
                    language=language,
                )
                await audit.record(
                    tx, guild_id=guild_id, actor_id=user_id, action="reminder.add",
                    target=f"reminder:{reminder.id}", at=now,
                    detail={"due_at": due.isoformat(), "channel_id": channel_id,
                            "number": reminder.member_seq, "repeat": rule},
                )
        if callable(self._on_change):
            self._on_change()
        if source is None:
            return reminder
        return replace(reminder, notes=tuple(reading_lines(parsed, source)))

    async def mine(self, guild_id: int, user_id: int) -> list[Reminder]:
        """The member's own pending reminders set in this server, soonest first."""
        return await self.repo.personal_for_member(guild_id, user_id)

    async def cancel(self, guild_id: int, user_id: int, number: int) -> Reminder:
        """Cancel the member's own pending reminder `number` (their number, not the row id)."""
        now = self.clock()
        async with self.repo.db.transaction() as tx:
            await self.repo.lock_member(tx, user_id)
            reminder = await self.repo.cancel_personal(
                tx, guild_id=guild_id, user_id=user_id, member_seq=number
            )
            if reminder is None:
                raise UserError(
                    Msg("You have no pending reminder {number}; `/reminders mine` lists yours.",
                        number=number)
                )
            await audit.record(
                tx, guild_id=guild_id, actor_id=user_id, action="reminder.cancel",
                target=f"reminder:{reminder.id}", at=now,
                detail={"number": number, "due_at": reminder.due_at.isoformat()},
            )
        if callable(self._on_change):
            self._on_change()
        return reminder

    async def upcoming(
        self, guild_id: int, user_id: int, limit: int = 200
    ) -> list[tuple[Reminder, str | None]]:
        """The server's event reminders and the member's own, with event titles."""
        return await self.repo.pending_for_guild(guild_id, user_id=user_id, limit=limit)
