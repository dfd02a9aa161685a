"""Trust end to end (SPEC section 8, issue 13): each comment keeps how its attribution stood when
it was made (verified, unverified, imported) and says so in confirmations, listings and both
exports; coordinators hide and restore comments (the author told by DM); `/comments show`
gives one comment whole; and the public "Recorded #12" message follows the record."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from typing import Any

import docx
import pytest

from bot import answering
from bot.domain.draftdoc import parse_draft_markdown
from bot.domain.models import AttributionStatus
from bot.emulator import InteractionResult, SentMessage
from bot.harness import RunningBot, World
from tests.e2e.test_faults import prepare
from tests.e2e.test_paging import button

pytestmark = pytest.mark.e2e

ID_RE = re.compile(r"\*\*#(\d+)\*\*")


def comment_id(res: InteractionResult) -> int:
    match = ID_RE.search(res.content)
    assert match, res.content
    return int(match.group(1))


def public_message(res: InteractionResult) -> SentMessage:
    """The public confirmation of a /comment."""
    answer = res.answer
    assert answer is not None and not answer.ephemeral, res.content
    return answer


async def announced(bot: RunningBot, world: World, res: InteractionResult) -> SentMessage:
    """The public confirmation of a /comment, once the bot has recorded it with the comment
    (just after answering)."""
    message = public_message(res)
    cid = comment_id(res)
    for _ in range(100):
        stored = await bot.services.comments.get(world.guild.id, cid)
        if stored is not None and stored.message_id is not None:
            assert (stored.channel_id, stored.message_id) == (message.channel_id, message.id)
            return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"the message announcing #{cid} was not recorded")


async def verify(bot: RunningBot, world: World, user_id: int) -> None:
    """Verify a member's profile (what `/stakeholder verify` records)."""
    await bot.db.execute(
        "UPDATE stakeholders SET verified = 1 WHERE guild_id = $1 AND user_id = $2",
        world.guild.id, user_id,
    )


async def export(world: World, code: str, fmt: str) -> bytes:
    res = await world.run(world.bob, "draft export", code=code, format=fmt)
    assert res.answer is not None, res.content
    [(_, data)] = res.answer.attachments
    return data


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


async def test_each_comment_keeps_its_attribution_status_and_shows_it(
    world: World, bot: RunningBot
) -> None:
    await prepare(world)  # C11 with an open window; Alice (ISOC, Civil Society) unverified
    await world.run(world.bob, "stakeholder register", organization="Brazil", group="Government")
    await verify(bot, world, world.bob.id)

    res = await world.run(world.alice, "comment", draft="C11", section="vision", text="Support.")
    assert "as **ISOC, Civil Society (unverified)** · comment:" in res.content
    alice_id = comment_id(res)
    res = await world.run(world.bob, "comment", draft="C11", section="vision", text="We agree.")
    assert "as **Brazil, Government** · comment:" in res.content and "(unverified)" not in res.content
    bob_id = comment_id(res)
    statuses = {
        r["id"]: r["attribution_status"]
        for r in await bot.db.fetch("SELECT id, attribution_status FROM comments")
    }
    assert statuses == {alice_id: "unverified", bob_id: "verified"}

    res = await world.run(world.carol, "comments list", draft="C11")
    assert f"**#{alice_id}** · Vision · ISOC, Civil Society (unverified) · comment" in res.content
    assert f"**#{bob_id}** · Vision · Brazil, Government · comment" in res.content

    res = await world.run(world.carol, "comments show", id=alice_id)
    assert res.ephemeral
    assert "**ISOC, Civil Society** · unverified when it was made" in res.content
    res = await world.run(world.carol, "comments show", id=bob_id)
    assert "**Brazil, Government** · verified when it was made" in res.content

    # Verifying Alice later does not change what her comment was made as.
    await verify(bot, world, world.alice.id)
    res = await world.run(world.carol, "comments list", draft="C11")
    assert "ISOC, Civil Society (unverified)" in res.content

    markdown = (await export(world, "C11", "markdown")).decode()
    assert "· ISOC, Civil Society (unverified): Support." in markdown
    assert "· Brazil, Government: We agree." in markdown
    body = docx_text(await export(world, "C11", "docx"))
    assert "ISOC, Civil Society (unverified) (comment, " in body
    assert "Brazil, Government (comment, " in body

    # Export -> import round-trips the marks: the unverified one stays unverified, and what a
    # file says is verified is only "imported" (nobody verified it in Discord).
    [parsed] = parse_draft_markdown(markdown)
    [vision] = parsed.sections
    assert [(c.organization, c.group, c.status) for c in vision.comments] == [
        ("Brazil", "Government", AttributionStatus.IMPORTED),
        ("ISOC", "Civil Society", AttributionStatus.UNVERIFIED),
    ]
    copy = markdown.replace("# C11 ", "# C12 ", 1).encode()
    res = await world.run(world.coordinator, "draft import", attachments={"file": ("C12.md", copy)})
    assert "2 comments added" in res.content, res.content
    markdown = (await export(world, "C12", "markdown")).decode()
    assert "· ISOC, Civil Society (unverified): Support." in markdown
    assert "· Brazil, Government (imported): We agree." in markdown
    body = docx_text(await export(world, "C12", "docx"))
    assert "Brazil, Government (imported) (comment, " in body
    res = await world.run(world.carol, "comments list", draft="C12")
    assert "Brazil, Government (imported)" in res.content
    # Imported again: the same comments, nothing added.
    res = await world.run(world.coordinator, "draft import", attachments={"file": ("C12.md", markdown.encode())})
    assert "0 comments added, 2 already there" in res.content, res.content


