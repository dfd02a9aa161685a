"""Long text is typed in a form (SPEC section 9): /comment, /comments edit and /draft section
without `text` open a modal; the command decides (permission, window, verification, the
prefill) before opening it, and the form's submit does the write and answers as the command
would, also after a restart."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.clock import FakeClock
from bot.emulator import InteractionResult
from bot.harness import RunningBot, World, run_bot_in_process, settle
from tests.e2e.test_moderation import announced

pytestmark = pytest.mark.e2e

PILLAR_B = "Further develop ICT indicators"
LONG = "First paragraph of a real contribution.\n\nSecond paragraph, with *stars* and a list:\n- one\n- two"


def text_input(res: InteractionResult) -> dict[str, Any]:
    """The one text input of the form `res` opened."""
    assert res.callback_type == 9 and res.modal is not None, res.content
    rows = res.modal["components"]
    assert len(rows) == 1 and len(rows[0]["components"]) == 1
    field: dict[str, Any] = rows[0]["components"][0]
    return field


async def submit(world: World, user: Any, res: InteractionResult, text: str) -> InteractionResult:
    """Type `text` into the form `res` opened and submit it, as `user`."""
    assert res.modal is not None
    sub = await world.emu.submit_modal(
        user, res.modal["custom_id"], {text_input(res)["custom_id"]: text},
        guild=world.guild, channel=world.channel, timeout=15,
    )
    return await settle(sub)


async def _draft(world: World) -> None:
    await world.run(world.coordinator, "draft create", code="C11", title="Cooperation")
    await world.run(world.coordinator, "draft section", code="C11", section="pillar-b", text=PILLAR_B)
    await world.run(world.alice, "stakeholder register", organization="ISOC", group="Civil Society")


async def test_comment_without_text_opens_a_form_whose_submit_posts_it(
    world: World, bot: RunningBot
) -> None:
    await _draft(world)
    res = await world.run(world.alice, "comment", draft="C11", section="pillar b")
    field = text_input(res)
    assert res.modal is not None and res.modal["title"] == "Comment on C11 · Pillar b)"
    assert field["style"] == 2 and field["max_length"] == 4000 and not field.get("value")
    assert len(res.modal["custom_id"]) <= 100 and not res.errors
    sub = await submit(world, world.alice, res, LONG)
    assert not sub.ephemeral and not sub.errors
    assert sub.content.startswith("Recorded **#1** on **C11 · Pillar b)** (revision 1) as **ISOC, Civil Society")
    assert "> First paragraph of a real contribution.\n>\n> Second paragraph, with \\*stars\\*" in sub.content
    shown = await world.run(world.alice, "comments show", id=1)
    assert "Second paragraph" in shown.content and "> \\- two" in shown.content


async def test_an_amendment_form_starts_as_the_section_text(world: World, bot: RunningBot) -> None:
    await _draft(world)
    res = await world.run(world.alice, "comment", draft="C11", section="pillar-b", kind="amendment")
    assert res.modal is not None and res.modal["title"] == "Amendment to C11 · Pillar b)"
    assert text_input(res)["value"] == PILLAR_B
    sub = await submit(world, world.alice, res, "Further develop and publish ICT indicators")
    assert "amendment" in sub.content and "publish ICT indicators" in sub.content


async def test_the_command_refuses_before_opening_a_form(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    await _draft(world)
    # Not registered: told how, no form.
    res = await world.run(world.bob, "comment", draft="C11", section="pillar-b")
    assert res.callback_type == 4 and res.ephemeral and "/stakeholder register" in res.content
    # No such section: the sections are listed, no form.
    res = await world.run(world.alice, "comment", draft="C11", section="target z")
    assert res.callback_type == 4 and res.ephemeral and "pillar-b" in res.content
    # The window is closed: no form.
    await world.run(world.coordinator, "draft window", code="C11", when="1 November 2013 - 3 November 2013")
    clock.advance(days=5)
    res = await world.run(world.alice, "comment", draft="C11", section="pillar-b")
    assert res.callback_type == 4 and res.ephemeral and "closed" in res.content
    assert world.emu.errors == []


async def test_the_submit_checks_again(world: World, bot: RunningBot, clock: FakeClock) -> None:
    """A form opened while the window was open, submitted after it closed: refused privately."""
    await _draft(world)
    await world.run(world.coordinator, "draft window", code="C11", when="1 November 2013 - 3 November 2013")
    res = await world.run(world.alice, "comment", draft="C11", section="pillar-b")
    clock.advance(days=5)
    sub = await submit(world, world.alice, res, "Too late")
    assert sub.ephemeral and "closed" in sub.content
    listed = await world.run(world.bob, "comments list", draft="C11")
    assert "No comments" in listed.content


async def test_comments_edit_without_text_opens_the_comment_in_a_form(
    world: World, bot: RunningBot
) -> None:
    await _draft(world)
    posted = await world.run(world.alice, "comment", draft="C11", section="pillar-b", text="Short first text")
    message = await announced(bot, world, posted)
    res = await world.run(world.bob, "comments edit", id=1)
    assert res.callback_type == 4 and res.ephemeral and "Only the author of #1" in res.content
    res = await world.run(world.alice, "comments edit", id=1)
    assert res.modal is not None and res.modal["title"] == "Edit comment #1"
    assert text_input(res)["value"] == "Short first text"
    sub = await submit(world, world.alice, res, LONG)
    assert sub.ephemeral and sub.content.startswith("Edited **#1** · Pillar b) · ISOC, Civil Society")
    assert "Second paragraph" in sub.content
    assert "Second paragraph" in message.content and "edited <t:" in message.content


async def test_a_form_opened_before_a_restart_is_submitted_after_it(
    world: World, db_url: str, clock: FakeClock
) -> None:
    async with run_bot_in_process(world.emu, db_url, clock=clock):
        await world.emu.wait_for_commands()
        await _draft(world)
        res = await world.run(world.alice, "comment", draft="C11", section="pillar-b", kind="amendment")
    async with run_bot_in_process(world.emu, db_url, clock=clock):
        sub = await submit(world, world.alice, res, "Publish ICT indicators")
        assert not sub.ephemeral and "Recorded **#1**" in sub.content and "amendment" in sub.content
