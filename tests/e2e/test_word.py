"""Word round trip checked by a real word processor (SPEC section 9): LibreOffice reads both DOCX
exports of the sample C11 and finds every comment (an annotation, with its author) and every
tracked change of the review export; a review export whose changes were all accepted imports
back as the next revision of the changed sections, and nothing else changes.

Without `soffice` the LibreOffice test is skipped, unless CONCORD_REQUIRE_SOFFICE is set (as in
`.ci/run`, which installs libreoffice-writer-nogui), where a skip would hide a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest

from bot.domain.draftdoc import (
    accept_all_changes,
    parse_draft_docx,
    parse_draft_markdown,
    render_docx,
    render_docx_review,
    to_consolidated,
)
from bot.domain.models import CommentKind
from bot.harness import RunningBot, World
from bot.services import Services

DATA = Path(__file__).resolve().parents[2] / "data" / "C11.md"
GEN = datetime(2014, 1, 24, 18, 0, tzinfo=UTC)
GUILD = 4343
ACTOR = 77
NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def _soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CONCORD_REQUIRE_SOFFICE"):
            pytest.fail("soffice is missing and CONCORD_REQUIRE_SOFFICE is set")
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    return found


def _to_fodt(soffice: str, source: Path, out: Path) -> ElementTree.Element:
    profile = f"file:///tmp/lo-profile-{os.getpid()}"
    subprocess.run(
        [
            soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
            "--convert-to", "fodt", "--outdir", str(out), str(source),
        ],
        check=True, capture_output=True, timeout=180,
    )
    return ElementTree.parse(out / (source.stem + ".fodt")).getroot()


@pytest.mark.slow
def test_libreoffice_sees_every_comment_and_tracked_change(tmp_path: Path) -> None:
    soffice = _soffice()
    c11 = parse_draft_markdown(DATA.read_text(encoding="utf-8"))[0]
    doc = to_consolidated(c11, generated_at=GEN)
    comments = [c for s in doc.sections for c in s.comments]
    amendments = [c for c in comments if c.kind is CommentKind.AMENDMENT]
    assert len(comments) == 11 and len(amendments) == 5
    (tmp_path / "C11.docx").write_bytes(render_docx(doc))
    (tmp_path / "C11-review.docx").write_bytes(render_docx_review(doc))

    plain = _to_fodt(soffice, tmp_path / "C11.docx", tmp_path)
    assert plain.findall(".//office:annotation", NS) == []
    assert plain.findall(".//text:changed-region", NS) == []
    assert "Contribution by ICANN" in "".join(plain.itertext())

    review = _to_fodt(soffice, tmp_path / "C11-review.docx", tmp_path)
    annotations = review.findall(".//office:annotation", NS)
    authors = sorted(a.findtext("dc:creator", namespaces=NS) or "" for a in annotations)
    assert authors == sorted(f"{c.organization}, {c.group}" for c in comments)
    regions = review.findall(".//text:changed-region", NS)
    insertions = [r for r in regions if r.find("text:insertion", NS) is not None]
    deletions = [r for r in regions if r.find("text:deletion", NS) is not None]
    assert insertions and deletions
    change_authors = {
        r.findtext(".//office:change-info/dc:creator", namespaces=NS) for r in regions
    }
    assert change_authors == {f"{c.organization}, {c.group}" for c in amendments}
    texts = " ".join("".join(a.itertext()) for a in annotations)
    assert "Contribution by ICANN" in texts and "Concord comment #" in texts


@pytest.mark.slow
def test_review_saved_by_libreoffice_reads_back(tmp_path: Path) -> None:
    """A review export opened and saved by LibreOffice (its own DOCX writer) reads back: with
    the changes undecided as the current text, accepted as the amended text; our comments are
    recognised either way (none is read as new)."""
    soffice = _soffice()
    c11 = parse_draft_markdown(DATA.read_text(encoding="utf-8"))[0]
    review = render_docx_review(to_consolidated(c11, generated_at=GEN))
    (tmp_path / "undecided.docx").write_bytes(review)
    (tmp_path / "accepted.docx").write_bytes(accept_all_changes(review))
    saved = tmp_path / "saved"
    for name in ("undecided.docx", "accepted.docx"):
        profile = f"file:///tmp/lo-profile-{os.getpid()}"
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
             "--convert-to", "docx", "--outdir", str(saved), str(tmp_path / name)],
            check=True, capture_output=True, timeout=180,
        )
    undecided = parse_draft_docx((saved / "undecided.docx").read_bytes())[0]
    accepted = parse_draft_docx((saved / "accepted.docx").read_bytes())[0]
    for read in (undecided, accepted):
        assert (read.code, read.title, read.version, read.notes) == (
            c11.code, c11.title, c11.version, c11.notes
        )
        assert all(s.comments == [] for s in read.sections)
    assert [s.text for s in undecided.sections] == [s.text for s in c11.sections]
    for before, after in zip(c11.sections, accepted.sections, strict=True):
        amendment = next((c.text for c in before.comments if c.kind is CommentKind.AMENDMENT), None)
        assert after.text == (amendment or before.text), before.key


async def test_accepted_review_imports_as_the_next_revision(services: Services) -> None:
    drafts = services.drafts
    await drafts.import_markdown(GUILD, ACTOR, DATA.read_bytes())
    before = await drafts.consolidated(GUILD, "C11")
    draft_before = await drafts.require(GUILD, "C11")
    accepted = accept_all_changes(render_docx_review(before))

    [counts] = await drafts.import_markdown(GUILD, ACTOR, accepted, filename="C11-review.docx")

    amended = {
        s.key: next(c.text for c in s.comments if c.kind is CommentKind.AMENDMENT)
        for s in before.sections
        if any(c.kind is CommentKind.AMENDMENT for c in s.comments)
    }
    assert sorted(amended) == ["pillar-a", "pillar-b", "pillar-d", "pillar-e", "vision"]
    assert (counts.sections_new, counts.sections_revised) == (0, len(amended))
    assert counts.sections_unchanged == len(before.sections) - len(amended)
    assert (counts.comments_added, counts.comments_known) == (0, 0)
    after = await drafts.consolidated(GUILD, "C11")
    draft_after = await drafts.require(GUILD, "C11")
    assert (draft_after.title, draft_after.version) == (draft_before.title, draft_before.version)
    assert after.notes == before.notes
    for old, new in zip(before.sections, after.sections, strict=True):
        assert old.key == new.key
        if old.key in amended:
            assert (new.text, new.revision) == (amended[old.key], old.revision + 1)
        else:
            assert (new.text, new.revision) == (old.text, old.revision)
        assert [c.id for c in new.comments] == [c.id for c in old.comments]

    # The same file again changes nothing.
    [again] = await drafts.import_markdown(GUILD, ACTOR, accepted, filename="C11-review.docx")
    assert (again.sections_revised, again.comments_added) == (0, 0)


@pytest.mark.e2e
async def test_the_word_round_trip_in_discord(world: World, bot: RunningBot) -> None:
    """The secretariat's round trip as it happens in Discord: import C11.md, export
    docx-review, accept every change in Word, import the .docx: the five amended sections get a
    new revision, nothing else changes; a seed-002 style Word file's comments come in too."""
    res = await world.run(world.coordinator, "draft import", attachments={"file": ("C11.md", DATA.read_bytes())})
    assert "11 comments added" in res.content
    res = await world.run(world.bob, "draft export", code="C11", format="docx-review")
    assert res.answer is not None
    [(name, blob)] = res.answer.attachments
    assert name == "C11-V1.2-review.docx"
    accepted = accept_all_changes(blob)
    res = await world.run(world.coordinator, "draft import", attachments={"file": (name, accepted)})
    assert res.ephemeral and f"Imported {name}:" in res.content
    assert "7 sections (0 new, 5 revised, 2 unchanged), 0 comments added" in res.content
    res = await world.run(world.coordinator, "draft import", attachments={"file": ("notes.pdf", b"%PDF")})
    assert res.ephemeral and ".docx" in res.content
    outline = await bot.services.drafts.outline(world.guild.id, "C11")
    assert sorted(s.key for s in outline.sections if s.revision == 2) == [
        "pillar-a", "pillar-b", "pillar-d", "pillar-e", "vision"
    ]
    assert sum(outline.comments.values()) == 11