async def test_attribution_text_is_inert(world: World, bot: RunningBot) -> None:
    await prepare(world)
    await world.run(world.bob, "stakeholder register", organization="**Big** [Corp](http://evil.example)", group="Private Sector")
    res = await world.run(world.bob, "comment", draft="C11", section="vision", text="Hi")
    assert "\\*\\*Big\\*\\* \\[Corp](http://evil.example), Private Sector (unverified)" in res.content
    res = await world.run(world.carol, "comments list")
    assert "\\[Corp](http://evil.example)" in res.content


async def test_a_coordinator_hides_and_restores_a_comment(world: World, bot: RunningBot) -> None:
    await prepare(world)
    await world.run(world.bob, "stakeholder register", organization="Brazil", group="Government")
    res = await world.run(world.alice, "comment", draft="C11", section="vision", text="Buy cheap watches at example.com")
    spam = comment_id(res)
    message = await announced(bot, world, res)
    res = await world.run(world.bob, "comment", draft="C11", section="vision", text="We agree.")
    kept = comment_id(res)

    res = await world.run(world.bob, "comments hide", id=spam, reason="Advertising")
    assert res.ephemeral and "Only coordinators" in res.content
    res = await world.run(world.coordinator, "comments hide", id=spam, reason="   ")
    assert res.ephemeral and "reason" in res.content

    res = await world.run(world.coordinator, "comments hide", id=spam, reason="Advertising, not a comment on the text")
    assert res.ephemeral
    assert res.content == (
        f"Hid **#{spam}** on C11 · Vision: it no longer appears in lists, coverage or the"
        " consolidated text. Its author was told by DM, with the reason."
    )
    [dm] = world.emu.dm_messages(world.alice)
    assert f"**#{spam}** on C11 · Vision" in dm.content
    assert "Advertising, not a comment on the text" in dm.content
    assert (dm.allowed_mentions or {}).get("parse") == []
    # The public message follows the record: the text is gone from it.
    assert message.content == f"**#{spam}** on **C11 · Vision** was hidden by the secretariat."
    assert (message.allowed_mentions or {}).get("parse") == []

    res = await world.run(world.coordinator, "comments hide", id=spam, reason="Again")
    assert res.ephemeral and f"#{spam} is already hidden" in res.content

    # Gone from listings, coverage, the counts and both exports (which say so).
    res = await world.run(world.bob, "comments list", draft="C11")
    assert f"**#{spam}**" not in res.content and f"**#{kept}**" in res.content
    assert "**Comments on C11** (1)" in res.content
    res = await world.run(world.bob, "coverage", draft="C11")
    vision_row = next(line for line in res.content.splitlines() if line.startswith("Vision"))
    assert vision_row.split()[-1] == "1"
    res = await world.run(world.bob, "draft show", code="C11")
    assert "1 comment" in res.content and "2 comments" not in res.content
    res = await world.run(world.bob, "draft export", code="C11", format="markdown")
    assert "1 comment (withdrawn ones and 1 hidden by the secretariat left out)." in res.content
    markdown = (await export(world, "C11", "markdown")).decode()
    assert "watches" not in markdown and "We agree." in markdown
    assert "_1 comment hidden by the secretariat._" in markdown
    [parsed] = parse_draft_markdown(markdown)
    assert [c.text for c in parsed.sections[0].comments] == ["We agree."]
    body = docx_text(await export(world, "C11", "docx"))
    assert "watches" not in body and "1 comment hidden by the secretariat." in body

    # The author cannot edit it back into view; anyone else sees that it was hidden, not its text.
    res = await world.run(world.alice, "comments edit", id=spam, text="Something else")
    assert res.ephemeral and "hidden by the secretariat" in res.content
    res = await world.run(world.bob, "comments show", id=spam)
    assert res.ephemeral and "Hidden by the secretariat <t:" in res.content
    assert "watches" not in res.content and "Advertising" not in res.content
    res = await world.run(world.alice, "comments show", id=spam)
    assert "> Buy cheap watches at example.com" in res.content
    assert "Advertising, not a comment on the text" in res.content

    res = await world.run(world.bob, "comments restore", id=spam)
    assert res.ephemeral and "Only coordinators" in res.content
    res = await world.run(world.coordinator, "comments restore", id=spam)
    assert res.ephemeral and res.content.startswith(f"Restored **#{spam}** on C11 · Vision:")
    assert "Buy cheap watches" in message.content and "hidden" not in message.content
    res = await world.run(world.bob, "comments list", draft="C11")
    assert f"**#{spam}**" in res.content
    res = await world.run(world.coordinator, "comments restore", id=spam)
    assert res.ephemeral and f"#{spam} is not hidden" in res.content

    actions = [
        (r["action"], r["actor_id"])
        for r in await bot.db.fetch(
            "SELECT action, actor_id FROM audit WHERE target = $1 ORDER BY id", f"comment:{spam}"
        )
    ]
    assert actions == [
        ("comment.add", world.alice.id),
        ("comment.hide", world.coordinator.id),
        ("comment.restore", world.coordinator.id),
    ]


