"""The review export: `render_docx_review` writes each section's current text with every live
comment as a Word comment anchored on it, and every amendment as tracked changes, all authored
"Organization, Group", so a secretariat accepts or rejects each one in Word's or LibreOffice's
Review pane; `accept_all_changes` does what "Accept All" does, for tests and scripts.

A section's first amendment is a word diff of its text (deletions and insertions in place); Word
cannot show two rewrites of one text at once, so any further amendment is a tracked insertion of
its whole text after the section's (the secretariat rejects all but the one it takes). Each Word
comment ends with the line "Concord comment #12, 2014-01-20": that marks it as ours, so an
accepted review export imports back without repeating its comments. Pure; python-docx is
imported on the first call, and callers on the event loop run this in a thread."""

from __future__ import annotations

import difflib
import io
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.domain.draftdoc.docx_writer import (
    add_text,
    clean_draft,
    new_document,
    save,
    write_parts,
)
from bot.domain.draftdoc.layout import attribution_text, date_note
from bot.domain.draftdoc.models import ConsolidatedComment, ConsolidatedDraft, ConsolidatedSection
from bot.domain.draftdoc.syntax import normalize_text
from bot.domain.models import CommentKind

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.text.paragraph import Paragraph

#: The last line of every Word comment the review export writes.
OUR_MARK = re.compile(r"^Concord comment #\d+\b")
_TOKENS = re.compile(r"\n\n|\n|[^\S\n]+|[^\s]+")
_PARAGRAPH, _LINE = "\n\n", "\n"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def comment_author(comment: ConsolidatedComment) -> str:
    """ "ISOC, Civil Society": who a Word comment or tracked change is by."""
    return f"{' '.join(comment.organization.split())}, {comment.group}"


def author_initials(author: str) -> str:
    """ "ISOC, Civil Society" -> "ICS": the first letter of each word, at most six."""
    return "".join(word[0] for word in re.findall(r"\w+", author))[:6].upper() or "?"


def _w_date(moment: datetime) -> str:
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Changes:
    """Builds w:ins and w:del elements with ids unique in the document."""

    def __init__(self) -> None:
        self.next_id = 1

    def mark(self, tag: str, comment: ConsolidatedComment) -> BaseOxmlElement:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        element = OxmlElement(tag)
        element.set(qn("w:id"), str(self.next_id))
        element.set(qn("w:author"), comment_author(comment))
        element.set(qn("w:date"), _w_date(comment.created_at))
        self.next_id += 1
        return element

    def wrap(self, tag: str, tokens: list[str], comment: ConsolidatedComment) -> BaseOxmlElement:
        """A w:ins or w:del holding the tokens (no paragraph breaks) as runs."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        element = self.mark(tag, comment)
        text_tag = "w:delText" if tag == "w:del" else "w:t"
        run = OxmlElement("w:r")
        for token in tokens:
            if token == _LINE:
                run.append(OxmlElement("w:br"))
                continue
            text = OxmlElement(text_tag)
            text.set(qn("xml:space"), "preserve")
            text.text = token
            run.append(text)
        element.append(run)
        return element

    def mark_paragraph(self, paragraph: Paragraph, tag: str, comment: ConsolidatedComment) -> None:
        """Mark the paragraph's own mark (its end) as inserted or deleted."""
        _paragraph_mark(paragraph._p).append(self.mark(tag, comment))


def _paragraph_mark(p: BaseOxmlElement) -> BaseOxmlElement:
    """The w:pPr/w:rPr of a w:p: the properties of its paragraph mark, made if missing."""
    from docx.oxml import OxmlElement

    p_pr = p.get_or_add_pPr()  # type: ignore[attr-defined]
    r_pr = p_pr.find(f"{_W}rPr")
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        p_pr.append(r_pr)
    return r_pr


def _plain(paragraph: Paragraph, tokens: list[str]) -> None:
    if tokens:
        add_text_run(paragraph, "".join(tokens))


def add_text_run(paragraph: Paragraph, text: str) -> None:
    lines = text.split(_LINE)
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        if index < len(lines) - 1:
            run.add_break()


def _write_diff(
    document: DocxDocument,
    current: str,
    amendment: ConsolidatedComment,
    changes: _Changes,
) -> list[Paragraph]:
    """The current text with the amendment as tracked changes; the paragraphs written."""
    old = _TOKENS.findall(current)
    new = _TOKENS.findall(normalize_text(amendment.text))
    paragraphs = [document.add_paragraph()]

    def tracked(tag: str, tokens: list[str]) -> None:
        chunk: list[str] = []
        for token in [*tokens, None]:
            if token is not None and token != _PARAGRAPH:
                chunk.append(token)
                continue
            if chunk:
                paragraphs[-1]._p.append(changes.wrap(tag, chunk, amendment))
                chunk = []
            if token == _PARAGRAPH:
                changes.mark_paragraph(paragraphs[-1], tag, amendment)
                paragraphs.append(document.add_paragraph())

    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            run: list[str] = []
            for token in old[i1:i2]:
                if token == _PARAGRAPH:
                    _plain(paragraphs[-1], run)
                    run = []
                    paragraphs.append(document.add_paragraph())
                else:
                    run.append(token)
            _plain(paragraphs[-1], run)
            continue
        if op in ("delete", "replace"):
            tracked("w:del", old[i1:i2])
        if op in ("insert", "replace"):
            tracked("w:ins", new[j1:j2])
    return paragraphs


