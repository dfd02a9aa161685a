"""A member's own reminders are numbered 1, 2, 3 ... (SPEC 10): on SQLite and PostgreSQL, with
/remind sent several times at once, and next to rows set before numbering began."""

from __future__ import annotations

import asyncio

from bot.db import to_ms
from bot.domain.clock import FakeClock
from bot.domain.models import ReminderState
from bot.services import Services

GUILD = 4242


async def test_reminders_set_at_once_get_distinct_numbers(services: Services, clock: FakeClock) -> None:
    async with services.reminder_repo.db.transaction() as tx:  # set before numbering began
        await services.reminder_repo.insert_many(
            tx, [(GUILD, None, 5, "old", to_ms(clock()) + 3_600_000, to_ms(clock()))]
        )
    made = await asyncio.gather(*(
        services.reminders.remind(
            guild_id=GUILD, user_id=5, when=f"in {i + 1} hours", text=f"r{i}", timezone="UTC"
        )
        for i in range(8)
    ))
    assert sorted(r.member_seq for r in made if r.member_seq is not None) == list(range(1, 9))
    other = await services.reminders.remind(
        guild_id=GUILD, user_id=6, when="in 1 hour", text="x", timezone="UTC"
    )
    assert other.member_seq == 1
    mine = await services.reminders.mine(GUILD, 5)
    assert len(mine) == 9 and [r.member_seq for r in mine].count(None) == 1

    cancelled = await services.reminders.cancel(GUILD, 5, 8)
    assert cancelled.member_seq == 8
    row = await services.reminder_repo.get(cancelled.id)
    assert row is not None and row.state is ReminderState.CANCELLED
    again = await services.reminders.remind(
        guild_id=GUILD, user_id=5, when="in 9 hours", text="next", timezone="UTC"
    )
    assert again.member_seq == 9  # never reused
