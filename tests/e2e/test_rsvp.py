"""RSVP end to end (SPEC 10, issue 15 point 2): Going / Maybe / Not going buttons under a
meeting's `/event add` answer and `/event show`, `/event rsvp`, the counts, `/event attendees`
with attributions, and the reminders that reach Going and Maybe members by DM: one DM per
member per reminder time, merged across events; a member whose DMs are closed is recorded and
not tried again."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db import connect
from bot.db.database import sqlite_path
from bot.db.reminders import ReminderRepository
from bot.domain.clock import FakeClock, system_clock
from bot.emulator import DiscordEmulator, InteractionResult, RateLimits, SentMessage, User
from bot.harness import TOKEN, BotProcess, RunningBot, World, build_world, run_bot_in_process
from bot.services import Services
from tests.faults import sqlite_write_lock

pytestmark = pytest.mark.e2e

START = datetime(2014, 3, 23, 9, 0, tzinfo=UTC)


async def poke_and_drain(bot: RunningBot) -> None:
    engine = bot.bot.engine
    assert engine is not None
    await engine.run_once()
    await engine.drain()


def event_id(res: InteractionResult) -> int:
    found = re.search(r"\*\*#(\d+)", res.text())
    assert found, res.text()
    return int(found.group(1))


def rsvp_ids(msg: SentMessage) -> list[str]:
    return [c for c in msg.custom_ids() if c.startswith("rsvp:")]


async def click(world: World, user: User, msg: SentMessage, custom_id: str) -> InteractionResult:
    return await world.emu.click(user, msg, custom_id, guild=world.guild, channel=world.channel)


def posts(world: World) -> int:
    """Message creates Discord received (refused ones included)."""
    return world.emu.stats.requests["POST /channels/{channel_id}/messages"]


async def add_meeting(world: World, title: str, when: str = "23 March 2014 09:00") -> InteractionResult:
    return await world.run(world.coordinator, "event add", title=title, when=when, kind="meeting")


async def test_buttons_on_add_and_show_several_members_counts_and_attendees(
    world: World, bot: RunningBot
) -> None:
    await world.run(world.alice, "stakeholder register", organization="ISOC", group="Civil Society")
    await world.run(world.bob, "stakeholder register", organization="ITU",
                    group="International Organization")
    await world.run(world.coordinator, "stakeholder verify", member=world.bob)
    res = await add_meeting(world, "ICANN 49")
    eid = event_id(res)
    added = res.answer
    assert added is not None and not added.ephemeral
    assert rsvp_ids(added) == [f"rsvp:{eid}:going", f"rsvp:{eid}:maybe", f"rsvp:{eid}:not-going"]
    labels = [c.get("label") for row in added.components for c in row.get("components", [])]
    assert labels == ["Going", "Maybe", "Not going"]

    # Several members press buttons; a member who changes their mind counts once.
    got = await click(world, world.alice, added, f"rsvp:{eid}:going")
    assert got.ephemeral and "You answered **Going** for **#" in got.content, got.content
    assert f"(<t:{int(START.timestamp())}:F>" in got.content, got.content
    assert "by DM" in got.content
    got = await click(world, world.bob, added, f"rsvp:{eid}:going")
    assert got.ephemeral
    got = await click(world, world.bob, added, f"rsvp:{eid}:maybe")
    assert "**Maybe**" in got.content
    got = await click(world, world.carol, added, f"rsvp:{eid}:not-going")
    assert "no reminders of it by DM" in got.content

    shown = await world.run(world.carol, "event show", id=str(eid))
    assert not shown.ephemeral
    assert "RSVP: 1 going · 1 maybe · 1 not going" in shown.content, shown.content
    assert shown.answer is not None and len(rsvp_ids(shown.answer)) == 3
    # The buttons of /event show work too, for anyone.
    got = await click(world, world.coordinator, shown.answer, f"rsvp:{eid}:going")
    assert "**Going**" in got.content
    shown = await world.run(world.alice, "event show", id=str(eid))
    assert "RSVP: 2 going · 1 maybe · 1 not going" in shown.content

    refused = await world.run(world.alice, "event attendees", id=str(eid))
    assert refused.ephemeral and "Only coordinators" in refused.content
    listing = await world.run(world.coordinator, "event attendees", id=str(eid))
    assert listing.ephemeral
    text = listing.content
    assert "who answered (4)" in text and "**Going (2)**" in text and "**Maybe (1)**" in text
    assert f"<@{world.alice.id}> · ISOC, Civil Society (unverified)" in text, text
    assert f"<@{world.bob.id}> · ITU, International Organization ·" in text, text
    assert f"<@{world.carol.id}> · no stakeholder profile" in text
    going = text.split("**Maybe")[0]
    assert str(world.alice.id) in going and str(world.bob.id) not in going
    assert listing.answer is not None and listing.answer.allowed_mentions == {"parse": []}



async def test_a_long_card_keeps_its_counts_and_buttons_and_attendees_page(
    world: World, bot: RunningBot
) -> None:
    """A card longer than a message comes in pages, then the counts and buttons below them;
    a long list of attendees is paged with buttons that last."""
    res = await world.run(world.coordinator, "event add", title="ICANN 49", kind="meeting",
                          when="23 March 2014 09:00", description="*" * 1000)
    eid = event_id(res)
    for n in range(60):  # sixty members answered (straight through the service)
        await bot.services.rsvp.answer(world.guild.id, 10_000 + n, eid, "going" if n % 2 else "maybe")
    shown = await world.run(world.alice, "event show", id=str(eid))
    assert shown.original is not None and "Page 1/" in shown.original.content
    await shown.wait_until(lambda r: bool(r.followups), what="the counts below the pages")
    [below] = shown.followups
    assert below.content == "RSVP: 30 going · 30 maybe · 0 not going"
    assert rsvp_ids(below) == [f"rsvp:{eid}:going", f"rsvp:{eid}:maybe", f"rsvp:{eid}:not-going"]
    got = await click(world, world.alice, below, f"rsvp:{eid}:not-going")
    assert "**Not going**" in got.content

    listing = await world.run(world.coordinator, "event attendees", id=str(eid))
    first = listing.answer
    assert first is not None and first.ephemeral and "Page 1/" in first.content
    assert "who answered (61)" in first.content and "**Going (30)**" in first.content
    nxt = [c for c in first.custom_ids() if c.startswith("pg:attendees:1:")]
    assert nxt, first.custom_ids()
    turned = await world.emu.click(world.coordinator, first, nxt[0], guild=world.guild,
                                   channel=world.channel)
    assert turned.callback_type == 7 and turned.source_message is not None
    assert "Page 2/" in turned.source_message.content, turned.source_message.content

async def test_rsvp_command_and_its_refusals(world: World, bot: RunningBot) -> None:
    eid = event_id(await add_meeting(world, "São Paulo meeting"))
    res = await world.run(world.alice, "event rsvp", id=str(eid), status="maybe")
    assert res.ephemeral and "You answered **Maybe**" in res.content
    assert (await bot.services.rsvp.counts(eid)).maybe == 1

    deadline = await world.run(world.coordinator, "event add", title="Submissions",
                               when="24 January 2014 18:00", kind="deadline")
    assert deadline.answer is not None and rsvp_ids(deadline.answer) == []
    res = await world.run(world.alice, "event rsvp", id=str(event_id(deadline)), status="going")
    assert res.ephemeral and "only meetings take RSVPs" in res.content
    res = await world.run(world.alice, "event rsvp", id="9999", status="going")
    assert res.ephemeral and "9999" in res.content
    await world.run(world.coordinator, "event edit", id=str(eid), status="cancelled")
    res = await world.run(world.alice, "event rsvp", id=str(eid), status="going")
    assert res.ephemeral and "cancelled" in res.content
    shown = await world.run(world.alice, "event show", id=str(eid))
    assert shown.answer is not None and rsvp_ids(shown.answer) == []  # no buttons any more
    assert "RSVP: 0 going · 1 maybe · 0 not going" in shown.content
    rows = await bot.db.fetch("SELECT action, actor_id FROM audit WHERE action = 'event.rsvp'")
    assert [(r["action"], r["actor_id"]) for r in rows] == [("event.rsvp", world.alice.id)]


async def test_dm_reminders_reach_going_and_maybe_merged_across_events(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    await world.run(world.coordinator, "reminders channel", channel=world.reminders)
    await world.run(world.coordinator, "reminders offsets", value="1d,1h")
    first = event_id(await add_meeting(world, "ICANN 49"))
    second = event_id(await add_meeting(world, "Open consultation"))  # same time: same reminders
    await world.run(world.alice, "event rsvp", id=str(first), status="going")
    await world.run(world.alice, "event rsvp", id=str(second), status="maybe")
    await world.run(world.bob, "event rsvp", id=str(first), status="maybe")
    await world.run(world.carol, "event rsvp", id=str(first), status="not-going")
    # Bob changes his mind for the second: he gets only the first's reminders.
    await world.run(world.bob, "event rsvp", id=str(second), status="going")
    await world.run(world.bob, "event rsvp", id=str(second), status="not-going")
    # /reminders list shows each event reminder once (1d and 1h), not once per member too.
    listing = await world.run(world.alice, "reminders list")
    assert listing.content.count("ICANN 49") == 2, listing.content

    clock.now = START - timedelta(days=1)
    await poke_and_drain(bot)
    alice = world.emu.dm_messages(world.alice)
    assert len(alice) == 1, [m.content for m in alice]  # both events, one DM
    assert "**ICANN 49**" in alice[0].content and "**Open consultation**" in alice[0].content
    assert alice[0].nonce and alice[0].allowed_mentions == {"parse": []}
    bob = world.emu.dm_messages(world.bob)
    assert len(bob) == 1 and "**ICANN 49**" in bob[0].content
    assert "Open consultation" not in bob[0].content
    assert world.emu.dm_messages(world.carol) == []
    assert world.emu.dm_messages(world.coordinator) == []
    # The channel got its reminders as before, with both events in one message.
    posted = world.emu.channel_messages(world.reminders)
    assert len(posted) == 1 and "ICANN 49" in posted[0].content

    # Moving the first meeting moves its DMs with it; they say it was rescheduled.
    await world.run(world.coordinator, "event edit", id=str(first), when="23 March 2014 10:00")
    clock.now = START - timedelta(hours=1)
    await poke_and_drain(bot)
    alice = world.emu.dm_messages(world.alice)
    assert len(alice) == 2 and "Open consultation" in alice[1].content
    assert "ICANN 49" not in alice[1].content
    clock.now = START
    await poke_and_drain(bot)
    alice = world.emu.dm_messages(world.alice)
    assert len(alice) == 3 and "**ICANN 49**" in alice[2].content and "rescheduled" in alice[2].content
    bob = world.emu.dm_messages(world.bob)
    assert len(bob) == 2 and "rescheduled" in bob[1].content
    assert world.emu.dm_messages(world.carol) == []


async def test_a_member_who_blocks_dms_is_recorded_not_retried(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    await world.run(world.coordinator, "reminders offsets", value="2d,1d,1h")
    eid = event_id(await add_meeting(world, "ICANN 49"))
    other = event_id(await add_meeting(world, "WSIS Forum", when="24 March 2014 09:00"))
    await world.run(world.alice, "event rsvp", id=str(eid), status="going")
    await world.run(world.alice, "event rsvp", id=str(other), status="going")
    world.emu.block_dms(world.alice)

    clock.now = START - timedelta(days=2)
    await poke_and_drain(bot)
    assert world.emu.dm_messages(world.alice) == []
    assert posts(world) == 1  # one refused DM (both events' reminders), then nothing more
    refused = await bot.db.fetchval("SELECT error FROM dm_refused WHERE user_id = $1", world.alice.id)
    assert refused is not None and "Cannot send messages" in refused
    states = await bot.db.fetch(
        "SELECT state, error FROM reminders WHERE user_id = $1 ORDER BY due_at", world.alice.id
    )
    assert [r["state"] for r in states] == ["failed"] * 6, states
    clock.now = START - timedelta(days=1)
    await poke_and_drain(bot)
    assert posts(world) == 1  # the next reminder time: not tried again

    # A new answer opens the door again, and says so.
    world.emu.block_dms(world.alice, blocked=False)
    res = await world.run(world.alice, "event rsvp", id=str(other), status="going")
    assert "refused my DM" in res.content and "2 reminders still to come" in res.content, res.content
    for now in (datetime(2014, 3, 23, 9, 0, tzinfo=UTC), datetime(2014, 3, 24, 8, 0, tzinfo=UTC)):
        clock.now = now
        await poke_and_drain(bot)
    dms = world.emu.dm_messages(world.alice)
    # Only the meeting answered again: ICANN 49's DMs stay failed.
    assert len(dms) == 2 and all("WSIS Forum" in m.content for m in dms)
    assert all("ICANN" not in m.content for m in dms)


async def test_buttons_work_after_a_restart(
    world: World, bot: RunningBot, db_url: str, clock: FakeClock
) -> None:
    res = await add_meeting(world, "ICANN 49")
    eid = event_id(res)
    assert res.answer is not None
    message = res.answer
    await bot.bot.close()
    async with run_bot_in_process(world.emu, db_url, clock=clock) as again:
        got = await click(world, world.bob, message, f"rsvp:{eid}:going")
        assert got.ephemeral and "You answered **Going**" in got.content, got.content
        assert (await again.services.rsvp.counts(eid)).going == 1


# ---------------------------------------------------------------- a crash mid-burst (real time)


async def plan_dm_burst(db_url: str, world: World, members: list[User]) -> tuple[int, int]:
    """Two meetings at the same time, each with a 1h reminder due a minute ago (a backlog the
    bot sends at start-up, late), and every member Going to one and Maybe to the other: one
    merged DM per member. Returns the two event ids."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    db = await connect(db_url)
    try:
        services = Services.build(db, FakeClock(now - timedelta(minutes=10)))
        gid, coord = world.guild.id, world.coordinator.id
        await services.settings.set_reminder_channel(gid, coord, world.reminders.id)
        await services.calendar.set_reminder_offsets(gid, coord, "1h")
        when = (now + timedelta(minutes=59)).strftime("%d %B %Y %H:%M")
        first = await services.calendar.add(gid, coord, title="ICANN 49", when=when)
        second = await services.calendar.add(gid, coord, title="WSIS Forum", when=when)
        for member in members:
            await services.rsvp.answer(gid, member.id, first.id, "going")
            await services.rsvp.answer(gid, member.id, second.id, "maybe")
    finally:
        await db.close()
    return first.id, second.id


