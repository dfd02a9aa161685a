"""Discord's own events end to end (SPEC 11, issue 16 point 3): the real bot mirrors meetings as
guild scheduled events in the emulator (created, edited, postponed, cancelled, back again,
removed), members' Interested counts as Maybe (in /event show, /event attendees and the DM
reminders), the setting's refusal without Manage Events, and failures that never break a
command nor create twice."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.db import connect
from bot.db.shards import ShardFilter
from bot.discord_io.scheduled_events import DiscordEventMirror
from bot.domain.clock import FakeClock, system_clock
from bot.emulator import DiscordEmulator, InteractionResult
from bot.emulator.routes_scheduled_events import MANAGE_EVENTS
from bot.harness import RunningBot, World, run_bot_in_process
from bot.services import Services
from tests.e2e.test_multiprocess import guilds_on_both_shards, processes

pytestmark = pytest.mark.e2e

START = datetime(2014, 3, 23, 9, 0, tzinfo=UTC)


def event_id(res: InteractionResult) -> int:
    found = re.search(r"\*\*#(\d+)", res.text())
    assert found, res.text()
    return int(found.group(1))


def grant_manage_events(world: World) -> None:
    for role in world.guild.roles:
        if role.bot_id == world.emu.bot_user_id:
            role.permissions |= MANAGE_EVENTS


def mirror_of(bot: RunningBot) -> DiscordEventMirror:
    cog: Any = bot.bot.get_cog("DiscordEventsCog")
    assert cog is not None and cog.mirror is not None
    return cog.mirror


def live(world: World) -> list[dict[str, Any]]:
    return [e for e in world.emu.guild_scheduled_events(world.guild) if e["status"] in (1, 2)]


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def turn_on(world: World, bot: RunningBot, clock: FakeClock) -> InteractionResult:
    world.emu.now = clock
    grant_manage_events(world)
    return await world.run(world.coordinator, "settings discord-events", enabled=True)


async def test_meetings_are_created_edited_postponed_cancelled_and_removed(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    mirror = mirror_of(bot)
    res = await world.run(world.coordinator, "event add", title="ICANN 49", kind="meeting",
                          when="23 March 2014 09:00", location="Singapore")
    eid = event_id(res)
    await world.run(world.coordinator, "event add", title="Comments due", kind="deadline",
                    when="24 January 2014 18:00")
    # Off by default: nothing is mirrored.
    await mirror.run_once()
    assert world.emu.guild_scheduled_events(world.guild) == []

    on = await turn_on(world, bot, clock)
    assert on.ephemeral and "Discord events are **on**" in on.content and "(1 meeting" in on.content
    shown = await world.run(world.alice, "settings show")
    assert "Discord events: **on**" in shown.content
    await mirror.run_once()
    [made] = live(world)
    assert made["name"] == "ICANN 49" and made["entity_type"] == 3 and made["privacy_level"] == 2
    assert made["entity_metadata"] == {"location": "Singapore"}
    assert made["scheduled_start_time"] == START.isoformat()
    assert made["scheduled_end_time"] == (START + timedelta(hours=1)).isoformat()
    assert made["description"].endswith(f"Concord #{eid}")
    assert made["creator_id"] == str(world.emu.bot_user_id)

    # A new meeting is mirrored as soon as it is added (the mirror is poked, no pass by hand).
    added = await world.run(world.coordinator, "event add", title="São Paulo meeting",
                            kind="meeting", when="23-24 April 2014")
    second = event_id(added)

    async def two() -> bool:
        return len(live(world)) == 2

    await eventually(two, "the second meeting's Discord event")
    sao = next(e for e in live(world) if e["name"] == "São Paulo meeting")
    # An all-day meeting runs 00:00-23:59 in the server's zone (UTC here), last day included.
    assert sao["scheduled_start_time"] == "2014-04-23T00:00:00+00:00"
    assert sao["scheduled_end_time"] == "2014-04-24T23:59:00+00:00"
    assert sao["entity_metadata"] == {"location": f"see /event show #{second}"}

    # Edited: the same Discord event changes.
    await world.run(world.coordinator, "event edit", id=str(eid), title="ICANN 49 Singapore",
                    when="23 March 2014 10:00 to 12:00")
    await mirror.run_once()
    same = world.emu.scheduled_events[int(made["id"])]
    assert same["name"] == "ICANN 49 Singapore"
    assert same["scheduled_start_time"] == (START + timedelta(hours=1)).isoformat()
    assert same["scheduled_end_time"] == (START + timedelta(hours=3)).isoformat()
    # Postponed: the name says so.
    await world.run(world.coordinator, "event edit", id=str(eid), status="postponed")
    await mirror.run_once()
    assert same["name"] == "ICANN 49 Singapore (postponed)" and same["status"] == 1
    # Cancelled: the Discord event is cancelled.
    await world.run(world.coordinator, "event edit", id=str(eid), status="cancelled")
    await mirror.run_once()
    assert same["status"] == 4
    # Back again: a new Discord event (a cancelled one cannot come back).
    await world.run(world.coordinator, "event edit", id=str(eid), status="scheduled")
    await mirror.run_once()
    again = [e for e in live(world) if e["description"].endswith(f"Concord #{eid}")]
    assert len(again) == 1 and again[0]["id"] != made["id"]
    assert again[0]["name"] == "ICANN 49 Singapore"
    # Removed: its Discord event is deleted.
    await world.run(world.coordinator, "event remove", id=str(eid))
    await mirror.run_once()
    assert int(again[0]["id"]) not in world.emu.scheduled_events
    assert [e["name"] for e in live(world)] == ["São Paulo meeting"]
    # Turned off: the Discord events Concord made are removed.
    off = await world.run(world.coordinator, "settings discord-events", enabled=False)
    assert "**off**" in off.content and "The 1 Discord event I made will be removed" in off.content
    await mirror.run_once()
    assert live(world) == []
    assert await mirror.run_once() == 0  # nothing left to do


async def test_refused_without_manage_events_and_for_members(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    world.emu.now = clock
    refused = await world.run(world.coordinator, "settings discord-events", enabled=True)
    assert refused.ephemeral and "Manage Events" in refused.content, refused.content
    assert not await bot.services.discord_events.enabled(world.guild.id)
    member = await world.run(world.alice, "settings discord-events", enabled=True)
    assert member.ephemeral and "Only coordinators" in member.content
    # Turning it off needs no permission.
    off = await world.run(world.coordinator, "settings discord-events", enabled=False)
    assert "**off**" in off.content


async def test_interested_counts_as_maybe_with_dm_reminders(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    mirror = mirror_of(bot)
    await world.run(world.coordinator, "reminders channel", channel=world.reminders)
    await world.run(world.coordinator, "reminders offsets", value="1d")
    eid = event_id(await world.run(world.coordinator, "event add", title="ICANN 49",
                                   kind="meeting", when="23 March 2014 09:00"))
    await turn_on(world, bot, clock)
    await mirror.run_once()
    [made] = live(world)
    did = int(made["id"])
    await world.run(world.bob, "event rsvp", id=str(eid), status="going")

    world.emu.mark_interested(world.alice, did)
    world.emu.mark_interested(world.bob, did)  # already Going in Concord: stays Going
    world.emu.mark_interested(world.carol, did)

    async def answered() -> bool:
        counts = await bot.services.rsvp.counts(eid)
        return counts.maybe == 2

    await eventually(answered, "Interested to become Maybe")
    shown = await world.run(world.alice, "event show", id=str(eid))
    assert "RSVP: 1 going · 2 maybe · 0 not going" in shown.content, shown.content
    listing = await world.run(world.coordinator, "event attendees", id=str(eid))
    assert f"<@{world.alice.id}> · no stakeholder profile · Interested on Discord" in listing.content
    assert f"<@{world.bob.id}> · no stakeholder profile · <t:" in listing.content

    # Carol answers in Concord too: leaving Interested then keeps her answer.
    await world.run(world.carol, "event rsvp", id=str(eid), status="maybe")
    world.emu.mark_interested(world.carol, did, False)
    world.emu.mark_interested(world.alice, did, False)

    async def alice_left() -> bool:
        return (await bot.services.rsvp.counts(eid)).maybe == 1

    await eventually(alice_left, "leaving Interested to remove Alice's Maybe")
    # Alice comes back: Maybe again, and she gets the reminder by DM with Carol and Bob.
    world.emu.mark_interested(world.alice, did)
    await eventually(answered, "Interested again")
    clock.now = START - timedelta(days=1)
    engine = bot.bot.engine
    assert engine is not None
    await engine.run_once()
    await engine.drain()
    for member in (world.alice, world.bob, world.carol):
        dms = world.emu.dm_messages(member)
        assert len(dms) == 1 and "ICANN 49" in dms[0].content, member.name


async def test_a_failed_call_never_breaks_the_command_and_nothing_is_made_twice(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    mirror = mirror_of(bot)
    await turn_on(world, bot, clock)
    # Discord is down for the create: the command answers as always.
    world.emu.fail_next("POST /api/v10/guilds/", 503, count=1)
    res = await world.run(world.coordinator, "event add", title="ICANN 49", kind="meeting",
                          when="23 March 2014 09:00")
    assert not res.ephemeral and "ICANN 49" in res.text()
    eid = event_id(res)
    await mirror.run_once()  # whatever the background pass did, nothing is there yet
    row = await bot.services.discord_events.repo.mirror(eid)
    assert row is not None and row.state == "creating" and row.error and row.discord_id is None
    assert live(world) == []
    assert await mirror.run_once() == 0  # waiting for its retry time
    # Discord created it but the answer was lost, and discord.py's own retry made a second:
    # after the create, the copy is found and deleted.
    clock.advance(minutes=5)
    world.emu.fail_next("POST /api/v10/guilds/", 500, count=1, after_processing=True)
    creates = world.emu.stats.requests["POST /guilds/{guild_id}/scheduled-events"]
    await mirror.run_once()
    made = live(world)
    assert len(made) == 1, made
    assert world.emu.stats.requests["POST /guilds/{guild_id}/scheduled-events"] == creates + 2
    assert world.emu.stats.requests["DELETE /guilds/{guild_id}/scheduled-events/{event_id}"] == 1
    row = await bot.services.discord_events.repo.mirror(eid)
    assert row is not None and row.state == "live" and row.discord_id == int(made[0]["id"])


async def test_after_a_crash_between_the_call_and_the_record_the_event_is_adopted(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    """The intent was stored and Discord made the event, but the process died before the
    answer was recorded: the next pass finds it on Discord instead of making a second."""
    mirror = mirror_of(bot)
    await turn_on(world, bot, clock)
    eid = event_id(await world.run(world.coordinator, "event add", title="ICANN 49",
                                   kind="meeting", when="23 March 2014 09:00"))
    await mirror.run_once()
    [made] = live(world)
    # As if the process had died after the POST: the row says "creating", with no id.
    db = bot.services.db
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE discord_event_mirrors SET state = 'creating', discord_id = NULL, synced = NULL"
            " WHERE event_id = $1", eid,
        )
    posts = world.emu.stats.requests["POST /guilds/{guild_id}/scheduled-events"]
    await mirror.run_once()
    assert world.emu.stats.requests["POST /guilds/{guild_id}/scheduled-events"] == posts
    assert [e["id"] for e in live(world)] == [made["id"]]
    row = await bot.services.discord_events.repo.mirror(eid)
    assert row is not None and row.state == "live" and row.discord_id == int(made["id"])


async def test_emulator_answers_bad_payloads_with_discords_errors(world: World) -> None:
    """The emulator's scheduled-event routes, straight over HTTP as a bot would call them."""
    import aiohttp

    emu = world.emu
    emu.now = lambda: datetime(2013, 11, 1, tzinfo=UTC)
    url = f"{emu.api_base}/guilds/{world.guild.id}/scheduled-events"
    headers = {"Authorization": f"Bot {emu.token}"}
    good = {
        "name": "ICANN 49", "privacy_level": 2, "entity_type": 3,
        "entity_metadata": {"location": "Singapore"},
        "scheduled_start_time": "2014-03-23T09:00:00+00:00",
        "scheduled_end_time": "2014-03-23T10:00:00+00:00",
    }
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.post(url, json=good) as r:
            assert r.status == 403 and (await r.json())["code"] == 50013  # no Manage Events
        grant_manage_events(world)
        for bad in ({**good, "name": "n" * 101}, {**good, "privacy_level": 1},
                    {**good, "entity_metadata": {}},
                    {**good, "scheduled_start_time": "2013-03-23T09:00:00+00:00"},
                    {**good, "scheduled_end_time": "2014-03-23T08:00:00+00:00"},
                    {**good, "description": "d" * 1001}):
            async with http.post(url, json=bad) as r:
                body = await r.json()
                assert r.status == 400 and body["code"] == 50035, (bad, body)
        async with http.post(url, json=good) as r:
            assert r.status == 200
            made = await r.json()
        async with http.get(f"{url}/{made['id']}") as r:
            assert r.status == 200 and (await r.json())["name"] == "ICANN 49"
        async with http.patch(f"{url}/{made['id']}", json={"scheduled_end_time":
                                                          "2014-03-23T08:00:00+00:00"}) as r:
            assert r.status == 400 and (await r.json())["code"] == 50035
        async with http.patch(f"{url}/{made['id']}", json={"status": 3}) as r:
            assert r.status == 400  # scheduled -> completed is not a move Discord allows
        async with http.patch(f"{url}/{made['id']}", json={"status": 4}) as r:
            assert r.status == 200 and (await r.json())["status"] == 4
        async with http.patch(f"{url}/{made['id']}", json={"name": "Back"}) as r:
            assert r.status == 400 and (await r.json())["code"] == 180000
        async with http.get(url) as r:
            assert await r.json() == []  # cancelled events are not listed
        async with http.delete(f"{url}/{made['id']}") as r:
            assert r.status == 204
        async with http.get(f"{url}/{made['id']}") as r:
            assert r.status == 404 and (await r.json())["code"] == 10070


