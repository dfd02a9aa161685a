"""Reminders end to end: the real bot, the emulator, a real database; crashes and rate limits."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db import connect, to_ms
from bot.db.reminders import ReminderRepository
from bot.domain.clock import FakeClock, system_clock
from bot.emulator import DiscordEmulator, RateLimits
from bot.harness import TOKEN, BotProcess, RunningBot, World, build_world, run_bot_in_process

pytestmark = pytest.mark.e2e


async def poke_and_drain(bot: RunningBot) -> None:
    engine = bot.bot.engine
    assert engine is not None
    await engine.run_once()
    await engine.drain()


async def test_remind_by_dm_and_in_a_channel(world: World, bot: RunningBot, clock: FakeClock) -> None:
    res = await world.run(world.alice, "remind", when="in 2 hours", text="send the @everyone ISOC comments")
    assert res.ephemeral and "Reminder 1 set for" in res.content and "your DMs" in res.content
    res = await world.run(world.bob, "remind", when="in 3 hours", text="read pillar b", channel=world.reminders)
    assert f"<#{world.reminders.id}>" in res.content

    clock.advance(hours=2)
    await poke_and_drain(bot)
    dms = world.emu.dm_messages(world.alice)
    assert len(dms) == 1 and "send the @everyone ISOC comments" in dms[0].content
    assert (dms[0].nonce and dms[0].allowed_mentions == {"parse": []}) or dms[0].allowed_mentions.get("parse") == []  # type: ignore[union-attr]
    assert world.emu.channel_messages(world.reminders) == []

    clock.advance(hours=1)
    await poke_and_drain(bot)
    posted = world.emu.channel_messages(world.reminders)
    assert len(posted) == 1 and "read pillar b" in posted[0].content
    states = await bot.services.reminder_repo.count_by_state()
    assert states == {"sent": 2}


async def test_remind_refuses_the_past_and_nonsense(world: World, bot: RunningBot) -> None:
    res = await world.run(world.alice, "remind", when="1 January 2000 10:00", text="x")
    assert res.ephemeral and "already passed" in res.content
    res = await world.run(world.alice, "remind", when="whenever you like", text="x")
    assert res.ephemeral and "couldn't read" in res.content.lower()
    res = await world.run(world.alice, "remind", when="in 1 hour", text="y" * 2000)
    assert res.ephemeral and "1500" in res.content


async def test_reminders_list_shows_own_and_event_reminders(world: World, bot: RunningBot) -> None:
    await world.run(world.alice, "remind", when="in 2 days", text="prepare the São Paulo input")
    res = await world.run(world.alice, "reminders list")
    assert res.ephemeral and "prepare the São Paulo input" in res.content
    res = await world.run(world.bob, "reminders list")
    assert "São Paulo" not in res.content


async def test_reminder_channel_and_offsets_are_for_coordinators(world: World, bot: RunningBot) -> None:
    res = await world.run(world.alice, "reminders channel", channel=world.reminders)
    assert "Only coordinators" in res.content
    res = await world.run(world.coordinator, "reminders channel", channel=world.reminders)
    assert f"<#{world.reminders.id}>" in res.content
    res = await world.run(world.coordinator, "reminders offsets", value="2d,30s")
    assert res.ephemeral and "30s" in res.content
    res = await world.run(world.coordinator, "reminders offsets", value="3d, 2h")
    assert "3d, 2h" in res.content
    settings = await bot.services.settings.get(world.guild.id)
    assert settings.reminder_channel_id == world.reminders.id and settings.reminder_offsets == "3d,2h"


# ---------------------------------------------------------------- crashes (real time, subprocess)


async def fill(db_url: str, rows: list[tuple[int, int | None, int, str, int, int]]) -> None:
    db = await connect(db_url)
    try:
        async with db.transaction() as tx:
            await ReminderRepository.insert_many(tx, rows)
    finally:
        await db.close()


@pytest.mark.slow
async def test_sigkill_during_a_burst_loses_and_doubles_nothing(
    emulator: DiscordEmulator, db_url: str, tmp_path: Path
) -> None:
    world = build_world(emulator)
    channels = [emulator.add_channel(world.guild, f"wg-{i}") for i in range(8)]
    start = datetime.now(UTC) + timedelta(seconds=3)
    rows = []
    for n in range(200):
        due = start + timedelta(milliseconds=15 * n)
        channel = channels[n % len(channels)].id if n % 10 else None  # every tenth one is a DM
        rows.append((world.guild.id, channel, world.alice.id, f"R{n:03d}", to_ms(due), to_ms(due)))
    await fill(db_url, rows)

    proc = BotProcess(emulator, db_url, log_path=tmp_path / "bot.log")
    for kill_after in (15, 60, 120):
        await proc.start()
        deadline = time.monotonic() + 30
        while emulator.stats.message_creates < kill_after and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        proc.kill()
        await proc.wait()
    await proc.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            seen = Counter(re.findall(r"R\d{3}", "\n".join(m.content for m in emulator.messages)))
            if len(seen) == 200:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # anything doubled would show up now
    finally:
        await proc.stop()
    seen = Counter(re.findall(r"R\d{3}", "\n".join(m.content for m in emulator.messages)))
    assert len(seen) == 200, f"missing: {sorted(set(f'R{n:03d}' for n in range(200)) - set(seen))[:10]}"
    assert max(seen.values()) == 1, [k for k, v in seen.items() if v > 1]
    # Each nonce made at most one message; the resends after the kills were dropped by nonce.
    assert all(m.nonce for m in emulator.messages)
    assert len({(m.channel_id, m.nonce) for m in emulator.messages}) == len(emulator.messages)
    db = await connect(db_url)
    try:
        assert await ReminderRepository(db).count_by_state() == {"sent": 200}
    finally:
        await db.close()


# ---------------------------------------------------------------- rate limits (real time)


@pytest.mark.slow
async def test_a_held_channel_does_not_delay_the_others(db_url: str) -> None:
    async with DiscordEmulator(token=TOKEN, rate_limits=RateLimits(per_channel=(5, 5.0))) as emu:
        world = build_world(emu)
        busy, quiet = world.channel, world.reminders
        async with run_bot_in_process(emu, db_url, clock=system_clock) as running:
            emu.hold_channel(busy, 10.0)
            now = datetime.now(UTC)
            due_quiet = now + timedelta(seconds=2)
            rows = [(world.guild.id, busy.id, 1, f"busy {i}", to_ms(now + timedelta(milliseconds=100 * i)), to_ms(now))
                    for i in range(5)]
            rows.append((world.guild.id, quiet.id, 1, "quiet one", to_ms(due_quiet), to_ms(now)))
            async with running.services.db.transaction() as tx:
                await running.services.reminder_repo.insert_many(tx, rows)
            running.services.reminders_changed.fire()
            got = await emu.wait_for_messages(1, channel_id=quiet, timeout=8)
            lateness = got[0].created_at_wall - due_quiet.timestamp()
            assert lateness < 1.0, f"the quiet channel's reminder was {lateness:.2f} s late"
            assert emu.channel_messages(busy) == [] or len(emu.channel_messages(busy)) < 5


@pytest.mark.slow
async def test_start_up_backlog_over_40_channels_gets_no_429(db_url: str) -> None:
    limits = RateLimits(per_channel=(5, 5.0), global_per_second=50)
    async with DiscordEmulator(token=TOKEN, rate_limits=limits) as emu:
        world = build_world(emu)
        channels = [emu.add_channel(world.guild, f"c{i}") for i in range(40)]
        now = datetime.now(UTC)
        rows = []
        for minute in range(1, 8):  # seven different minutes: seven messages per channel
            due = now - timedelta(minutes=minute)
            for ch in channels:
                rows.append((world.guild.id, ch.id, 1, f"{ch.name} m{minute}", to_ms(due), to_ms(due)))
        db = await connect(db_url)
        try:
            async with db.transaction() as tx:
                await ReminderRepository.insert_many(tx, rows)
        finally:
            await db.close()
        async with run_bot_in_process(emu, db_url, clock=system_clock) as running:
            await emu.wait_for_messages(len(rows), timeout=60)
            assert running.bot.engine is not None
        assert emu.stats.status_429 == 0, (emu.stats.status_429_global, emu.stats.status_429)
        assert emu.stats.global_window_max <= 50
        assert len(emu.messages) == 280


async def test_fake_clock_fixture_is_used(bot: RunningBot, clock: FakeClock) -> None:
    assert bot.services.clock is clock


async def test_event_reminders_reach_the_reminder_channel(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    await world.run(world.coordinator, "reminders channel", channel=world.reminders)
    await world.run(world.coordinator, "reminders offsets", value="1d,1h")
    res = await world.run(world.coordinator, "event add", title="ICANN 49 @everyone",
                          when="23 March 2014 09:00", kind="meeting", timezone="Asia/Singapore")
    assert "#" in res.content, res.content
    listing = await world.run(world.alice, "reminders list")
    assert listing.content.count("ICANN 49") == 2 and "1d before it starts" in listing.content

    start = datetime(2014, 3, 23, 1, 0, tzinfo=UTC)  # 09:00 in Singapore
    clock.now = start - timedelta(days=1)
    await poke_and_drain(bot)
    posted = world.emu.channel_messages(world.reminders)
    assert len(posted) == 1
    assert "Reminder: **ICANN 49 @everyone** starts" in posted[0].content
    assert f"<t:{int(start.timestamp())}:F>" in posted[0].content
    assert posted[0].allowed_mentions is not None and posted[0].allowed_mentions.get("parse") == []

    # Moving the meeting recomputes its reminders, and the next one says so.
    event_id = int(res.content.split("#", 1)[1].split()[0].strip("*:,."))
    await world.run(world.coordinator, "event edit", id=str(event_id), when="24 March 2014 09:00")
    # The edit read 09:00 in the server's zone (UTC): its day-before reminder is due at 09:00
    # UTC on the 23rd. (Waking later than 6 hours after it would mark it missed, not send it.)
    clock.now = datetime(2014, 3, 23, 9, 0, tzinfo=UTC)
    await poke_and_drain(bot)
    posted = world.emu.channel_messages(world.reminders)
    assert len(posted) == 2 and "rescheduled" in posted[1].content
