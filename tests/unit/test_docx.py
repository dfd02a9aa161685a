"""Word in and out (SPEC section 9): both DOCX exports' pages, header, footer and properties; the
review export's Word comments and tracked changes; the DOCX reader (our own exports, Word
comments in the forms seed 002 uses, an accepted review export read back)."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import docx
import pytest
from docx.shared import Mm

from bot.domain.draftdoc import (
    ParsedDraft,
    accept_all_changes,
    parse_draft_docx,
    parse_draft_markdown,
    render_docx,
    render_docx_review,
    render_markdown,
    to_consolidated,
)
from bot.domain.models import CommentKind
from bot.errors import UserError

C11 = Path(__file__).resolve().parents[2] / "data" / "C11.md"
GEN = datetime(2014, 1, 24, 18, 0, tzinfo=UTC)
MADE = datetime(2014, 1, 20, 9, 30, tzinfo=UTC)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def c11() -> ParsedDraft:
    return parse_draft_markdown(C11.read_text(encoding="utf-8"))[0]


def _review(c11: ParsedDraft) -> bytes:
    return render_docx_review(to_consolidated(c11, generated_at=GEN, created_at=MADE))


def _consolidated(c11: ParsedDraft) -> bytes:
    return render_docx(to_consolidated(c11, generated_at=GEN, created_at=MADE))


def _xml(data: bytes, name: str) -> str:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return archive.read(name).decode("utf-8")


@pytest.mark.parametrize("kind", ["docx", "docx-review"])
def test_both_exports_are_a4_numbered_headed_and_ours(c11: ParsedDraft, kind: str) -> None:
    data = _consolidated(c11) if kind == "docx" else _review(c11)
    document = docx.Document(BytesIO(data))
    section = document.sections[0]
    assert section.page_width is not None and abs(section.page_width - Mm(210)) < Mm(1)
    assert section.page_height is not None and abs(section.page_height - Mm(297)) < Mm(1)
    header = " ".join(p.text for p in section.header.paragraphs)
    assert "C11" in header and "V1.2" in header
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and ("fldSimple" in footer_xml or "instrText" in footer_xml)
    props = document.core_properties
    assert props.title == "C11 International and regional cooperation"
    assert props.author == "Concord" and props.last_modified_by == "Concord"
    assert props.created == GEN.replace(tzinfo=None) or props.created == GEN
    assert "python-docx" not in _xml(data, "docProps/core.xml")
    styles = [p.style.name for p in document.paragraphs if p.style is not None]
    assert styles[0] == "Title" and "Heading 1" in styles and "Heading 2" in styles


def test_review_has_every_comment_as_a_word_comment(c11: ParsedDraft) -> None:
    data = _review(c11)
    document = docx.Document(BytesIO(data))
    comments = list(document.comments)
    assert len(comments) == 11 == sum(len(s.comments) for s in c11.sections)
    authors = {c.author for c in comments}
    assert {"Brazil, Government", "ICANN, Technical Community", "ISOC, Civil Society"} <= authors
    assert all(c.initials for c in comments)
    icann = next(c for c in comments if c.author.startswith("ICANN"))
    assert icann.text.startswith("ICANN, Technical Community (imported): Contribution by ICANN")
    body = _xml(data, "word/document.xml")
    assert body.count("<w:commentRangeStart") == 11 and body.count("<w:commentReference") == 11


def test_review_has_every_amendment_as_tracked_changes(c11: ParsedDraft) -> None:
    document = docx.Document(BytesIO(_review(c11)))
    body = document.element.body
    changes = body.findall(f".//{W}ins") + body.findall(f".//{W}del")
    authors = {c.get(f"{W}author") for c in changes}
    assert authors == {"Brazil, Government", "ISOC, Civil Society"}
    assert all(c.get(f"{W}id") and c.get(f"{W}date") for c in changes)
    ids = [c.get(f"{W}id") for c in changes]
    assert len(ids) == len(set(ids))
    assert body.findall(f".//{W}delText")
    assert any("privacy" in (t.text or "") for t in body.findall(f".//{W}ins//{W}t"))


def test_accepted_review_reads_as_the_amended_text_without_our_comments(c11: ParsedDraft) -> None:
    accepted = parse_draft_docx(accept_all_changes(_review(c11)))
    assert len(accepted) == 1
    draft = accepted[0]
    assert draft.code == "C11" and draft.version == "V1.2" and draft.title == c11.title
    by_key = {s.key: s for s in draft.sections}
    assert list(by_key) == [s.key for s in c11.sections]
    for section in c11.sections:
        amendments = [c for c in section.comments if c.kind is CommentKind.AMENDMENT]
        expected = amendments[0].text if amendments else section.text
        assert by_key[section.key].text == expected, section.key
        assert by_key[section.key].comments == []  # ours: recognised, not read again
    assert draft.notes == c11.notes


def test_review_with_changes_undecided_reads_as_the_current_text(c11: ParsedDraft) -> None:
    draft = parse_draft_docx(_review(c11))[0]
    assert [(s.key, s.text) for s in draft.sections] == [(s.key, s.text) for s in c11.sections]
    assert all(s.comments == [] for s in draft.sections) and draft.notes == c11.notes


def test_consolidated_docx_reads_back_as_the_draft(c11: ParsedDraft) -> None:
    draft = parse_draft_docx(_consolidated(c11))[0]
    assert (draft.code, draft.title, draft.version, draft.notes) == (
        c11.code, c11.title, c11.version, c11.notes
    )
    assert [(s.key, s.text) for s in draft.sections] == [(s.key, s.text) for s in c11.sections]
    got = [(c.organization, c.group, c.kind, c.text, c.source_key) for s in draft.sections for c in s.comments]
    want = [(c.organization, c.group, c.kind, c.text, c.source_key) for s in c11.sections for c in s.comments]
    assert sorted(got) == sorted(want)  # the export groups them by stakeholder group


def _word_document() -> bytes:
    """A document as a secretariat writes it in Word, with margin comments in seed 002's forms."""
    document = docx.Document()
    document.add_heading("\u042111 International and regional cooperation", level=0)  # Cyrillic С
    document.add_paragraph("Version V1.2")
    document.add_heading("Vision", level=1)
    vision = document.add_paragraph("Cooperation among all stakeholders is vital.")
    document.add_heading("Pillars", level=1)
    document.add_heading("a)", level=2)
    pillar = document.add_paragraph("Harness ICTs for development.")
    document.add_comment(vision.runs, "ISOC, Civil Society: Add the word open.", "Jane", "J")
    document.add_comment(vision.runs, "Contribution by ICANN", "Author", "A")
    document.add_comment(pillar.runs, "Egypt: Internet is part of the ICTs", "Author", "A")
    document.add_comment(pillar.runs, "Check with the chair before Friday.", "Secretariat", "S")
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_word_comments_in_the_seed_forms() -> None:
    draft = parse_draft_docx(_word_document())[0]
    assert draft.code == "C11" and draft.version == "V1.2"
    by_key = {s.key: s for s in draft.sections}
    assert by_key["vision"].text == "Cooperation among all stakeholders is vital."
    assert by_key["pillar-a"].text == "Harness ICTs for development."
    vision = [(c.organization, c.group, c.text) for c in by_key["vision"].comments]
    assert vision == [
        ("ISOC", "Civil Society", "Add the word open."),
        ("ICANN", "Unknown", "Contribution by ICANN"),
    ]
    pillar = [(c.organization, c.group, c.text) for c in by_key["pillar-a"].comments]
    assert pillar == [("Egypt", "Unknown", "Internet is part of the ICTs")]
    assert all(c.source_key.startswith(k + ":") for k, s in by_key.items() for c in s.comments)
    assert draft.notes == ["Word comment by Secretariat on a): Check with the chair before Friday."]