async def test_interested_marked_while_the_bot_was_away_is_caught_up_at_start(
    world: World, bot: RunningBot, db_url: str, clock: FakeClock
) -> None:
    mirror = mirror_of(bot)
    eid = event_id(await world.run(world.coordinator, "event add", title="ICANN 49",
                                   kind="meeting", when="23 March 2014 09:00"))
    await turn_on(world, bot, clock)
    await mirror.run_once()
    [made] = live(world)
    did = int(made["id"])
    world.emu.mark_interested(world.bob, did)

    async def bob_maybe() -> bool:
        return (await bot.services.rsvp.counts(eid)).maybe == 1

    await eventually(bob_maybe, "Bob's Interested")
    await bot.bot.close()
    # While no process listens: Alice marks Interested, Bob leaves it.
    world.emu.mark_interested(world.alice, did)
    world.emu.mark_interested(world.bob, did, False)
    async with run_bot_in_process(world.emu, db_url, clock=clock) as again:

        async def caught_up() -> bool:
            answers = {a.user_id: a for a in await again.services.rsvp.repo.for_event(eid)}
            return set(answers) == {world.alice.id} and answers[world.alice.id].source == "discord"

        await eventually(caught_up, "the start-up catch-up of Interested")


async def test_a_process_mirrors_only_the_servers_of_its_shards(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    running = mirror_of(bot)
    await running.stop()  # only the two below run
    await turn_on(world, bot, clock)
    await world.run(world.coordinator, "event add", title="ICANN 49", kind="meeting",
                    when="23 March 2014 09:00")
    ours = (world.guild.id >> 22) % 2
    other = DiscordEventMirror(
        bot.services.discord_events, running.api, clock,
        shards=ShardFilter(count=2, ids=(1 - ours,)), bot_user_id=world.emu.bot_user_id,
    )
    assert await other.run_once() == 0 and other.calls == 0
    owner = DiscordEventMirror(
        bot.services.discord_events, running.api, clock,
        shards=ShardFilter(count=2, ids=(ours,)), bot_user_id=world.emu.bot_user_id,
    )
    assert await owner.run_once() == 1
    assert len(live(world)) == 1


async def test_two_passes_that_raced_settle_on_one_discord_event(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    """Two mirrors that both created (a shard changing hands) keep the oldest and agree."""
    running = mirror_of(bot)
    await running.stop()
    await turn_on(world, bot, clock)
    eid = event_id(await world.run(world.coordinator, "event add", title="ICANN 49",
                                   kind="meeting", when="23 March 2014 09:00"))
    first = DiscordEventMirror(bot.services.discord_events, running.api, clock,
                               bot_user_id=world.emu.bot_user_id)
    second = DiscordEventMirror(bot.services.discord_events, running.api, clock,
                                bot_user_id=world.emu.bot_user_id)
    await asyncio.gather(first.run_once(), second.run_once())
    await first.run_once()
    made = live(world)
    assert len(made) == 1, made
    row = await bot.services.discord_events.repo.mirror(eid)
    assert row is not None and row.state == "live" and row.discord_id == int(made[0]["id"])
    assert made[0]["name"] == "ICANN 49"


async def test_a_429_is_waited_out_and_the_event_made_once(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    mirror = mirror_of(bot)
    await mirror.stop()
    await turn_on(world, bot, clock)
    eid = event_id(await world.run(world.coordinator, "event add", title="ICANN 49",
                                   kind="meeting", when="23 March 2014 09:00"))
    world.emu.fail_next("POST /api/v10/guilds/", 429, count=1)
    await mirror.run_once()
    [made] = live(world)
    assert world.emu.stats.status_429 >= 1
    row = await bot.services.discord_events.repo.mirror(eid)
    assert row is not None and row.state == "live" and row.discord_id == int(made["id"])


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgresql"])
async def test_two_processes_each_mirror_the_servers_of_their_shard(
    emulator: DiscordEmulator, db_url: str, tmp_path: Path
) -> None:
    """Two `python -m bot` processes (SHARD_COUNT=2) on one PostgreSQL: each server's meetings
    are created once, by the process owning its shard (one POST per meeting, none twice)."""
    guilds = guilds_on_both_shards(emulator)
    for guild in guilds:
        for role in guild.roles:
            if role.bot_id == emulator.bot_user_id:
                role.permissions |= MANAGE_EVENTS
    soon = datetime.now(UTC) + timedelta(days=2)
    db = await connect(db_url)
    try:
        services = Services.build(db, system_clock)
        for guild in guilds:
            await services.discord_events.set_enabled(guild.id, 1, True, can_manage_events=True)
            for n in range(2):
                await services.calendar.add(guild.id, 1, title=f"{guild.name} meeting {n}",
                                            when=(soon + timedelta(hours=n)).strftime(
                                                "%d %B %Y %H:%M"), kind="meeting")
    finally:
        await db.close()
    procs = processes(emulator, db_url, tmp_path)
    for proc in procs:
        await proc.start()
    try:
        await emulator.wait_for_ready(sessions=2, timeout=20)
        deadline = asyncio.get_running_loop().time() + 30
        while sum(len(emulator.guild_scheduled_events(g)) for g in guilds) < 2 * len(guilds):
            assert asyncio.get_running_loop().time() < deadline, "mirrors did not run"
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # a second create would show up now
    finally:
        for proc in procs:
            await proc.stop()
    for guild in guilds:
        assert len(emulator.guild_scheduled_events(guild)) == 2, guild.name
    for shard, proc in enumerate(procs):
        made = re.findall(r"guild (\d+): meeting #\d+ is Discord event", proc.log_tail(10_000))
        assert made and {(int(g) >> 22) % 2 for g in made} == {shard}, (shard, made)
    assert emulator.stats.requests["POST /guilds/{guild_id}/scheduled-events"] == 2 * len(guilds)
    assert emulator.stats.requests["DELETE /guilds/{guild_id}/scheduled-events/{event_id}"] == 0


async def test_a_discord_event_cancelled_or_deleted_in_discord_is_made_again_on_the_next_change(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    mirror = mirror_of(bot)
    await mirror.stop()
    await turn_on(world, bot, clock)
    eid = event_id(await world.run(world.coordinator, "event add", title="ICANN 49",
                                   kind="meeting", when="23 March 2014 09:00"))
    await mirror.run_once()
    [made] = live(world)
    world.emu.scheduled_events[int(made["id"])]["status"] = 4  # a moderator cancelled it
    await world.run(world.coordinator, "event edit", id=str(eid), title="ICANN 49 Singapore")
    await mirror.run_once()
    [again] = live(world)
    assert again["id"] != made["id"] and again["name"] == "ICANN 49 Singapore"
    del world.emu.scheduled_events[int(again["id"])]  # a moderator deleted it
    await world.run(world.coordinator, "event edit", id=str(eid), location="Singapore")
    await mirror.run_once()
    [third] = live(world)
    assert third["id"] not in (made["id"], again["id"])
    assert third["entity_metadata"] == {"location": "Singapore"}


async def test_a_series_mirrors_its_next_occurrence_only(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    """A weekly call is one Discord event at its next occurrence; once that occurrence is over,
    the same Discord event moves to the following one (the mirror's pass after it), and a
    series whose first call is past is still mirrored."""
    mirror = mirror_of(bot)
    await turn_on(world, bot, clock)
    res = await world.run(world.coordinator, "event add", title="MPP call", kind="meeting",
                          when="18 March 2014 14:00", timezone="UTC", repeat="weekly",
                          count=3, location="Zoom")
    eid = event_id(res)
    await mirror.run_once()
    [made] = live(world)
    assert made["scheduled_start_time"] == "2014-03-18T14:00:00+00:00"
    assert made["description"].endswith(f"Concord #{eid}")
    clock.now = datetime(2014, 3, 18, 16, 0, tzinfo=UTC)  # the first call is over
    await mirror.run_once()
    [moved] = live(world)
    assert moved["id"] == made["id"]
    assert moved["scheduled_start_time"] == "2014-03-25T14:00:00+00:00"
    clock.now = datetime(2014, 4, 1, 16, 0, tzinfo=UTC)  # the last call is over
    await mirror.run_once()
    assert [e for e in live(world) if e["scheduled_start_time"] > "2014-04-01T16"] == []