@pytest.mark.slow
async def test_sigkill_mid_dm_burst_sends_each_dm_once(
    emulator: DiscordEmulator, db_url: str, tmp_path: Path
) -> None:
    world = build_world(emulator)
    members = [emulator.add_user(f"member{i}") for i in range(80)]
    for member in members:
        emulator.add_member(world.guild, member)
    await plan_dm_burst(db_url, world, members)

    def dms() -> list[SentMessage]:
        return [m for m in emulator.messages if m.guild_id is None]

    proc = BotProcess(emulator, db_url, log_path=tmp_path / "bot.log")
    for kill_after in (10, 35, 60):  # message creates (DMs and the channel's) so far
        await proc.start()
        deadline = time.monotonic() + 30
        while emulator.stats.message_creates < kill_after and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        proc.kill()
        await proc.wait()
    assert 0 < len(dms()) < len(members), "the kills must fall inside the DM burst"
    await proc.start()
    try:
        deadline = time.monotonic() + 60
        while len({m.channel_id for m in dms()}) < len(members) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # anything doubled would show up now
    finally:
        await proc.stop()
    per_member = Counter(m.channel_id for m in dms())
    assert len(per_member) == len(members), f"{len(per_member)} of {len(members)} members got a DM"
    assert max(per_member.values()) == 1, "a member got the same reminder twice"
    for m in dms():
        assert "**ICANN 49**" in m.content and "**WSIS Forum**" in m.content, m.content
    # Resends after the kills carried the same nonce and were dropped by Discord.
    assert len({(m.channel_id, m.nonce) for m in emulator.messages}) == len(emulator.messages)
    assert len(emulator.channel_messages(world.reminders)) == 1
    db = await connect(db_url)
    try:
        assert await ReminderRepository(db).count_by_state() == {"sent": 2 + 2 * len(members)}
    finally:
        await db.close()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_dm_burst_keeps_to_the_global_rate_without_starving(db_url: str) -> None:
    """Opening a DM channel takes a slot of the global budget of its own, before the message
    takes one: 120 members' DMs (240 requests at 50 a second: T = 4 s) go out near T, not at
    a few a second with every slot held by a send waiting to open its channel."""
    limits = RateLimits(per_channel=(5, 5.0), global_per_second=50)
    async with DiscordEmulator(token=TOKEN, rate_limits=limits) as emu:
        world = build_world(emu)
        members = [emu.add_user(f"member{i}") for i in range(120)]
        for member in members:
            emu.add_member(world.guild, member)
        await plan_dm_burst(db_url, world, members)
        async with run_bot_in_process(emu, db_url, clock=system_clock):
            deadline = time.monotonic() + 60
            while sum(1 for u in members if emu.dm_messages(u)) < len(members):
                assert time.monotonic() < deadline, "the DMs did not all arrive within 60 s"
                await asyncio.sleep(0.05)
        times = sorted(m.created_at_wall for m in emu.messages)
        assert emu.stats.status_429 == 0 and emu.stats.global_window_max <= 50
    assert times[-1] - times[0] < 4 * 1.5, f"{times[-1] - times[0]:.1f} s for T = 4 s"


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_click_while_the_database_is_held_is_answered_in_time(
    world: World, bot: RunningBot, db_url: str
) -> None:
    # A server with its timezone set: no first-hour hint is being written in the background
    # when the lock is taken (on one SQLite connection it would queue the click behind it).
    await world.run(world.coordinator, "settings timezone", zone="Europe/Zurich")
    res = await add_meeting(world, "ICANN 49")
    eid = event_id(res)
    assert res.answer is not None
    # The command is done once its private "no reminder channel" warning is out.
    await res.wait_until(lambda r: bool(r.followups), what="the warning")
    world.emu.enforce_interaction_deadline = True
    async with sqlite_write_lock(sqlite_path(db_url)):
        # The answer must be deferred in time; it may then take up to twice SQLite's 5 s busy
        # timeout: the reminder engine retries its claim every second, and the click's
        # transaction can queue behind one attempt on the bot's one aiosqlite connection.
        got = await world.emu.click(
            world.alice, res.answer, f"rsvp:{eid}:going", guild=world.guild,
            channel=world.channel, timeout=20,
        )
    assert got.deferred and got.latency is not None and got.latency < 3
    assert got.ephemeral and "nothing was saved" in got.text(), got.text()
    assert (await bot.services.rsvp.counts(eid)).going == 0
    got = await click(world, world.alice, res.answer, f"rsvp:{eid}:going")
    assert "You answered **Going**" in got.content
