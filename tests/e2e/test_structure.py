"""A draft of the UN's shape end to end (SPEC §9): imported, shown, commented on by a key typed
the way people type it, extended with a new paragraph, exported with its parts as read."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.harness import RunningBot, World

pytestmark = pytest.mark.e2e


async def test_a_un_style_draft_end_to_end(world: World, bot: RunningBot, repo_root: Path) -> None:
    data = (repo_root / "data" / "A-RES-WSIS.md").read_bytes()
    res = await world.run(
        world.coordinator, "draft import", attachments={"file": ("A-RES-WSIS.md", data)}
    )
    print("IMPORT", res.content)
    assert "**WSIS-OD** (created): 18 sections" in res.content
    res = await world.run(world.bob, "draft show", code="WSIS-OD")
    print("SHOW", res.content)
    assert "`para-12-a`" in res.content and "`preamble`" in res.content
    res = await world.run(world.bob, "draft show", code="wsis-od", section="Paragraph 12")
    print("SHOW12", res.content)
    assert "Para 12" in res.content
    await world.run(world.alice, "stakeholder register", organization="ISOC", group="Civil Society")
    res = await world.run(
        world.alice,
        "comment",
        draft="WSIS-OD",
        section="paragraph 12 (a)",
        text="The report should be public.",
    )
    print("COMMENT", res.content)
    assert "Para 12 (a)" in res.content
    res = await world.run(
        world.coordinator,
        "draft section",
        code="WSIS-OD",
        section="para 13",
        text="Decides to remain seized of the matter.",
    )
    print("SECTION", res.content)
    assert "Para 13" in res.content
    choices = await world.complete(
        world.bob, "comment", "section", draft="WSIS-OD", section="para 1"
    )
    print("CHOICES", [c["value"] for c in choices])
    assert "para-13" in [c["value"] for c in choices]
    res = await world.run(world.bob, "draft export", code="WSIS-OD")
    assert res.answer is not None
    [(name, exported)] = res.answer.attachments
    text = exported.decode()
    print("EXPORT", name)
    assert "## Preamble\n" in text and "## Operative paragraphs\n" in text and "## Annex\n" in text
    assert "\n(a) The Secretary-General" in text
    assert "· ISOC, Civil Society (unverified): The report should be public." in text
    assert text.index("\n13. Decides to remain seized") < text.index("## Annex")
    assert "Zero draft of 1 February" in text
