"""Issue 19, "the first hour", end to end: what a new secretariat reads in its first commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.clock import FakeClock
from bot.emulator import InteractionResult
from bot.harness import RunningBot, World
from bot.services.settings import TIMEZONE_HINT

pytestmark = pytest.mark.e2e


def has_hint(res: InteractionResult) -> bool:
    return any(TIMEZONE_HINT in m.content and m.ephemeral for m in res.followups)


async def test_the_first_coordinator_command_suggests_a_timezone(
    world: World, bot: RunningBot
) -> None:
    res = await world.run(world.coordinator, "event add", title="First meeting", when="13 November 2013 10:00")
    assert not res.ephemeral
    assert "-# Read as 10:00 UTC; no timezone is set" in res.content
    await res.wait_until(has_hint, what=lambda: [m.content for m in res.followups])
    # Once only.
    res = await world.run(world.coordinator, "event add", title="Second", when="14 November 2013")
    assert not has_hint(res)


async def test_no_hint_once_the_server_has_a_timezone(world: World, bot: RunningBot) -> None:
    res = await world.run(world.coordinator, "settings timezone", zone="Europe/Geneva")
    assert "Europe/Zurich" in res.content and not has_hint(res)
    res = await world.run(world.coordinator, "event add", title="Meeting", when="13 November 2013 10:00")
    assert "Read as 10:00 Europe/Zurich (the server's timezone" in res.content
    assert not has_hint(res)


async def test_a_past_event_needs_past_true(world: World, bot: RunningBot) -> None:
    res = await world.run(world.coordinator, "event add", title="Oops", when="yesterday")
    assert res.ephemeral and "already past" in res.content and "`past:true`" in res.content
    res = await world.run(world.coordinator, "event add", title="Record", when="yesterday", past=True)
    assert not res.ephemeral and "Record**" in res.content


async def test_edit_wording_says_what_happened(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    res = await world.run(world.coordinator, "event add", title="Call", when="TBD (late November 2013)")
    res = await world.run(world.coordinator, "event edit", id="Call", when="25 November 2013 10:00")
    assert res.content.startswith("Updated when (no longer tentative):"), res.content
    assert "will say it was rescheduled" in res.content
    res = await world.run(world.coordinator, "event edit", id="Call", when="TBD (late December 2013)")
    assert res.content.startswith("Updated when (now tentative):"), res.content
    assert "no reminders until its date is settled" in res.content
    assert "rescheduled" not in res.content
    res = await world.run(world.coordinator, "event edit", id="Call", when="1 October 2013 10:00")
    assert "in the past, so it has no reminders left" in res.content
    res = await world.run(world.coordinator, "event remove", id="Call")
    assert res.content.startswith("Removed **#") and "(" not in res.content.split(")")[-1]
    assert "))" not in res.content


async def test_a_window_clears_and_says_open_now(world: World, bot: RunningBot) -> None:
    coord = world.coordinator
    await world.run(coord, "draft create", code="C11", title="Cooperation")
    res = await world.run(coord, "draft window", code="C11", when="1-30 October 2013")
    assert res.ephemeral and "`past:true`" in res.content
    res = await world.run(coord, "draft window", code="C11", when="1-30 November 2013")
    assert "It is open now: comments are accepted until" in res.content
    res = await world.run(coord, "draft window", code="C11", when="none")
    assert res.content.startswith("Removed the comment window of **C11**")
    res = await world.run(world.bob, "draft list")
    assert "No comment window" in res.content
    res = await world.run(world.bob, "upcoming")
    assert "comment window" not in res.content


async def test_an_offset_too_large_is_called_too_large(world: World, bot: RunningBot) -> None:
    res = await world.run(world.coordinator, "reminders offsets", value="100000w")
    assert res.ephemeral and '"100000w" is more than a year' in res.content


async def test_the_same_text_again_is_not_an_edit_and_an_import_of_nothing_new_is_unchanged(
    world: World, bot: RunningBot, repo_root: Path
) -> None:
    coord, alice = world.coordinator, world.alice
    await world.run(coord, "draft create", code="C11", title="Cooperation")
    await world.run(coord, "draft section", code="C11", section="vision", text="A vision")
    await world.run(alice, "stakeholder register", organization="ISOC", group="Civil Society")
    res = await world.run(alice, "comment", draft="C11", section="vision", text="Fine")
    cid = int(res.content.split("**#")[1].split("**")[0])
    res = await world.run(alice, "comments edit", id=cid, text="Fine")
    assert res.content.startswith(f"Nothing changed: **#{cid}**"), res.content
    res = await world.run(alice, "comments show", id=cid)
    assert "Edited" not in res.content
    data = (repo_root / "data" / "C11.md").read_bytes()
    first = await world.run(coord, "draft import", attachments={"file": ("C11.md", data)})
    assert "(created)" in first.text() or "(updated)" in first.text()
    again = await world.run(coord, "draft import", attachments={"file": ("C11.md", data)})
    assert "**C11** (unchanged)" in again.text(), again.text()


async def test_numeric_dates_follow_the_members_discord_locale(world: World, bot: RunningBot) -> None:
    coord = world.coordinator
    coord.locale = "en-GB"
    res = await world.run(coord, "event add", title="Kick-off", when="03/04/2014")
    assert 'Read "03/04/2014" as 3 April 2014 (day first); for 4 March 2014' in res.content
    coord.locale = "en-US"
    res = await world.run(coord, "event add", title="Kick-off US", when="03/04/2014")
    assert 'as 4 March 2014 (month first, as in US English)' in res.content


async def test_remind_says_the_zone_it_read_the_time_in(world: World, bot: RunningBot) -> None:
    await world.run(world.bob, "timezone", zone="America/Sao_Paulo")
    res = await world.run(world.bob, "remind", when="2 November 2013 12:00", text="Call the delegation")
    assert res.ephemeral and "Read as 12:00 America/Sao_Paulo (your timezone" in res.content


async def test_settings_show_explains_a_utc_timezone(world: World, bot: RunningBot) -> None:
    res = await world.run(world.bob, "settings show")
    assert "Timezone: **UTC** (the default: dates members type are read as UTC;" in res.content
    await world.run(world.coordinator, "settings timezone", zone="Europe/Zurich")
    res = await world.run(world.bob, "settings show")
    assert "Timezone: **Europe/Zurich**\n" in res.content