async def test_a_blocked_dm_is_logged_and_the_hide_still_succeeds(
    world: World, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    await prepare(world)
    res = await world.run(world.alice, "comment", draft="C11", section="vision", text="Spam")
    spam = comment_id(res)
    world.emu.block_dms(world.alice)
    with caplog.at_level(logging.WARNING):
        res = await world.run(world.coordinator, "comments hide", id=spam, reason="Spam")
    assert res.ephemeral and f"Hid **#{spam}**" in res.content
    assert "could not tell its author by DM" in res.content
    assert world.emu.dm_messages(world.alice) == []
    assert any("could not DM" in r.getMessage() for r in caplog.records)
    hidden = await bot.services.comments.get(world.guild.id, spam)
    assert hidden is not None and hidden.hidden_at is not None


async def test_the_public_message_follows_edits_and_withdrawal(world: World, bot: RunningBot) -> None:
    await prepare(world)
    res = await world.run(world.alice, "comment", draft="C11", section="vision", text="First words")
    cid = comment_id(res)
    message = await announced(bot, world, res)
    assert message.channel_id == world.channel.id

    res = await world.run(world.alice, "comments edit", id=cid, text="Second words @everyone")
    assert res.ephemeral
    assert "Second words @everyone" in message.content and "First words" not in message.content
    assert message.content.startswith(f"Recorded **#{cid}** on **C11 · Vision**")
    assert "edited <t:" in message.content
    assert (message.allowed_mentions or {}).get("parse") == []

    res = await world.run(world.alice, "comments withdraw", id=cid)
    assert res.ephemeral
    assert message.content == f"**#{cid}** on **C11 · Vision** was withdrawn by its author."

    # A message that is gone does not fail the command.
    res = await world.run(world.alice, "comment", draft="C11", section="vision", text="Other")
    other = comment_id(res)
    (await announced(bot, world, res)).deleted = True
    res = await world.run(world.alice, "comments edit", id=other, text="Changed")
    assert res.ephemeral and f"Edited **#{other}**" in res.content


async def test_a_deferred_comment_records_its_public_follow_up(
    world: World, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await prepare(world)
    monkeypatch.setattr(answering, "DEFER_AFTER", 0.0)  # every command defers at once
    res = await world.run(world.alice, "comment", draft="C11", section="vision", text="Slow one")
    assert res.deferred and res.original is None
    [posted] = res.followups
    cid = comment_id(res)
    assert await announced(bot, world, res) is posted
    await world.run(world.alice, "comments withdraw", id=cid)
    assert posted.content == f"**#{cid}** on **C11 · Vision** was withdrawn by its author."


async def test_show_gives_one_comment_whole_with_its_history_to_those_allowed(
    world: World, bot: RunningBot
) -> None:
    await prepare(world)
    long_text = "\n".join(f"Paragraph {i}: " + "words " * 60 for i in range(10))[:3900]
    res = await world.run(world.alice, "comment", draft="C11", section="vision", text=long_text, kind="amendment")
    cid = comment_id(res)
    await world.run(world.alice, "comments edit", id=cid, text=long_text.replace("words", "terms"))
    await world.run(world.alice, "comments edit", id=cid, text="Short at last")

    res = await world.run(world.bob, "comments show", id=cid)
    assert res.ephemeral
    content = res.content
    assert content.startswith(f"**#{cid}** · C11 · Vision · amendment · made on revision 1")
    assert "Created <t:" in content and "Edited <t:" in content
    assert "> Short at last" in content
    assert "Edit history" not in content and "terms" not in content

    for who in (world.alice, world.coordinator):
        res = await world.run(who, "comments show", id=cid)
        assert res.ephemeral and res.original is not None
        assert "**Edit history** (2 earlier texts)" in res.content
        # Long: paged, every page private and within Discord's limit; every text is there.
        pages = [res.original.content]
        while "Next" in str(res.original.components) and not button(res.original, "Next").get("disabled"):
            res = await world.emu.click(
                who, res.original, button(res.original, "Next")["custom_id"],
                guild=world.guild, channel=world.channel,
            )
            assert res.original is not None and res.original.ephemeral
            pages.append(res.original.content)
        assert len(pages) > 2 and all(len(p) <= 2000 for p in pages)
        whole = "\n".join(pages)
        assert "Paragraph 9: words" in whole and "Paragraph 9: terms" in whole

    await world.run(world.alice, "comments withdraw", id=cid)
    res = await world.run(world.bob, "comments show", id=cid)
    assert "Withdrawn by its author <t:" in res.content and "Short at last" not in res.content
    res = await world.run(world.alice, "comments show", id=cid)
    assert "> Short at last" in res.content

    res = await world.run(world.bob, "comments show", id=999)
    assert res.ephemeral and "There is no comment #999" in res.content


async def test_an_edit_made_before_the_message_is_remembered_still_reaches_it(
    world: World, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The author edits (here: just before the bot remembers its confirmation) while the bot
    is still answering: the confirmation is brought up to date all the same."""
    await prepare(world)
    service = bot.services.comments
    remember = service.record_message

    async def edited_first(posted: Any, channel_id: int, message_id: int) -> Any:
        await service.edit(world.guild.id, world.alice.id, posted.comment.id, "Quick fix")
        return await remember(posted, channel_id, message_id)

    monkeypatch.setattr(service, "record_message", edited_first)
    res = await world.run(world.alice, "comment", draft="C11", section="vision", text="Typo")
    message = await announced(bot, world, res)
    for _ in range(100):
        if "Quick fix" in message.content:
            break
        await asyncio.sleep(0.05)
    assert "> Quick fix" in message.content and "Typo" not in message.content
