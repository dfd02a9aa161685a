"""Every error is ephemeral (SPEC sections 3 and 8), also in the commands whose successful
answer is public: each public command's error path, end to end through the emulator. An error
must never appear as a public message in the channel, nor hide inside a public success."""

from __future__ import annotations

import pytest

from bot.emulator import InteractionResult
from bot.harness import RunningBot, World

pytestmark = pytest.mark.e2e


def private_error(res: InteractionResult, *expected: str) -> None:
    """The answer is one ephemeral message that says what was wrong; nothing public was posted."""
    assert res.answer is not None, "no answer"
    public = [m.content for m in res.messages if not m.ephemeral]
    assert not public, f"public answer(s) to an error: {public}"
    for text in expected:
        assert text in res.content, res.content
    assert "Traceback" not in res.content and "Sorry, something went wrong" not in res.content


async def test_calendar_errors_are_private(world: World, bot: RunningBot) -> None:
    coord, bob = world.coordinator, world.bob
    res = await world.run(coord, "event add", title="ICANN 49", when="next blursday")
    private_error(res, "couldn't read")
    res = await world.run(coord, "event add", title="Backwards", when="24 January 2014 - 19 December 2013")
    private_error(res, "ends before it starts")
    res = await world.run(coord, "event edit", id="99", title="Nope")
    private_error(res, "There is no event #99 here")
    res = await world.run(coord, "event remove", id="99")
    private_error(res, "There is no event #99 here")
    res = await world.run(bob, "event show", id="99")
    private_error(res, "There is no event #99 here")
    res = await world.run(bob, "event show", id="ICANN")
    private_error(res, 'There is no event "ICANN" here')
    res = await world.run(bob, "upcoming")
    private_error(res, "No events in the next 30 days")
    res = await world.run(bob, "upcoming", kind="deadline", days=7)
    private_error(res, "No deadlines in the next 7 days")


async def test_days_outside_their_range_are_refused_privately(world: World, bot: RunningBot) -> None:
    """Discord itself refuses a number outside an option's range, as the emulator does; the bot
    still refuses it privately, before deferring, should one reach it."""
    with pytest.raises(ValueError, match="at least 1"):
        await world.run(world.bob, "event export", days=0)
    with pytest.raises(ValueError, match="at most 366"):
        await world.run(world.bob, "upcoming", days=367)
    world.emu.check_option_ranges = False  # a client that does not check: the bot does
    try:
        res = await world.run(world.bob, "event export", days=0)
        private_error(res, "Give a number of days from 1 to 366")
        assert not res.deferred
        res = await world.run(world.bob, "upcoming", days=400)
        private_error(res, "Give a number of days from 1 to 366")
    finally:
        world.emu.check_option_ranges = True


async def test_draft_errors_are_private(world: World, bot: RunningBot) -> None:
    coord, bob = world.coordinator, world.bob
    res = await world.run(coord, "draft create", code="C 11!", title="Cooperation")
    private_error(res, "is not a draft code")
    res = await world.run(bob, "draft export", code="C11")
    private_error(res, "There is no draft C11")
    res = await world.run(bob, "draft show", code="C11")
    private_error(res, "There is no draft C11")
    res = await world.run(bob, "draft list")
    private_error(res, "No drafts yet")
    res = await world.run(coord, "draft section", code="C11", section="vision", text="Text")
    private_error(res, "There is no draft C11")
    await world.run(coord, "draft create", code="C11", title="Cooperation")
    res = await world.run(coord, "draft create", code="c11", title="Another title")
    private_error(res, "/draft edit")
    res = await world.run(bob, "draft show", code="C11", section="pillar z")
    private_error(res, "no sections yet")
    res = await world.run(coord, "draft window", code="C11", when="24 January 2014")
    private_error(res, "needs a range")
    res = await world.run(bob, "draft export", code="C11", format="docx")
    assert res.answer is not None and not res.answer.ephemeral  # the success stays public


async def test_comment_errors_are_private(world: World, bot: RunningBot) -> None:
    coord, alice, bob = world.coordinator, world.alice, world.bob
    res = await world.run(bob, "coverage", draft="C11")
    private_error(res, "There is no draft C11")
    res = await world.run(bob, "comments list", draft="C11")
    private_error(res, "There is no draft C11")
    await world.run(coord, "draft create", code="C11", title="Cooperation")
    await world.run(coord, "draft section", code="C11", section="vision", text="A vision")
    res = await world.run(alice, "comment", draft="C11", section="vision", text="Fine")
    private_error(res, "/stakeholder register")
    res = await world.run(bob, "coverage", draft="C12")
    private_error(res, "There is no draft C12")
    res = await world.run(bob, "comments list", draft="C11", section="pillar z")
    private_error(res, "no section")


async def test_a_transformer_error_is_private(world: World, bot: RunningBot) -> None:
    """An option discord.py cannot convert (a member who is not in the server) is refused by the
    one error handler, privately."""
    stranger = world.emu.add_user("stranger")
    res = await world.run(world.bob, "stakeholder show", member=stranger)
    private_error(res, "couldn't understand")
