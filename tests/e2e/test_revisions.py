"""Revisions that stay honest (SPEC section 9): /draft history and /draft diff, comments on an
earlier revision marked wherever they are shown, amendments shown as a diff against the text
they were written on, and the export's sub-heading for comments on earlier revisions; and the
form of /draft section, which starts as the section's current text."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.clock import FakeClock
from bot.harness import RunningBot, World
from tests.e2e.test_forms import PILLAR_B, submit, text_input
from tests.e2e.test_paging import button, press

pytestmark = pytest.mark.e2e

REVISED = "Further improve ICT indicators worldwide"
STALE = "on revision 1; the text has changed since"


async def _revised(world: World, clock: FakeClock) -> None:
    """C11 pillar-b at revision 2, with a comment (#1) and an amendment (#2) on revision 1
    and a comment (#3) on revision 2."""
    coord, alice = world.coordinator, world.alice
    await world.run(coord, "draft create", code="C11", title="Cooperation")
    await world.run(coord, "draft section", code="C11", section="pillar-b", text=PILLAR_B)
    await world.run(alice, "stakeholder register", organization="ISOC", group="Civil Society")
    await world.run(alice, "comment", draft="C11", section="pillar-b", text="Say which indicators")
    await world.run(
        alice, "comment", draft="C11", section="pillar-b", kind="amendment",
        text="Further develop and publish ICT indicators",
    )
    clock.advance(hours=1)
    await world.run(coord, "draft section", code="C11", section="pillar-b", text=REVISED)
    res = await world.run(alice, "comment", draft="C11", section="pillar-b", text="Better now")
    assert "Recorded **#3**" in res.content and "changed since" not in res.content


async def test_history_lists_each_revision_with_when_and_who(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    await _revised(world, clock)
    res = await world.run(world.bob, "draft history", code="c11", section="pillar b")
    coord = world.coordinator.id
    lines = res.content.split("\n")
    assert lines[0] == "**C11 · Pillar b)**: 2 revisions, newest first"
    assert lines[1].startswith("**Revision 2** · <t:") and lines[1].endswith(f":R>) · by <@{coord}>")
    assert lines[2].startswith("**Revision 1** · <t:") and f"by <@{coord}>" in lines[2]
    assert "`/draft diff C11 pillar-b`" in lines[-1]
    assert res.original is not None and (res.original.allowed_mentions or {}).get("parse") == []


async def test_diff_shows_words_struck_and_bold(world: World, bot: RunningBot, clock: FakeClock) -> None:
    await _revised(world, clock)
    res = await world.run(world.bob, "draft diff", code="C11", section="pillar-b")
    assert res.content == (
        "**C11 · Pillar b)**: revision 1 → 2 (~~struck~~: deleted, **bold**: inserted)\n"
        "Further ~~develop~~ **improve** ICT indicators **worldwide**"
    )
    options: dict[str, Any] = {"from": 2, "to": 1}
    res = await world.run(world.bob, "draft diff", code="C11", section="pillar-b", **options)
    assert res.content.endswith("Further ~~improve~~ **develop** ICT indicators ~~worldwide~~")
    res = await world.run(world.bob, "draft diff", code="C11", section="pillar-b", to=3)
    assert res.ephemeral and "Pillar b) has revisions 1 to 2" in res.content
    await world.run(world.coordinator, "draft section", code="C11", section="vision", text="*One*")
    res = await world.run(world.bob, "draft diff", code="C11", section="vision")
    assert res.ephemeral and "only one revision" in res.content


async def test_user_markdown_cannot_break_the_diff(world: World, bot: RunningBot) -> None:
    await world.run(world.coordinator, "draft create", code="C11", title="Cooperation")
    await world.run(world.coordinator, "draft section", code="C11", section="vision", text="A **b** c")
    await world.run(world.coordinator, "draft section", code="C11", section="vision", text="A ~~b~~ c")
    res = await world.run(world.bob, "draft diff", code="C11", section="vision")
    assert res.content.endswith("A ~~\\*\\*b\\*\\*~~ **\\~\\~b\\~\\~** c")


async def test_comments_on_an_earlier_revision_say_so(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    await _revised(world, clock)
    res = await world.run(world.bob, "comments list", draft="C11")
    items = res.content.split("\n**#")
    assert STALE not in items[1] and items[1].startswith("3**")  # newest first: #3 is current
    assert STALE in items[2] and STALE in items[3]
    res = await world.run(world.bob, "comments show", id=1)
    assert f"made {STALE} (now revision 2)" in res.content
    res = await world.run(world.bob, "comments show", id=3)
    assert "made on revision 2" in res.content and "changed since" not in res.content


async def test_an_amendment_is_shown_as_a_diff_against_its_text(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    await _revised(world, clock)
    res = await world.run(world.bob, "comments show", id=2)
    assert "As changes to revision 1 (~~struck~~: deleted, **bold**: inserted):" in res.content
    assert "> Further develop **and publish** ICT indicators" in res.content


async def test_the_export_puts_comments_on_earlier_revisions_under_a_sub_heading(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    await _revised(world, clock)
    res = await world.run(world.bob, "draft export", code="C11")
    assert res.messages and res.messages[-1].attachments
    text = res.messages[-1].attachments[0][1].decode()
    current = text.index("Better now")
    heading = text.index("### Comments on revision 1 (the text has changed since)")
    assert current < heading < text.index("Say which indicators") < text.index("and publish")


async def test_draft_section_without_text_opens_the_current_text(world: World, bot: RunningBot) -> None:
    await world.run(world.coordinator, "draft create", code="C11", title="Cooperation")
    await world.run(world.coordinator, "draft section", code="C11", section="pillar-b", text=PILLAR_B)
    res = await world.run(world.alice, "draft section", code="C11", section="pillar-b")
    assert res.callback_type == 4 and res.ephemeral and "Only coordinators" in res.content
    res = await world.run(world.coordinator, "draft section", code="C11", section="pillar-b")
    assert res.modal is not None and res.modal["title"] == "Text of C11 · Pillar b)"
    assert text_input(res)["value"] == PILLAR_B
    sub = await submit(world, world.coordinator, res, PILLAR_B + "\n\nAnd publish them yearly.")
    assert "**C11 · Pillar b)** is now at revision 2; earlier revisions are kept." in sub.content
    res = await world.run(world.coordinator, "draft section", code="C11", section="target-a")
    assert not text_input(res).get("value")
    sub = await submit(world, world.coordinator, res, "A new target.")
    assert "Added **C11 · Target a)** (revision 1)." in sub.content


async def test_a_long_diff_is_paged_and_every_page_keeps_its_marks(
    world: World, bot: RunningBot
) -> None:
    old = " ".join(f"word{i}" for i in range(700))
    new = " ".join(f"word{i}" if i % 5 else f"new{i}" for i in range(700))
    await world.run(world.coordinator, "draft create", code="C11", title="Cooperation")
    await world.run(world.coordinator, "draft section", code="C11", section="vision", text=old)
    await world.run(world.coordinator, "draft section", code="C11", section="vision", text=new)
    res = await world.run(world.bob, "draft diff", code="C11", section="vision")
    assert res.original is not None and "Page 1/" in res.original.content
    pages = [res.original.content]
    message = res.original
    while "Next" in str(message.components) and not button(message, "Next").get("disabled"):
        turned = await press(world, world.bob, message, "Next")
        assert turned.original is not None
        message = turned.original
        pages.append(message.content)
    assert len(pages) >= 3
    for page in pages:
        assert len(page) <= 2000 and page.startswith("**C11 · Vision**: revision 1 → 2")
        body = page.split("\n", 1)[1].rsplit("\n-# Page", 1)[0]
        assert body.count("~~") % 2 == 0 and body.count("**") % 2 == 0
    assert "~~word695~~ **new695**" in pages[-1]


async def test_an_amendment_written_while_the_section_was_revised_keeps_its_revision(
    world: World, bot: RunningBot
) -> None:
    """The form showed revision 1; the secretariat revised the section before the submit: the
    amendment is recorded on revision 1, and shown as changes to that text."""
    await world.run(world.coordinator, "draft create", code="C11", title="Cooperation")
    await world.run(world.coordinator, "draft section", code="C11", section="pillar-b", text=PILLAR_B)
    await world.run(world.alice, "stakeholder register", organization="ISOC", group="Civil Society")
    res = await world.run(world.alice, "comment", draft="C11", section="pillar-b", kind="amendment")
    await world.run(world.coordinator, "draft section", code="C11", section="pillar-b", text=REVISED)
    sub = await submit(world, world.alice, res, "Further develop open ICT indicators")
    assert "Recorded **#1** on **C11 · Pillar b)** (revision 1)" in sub.content
    shown = await world.run(world.alice, "comments show", id=1)
    assert f"made {STALE} (now revision 2)" in shown.content
    assert "> Further develop **open** ICT indicators" in shown.content


async def test_an_edit_of_a_comment_on_an_earlier_revision_says_so(
    world: World, bot: RunningBot, clock: FakeClock
) -> None:
    """The confirmation of /comments edit and the public message it edits say that the comment
    was made on an earlier text; a comment on the current text says nothing of the kind."""
    from tests.e2e.test_moderation import announced

    alice = world.alice
    await world.run(world.coordinator, "draft create", code="C11", title="Cooperation")
    await world.run(world.coordinator, "draft section", code="C11", section="pillar-b", text=PILLAR_B)
    await world.run(alice, "stakeholder register", organization="ISOC", group="Civil Society")
    res = await world.run(alice, "comment", draft="C11", section="pillar-b", text="Which ones?")
    message = await announced(bot, world, res)
    res = await world.run(alice, "comments edit", id=1, text="Which indicators?")
    assert res.ephemeral and "changed since" not in res.content
    assert "(revision 1)" in message.content and "changed since" not in message.content

    clock.advance(hours=1)
    await world.run(world.coordinator, "draft section", code="C11", section="pillar-b", text=REVISED)
    res = await world.run(alice, "comments edit", id=1, text="Which indicators, now?")
    assert res.ephemeral and "Edited **#1**" in res.content and STALE in res.content
    assert "Which indicators, now?" in message.content
    assert f"**C11 · Pillar b)** ({STALE})" in message.content
