"""The Markdown writer: `render_markdown` writes a consolidated draft in the format the reader
takes back, escaping text lines that would otherwise read as structure and marking each
comment's kind (where it would not be inferred) and date."""

from __future__ import annotations

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
from bot.domain.draftdoc.models import ConsolidatedComment, ConsolidatedDraft
from bot.domain.draftdoc.syntax import (
    EXPLICIT_BULLET,
    HIDDEN_NOTE,
    ITEM,
    META,
    NO_COMMENTS,
    SOFT_BULLET,
    hidden_note,
    infer_kind,
    normalize_text,
    parse_attribution,
)
from bot.domain.models import CommentKind
from bot.domain.sections import label_of


def _looks_structural(line: str) -> bool:
    """Would this text line read as structure if written at the start of a line?"""
    if line.startswith(("#", "\\", "<!--")) or line == NO_COMMENTS or HIDDEN_NOTE.match(line):
        return True
    if ITEM.match(line) or EXPLICIT_BULLET.match(line) or META.match(line):
        return True
    soft = SOFT_BULLET.match(line)
    return bool(soft and parse_attribution(soft.group("rest"), 0, strict=False, any_group=True))


def _escape(line: str) -> str:
    return "\\" + line if _looks_structural(line) else line


def _escape_indented(line: str) -> str:
    return "\\" + line if line.startswith(("\\", "<!--")) else line


def _block(text: str, indent: str, first: str | None = None) -> list[str]:
    """Text as Markdown lines: the first line after ``first`` (if given), the rest indented.

    Without ``first``, every line is written flush left (escaped where needed).
    """
    lines: list[str] = []
    for p_index, paragraph in enumerate(normalize_text(text).split("\n\n")):
        if p_index:
            lines.append("")
        for l_index, line in enumerate(paragraph.split("\n")):
            if first is not None and p_index == 0 and l_index == 0:
                lines.append(first + line)
            elif first is not None:
                lines.append(indent + _escape_indented(line))
            else:
                lines.append(_escape(line))
    return lines


def _kind_marker(comment: ConsolidatedComment, text: str) -> str:
    if comment.kind is CommentKind.COMMENT:
        return " [comment]" if infer_kind(text) is not CommentKind.COMMENT else ""
    return f" [{comment.kind.value}]"


def render_markdown(draft: ConsolidatedDraft) -> str:
    """The consolidated text as Markdown that :func:`parse_draft_markdown` reads back."""
    out: list[str] = [f"# {draft.code} {' '.join(draft.title.split())}", ""]
    if draft.version:
        out += [f"Version: {' '.join(draft.version.split())}", ""]
    out += [f"Generated: {stamp(draft.generated_at)}", ""]
    window = window_text(draft)
    if window:
        out += [f"Comment window: {window}", ""]
    for note in draft.notes:
        if normalize_text(note):
            out += [*_block(note, ""), ""]
    for heading, sections in ordered_sections(draft):
        out += [f"## {heading}", ""]
        for section in sections:
            label = label_of(section.key, section.part, section.label)
            text = normalize_text(section.text) or "(no text)"
            if label:
                out += _block(text, "   ", first=f"{label} ")
            else:
                out += _block(text, "")
            out.append("")
            if not section.comments and not section.hidden:
                out += [NO_COMMENTS, ""]
            for revision, on_it in comments_by_revision(section):
                if revision is not None:
                    out += [f"### {revision_heading(revision)}", ""]
                for _, comments in group_comments(on_it):
                    for comment in comments:
                        body = normalize_text(comment.text) or "(no text)"
                        head = f"· {attribution_text(comment)}{_kind_marker(comment, body)}: "
                        lines = _block(body, "  ", first=head)
                        lines[-1] += f" _({date_note(comment)})_"
                        out += [*lines, ""]
            if section.hidden:
                out += [hidden_note(section.hidden), ""]
    return "\n".join(out).rstrip("\n") + "\n"
