"""Drafts and comments end to end through the emulator: the whole journey, the seed imported
and exported with every comment attributed, the DOCX, the limits and the refusals."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import aiohttp
import docx
import pytest

from bot.domain.clock import FakeClock
from bot.domain.draftdoc import parse_draft_markdown
from bot.domain.sections import section_label
from bot.emulator import InteractionResult
from bot.harness import RunningBot, World
from tests.e2e.test_paging import button

pytestmark = pytest.mark.e2e

C11_TITLE = "International and regional cooperation"


def _no_pings(res: InteractionResult) -> None:
    assert res.original is not None
    mentions = res.original.allowed_mentions or {}
    assert mentions.get("parse") == [] and not mentions.get("users") and not mentions.get("roles")


def _headings(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs if p.style and p.style.name.startswith("Heading")]


def _fits(res: InteractionResult) -> None:
    for message in res.messages:
        assert len(message.content) <= 2000, len(message.content)


async def test_the_whole_journey(world: World, bot: RunningBot, clock: FakeClock) -> None:
    coord, alice, bob = world.coordinator, world.alice, world.bob

    # A coordinator creates the draft and its sections; others are refused.
    res = await world.run(coord, "draft create", code="c11", title=C11_TITLE, version="V1.2")
    assert "Created **C11**" in res.content and "V1.2" in res.content
    res = await world.run(alice, "draft create", code="C12", title="Other")
    assert res.ephemeral and "Only coordinators" in res.content
    res = await world.run(coord, "draft section", code="C11", section="Pillar B", text="First text")
    assert "Added **C11 · Pillar b)** (revision 1)" in res.content
    res = await world.run(coord, "draft section", code="c11", section="pillars-b", text="Further develop ICT indicators")
    assert "revision 2" in res.content
    for key in ("vision", "pillar a", "target a"):
        await world.run(coord, "draft section", code="C11", section=key, text=f"The text of {key}")
    res = await world.run(alice, "draft section", code="C11", section="vision", text="Mine")
    assert res.ephemeral and "Only coordinators" in res.content

    # Autocomplete of codes and sections.
    choices = await world.complete(alice, "comment", "draft", draft="c")
    assert [c["value"] for c in choices] == ["C11"]
    choices = await world.complete(alice, "comment", "section", draft="C11", section="pil")
    assert [c["value"] for c in choices] == ["pillar-a", "pillar-b"]
    choices = await world.complete(coord, "draft section", "section", code="C11", section="pillar c")
    assert choices[0]["value"] == "pillar-c" and "(new)" in choices[0]["name"]

    # Show: the outline and a section.
    res = await world.run(bob, "draft show", code="C11")
    assert "`pillar-b` Pillar b) · rev 2 · 0 comments" in res.content
    assert res.content.index("`vision`") < res.content.index("`pillar-a`") < res.content.index("`target-a`")
    res = await world.run(bob, "draft show", code="C11", section="pillar b")
    assert "**C11 · Pillar b)** — revision 2 · 0 comments" in res.content
    assert "Further develop ICT indicators" in res.content
    res = await world.run(bob, "draft list")
    assert "**C11** International" in res.content and "4 sections" in res.content

    # The window: a single date is refused; a range is set (in the calendar too).
    res = await world.run(coord, "draft window", code="C11", when="24 January 2014")
    assert res.ephemeral and "needs a range" in res.content
    res = await world.run(coord, "draft window", code="C11", when="19 December 2013 - 24 January 2014")
    assert "comment window for **C11**" in res.content and "<t:" in res.content
    draft = await bot.services.drafts.require(world.guild.id, "C11")
    assert draft.window_opens is not None and draft.window_event_id is not None
    event_kind = await bot.db.fetchval("SELECT kind FROM events WHERE draft_id = $1", draft.id)
    assert event_kind == "window"

    # Unregistered members are told how to register; before the window opens, when it opens.
    res = await world.run(alice, "comment", draft="C11", section="pillar-b", text="Hello")
    assert res.ephemeral and "/stakeholder register" in res.content
    await world.run(alice, "stakeholder register", organization="ISOC", group="Civil Society")
    await world.run(bob, "stakeholder register", organization="Brazil", group="Government")
    res = await world.run(alice, "comment", draft="C11", section="pillar-b", text="Hello")
    assert res.ephemeral and "The comment window for C11 opens <t:" in res.content and ":R>)." in res.content

    clock.advance(days=50)  # 21 December 2013: open
    res = await world.run(
        alice, "comment", draft="c11", section="Pillar B",
        text="Further develop international ICT indicators respectful of privacy", kind="amendment",
    )
    assert not res.ephemeral
    first = int(res.content.split("**#")[1].split("**")[0])
    assert f"**#{first}** on **C11 · Pillar b)**" in res.content
    assert "**ISOC, Civil Society (unverified)** · amendment" in res.content
    assert "> Further develop international ICT indicators" in res.content
    res = await world.run(bob, "comment", draft="C11", section="vision", text="We agree")
    assert "**Brazil, Government (unverified)** · comment" in res.content
    res = await world.run(bob, "comment", draft="C11", section="pillar z", text="?")
    assert res.ephemeral and "its sections are vision, pillar-a, pillar-b, target-a" in res.content
    res = await world.run(bob, "comment", draft="C99", section="vision", text="?")
    assert res.ephemeral and "drafts here: C11" in res.content
    res = await world.run(bob, "comment", draft="C11", section="vision", text="x" * 4001)
    assert res.ephemeral and "4,001 characters; the limit is 4,000" in res.content
    res = await world.run(bob, "comment", draft="C11", section="vision", text="   ")
    assert res.ephemeral and "empty" in res.content

    # Only the author edits or withdraws.
    res = await world.run(bob, "comments edit", id=first, text="Hijacked")
    assert res.ephemeral and f"Only the author of #{first}" in res.content
    res = await world.run(bob, "comments withdraw", id=first)
    assert res.ephemeral and "Only the author" in res.content
    res = await world.run(alice, "comments edit", id=first, text="Respectful of privacy standards")
    assert res.ephemeral and f"Edited **#{first}**" in res.content
    res = await world.run(alice, "comment", draft="C11", section="target a", text="Deleted 3", kind="deletion")
    gone = int(res.content.split("**#")[1].split("**")[0])
    res = await world.run(alice, "comments withdraw", id=gone)
    assert f"Withdrew **#{gone}**" in res.content
    res = await world.run(alice, "comments edit", id=gone, text="Back")
    assert res.ephemeral and "withdrawn" in res.content

    # A list long enough to page.
    for i in range(30):
        await bot.services.comments.add(world.guild.id, bob.id, "C11", "pillar-a", f"Point {i} " + "words " * 20)
    res = await world.run(world.carol, "comments list", draft="C11")
    _fits(res)
    assert res.original is not None and str(button(res.original, "Next")["custom_id"]).startswith("pg:comments:1:")
    assert "**Comments on C11** (32)" in res.content and "Page 1/" in res.content
    assert "· Pillar a) · Brazil, Government (unverified) · comment · <t:" in res.content
    turned = await world.emu.click(world.carol, res.original, button(res.original, "Next")["custom_id"], guild=world.guild, channel=world.channel)
    assert turned.original is not None and "Page 2/" in turned.original.content
    res = await world.run(world.carol, "comments list", draft="C11", section="pillar b", group="Civil Society")
    assert f"**#{first}** · Pillar b) · ISOC, Civil Society (unverified) · amendment" in res.content
    assert "(edited" not in res.content and "edited" in res.content and "Point" not in res.content
    res = await world.run(world.carol, "comments list", group="Government")
    assert "C11 Vision" in res.content or "C11 Pillar a)" in res.content

    # Coverage: a monospace table with every section, gaps marked and listed.
    res = await world.run(world.carol, "coverage", draft="C11")
    _fits(res)
    assert "```" in res.content and "Gov Priv   CS   IO Tech" in res.content
    assert "Gov = Government" in res.content and "**Gaps**" in res.content
    assert "- Target a): Gov, Priv, CS, IO, Tech" in res.content
    vision_row = next(line for line in res.content.splitlines() if line.startswith("Vision"))
    assert vision_row.split() == ["Vision", "1", "-", "-", "-", "-", "1"]

    # The consolidated text, as Markdown and as DOCX.
    res = await world.run(world.carol, "draft export", code="C11", format="markdown")
    assert res.answer is not None and res.deferred and not res.answer.ephemeral
    [(name, data)] = res.answer.attachments
    assert name == "C11-V1.2.md"
    text = data.decode()
    assert "· ISOC, Civil Society (unverified) [amendment]: Respectful of privacy standards" in text
    assert "Deleted 3" not in text and "Hijacked" not in text
    res = await world.run(world.carol, "draft export", code="C11", format="docx")
    assert res.answer is not None
    [(name, data)] = res.answer.attachments
    assert name == "C11-V1.2.docx"
    headings = _headings(docx.Document(io.BytesIO(data)))
    # Parts, then items by their labels as written (headings by depth: part, item, group).
    for label in ("Vision", "Pillars", "a)", "b)", "Targets"):
        assert label in headings

    # After the window: closed, with its time.
    clock.advance(days=40)
    res = await world.run(alice, "comment", draft="C11", section="vision", text="Late")
    assert res.ephemeral and "The comment window for C11 closed <t:" in res.content
    res = await world.run(alice, "comments edit", id=first, text="Late edit")
    assert res.ephemeral and "closed" in res.content


async def test_comments_never_ping_and_stay_within_limits(world: World, bot: RunningBot) -> None:
    await world.run(world.coordinator, "draft create", code="C11", title=C11_TITLE)
    await world.run(world.coordinator, "draft section", code="C11", section="vision", text="@everyone look")
    await world.run(world.alice, "stakeholder register", organization="ISOC", group="Civil Society")
    res = await world.run(
        world.alice, "comment", draft="C11", section="vision",
        text=f"@everyone @here <@{world.bob.id}> <@&{world.coordinator_role.id}> please read",
    )
    assert "@everyone" in res.content and f"<@{world.bob.id}>" in res.content
    _no_pings(res)
    res = await world.run(world.bob, "comments list")
    _no_pings(res)
    res = await world.run(world.bob, "draft show", code="C11", section="vision")
    _no_pings(res)

    long_text = "\n".join(f"Paragraph {i}: " + "lorem ipsum " * 30 for i in range(11))[:3990]
    res = await world.run(world.alice, "comment", draft="C11", section="vision", text=long_text)
    _fits(res)
    assert "Shortened for Discord; all 3,990 characters were recorded" in res.content
    listed = (await bot.services.comments.listing(world.guild.id, "C11")).comments[0]
    stored = await bot.services.comments.get(world.guild.id, listed.id)
    assert stored is not None and stored.text == long_text


async def test_import_and_export_reproduce_every_seed_comment(
    world: World, bot: RunningBot, repo_root: Path
) -> None:
    data = (repo_root / "data" / "C11.md").read_bytes()
    res = await world.run(world.alice, "draft import", attachments={"file": ("C11.md", data)})
    assert res.ephemeral and "Only coordinators" in res.content
    res = await world.run(world.coordinator, "draft import", attachments={"file": ("notes.pdf", b"%PDF")})
    assert res.ephemeral and "not a Markdown file" in res.content

    res = await world.run(world.coordinator, "draft import", attachments={"file": ("C11.md", data)})
    assert res.deferred and res.ephemeral
    assert "**C11** (created): 7 sections (7 new, 0 revised, 0 unchanged), 11 comments added" in res.content
    res = await world.run(world.coordinator, "draft import", attachments={"file": ("C11.md", data)})
    assert "**C11** (unchanged): 7 sections (0 new, 0 revised, 7 unchanged), 0 comments added, 11 already there" in res.content

    res = await world.run(world.bob, "draft export", code="c11")
    assert res.answer is not None
    [(name, exported)] = res.answer.attachments
    assert name == "C11-V1.2.md"
    [seed] = parse_draft_markdown(data.decode())
    [back] = parse_draft_markdown(exported.decode())
    assert (back.code, back.title, back.version) == ("C11", C11_TITLE, "V1.2")
    exported_sections = {s.key: s for s in back.sections}
    for section in seed.sections:
        assert exported_sections[section.key].text == section.text
        got = [(c.organization, c.group, c.kind, c.text) for c in exported_sections[section.key].comments]
        for comment in section.comments:
            assert (comment.organization, comment.group, comment.kind, comment.text) in got, (
                section.key, comment.organization
            )
            assert f"· {comment.organization}, {comment.group}" in exported.decode()
    assert sum(len(s.comments) for s in back.sections) == 11

    res = await world.run(world.bob, "draft export", code="C11", format="docx")
    assert res.answer is not None
    [(name, blob)] = res.answer.attachments
    document = docx.Document(io.BytesIO(blob))
    headings = _headings(document)
    for section in seed.sections:
        assert (section.label or section_label(section.key)) in headings
    body = "\n".join(p.text for p in document.paragraphs)
    for section in seed.sections:
        for comment in section.comments:
            assert f"{comment.organization}, {comment.group} (imported) ({comment.kind.value}" in body

    res = await world.run(world.bob, "draft export", code="C11", format="docx-review")
    assert res.answer is not None
    [(name, blob)] = res.answer.attachments
    assert name.endswith("-review.docx")
    review = docx.Document(io.BytesIO(blob))
    assert len(list(review.comments)) == 11

    res = await world.run(world.bob, "coverage", draft="C11")
    assert "Gaps" in res.content and "- Pillar c): Gov, Priv, CS, IO, Tech" in res.content


async def test_docx_export_of_text_pasted_from_a_pdf(world: World, bot: RunningBot) -> None:
    """Rows stored before input was cleaned hold control characters; the DOCX still exports."""
    await world.run(world.coordinator, "draft create", code="C11", title=C11_TITLE)
    await world.run(world.coordinator, "draft section", code="C11", section="vision", text="Clean")
    await bot.db.execute(
        "UPDATE sections SET body = $1", "Page one ends\x0cPage two\x01 starts\x0bhere"
    )
    await bot.db.execute("UPDATE drafts SET title = $1", "Inter\x02national cooperation")
    res = await world.run(world.bob, "draft export", code="C11", format="docx")
    assert res.answer is not None, res.content
    [(name, blob)] = res.answer.attachments
    assert name == "C11.docx"
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(blob)).paragraphs)
    assert "International cooperation" in body
    assert "Page one ends\nPage two starts\nhere" in body


async def test_an_import_with_a_bad_second_draft_stores_nothing(world: World, bot: RunningBot) -> None:
    md = (
        "# C1 First draft\n## Vision\nThe first vision.\n\n"
        f"# C{'2' * 30} Second draft\n## Vision\nThe second vision.\n"
    )
    res = await world.run(world.coordinator, "draft import", attachments={"file": ("two.md", md.encode())})
    assert res.ephemeral and "is not a draft code" in res.content
    assert "Imported" not in res.content
    res = await world.run(world.bob, "draft list")
    assert "No drafts yet" in res.content
    assert await bot.services.drafts.codes(world.guild.id) == []


async def test_a_mistyped_code_among_120_drafts_gets_a_short_answer(
    world: World, bot: RunningBot
) -> None:
    for n in range(1, 121):
        await bot.services.drafts.create(world.guild.id, world.coordinator.id, f"WSIS10-MPP/C{n:03d}/V2", f"Draft {n}", None)
    res = await world.run(world.bob, "draft show", code="wsis10-mpp/c1o5/v2", timeout=5)
    _fits(res)
    assert res.ephemeral and "There is no draft WSIS10-MPP/C1O5/V2" in res.content
    assert "WSIS10-MPP/C105/V2" in res.content and "`/draft list`" in res.content
    assert len(res.content) < 300
    res = await world.run(world.bob, "draft export", code="XYZ", timeout=5)
    _fits(res)
    assert res.ephemeral and "There is no draft XYZ" in res.content and "`/draft list`" in res.content
    res = await world.run(world.bob, "draft list")
    _fits(res)
    assert "**Drafts** (120)" in res.content


class _CountingAttachments(dict[int, Any]):
    """The emulator's attachment store, counting downloads (each GET looks its attachment up)."""

    downloads = 0

    def __getitem__(self, key: int) -> Any:
        self.downloads += 1
        return super().__getitem__(key)


