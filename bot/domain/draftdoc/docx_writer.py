"""The DOCX writer: `render_docx` writes a consolidated draft as a Word document, the file a
secretariat sends to a meeting. python-docx is imported on the first call (it is slow to
import); callers on the event loop run this in a thread."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

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
from bot.domain.models import CommentKind
from bot.domain.sections import part_heading, section_label, split_section_key
from bot.i18n import N_, group_name, ntr, tr

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

    lang = draft.language
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
        # "Page {page} of {pages}" in the draft's language, the numbers as fields.
        pieces = re.split(r"(\{page\}|\{pages\})", tr(lang, "Page {page} of {pages}"))
        for piece in pieces:
            if piece in ("{page}", "{pages}"):
                _add_field(footer, "PAGE" if piece == "{page}" else "NUMPAGES")
            elif piece:
                footer.add_run(piece)
    document.add_heading(f"{draft.code} {draft.title}", level=0)
    meta = document.add_paragraph()
    facts = []
    if draft.version:
        facts.append(tr(lang, "Version {version}.", version=draft.version))
    facts.append(
        tr(lang, "Consolidated text generated {when}.", when=stamp(draft.generated_at))
    )
    meta.add_run(" ".join(facts))
    window = window_text(draft, lang)
    if window:
        meta.add_run().add_break()
        meta.add_run(tr(lang, "Comment window: {window}.", window=window))
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
    lang = draft.language
    write_parts(document, draft, lambda doc, section: _write_consolidated(doc, section, lang))
    set_script(document, lang)
    return save(document)


def _write_consolidated(
    document: DocxDocument, section: ConsolidatedSection, lang: str = "en"
) -> None:
    for chunk in normalize_text(section.text).split("\n\n"):
        add_text(document.add_paragraph(), chunk)
    if section.revision > 1:
        revised = document.add_paragraph()
        revised.add_run(tr(lang, "Text revision {n}.", n=section.revision)).italic = True
    if not section.comments and not section.hidden:
        document.add_paragraph().add_run(tr(lang, "No comments.")).italic = True
        return
    for revision, on_it in comments_by_revision(section):
        # Headings by depth: part 1, item 2, stakeholder group 3; comments on an earlier
        # revision under a sub-heading naming it (3), their groups below (4).
        group_level = 3
        if revision is not None:
            document.add_heading(revision_heading(revision, lang), level=3)
            group_level = 4
        for group, comments in group_comments(on_it):
            document.add_heading(f"{group_name(group, lang)} ({len(comments)})", level=group_level)
            for comment in comments:
                paragraph = document.add_paragraph(style="List Bullet")
                paragraph.add_run(attribution_text(comment, lang)).bold = True
                paragraph.add_run(
                    f" ({tr(lang, KIND_NAMES[comment.kind])}, {date_note(comment, lang)}): "
                )
                add_text(paragraph, comment.text)
    if section.hidden:
        if lang == "en":
            note = hidden_note(section.hidden).strip("_")
        else:
            note = ntr(lang, "{n} comment hidden by the secretariat.",
                       "{n} comments hidden by the secretariat.", section.hidden)
        document.add_paragraph().add_run(note).italic = True


#: The kinds of comment, in the draft's language.
KIND_NAMES = {
    CommentKind.COMMENT: N_("comment"),
    CommentKind.AMENDMENT: N_("amendment"),
    CommentKind.DELETION: N_("deletion"),
}
#: Fonts that have the script's letters: Word and LibreOffice fall back less well without.
ARABIC_FONT = "Arial"
EAST_ASIAN_FONT = "SimSun"


def set_script(document: DocxDocument, lang: str) -> None:
    """Arabic set right to left (every paragraph bidi, every run rtl, with a font that has
    Arabic letters); Chinese with an East Asian font; both with their language marked, so
    spelling and line breaking follow it. Other languages need nothing."""
    if lang not in ("ar", "zh"):
        return
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fonts(rpr: Any) -> None:
        found = rpr.find(qn("w:rFonts"))
        if found is None:
            found = OxmlElement("w:rFonts")
            rpr.insert(0, found)
        if lang == "ar":
            found.set(qn("w:cs"), ARABIC_FONT)
            found.set(qn("w:ascii"), ARABIC_FONT)
            found.set(qn("w:hAnsi"), ARABIC_FONT)
        else:
            found.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
            found.attrib.pop(qn("w:eastAsiaTheme"), None)
        language = rpr.find(qn("w:lang"))
        if language is None:
            language = OxmlElement("w:lang")
            rpr.append(language)
        if lang == "ar":
            language.set(qn("w:bidi"), "ar-SA")
        else:
            language.set(qn("w:eastAsia"), "zh-CN")

    # The defaults and every style, then every run (a style's theme fonts would win).
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            fonts(rpr_default.get_or_add_rPr() if hasattr(rpr_default, "get_or_add_rPr")
                  else rpr_default.find(qn("w:rPr")))
    for style in styles.findall(qn("w:style")):
        rpr = style.find(qn("w:rPr"))
        if rpr is not None:
            fonts(rpr)
    bodies = [document.element.body]
    for section in document.sections:
        bodies += [section.header._element, section.footer._element]
    for body in bodies:
        for paragraph in body.iter(qn("w:p")):
            if lang == "ar":
                ppr = paragraph.find(qn("w:pPr"))
                if ppr is None:
                    ppr = OxmlElement("w:pPr")
                    paragraph.insert(0, ppr)
                if ppr.find(qn("w:bidi")) is None:
                    bidi = OxmlElement("w:bidi")
                    # w:bidi comes after w:pStyle, w:keepNext ... and before w:jc (schema order)
                    anchor = next((c for c in ppr if c.tag in (qn("w:jc"), qn("w:rPr"),
                                                               qn("w:spacing"), qn("w:ind"))), None)
                    if anchor is None:
                        ppr.append(bidi)
                    else:
                        anchor.addprevious(bidi)
            for run in paragraph.iter(qn("w:r")):
                rpr = run.find(qn("w:rPr"))
                if rpr is None:
                    rpr = OxmlElement("w:rPr")
                    run.insert(0, rpr)
                fonts(rpr)
                if lang == "ar" and rpr.find(qn("w:rtl")) is None:
                    rpr.append(OxmlElement("w:rtl"))



def add_text(paragraph: Paragraph, text: str, *, italic: bool = False) -> None:
    """Text into a python-docx paragraph, line breaks kept (paragraphs as blank lines)."""
    lines = normalize_text(text).split("\n")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        if italic:
            run.italic = True
        if index < len(lines) - 1:
            run.add_break()
