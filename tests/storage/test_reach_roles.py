"""The reminder role on the engine's side (SPEC 10): event reminders for the reminder channel
carry the server's role to the sender, and the message starts with it; personal reminders and
DMs never ping, and a channel `/remind` names who set it."""

from __future__ import annotations

from datetime import timedelta

from bot.db import Database, to_ms
from bot.db.reminders import ReminderRepository, ShardFilter
from bot.domain.clock import FakeClock
from bot.limits import MESSAGE_LIMIT
from bot.reminders.batching import split_rows
from tests.storage.test_scheduler import GUILD, RecordingSender, add_personal, claim, make_engine

ROLE = 987654321098765432
CHANNEL = 555


async def add_event_reminders(db: Database, clock: FakeClock, titles: list[str]) -> None:
    now = to_ms(clock())
    for title in titles:
        event_id = await db.fetchval(
            "INSERT INTO events (guild_id, title, kind, start_at, created_at, updated_at)"
            " VALUES ($1, $2, 'meeting', $3, $3, $3) RETURNING id", GUILD, title, now + 3600_000)
        await db.execute(
            "INSERT INTO reminders (guild_id, event_id, moment, offset_seconds, due_at, state,"
            " created_at) VALUES ($1, $2, 'start', 3600, $3, 'pending', $3)", GUILD, event_id, now)


async def set_role(db: Database, clock: FakeClock, role: int | None) -> None:
    from bot.db.guilds import GuildRepository

    async with db.transaction() as tx:
        await GuildRepository.update(
            tx, GUILD, at=clock(), reminder_channel_id=CHANNEL, reminder_role_id=role
        )


async def test_event_reminders_carry_the_role_and_start_with_it(db: Database, clock: FakeClock) -> None:
    await set_role(db, clock, ROLE)
    await add_event_reminders(db, clock, ["ICANN 49 @everyone"])
    await add_personal(db, clock(), channel=CHANNEL + 1, user=5, text="read pillar b")
    await add_personal(db, clock(), channel=None, user=6, text="a DM")
    sender = RecordingSender()
    engine = make_engine(db, clock, sender)
    await engine.run_once()
    await engine.drain()
    by_target = {t: (c, r) for (t, c, _), r in zip(sender.sent, sender.roles, strict=True)}
    content, role = by_target[("channel", CHANNEL)]
    assert role == ROLE and content.startswith(f"<@&{ROLE}> Reminder: **ICANN 49")
    content, role = by_target[("channel", CHANNEL + 1)]
    assert role is None and content.startswith("Reminder from <@5>: read pillar b")
    content, role = by_target[("dm", 6)]
    assert role is None and content.startswith("Reminder: a DM")


async def test_without_a_role_event_reminders_ping_nobody(db: Database, clock: FakeClock) -> None:
    await set_role(db, clock, None)
    await add_event_reminders(db, clock, ["ICANN 49"])
    sender = RecordingSender()
    engine = make_engine(db, clock, sender)
    await engine.run_once()
    await engine.drain()
    assert sender.roles == [None] and sender.sent[0][1].startswith("Reminder: **ICANN 49")


async def test_the_split_keeps_room_for_the_mention(db: Database, clock: FakeClock) -> None:
    await set_role(db, clock, ROLE)
    await add_event_reminders(db, clock, [f"T{i:02d} " + "x" * 180 for i in range(40)])
    claimed = await claim(ReminderRepository(db), now=clock(), owner="test:x",
                          lease=timedelta(minutes=1), limit=100, shards=ShardFilter())
    assert all(c.mention_role == ROLE for c in claimed)
    await db.execute("UPDATE reminders SET lease_until = NULL")  # that claimant died
    sender = RecordingSender()
    engine = make_engine(db, clock, sender)
    await engine.run_once()
    await engine.drain()
    assert len(sender.sent) == len(split_rows(claimed)) > 1
    assert all(len(c) <= MESSAGE_LIMIT and c.startswith(f"<@&{ROLE}> ") for _, c, _ in sender.sent)
    assert all(r == ROLE for r in sender.roles)
