"""Reminders that reach people (SPEC 10), end to end: a member's own reminders numbered per
member (/reminders mine, /reminders cancel), the warning when no reminder channel is set, and
an open window in /upcoming."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.domain.clock import FakeClock
from bot.emulator import InteractionResult, SentMessage
from bot.harness import RunningBot, World

pytestmark = pytest.mark.e2e

NO_CHANNEL = (
    "No reminder channel is set, so this event's reminders will not be posted; a coordinator"
    " sets one with `/reminders channel`."
)


async def poke_and_drain(bot: RunningBot) -> None:
    engine = bot.bot.engine
    assert engine is not None
    await engine.run_once()
    await engine.drain()


def button(msg: SentMessage, label: str) -> dict[str, Any]:
    for row in msg.components:
        for item in row.get("components") or []:
            if label in str(item.get("label") or ""):
                return dict(item)
    raise AssertionError(f"no {label!r} button on {msg.id}: {msg.components}")


async def test_mine_lists_numbers_per_member_and_cancel_takes_one(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    res = await world.run(world.alice, "remind", when="in 2 hours", text="send the @everyone ISOC comments")
    assert res.ephemeral and res.content.startswith("Reminder 1 set for <t:")
    assert "`/reminders cancel 1` cancels it" in res.content
    res = await world.run(world.alice, "remind", when="in 3 hours", text="read pillar b", channel=world.reminders)
    assert res.content.startswith("Reminder 2 set for") and "`/reminders cancel 2`" in res.content
    await world.run(world.alice, "remind", when="in 4 hours", text="call **Bob**")
    res = await world.run(world.bob, "remind", when="in 1 hour", text="bob's own")
    assert res.content.startswith("Reminder 1 set for")  # numbered per member

    res = await world.run(world.alice, "reminders mine")
    assert res.ephemeral
    lines = [line for line in res.content.splitlines() if line.startswith("- ")]
    assert len(lines) == 3, res.content
    assert lines[0].startswith("- **1** · <t:") and "your DMs" in lines[0]
    assert "send the @everyone ISOC comments" in lines[0]
    assert lines[1].startswith("- **2** ·") and f"<#{world.reminders.id}>" in lines[1]
    assert lines[2].startswith("- **3** ·") and "call \\*\\*Bob\\*\\*" in lines[2]  # inert
    assert "bob's own" not in res.content

    # Bob has no reminder 3, and cannot cancel Alice's.
    res = await world.run(world.bob, "reminders cancel", id=3)
    assert res.ephemeral and res.content == (
        "You have no pending reminder 3; `/reminders mine` lists yours."
    )
    res = await world.run(world.alice, "reminders cancel", id=2)
    assert res.ephemeral and res.content.startswith("Cancelled your reminder 2")
    res = await world.run(world.alice, "reminders cancel", id=2)
    assert res.ephemeral and res.content == (
        "You have no pending reminder 2; `/reminders mine` lists yours."
    )
    res = await world.run(world.alice, "reminders mine")
    assert "read pillar b" not in res.content and "**1**" in res.content and "**3**" in res.content

    # A number is never reused, and the cancelled reminder is never sent.
    res = await world.run(world.alice, "remind", when="in 5 hours", text="later")
    assert res.content.startswith("Reminder 4 set for")
    clock.advance(hours=3, minutes=1)
    await poke_and_drain(bot)
    assert world.emu.channel_messages(world.reminders) == []
    assert len(world.emu.dm_messages(world.alice)) == 1
    res = await world.run(world.alice, "reminders mine")
    assert "**1**" not in res.content and "**3**" in res.content and "**4**" in res.content

    audit = await bot.services.db.fetch(
        "SELECT actor_id, target FROM audit WHERE action = 'reminder.cancel'"
    )
    assert [(r["actor_id"], r["target"]) for r in audit] == [(world.alice.id, audit[0]["target"])]


async def test_mine_with_nothing_and_paging(world: World, bot: RunningBot) -> None:
    res = await world.run(world.alice, "reminders mine")
    assert res.ephemeral and "You have no pending reminders here" in res.content
    for i in range(40):
        await world.run(world.alice, "remind", when=f"in {i + 1} hours", text=f"item {i:02d} " + "x" * 60)
    res = await world.run(world.alice, "reminders mine")
    assert res.ephemeral and "Page 1/" in res.content and "item 00" in res.content
    msg = res.answer
    assert msg is not None and len(msg.content) <= 2000
    nxt = await world.emu.click(
        world.alice, msg, str(button(msg, "Next")["custom_id"]), guild=world.guild,
        channel=world.channel, timeout=3,
    )
    await nxt.wait_until(lambda r: "Page 2/" in (r.original.content if r.original else ""), 3)
    assert "item 00" not in (nxt.original.content if nxt.original else "")


async def warned(res: InteractionResult) -> bool:
    await res.wait_until(lambda r: any(NO_CHANNEL in m.content for m in r.messages), 3)
    return any(NO_CHANNEL in m.content and m.ephemeral for m in res.messages)


async def test_event_add_and_draft_window_warn_without_a_reminder_channel(
    world: World, bot: RunningBot
) -> None:
    res = await world.run(world.coordinator, "event add", title="IGF MAG call", when="in 3 days")
    assert not res.ephemeral and res.content.startswith("Added to the calendar:")
    assert NO_CHANNEL not in res.content
    assert await warned(res)

    await world.run(world.coordinator, "draft create", code="C11", title="Ethics")
    res = await world.run(world.coordinator, "draft window", code="C11", when="3 November 2013 - 10 November 2013")
    assert not res.ephemeral and NO_CHANNEL not in res.content
    assert await warned(res)

    # With a channel set, no warning.
    await world.run(world.coordinator, "reminders channel", channel=world.reminders)
    res = await world.run(world.coordinator, "event add", title="Second call", when="in 4 days")
    assert res.content.startswith("Added to the calendar:")
    with pytest.raises(TimeoutError):
        await res.wait_until(lambda r: any(NO_CHANNEL in m.content for m in r.messages), 0.5)


async def test_upcoming_shows_an_open_window_as_open(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    await world.run(world.coordinator, "event add", title="C11 comment window",
                    when="2 November 2013 - 20 November 2013", kind="window")
    clock.advance(days=8)
    res = await world.run(world.bob, "upcoming", days=30)
    line = next(line for line in res.content.splitlines() if "C11 comment window" in line)
    closes = re.search(r"open, closes <t:(\d+):R>", line)
    assert closes and int(closes.group(1)) > clock().timestamp(), line
    assert " ago" not in line and line.count(":R>") == 1, line  # not "7 days ago"


async def test_remind_repeat_weekly_is_confirmed_and_listed(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    res = await world.run(
        world.alice, "remind", when="tomorrow 9:00", text="working group call", repeat="weekly"
    )
    assert res.ephemeral and res.content.startswith("Reminder 1 set for <t:"), res.content
    assert "repeats every week" in res.content
    res = await world.run(world.alice, "reminders mine")
    lines = [line for line in res.content.splitlines() if line.startswith("- ")]
    assert len(lines) == 1 and "every week" in lines[0] and "working group call" in lines[0]
    res = await world.run(world.alice, "remind", when="in 2 hours", text="once only")
    assert "repeats" not in res.content

    # Sent once, it comes back a week later, still number 1.
    clock.advance(days=1, hours=1)
    await poke_and_drain(bot)
    assert any("working group call" in m.content for m in world.emu.dm_messages(world.alice))
    res = await world.run(world.alice, "reminders mine")
    lines = [line for line in res.content.splitlines() if line.startswith("- ")]
    assert len(lines) == 1 and lines[0].startswith("- **1** ·") and "every week" in lines[0]
