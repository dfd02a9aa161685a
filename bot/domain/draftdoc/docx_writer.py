"""The DOCX writer: `render_docx` writes a consolidated draft as a Word document, the file a
secretariat sends to a meeting. python-docx is imported on the first call (it is slow to
import); callers on the event loop run this in a thread."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.domain.draftdoc.layout import (
    attribution_text,
    date_note,
    group_comments,
    ordered_sections,
    stamp,
    window_text,
)
from bot.domain.draftdoc.models import ConsolidatedDraft
from bot.domain.draftdoc.syntax import hidden_note, normalize_text, one_line
from bot.domain.sections import part_heading, section_label, split_section_key

if TYPE_CHECKING:
    from docx.text.paragraph import Paragraph


def render_docx(draft: ConsolidatedDraft) -> bytes:
    """The consolidated text as a Word document: the file a secretariat sends to a meeting."""
    from docx import Document  # imported here: python-docx is slow to import

    # XML cannot hold control characters, and rows stored before input was cleaned may: the
    # texts go through normalize_text, which drops them; these one-line fields are cleaned here.
    draft = replace(
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
    document = Document()
    document.core_properties.title = f"{draft.code} {draft.title}"
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
            _add_text(document.add_paragraph(), note, italic=True)
    for part, sections in ordered_sections(draft):
        document.add_heading(part_heading(part), level=1)
        for section in sections:
            _, letter = split_section_key(section.key)
            level = 1
            if letter:
                document.add_heading(section_label(section.key), level=2)
                level = 2
            for chunk in normalize_text(section.text).split("\n\n"):
                _add_text(document.add_paragraph(), chunk)
            if section.revision > 1:
                revised = document.add_paragraph()
                revised.add_run(f"Text revision {section.revision}.").italic = True
            if not section.comments and not section.hidden:
                document.add_paragraph().add_run("No comments.").italic = True
                continue
            for group, comments in group_comments(section.comments):
                document.add_heading(f"{group} ({len(comments)})", level=level + 1)
                for comment in comments:
                    paragraph = document.add_paragraph(style="List Bullet")
                    paragraph.add_run(attribution_text(comment)).bold = True
                    paragraph.add_run(f" ({comment.kind.value}, {date_note(comment)}): ")
                    _add_text(paragraph, comment.text)
            if section.hidden:
                note = hidden_note(section.hidden).strip("_")
                document.add_paragraph().add_run(note).italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_text(paragraph: Paragraph, text: str, *, italic: bool = False) -> None:
    """Text into a python-docx paragraph, line breaks kept (paragraphs as blank lines)."""
    lines = normalize_text(text).split("\n")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        if italic:
            run.italic = True
        if index < len(lines) - 1:
            run.add_break()