def _declare_sizes(world: World, monkeypatch: pytest.MonkeyPatch, sizes: dict[str, int]) -> _CountingAttachments:
    """Make the emulator declare `sizes` (by file name) whatever the content; count downloads."""
    emu = world.emu
    original = emu._attachment_json

    def declared(attachment: Any) -> dict[str, Any]:
        data = original(attachment)
        if attachment.filename in sizes:
            data["size"] = sizes[attachment.filename]
        return data

    store = _CountingAttachments(emu._attachments)
    monkeypatch.setattr(emu, "_attachment_json", declared)
    monkeypatch.setattr(emu, "_attachments", store)
    return store


async def test_an_import_declared_too_big_is_refused_before_downloading(
    world: World, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _declare_sizes(world, monkeypatch, {"huge.md": 157 * 1024 * 1024})
    res = await world.run(
        world.coordinator, "draft import", attachments={"file": ("huge.md", b"# C1 Small\n")}
    )
    assert res.ephemeral and not res.deferred
    assert res.content == (
        "That file is 164,626,432 bytes; an import takes at most 2,000,000 bytes"
        " (split it into several .md files)."
    )
    assert store.downloads == 0
    assert await bot.services.drafts.codes(world.guild.id) == []


async def test_an_import_bigger_than_declared_stops_reading_at_the_limit(
    world: World, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The declared size can lie: the bot reads no further than the limit instead of 40 MB."""
    content = b"# C1 Big\n## Vision\n" + b"word " * (8 * 1024 * 1024)  # 40 MB
    store = _declare_sizes(world, monkeypatch, {"big.md": 1000})
    received = 0
    feed = aiohttp.StreamReader.feed_data

    def counting(self: aiohttp.StreamReader, data: bytes, *args: Any) -> None:
        nonlocal received
        received += len(data)
        feed(self, data, *args)

    monkeypatch.setattr(aiohttp.StreamReader, "feed_data", counting)
    res = await world.run(
        world.coordinator, "draft import", attachments={"file": ("big.md", content)}, timeout=30
    )
    assert received < 4 * 1024 * 1024, f"{received:,} bytes read of a 40 MB file"
    assert res.ephemeral
    assert res.content == (
        "That file is 41,943,059 bytes; an import takes at most 2,000,000 bytes"
        " (split it into several .md files)."
    )
    assert store.downloads == 1
    assert await bot.services.drafts.codes(world.guild.id) == []