def _write_section(
    document: DocxDocument, section: ConsolidatedSection, changes: _Changes
) -> None:
    amendments = [c for c in section.comments if c.kind is CommentKind.AMENDMENT]
    text = normalize_text(section.text)
    if amendments:
        paragraphs = _write_diff(document, text, amendments[0], changes)
    else:
        paragraphs = []
        for chunk in text.split(_PARAGRAPH):
            paragraph = document.add_paragraph()
            add_text(paragraph, chunk)
            paragraphs.append(paragraph)
    # Empty runs at both ends anchor the comments on the whole text, whatever the changes are.
    first = paragraphs[0].add_run("")
    paragraphs[0]._p.remove(first._r)
    p_pr = paragraphs[0]._p.pPr
    if p_pr is not None:
        p_pr.addnext(first._r)
    else:
        paragraphs[0]._p.insert(0, first._r)
    last = paragraphs[-1].add_run("")
    for comment in section.comments:
        author = comment_author(comment)
        word = document.add_comment([first, last], "", author, author_initials(author))
        word._comment_elm.date = comment.created_at  # type: ignore[attr-defined]
        kind = "" if comment.kind is CommentKind.COMMENT else f" [{comment.kind.value}]"
        body = normalize_text(comment.text).split(_PARAGRAPH)
        head = word.paragraphs[0]
        head.add_run(f"{attribution_text(comment)}{kind}: ")
        add_text_run(head, body[0])
        for chunk in body[1:]:
            add_text_run(word.add_paragraph(), chunk)
        if 0 < comment.revision < section.revision:
            word.add_paragraph(f"On revision {comment.revision}; the text has changed since.")
        word.add_paragraph(f"Concord comment #{comment.id}, {date_note(comment)}")
    for extra in amendments[1:]:
        for chunk in normalize_text(extra.text).split(_PARAGRAPH):
            paragraph = document.add_paragraph()
            paragraph._p.append(changes.wrap("w:ins", _TOKENS.findall(chunk), extra))
            changes.mark_paragraph(paragraph, "w:ins", extra)


def render_docx_review(draft: ConsolidatedDraft) -> bytes:
    """The draft for review in Word: each section's current text, its live comments as Word
    comments and its amendments as tracked changes (see the module doc)."""
    draft = clean_draft(draft)
    document = new_document(draft)
    changes = _Changes()
    write_parts(document, draft, lambda doc, section: _write_section(doc, section, changes))
    return save(document)


def accept_all_changes(data: bytes) -> bytes:
    """The document with every tracked change accepted, as Word's "Accept All" does: insertions
    kept, deletions dropped, paragraphs whose mark was deleted joined to the next."""
    from docx import Document

    document = Document(io.BytesIO(data))
    resolve_changes(document.element.body, accept=True)
    return save(document)


def resolve_changes(body: BaseOxmlElement, *, accept: bool) -> int:
    """Accept (or reject) every tracked change under `body`, in place, as Word's "Accept All"
    ("Reject All") does; the number of changes there were. Accepting keeps insertions and drops
    deletions; rejecting does the opposite (deleted text becomes text again). A paragraph whose
    mark was deleted (accepting) or inserted (rejecting) is joined to the next."""
    keep, drop = ("ins", "del") if accept else ("del", "ins")
    count = 0
    for p in list(body.iter(f"{_W}p")):
        if p.getparent() is None:
            continue  # joined to the paragraph before it
        for mark in p.findall(f"./{_W}pPr/{_W}rPr/{_W}{keep}"):
            mark.getparent().remove(mark)
            count += 1
        while marks := p.findall(f"./{_W}pPr/{_W}rPr/{_W}{drop}"):
            for mark in marks:
                mark.getparent().remove(mark)
                count += 1
            following = p.getnext()
            if following is None or following.tag != f"{_W}p":
                break
            for child in list(following):
                if child.tag != f"{_W}pPr":
                    p.append(child)
            # The joined paragraph ends with the next one's mark: dropped too, it joins again.
            for mark in following.findall(f"./{_W}pPr/{_W}rPr/{_W}{drop}"):
                _paragraph_mark(p).append(mark)
            following.getparent().remove(following)
    moved_keep, moved_drop = ("moveTo", "moveFrom") if accept else ("moveFrom", "moveTo")
    for tag in (drop, moved_drop, "rPrChange", "pPrChange"):
        for mark in list(body.iter(f"{_W}{tag}")):
            parent = mark.getparent()
            if parent is not None:
                parent.remove(mark)
                count += tag in (drop, moved_drop)
    for tag in (keep, moved_keep):
        for mark in list(body.iter(f"{_W}{tag}")):
            parent = mark.getparent()
            if parent is None:
                continue
            count += 1
            index = parent.index(mark)
            for offset, child in enumerate(list(mark)):
                parent.insert(index + offset, child)
            parent.remove(mark)
    if not accept:  # deleted text is text again
        for text in list(body.iter(f"{_W}delText")):
            text.tag = f"{_W}t"
    return count
