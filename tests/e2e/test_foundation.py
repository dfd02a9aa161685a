"""End to end through the emulator: start-up, sync, the first commands, refusals, errors."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import discord
import pytest

from bot.app import APOLOGY, ConcordBot
from bot.emulator import DiscordEmulator
from bot.harness import BotProcess, RunningBot, World, build_world, run_bot_in_process

pytestmark = pytest.mark.e2e


async def test_subprocess_registers_shows_and_refuses(
    emulator: DiscordEmulator, db_url: str, tmp_path: Path
) -> None:
    world = build_world(emulator)
    proc = BotProcess(emulator, db_url, log_path=tmp_path / "bot.log")
    await proc.start()
    try:
        await emulator.wait_for_commands(timeout=20)
        res = await world.run(world.alice, "stakeholder register", organization="ISOC", group="Civil Society")
        assert res.ephemeral
        assert "ISOC, Civil Society" in res.content, res.content

        res = await world.run(world.bob, "stakeholder show", member=world.alice)
        assert "**ISOC**" in res.content and "Civil Society" in res.content

        res = await world.run(world.alice, "settings timezone", zone="Europe/Zurich")
        assert res.ephemeral and "Only coordinators" in res.content

        res = await world.run(world.coordinator, "settings timezone", zone="Europe/Zurich")
        assert "Europe/Zurich" in res.content
    finally:
        await proc.stop()
    assert "Traceback" not in proc.log_tail(200)


def test_missing_token_exits_2(tmp_path: Path) -> None:
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    env["DISCORD_TOKEN"] = ""
    out = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=60,
    )
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "DISCORD_TOKEN" in lines[0] and ".env" in lines[0]


async def test_bad_input_gets_one_ephemeral_sentence(world: World, bot: RunningBot) -> None:
    res = await world.run(world.coordinator, "settings timezone", zone="Europe/Zurik")
    assert res.ephemeral and "Europe/Zurich" in res.content and "Traceback" not in res.content

    res = await world.run(world.alice, "timezone", zone="Mars/Olympus_Mons")
    assert res.ephemeral and "don't know the timezone" in res.content

    res = await world.run(world.alice, "stakeholder register", organization="   ", group="Government")
    assert res.ephemeral and "organization" in res.content

    res = await world.run(world.alice, "stakeholder register", organization="x" * 300, group="Government")
    assert res.ephemeral and "100" in res.content
    assert await bot.services.stakeholders.get(world.guild.id, world.alice.id) is None


async def test_coordinator_role_grants_coordination(world: World, bot: RunningBot) -> None:
    res = await world.run(world.carol, "settings timezone", zone="Asia/Tokyo")
    assert "Only coordinators" in res.content
    res = await world.run(world.coordinator, "settings coordinator-role", role=world.coordinator_role)
    assert "now coordinators" in res.content
    res = await world.run(world.carol, "settings timezone", zone="Asia/Tokyo")
    assert "Asia/Tokyo" in res.content
    settings = await bot.services.settings.get(world.guild.id)
    assert settings.timezone == "Asia/Tokyo" and settings.coordinator_role_id == world.coordinator_role.id


async def test_member_timezone_and_autocomplete(world: World, bot: RunningBot) -> None:
    choices = await world.complete(world.alice, "timezone", "zone", zone="zur")
    assert choices[0]["value"] == "Europe/Zurich" and len(choices) <= 25
    res = await world.run(world.alice, "timezone", zone="Europe/Geneva")
    assert "Europe/Zurich" in res.content
    assert await bot.services.settings.member_timezone(world.alice.id) == "Europe/Zurich"


async def test_listing_and_no_pings(world: World, bot: RunningBot) -> None:
    await world.run(world.alice, "stakeholder register", organization="@everyone ISOC", group="Civil Society")
    await world.run(world.bob, "stakeholder register", organization="Brazil", group="Government")
    res = await world.run(world.carol, "stakeholder list")
    assert "Brazil" in res.content and "@everyone ISOC" in res.content
    assert res.original is not None
    mentions = res.original.allowed_mentions or {}
    assert mentions.get("parse") == [] and not mentions.get("users") and not mentions.get("roles")
    res = await world.run(world.carol, "stakeholder list", group="Government")
    assert "Brazil" in res.content and "ISOC" not in res.content
    res = await world.run(world.carol, "stakeholder show")
    assert res.ephemeral and "/stakeholder register" in res.content


async def test_unexpected_errors_are_logged_not_shown(
    world: World, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def add_broken(bot: ConcordBot) -> None:
        @bot.tree.command(name="broken", description="always fails")
        async def broken(interaction: discord.Interaction) -> None:
            raise RuntimeError("secret internal detail")

    async with run_bot_in_process(world.emu, db_url, before_start=add_broken):
        res = await world.run(world.alice, "broken")
    assert res.ephemeral and res.content == APOLOGY
    assert "secret" not in res.content
    # The traceback goes to the log with the record (exc_info), never to the member.
    assert any(
        r.exc_info and "secret internal detail" in str(r.exc_info[1]) for r in caplog.records
    )


async def test_commands_sync_only_when_the_tree_changes(world: World, db_url: str) -> None:
    async with run_bot_in_process(world.emu, db_url) as first:
        assert first.bot.synced == "global"
    syncs = world.emu.command_syncs
    async with run_bot_in_process(world.emu, db_url) as second:
        assert second.bot.synced == "unchanged"
    assert world.emu.command_syncs == syncs
    names = {c["name"] for c in world.emu.commands["global"]}
    assert {"stakeholder", "timezone", "settings"} <= names


async def test_dev_guild_sync(world: World, db_url: str) -> None:
    async with run_bot_in_process(world.emu, db_url, dev_guild_id=world.guild.id) as running:
        assert running.bot.synced == "guild"
    assert world.guild.id in world.emu.commands
    await asyncio.sleep(0)


async def test_every_extension_reloads_with_its_commands(world: World, bot: RunningBot) -> None:
    """Command groups live in their cogs, so reloading an extension replaces its commands
    instead of failing on a group still registered (issue 12.6)."""
    before = sorted(c.qualified_name for c in bot.bot.tree.walk_commands())
    for name in sorted(bot.bot.extensions):
        await bot.bot.reload_extension(name)
    after = sorted(c.qualified_name for c in bot.bot.tree.walk_commands())
    assert after == before and "draft list" in after
    res = await world.run(world.alice, "draft list")
    assert "No drafts yet" in res.content
