"""Comments imported from Word in seed 002's forms ("Contribution by ICANN", "Egypt: text")
have the group "Unknown" until a coordinator sets it with `/comments regroup` (SPEC section 9,
DOCX in); every other comment keeps the attribution it was made with (SPEC section 8)."""

from __future__ import annotations

import json
from io import BytesIO

import docx
import pytest

from bot.harness import RunningBot, World
from tests.e2e.test_faults import prepare
from tests.e2e.test_moderation import announced, comment_id

pytestmark = pytest.mark.e2e


def _word_document() -> bytes:
    """A draft as a secretariat writes it in Word, one margin comment in seed 002's form."""
    document = docx.Document()
    document.add_heading("C12 Access to information", level=0)
    document.add_paragraph("Version V1")
    document.add_heading("Vision", level=1)
    vision = document.add_paragraph("Information for everyone.")
    document.add_comment(vision.runs, "Contribution by ICANN", "Author", "A")
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


async def _imported(world: World, bot: RunningBot) -> int:
    """Import the Word file; returns the number of its comment (group "Unknown")."""
    res = await world.run(
        world.coordinator, "draft import", attachments={"file": ("C12.docx", _word_document())}
    )
    assert "C12" in res.content, res.content
    listed = await world.run(world.bob, "comments list", draft="C12")
    assert "ICANN, Unknown" in listed.content, listed.content
    return comment_id(listed)


async def test_a_coordinator_sets_the_group_of_an_imported_comment(
    world: World, bot: RunningBot
) -> None:
    cid = await _imported(world, bot)
    res = await world.run(world.coordinator, "comments regroup", id=cid, group="technical community")
    assert res.ephemeral and f"#{cid}" in res.content and "Technical Community" in res.content
    listed = await world.run(world.bob, "comments list", draft="C12")
    assert "ICANN, Technical Community" in listed.content and "Unknown" not in listed.content
    listed = await world.run(world.bob, "comments list", group="Technical Community")
    assert f"**#{cid}**" in listed.content
    row = await bot.db.fetchrow(
        "SELECT actor_id, detail FROM audit WHERE action = 'comment.regroup' AND target = $1",
        f"comment:{cid}",
    )
    assert row is not None and row["actor_id"] == world.coordinator.id
    assert json.loads(row["detail"]) == {"before": "Unknown", "after": "Technical Community"}

    # Once set, it is frozen as any other attribution.
    res = await world.run(world.coordinator, "comments regroup", id=cid, group="Government")
    assert res.ephemeral and "frozen" in res.content and "Technical Community" in res.content


async def test_regroup_refuses_members_unknown_groups_and_normal_comments(
    world: World, bot: RunningBot
) -> None:
    cid = await _imported(world, bot)
    res = await world.run(world.alice, "comments regroup", id=cid, group="Technical Community")
    assert res.ephemeral and "coordinator" in res.content.lower()
    res = await world.run(world.coordinator, "comments regroup", id=cid, group="Martians")
    assert res.ephemeral and "Civil Society" in res.content  # names the valid groups
    stored = await bot.services.comments.get(world.guild.id, cid)
    assert stored is not None and stored.group == "Unknown"

    await prepare(world)
    res = await world.run(world.alice, "comment", draft="C11", section="vision", text="Mine")
    mine = comment_id(res)
    res = await world.run(world.coordinator, "comments regroup", id=mine, group="Government")
    assert res.ephemeral and "frozen" in res.content
    stored = await bot.services.comments.get(world.guild.id, mine)
    assert stored is not None and stored.group != "Government"
    res = await world.run(world.coordinator, "comments regroup", id=999, group="Government")
    assert res.ephemeral and "no comment #999" in res.content


async def test_the_public_message_follows_a_regroup(world: World, bot: RunningBot) -> None:
    """A comment announced in Discord whose group is "Unknown" (as an imported one is): its
    message says the new attribution."""
    await prepare(world)
    res = await world.run(world.alice, "comment", draft="C11", section="vision", text="Words")
    cid = comment_id(res)
    message = await announced(bot, world, res)
    await bot.db.execute(
        "UPDATE comments SET stakeholder_group = 'Unknown' WHERE id = $1", cid
    )
    res = await world.run(world.coordinator, "comments regroup", id=cid, group="Government")
    assert res.ephemeral
    assert ", Government" in message.content and "Unknown" not in message.content
    assert (message.allowed_mentions or {}).get("parse") == []
