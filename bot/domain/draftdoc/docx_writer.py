"""The DOCX writer: `render_docx` writes a consolidated draft as a Word document, the file a
secretariat sends to a meeting. python-docx is imported on the first call (it is slow to
import); callers on the event loop run this in a thread."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.domain.draftdoc.layout import (
    attribution_text,
    comments_by_revision,
    date_note,
    group_comments,
    ordered_sections,
    revision_heading,
    stamp,
    window_text,
)
from bot.domain.draftdoc.models import ConsolidatedDraft, ConsolidatedSection
from bot.domain.draftdoc.syntax import hidden_note, normalize_text, one_line
from bot.domain.sections import part_heading, section_label, split_section_key

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.text.paragraph import Paragraph


def clean_draft(draft: ConsolidatedDraft) -> ConsolidatedDraft:
    """The draft with its one-line fields cleaned: XML cannot hold control characters, and rows
    stored before input was cleaned may (the texts go through normalize_text, which drops them)."""
    return replace(
        draft,
        code=one_line(draft.code),
        title=one_line(draft.title),
        version=one_line(draft.version) if draft.version else draft.version,
        sections=[
            replace(
                s, comments=[replace(c, organization=one_line(c.organization)) for c in s.comments]
            )
            for s in draft.sections
        ],
    )


def new_document(draft: ConsolidatedDraft) -> DocxDocument:
    """A Word document set up as both exports are: A4 pages with 2.5 cm margins, the draft's
    code and version in the page header, "Page N of M" in the footer, and core properties that
    name the draft, Concord as author and the export's time as created (nothing of the
    template's "python-docx")."""
    from docx import Document  # imported here: python-docx is slow to import
    from docx.shared import Mm

    document = Document()
    props = document.core_properties
    props.title = f"{draft.code} {draft.title}"
    props.author = props.last_modified_by = "Concord"
    props.comments = props.subject = props.keywords = props.category = ""
    props.created = props.modified = draft.generated_at
    props.revision = 1
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(25))
        header = section.header.paragraphs[0]
        header.text = f"{draft.code} {draft.version}" if draft.version else draft.code
        footer = section.footer.paragraphs[0]
        footer.add_run("Page ")
        _add_field(footer, "PAGE")
        footer.add_run(" of ")
        _add_field(footer, "NUMPAGES")
    document.add_heading(f"{draft.code} {draft.title}", level=0)
    meta = document.add_paragraph()
    facts = []
    if draft.version:
        facts.append(f"Version {draft.version}")
    facts.append(f"Consolidated text generated {stamp(draft.generated_at)}")
    meta.add_run(". ".join(facts) + ".")
    window = window_text(draft)
    if window:
        meta.add_run().add_break()
        meta.add_run(f"Comment window: {window}.")
    for note in draft.notes:
        if normalize_text(note):
            add_text(document.add_paragraph(), note, italic=True)
    return document


def _add_field(paragraph: Paragraph, instruction: str) -> None:
    """A simple field (PAGE, NUMPAGES) that Word and LibreOffice compute when they show it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} \\* MERGEFORMAT ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def part_title(section: ConsolidatedSection) -> str:
    """The heading of a section's part: as written, else from its key ("Pillars")."""
    return section.part or part_heading(split_section_key(section.key)[0])


def item_title(section: ConsolidatedSection) -> str | None:
    """The heading of an item: its label as written ("12.", "Article 3"), else from its key
    ("Pillar b)"); None for a part's own text."""
    if section.label:
        return section.label
    _, letter = split_section_key(section.key)
    return section_label(section.key) if letter else None


def save(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_parts(
    document: DocxDocument,
    draft: ConsolidatedDraft,
    write_section: Callable[[DocxDocument, ConsolidatedSection], None],
) -> None:
    """The document's parts (heading level 1) and items (level 2) in document order; each
    section's body is written by `write_section`. Both DOCX exports are laid out by this."""
    for _part, sections in ordered_sections(draft):
        document.add_heading(part_title(sections[0]), level=1)
        for section in sections:
            label = item_title(section)
            if label:
                document.add_heading(label, level=2)
            write_section(document, section)


def render_docx(draft: ConsolidatedDraft) -> bytes:
    """The consolidated text as a Word document: the file a secretariat sends to a meeting."""
    draft = clean_draft(draft)
    document = new_document(draft)
    write_parts(document, draft, _write_consolidated)
    return save(document)


def _write_consolidated(document: DocxDocument, section: ConsolidatedSection) -> None:
    for chunk in normalize_text(section.text).split("\n\n"):
        add_text(document.add_paragraph(), chunk)
    if section.revision > 1:
        revised = document.add_paragraph()
        revised.add_run(f"Text revision {section.revision}.").italic = True
    if not section.comments and not section.hidden:
        document.add_paragraph().add_run("No comments.").italic = True
        return
    for revision, on_it in comments_by_revision(section):
        # Headings by depth: part 1, item 2, stakeholder group 3; comments on an earlier
        # revision under a sub-heading naming it (3), their groups below (4).
        group_level = 3
        if revision is not None:
            document.add_heading(revision_heading(revision), level=3)
            group_level = 4
        for group, comments in group_comments(on_it):
            document.add_heading(f"{group} ({len(comments)})", level=group_level)
            for comment in comments:
                paragraph = document.add_paragraph(style="List Bullet")
                paragraph.add_run(attribution_text(comment)).bold = True
                paragraph.add_run(f" ({comment.kind.value}, {date_note(comment)}): ")
                add_text(paragraph, comment.text)
    if section.hidden:
        note = hidden_note(section.hidden).strip("_")
        document.add_paragraph().add_run(note).italic = True



def add_text(paragraph: Paragraph, text: str, *, italic: bool = False) -> None:
    """Text into a python-docx paragraph, line breaks kept (paragraphs as blank lines)."""
    lines = normalize_text(text).split("\n")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        if italic:
            run.italic = True
        if index < len(lines) - 1:
            run.add_break()
