"""Reminders that reach people (SPEC 10, issue 15 point 1): `/reminders role` pings exactly
that role on event reminders, and nothing else is ever allowed to ping; `/remind` reminders in
a channel name who set them without pinging them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.clock import FakeClock
from bot.harness import RunningBot, World

pytestmark = pytest.mark.e2e


async def poke_and_drain(bot: RunningBot) -> None:
    engine = bot.bot.engine
    assert engine is not None
    await engine.run_once()
    await engine.drain()


async def test_event_reminders_ping_exactly_the_reminder_role(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    role = world.emu.add_role(world.guild, "Reminders")
    other = world.coordinator_role
    await world.run(world.coordinator, "reminders channel", channel=world.reminders)
    await world.run(world.coordinator, "reminders offsets", value="1h")
    res = await world.run(world.coordinator, "reminders role", role=role)
    assert res.ephemeral and f"<@&{role.id}>" in res.content, res.content
    assert (await bot.services.settings.get(world.guild.id)).reminder_role_id == role.id

    title = f"ICANN 49 @everyone @here <@&{other.id}> <@{world.alice.id}>"
    await world.run(world.coordinator, "event add", title=title, when="23 March 2014 09:00",
                    kind="meeting")
    clock.now = datetime(2014, 3, 23, 8, 0, tzinfo=UTC)
    await poke_and_drain(bot)
    posted = world.emu.channel_messages(world.reminders)
    assert len(posted) == 1
    message = posted[0]
    assert message.content.startswith(f"<@&{role.id}>"), message.content
    assert "Reminder: **ICANN 49" in message.content
    allowed = message.allowed_mentions
    assert allowed is not None
    assert allowed.get("parse") == [], allowed
    assert [int(r) for r in allowed.get("roles", [])] == [role.id], allowed
    assert not allowed.get("users"), allowed
    assert message.nonce


async def test_no_role_pings_nobody_and_clearing_the_role(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    role = world.emu.add_role(world.guild, "Reminders")
    await world.run(world.coordinator, "reminders channel", channel=world.reminders)
    await world.run(world.coordinator, "reminders offsets", value="1h")
    await world.run(world.coordinator, "reminders role", role=role)
    res = await world.run(world.coordinator, "reminders role")
    assert res.ephemeral and "no role" in res.content.lower(), res.content
    assert (await bot.services.settings.get(world.guild.id)).reminder_role_id is None

    await world.run(world.coordinator, "event add", title="Open consultation",
                    when="23 March 2014 09:00", kind="meeting")
    clock.now = datetime(2014, 3, 23, 8, 0, tzinfo=UTC)
    await poke_and_drain(bot)
    posted = world.emu.channel_messages(world.reminders)
    assert len(posted) == 1 and posted[0].content.startswith("Reminder: **Open consultation**")
    assert posted[0].allowed_mentions is not None
    assert posted[0].allowed_mentions.get("parse") == []
    assert not posted[0].allowed_mentions.get("roles")


async def test_reminder_role_is_for_coordinators_refuses_everyone_and_shows(
    world: World, bot: RunningBot
) -> None:
    role = world.emu.add_role(world.guild, "Reminders")
    res = await world.run(world.alice, "reminders role", role=role)
    assert "Only coordinators" in res.content
    res = await world.run(world.coordinator, "reminders role", role=world.guild.everyone)
    assert res.ephemeral and "@everyone" in res.content and "Reminders" in res.content, res.content
    assert (await bot.services.settings.get(world.guild.id)).reminder_role_id is None

    res = await world.run(world.alice, "settings show")
    assert "Reminder role: none" in res.content, res.content
    await world.run(world.coordinator, "reminders role", role=role)
    res = await world.run(world.alice, "settings show")
    assert f"Reminder role: <@&{role.id}>" in res.content, res.content


async def test_channel_remind_names_the_setter_and_pings_nobody(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    role = world.emu.add_role(world.guild, "Reminders")
    await world.run(world.coordinator, "reminders channel", channel=world.reminders)
    await world.run(world.coordinator, "reminders role", role=role)
    await world.run(world.bob, "remind", when="in 3 hours",
                    text=f"read pillar b @everyone <@&{role.id}>", channel=world.reminders)
    await world.run(world.alice, "remind", when="in 3 hours", text="my own DM")
    clock.advance(hours=3)
    await poke_and_drain(bot)
    posted = world.emu.channel_messages(world.reminders)
    assert len(posted) == 1
    assert posted[0].content.startswith(f"Reminder from <@{world.bob.id}>: read pillar b")
    assert posted[0].allowed_mentions is not None
    assert posted[0].allowed_mentions.get("parse") == []
    assert not posted[0].allowed_mentions.get("roles")
    assert not posted[0].allowed_mentions.get("users")
    dms = world.emu.dm_messages(world.alice)
    assert len(dms) == 1 and dms[0].content.startswith("Reminder: my own DM")
    assert dms[0].allowed_mentions is not None and dms[0].allowed_mentions.get("parse") == []
    assert not dms[0].allowed_mentions.get("roles")


async def test_reminder_role_is_stored(world: World, bot: RunningBot) -> None:
    """The setting on the storage side: set, audited as settings.update, cleared."""
    services = bot.services
    gid = world.guild.id
    settings = await services.settings.set_reminder_role(gid, world.coordinator.id, 4242)
    assert settings.reminder_role_id == 4242
    assert (await services.settings.get(gid)).reminder_role_id == 4242
    rows = await services.db.fetch(
        "SELECT action, detail FROM audit WHERE guild_id = $1 ORDER BY id", gid
    )
    assert rows[-1]["action"] == "settings.update" and "4242" in rows[-1]["detail"]
    settings = await services.settings.set_reminder_role(gid, world.coordinator.id, None)
    assert settings.reminder_role_id is None
    # Other settings stay as they were.
    await services.settings.set_reminder_role(gid, world.coordinator.id, 7)
    await services.settings.set_timezone(gid, world.coordinator.id, "Europe/Zurich")
    stored = await services.settings.get(gid)
    assert stored.reminder_role_id == 7 and stored.timezone == "Europe/Zurich"