def test_not_a_word_document() -> None:
    with pytest.raises(UserError, match="Word"):
        parse_draft_docx(b"# C11 Title\n")


def _revised(c11: ParsedDraft) -> tuple[bytes, bytes]:
    """C11 with the vision at revision 2 and its comments made on revision 1."""
    doc = to_consolidated(c11, generated_at=GEN, created_at=MADE)
    doc.sections[0].revision = 2
    for comment in doc.sections[0].comments:
        comment.revision = 1
    return render_docx(doc), render_docx_review(doc)


def test_comments_on_an_earlier_revision_say_so_in_both_exports(c11: ParsedDraft) -> None:
    plain, review = _revised(c11)
    document = docx.Document(BytesIO(plain))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style is not None]
    assert ("Heading 3", "Comments on revision 1 (the text has changed since)") in headings
    assert ("Heading 4", "Technical Community (1)") in headings
    back = parse_draft_docx(plain)[0]
    assert len(back.sections[0].comments) == len(c11.sections[0].comments)
    icann = next(c for c in docx.Document(BytesIO(review)).comments if c.author.startswith("ICANN"))
    assert "On revision 1; the text has changed since." in icann.text


def test_an_unknown_group_survives_the_markdown_round_trip() -> None:
    """A comment of seed 002's forms ("Contribution by ICANN") has the group "Unknown"; the
    Markdown export of its draft imports back (the group is kept, not refused)."""
    draft = parse_draft_docx(_word_document())[0]
    markdown = render_markdown(to_consolidated(draft, generated_at=GEN))
    back = parse_draft_markdown(markdown)[0]
    groups = [(c.organization, c.group) for s in back.sections for c in s.comments]
    assert ("ICANN", "Unknown") in groups and ("Egypt", "Unknown") in groups
