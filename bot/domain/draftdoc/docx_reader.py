"""The DOCX reader: `parse_draft_docx` reads a Word document in the shape of our exports
(a Title paragraph "C11 Title", "Heading 1" parts, "Heading 2" item labels, paragraphs of text)
into the same parsed drafts as the Markdown reader, by writing it as Markdown lines and reading
those (so both readers agree on structure), then adding the document's Word comments:

- "Organization, Group: text" (our review export's form, or a person's): an attributed comment
  on the section it is anchored in;
- seed 002's forms, "Contribution by ORG" and "ORG: text": a comment of ORG whose group is
  "Unknown" (the comments table takes any group; a coordinator sets the real one later);
- a comment ending "Concord comment #12, ...": ours (a review export read back), skipped;
- anything else: a draft note naming its author and section.

Changes still tracked are read as not made (proposals are not the text), so a review export
nobody has decided on yet imports back as no change. Pure;
python-docx is imported on the first call (callers on the event loop run this in a thread)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain.draftdoc.docx_review import OUR_MARK, resolve_changes
from bot.domain.draftdoc.markdown_reader import _source_key, parse_draft_markdown
from bot.domain.draftdoc.syntax import (
    UNKNOWN_GROUP,
    infer_kind,
    normalize_text,
    one_line,
    parse_attribution,
)
from bot.domain.models import AttributionStatus, ParsedComment, ParsedDraft
from bot.errors import UserError
from bot.i18n import Msg

if TYPE_CHECKING:
    from docx.oxml.xmlchemy import BaseOxmlElement

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_META = re.compile(
    r"^(?:Version (?P<version>.+?)\.\s+)?Consolidated text generated\b.*$|^Version:?\s+(?P<v2>\S.*)$"
)
_SKIP = re.compile(
    r"^(?:No comments\.|Text revision \d+\.|\d[\d,]* comments? hidden by the secretariat\.|"
    r"Comment window: .*)$"
)
_GROUP_HEADING = re.compile(r"^.+ \(\d+\)$|^Comments on revision \d+\b")
_OUR_COMMENT = re.compile(
    r"^(?P<attr>.+?) \((?P<kind>comment|amendment|deletion), (?P<date>\d{4}-\d{2}-\d{2}|imported)"
    r"(?:, edited)?\): (?P<text>.*)$",
    re.S,
)
_PART_WORD = re.compile(r"^(?:pillar|target)s?\s+(?P<label>\S.*)$", re.I)
_CONTRIBUTION = re.compile(r"^(?:contribution|comment|input)s? (?:by|from) (?P<org>[^:,]{1,80}?)\.?$", re.I)
_ORG_COLON = re.compile(r"^(?P<org>[^:,\n]{1,60}):\s*(?P<text>\S.*)$", re.S)
_COMMENT_BY = re.compile(r"^Comment by [^:]{1,60}:\s*")


@dataclass(slots=True)
class _WordComment:
    author: str
    text: str
    line: int  # the Markdown line of the paragraph it is anchored in (0: none)
    where: str


def _paragraph_text(p: BaseOxmlElement) -> str:
    out: list[str] = []
    for element in p.iter():
        tag = element.tag
        if tag == f"{_W}t":
            out.append(element.text or "")
        elif tag in (f"{_W}tab",):
            out.append(" ")
        elif tag in (f"{_W}br", f"{_W}cr") and element.get(f"{_W}type") in (None, "textWrapping"):
            out.append("\n")
    return "".join(out)


def _heading_level(style: str) -> int | None:
    if style == "Title":
        return 0
    match = re.fullmatch(r"Heading (\d)", style)
    return int(match.group(1)) if match else None


def _escaped(text: str, indent: str = "") -> list[str]:
    """Text as Markdown lines read back as text: each line escaped with a backslash."""
    return [f"{indent}\\{line}" if line.strip() else "" for line in normalize_text(text).split("\n")]


def parse_draft_docx(data: bytes, groups: Sequence[str] = ()) -> list[ParsedDraft]:
    """Every draft of a Word document, its sections and comments (see the module doc)."""
    from docx import Document

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UserError(Msg(
            "That file is not a Word document (.docx); save it from Word as .docx."
        ))
    try:
        document = Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds for a broken package
        raise UserError(Msg(
            "That .docx file could not be opened; save it again from Word."
        )) from None
    # Changes still tracked are proposals, not the text: read as not made (the text as it
    # was), so a review export nobody has decided on yet imports back as no change.
    resolve_changes(document.element.body, accept=False)
    lines: list[str] = []
    anchors: dict[str, tuple[int, str]] = {}  # Word comment id -> (line, where)
    item_label: str | None = None
    where = "the title"
    in_comments = False
    for paragraph in document.paragraphs:
        style = paragraph.style.name if paragraph.style is not None else ""
        text = _paragraph_text(paragraph._p)
        level = _heading_level(style)
        flat = one_line(text)
        start = len(lines) + 1
        if level == 0:
            lines += ["", f"# {flat}", ""]
            where, in_comments, item_label = "the title", False, None
        elif level == 1:
            lines += ["", f"## {flat}", ""]
            where, in_comments, item_label = flat, False, None
        elif level is not None and _GROUP_HEADING.match(flat):
            in_comments = True  # "Government (2)": the section's comments follow
        elif level == 2:
            match = _PART_WORD.match(flat)
            item_label = match.group("label") if match else flat
            where, in_comments = item_label, False
        elif level is not None:
            in_comments = False
        elif not flat:
            pass
        elif meta := _META.match(flat):
            version = meta.group("version") or meta.group("v2")
            if version:
                lines += [f"Version: {version.strip()}", ""]
        elif _SKIP.match(flat) or (paragraph.text and _SKIP.match(flat.split("\n")[0])):
            pass
        elif in_comments and (ours := _OUR_COMMENT.match(normalize_text(text))):
            head, *rest = ours.group("text").split("\n")
            kind = ours.group("kind")
            lines.append(f"· {ours.group('attr')} [{kind}]: {head}")
            lines += [f"  {line}" if line.strip() else "" for line in rest]
            lines[-1] += f" _({ours.group('date')})_"
            lines.append("")
        elif item_label is not None:
            first, *rest = normalize_text(text).split("\n")
            lines += [f"{item_label} {first}", *_escaped("\n".join(rest)), ""]
            item_label = None
        else:
            lines += [*_escaped(text), ""]
        for mark in paragraph._p.iter(f"{_W}commentRangeStart", f"{_W}commentReference"):
            anchors.setdefault(mark.get(f"{_W}id") or "", (start, where))
    drafts = parse_draft_markdown("\n".join(lines), groups)
    word_comments = [
        _WordComment(
            c.author or "", normalize_text(c.text), *anchors.get(str(c.comment_id), (0, "the title"))
        )
        for c in document.comments
    ]
    for comment in word_comments:
        _place(drafts, comment, groups)
    return drafts


def _place(drafts: list[ParsedDraft], comment: _WordComment, groups: Sequence[str]) -> None:
    text = _COMMENT_BY.sub("", comment.text).strip()
    if not text or OUR_MARK.match(text.split("\n")[-1]):
        return
    draft = next((d for d in reversed(drafts) if d.line <= comment.line), drafts[0])
    section = next((s for s in reversed(draft.sections) if s.line <= comment.line), None)
    attribution = parse_attribution(text, 0, strict=False, groups=groups)
    organization = group = None
    if attribution is not None and attribution.text:
        organization, group, text = attribution.organization, attribution.group, attribution.text
        kind = attribution.kind or infer_kind(text)
    elif match := _CONTRIBUTION.match(text):
        organization, group, kind = one_line(match.group("org")), UNKNOWN_GROUP, infer_kind(text)
    elif match := _ORG_COLON.match(text):
        organization, group = one_line(match.group("org")), UNKNOWN_GROUP
        text = match.group("text").strip()
        kind = infer_kind(text)
    if section is None or organization is None or group is None:
        author = one_line(comment.author) or "someone"
        draft.notes.append(f"Word comment by {author} on {comment.where}: {one_line(text)}")
        return
    section.comments.append(
        ParsedComment(
            organization=organization,
            group=group,
            kind=kind,
            text=text,
            source_key=_source_key(section.key, organization, group, kind, text),
            line=comment.line,
            status=AttributionStatus.IMPORTED,
        )
    )
