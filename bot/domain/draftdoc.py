"""Drafts as documents: Markdown in, consolidated text (Markdown or DOCX) out. Pure.

The Markdown format
-------------------

::

    <!-- an HTML comment, anywhere: ignored -->
    # C11 International and regional cooperation
    Version: V1.2

    A paragraph here, before the first part, is a document note.

    ## Vision
    The vision's text: one or more paragraphs.

    · Brazil, Government [amendment]: the proposed replacement text ...
    · ICANN, Technical Community: a comment.

    ## Pillars
    a) The text of pillar a.
    · Egypt, Government: Internet is part of the ICTs

    ## Targets
    a) The text of target a.
    · Canada, Government: Deleted 3

The rules:

- ``# <code> <title>`` starts a draft; a file may hold several. Between it and the first part
  heading: ``Version: V1.2``, and paragraphs that become the draft's notes. ``Generated:`` and
  ``Comment window:`` lines (written by :func:`render_markdown`) are ignored.
- ``## Vision``, ``## Pillars``, ``## Targets`` (numbering such as ``## 2. Pillars`` is allowed)
  start a part (see :data:`bot.domain.sections.PARTS`). ``### Government``-style headings that
  name a stakeholder group are ignored (they only group comments).
- ``a) text`` (or ``(a) text``) starts the item ``pillar-a``. Text under a part heading before any
  item is the part's own text: for ``## Vision`` that is the section ``vision``.
- A comment is a line ``· Organization, Group: text``; ``•``, ``- ·`` and ``* ·`` work too, and a
  plain Markdown bullet ``- Organization, Group: text`` does when the group is a real one. The
  group is after the last comma before the first colon. ``[amendment]``, ``[deletion]`` or
  ``[comment]`` after the group gives the kind; without one, a text that is just "Deleted",
  "Delete" or "Deletion" plus at most two short words (the seed's "Deleted 3") is a deletion,
  anything else a comment.
- A comment goes on until a blank line or the next item, comment or heading: the lines right
  after it, and a bullet without an "Organization, Group:" attribution (the seed's
  "· For example: ..."), continue it, one line each. After a blank line, lines indented by two
  spaces or more continue it with a new paragraph (as in Markdown lists). A trailing
  ``_(2014-01-20)_`` (what :func:`render_markdown` writes) is the comment's date, not its text.
- Text lines continue the item or part text in the same way as long as no comment followed it;
  unindented text after a section's comments is an error. A line starting with a backslash is
  always text (the backslash is dropped): that is how the export escapes text lines that would
  otherwise read as structure.

Text is normalized: each line stripped, lines joined with ``\\n``, paragraphs with ``\\n\\n``.
Errors are :class:`~bot.errors.UserError` sentences that start with the line number.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from bot.domain.models import (  # the parsed drafts live with the models (bot/db stores them)
    CommentKind,
    ParsedComment,
    ParsedDraft,
    ParsedSection,
    StakeholderGroup,
)
from bot.domain.sections import (
    KEY_EXAMPLES,
    PARTS,
    make_section_key,
    part_from_heading,
    part_heading,
    section_label,
    section_sort_key,
    split_section_key,
)
from bot.errors import UserError
from bot.text import clean_control

if TYPE_CHECKING:
    from docx.text.paragraph import Paragraph

# --------------------------------------------------------------------------- data


@dataclass(slots=True)
class ConsolidatedComment:
    id: int
    organization: str
    group: StakeholderGroup
    kind: CommentKind
    text: str
    created_at: datetime
    edited: bool = False


@dataclass(slots=True)
class ConsolidatedSection:
    key: str
    text: str
    revision: int
    comments: list[ConsolidatedComment] = field(default_factory=list)


@dataclass(slots=True)
class ConsolidatedDraft:
    code: str
    title: str
    version: str | None
    generated_at: datetime
    window_opens: datetime | None
    window_closes: datetime | None
    sections: list[ConsolidatedSection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- text helpers


#: Controls that break a line where text was pasted from Word (vertical tab) or a PDF (form feed).
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
_SPACES = str.maketrans({"\x0b": " ", "\x0c": " "})


def normalize_text(text: str) -> str:
    """Strip each line, drop leading/trailing blank lines, collapse runs of blank lines.

    Control characters go (see :func:`~bot.text.clean_control`); a vertical tab or form
    feed becomes a line break, so the words on either side stay apart.
    """
    text = clean_control(text.translate(_BREAKS))
    paragraphs: list[list[str]] = [[]]
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\n".join(p) for p in paragraphs if p)


def one_line(text: str) -> str:
    """A title or name on one line: runs of spaces and line breaks as one space, no control
    characters (a vertical tab or form feed separates words)."""
    return " ".join(clean_control(text.translate(_SPACES)).split())


def _source_key(section_key: str, org: str, group: StakeholderGroup, kind: str, text: str) -> str:
    canon = "\x1f".join(
        [" ".join(org.split()).casefold(), group.value, kind, " ".join(text.split()).casefold()]
    )
    return f"{section_key}:{hashlib.sha256(canon.encode()).hexdigest()[:16]}"


_CYRILLIC_LOOKALIKES = str.maketrans("СсАаВЕеКМНОоРрТХх", "CcAaBEeKMHOoPpTXx")

_DRAFT_HEADING = re.compile(r"^#\s+(?P<rest>.*)$")
_PART_HEADING = re.compile(r"^##\s+(?P<rest>.*)$")
_SUB_HEADING = re.compile(r"^#{3,6}\s+(?P<rest>.*)$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/+-]*$")
_ITEM = re.compile(r"^(?:\((?P<l1>[A-Za-z])\)|(?P<l2>[A-Za-z])\))(?:\s+(?P<text>.*))?$")
_EXPLICIT_BULLET = re.compile(r"^(?:[-*+]\s+)?[·•]\s*(?P<rest>.*)$")
_SOFT_BULLET = re.compile(r"^[-*+]\s+(?P<rest>.*)$")
_KIND_MARK = re.compile(r"\s*[\[(]\s*(?P<kind>[A-Za-z]+)\s*[\])]\s*$")
_DATE_SUFFIX = re.compile(r"\s*_\((?:#\d+,\s*)?(?P<date>\d{4}-\d{2}-\d{2})(?:,\s*edited)?\)_\s*$")
_DELETION = re.compile(r"^(?:delete|deleted|deletion)(?:\s+[\w().,/-]{1,12}){0,2}\s*\.?$", re.I)
_META = re.compile(r"^(?P<name>version|generated|comment window)\s*:\s*(?P<value>.*)$", re.I)
_NO_COMMENTS = "_No comments._"
_MAX_ORG = 120
_MAX_GROUP = 40


def _group_names() -> str:
    names = [g.value for g in StakeholderGroup]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _kind_names() -> str:
    return ", ".join(f"[{k.value}]" for k in CommentKind)


def _err(line: int, message: str) -> UserError:
    return UserError(f"Line {line}: {message}")


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(slots=True)
class _Attribution:
    organization: str
    group: StakeholderGroup
    kind: CommentKind | None
    text: str


def _parse_attribution(rest: str, line: int, *, strict: bool) -> _Attribution | None:
    """``"ISOC, Civil Society [amendment]: text"`` -> the parts; None if it has no attribution.

    With ``strict`` (an explicit ``·`` bullet), an attribution whose group or kind is unknown is
    an error; otherwise it is simply not an attribution.
    """
    head, colon, text = rest.partition(":")
    if not colon or "," not in head:
        return None
    kind: CommentKind | None = None
    mark = _KIND_MARK.search(head)
    if mark:
        word = mark.group("kind").lower()
        if word in {k.value for k in CommentKind}:
            kind = CommentKind(word)
            head = head[: mark.start()]
        elif mark.group(0).strip().startswith("["):
            if not strict:
                return None
            raise _err(
                line,
                f'"{_short(mark.group("kind"))}" is not a comment kind; '
                f"use {_kind_names()} after the group.",
            )
    org, _, group_text = head.rpartition(",")
    org, group_text = " ".join(org.split()), " ".join(group_text.split())
    if not org or not group_text or len(org) > _MAX_ORG or len(group_text) > _MAX_GROUP:
        return None
    try:
        group = StakeholderGroup.parse(group_text)
    except ValueError:
        if not strict:
            return None
        raise _err(
            line,
            f'"{_short(group_text)}" is not a stakeholder group; write "Organization, Group:" '
            f"with the group one of {_group_names()} (indent the line by two spaces if it "
            "continues the comment above).",
        ) from None
    return _Attribution(org, group, kind, text.strip())


def _infer_kind(text: str) -> CommentKind:
    return CommentKind.DELETION if _DELETION.match(text) else CommentKind.COMMENT


# --------------------------------------------------------------------------- parsing


class _Text:
    """Lines gathered into paragraphs."""

    def __init__(self) -> None:
        self.paragraphs: list[list[str]] = []

    def add(self, line: str, *, new_paragraph: bool) -> None:
        if not line:
            return
        if new_paragraph or not self.paragraphs:
            self.paragraphs.append([])
        self.paragraphs[-1].append(line)

    def text(self) -> str:
        return normalize_text("\n\n".join("\n".join(p) for p in self.paragraphs))


@dataclass(slots=True)
class _CommentBuilder:
    line: int
    organization: str
    group: StakeholderGroup
    kind: CommentKind | None
    body: _Text

    def build(self, section_key: str) -> ParsedComment:
        text = self.body.text()
        created_on: date | None = None
        suffix = _DATE_SUFFIX.search(text)
        if suffix:
            text = text[: suffix.start()].rstrip()
            try:
                created_on = date.fromisoformat(suffix.group("date"))
            except ValueError:
                raise _err(
                    self.line, f'"{suffix.group("date")}" is not a date; write it as 2014-01-20.'
                ) from None
        if not text:
            raise _err(
                self.line,
                f"the comment by {self.organization}, {self.group.value} has no text; write it "
                "after the colon or on the next line.",
            )
        kind = self.kind or _infer_kind(text)
        return ParsedComment(
            organization=self.organization,
            group=self.group,
            kind=kind,
            text=text,
            source_key=_source_key(section_key, self.organization, self.group, kind, text),
            created_on=created_on,
            line=self.line,
        )


@dataclass(slots=True)
class _SectionBuilder:
    key: str
    line: int
    body: _Text = field(default_factory=_Text)
    comments: list[_CommentBuilder] = field(default_factory=list)

    def build(self) -> ParsedSection:
        return ParsedSection(
            key=self.key,
            text=self.body.text(),
            comments=[c.build(self.key) for c in self.comments],
            line=self.line,
        )


class _Parser:
    def __init__(self) -> None:
        self.drafts: list[ParsedDraft] = []
        self.draft: ParsedDraft | None = None
        self.notes = _Text()
        self.sections: list[_SectionBuilder] = []
        self.part: str | None = None
        self.section: _SectionBuilder | None = None
        self.comment: _CommentBuilder | None = None
        self.blank = True

    # -- structure

    def finish_draft(self) -> None:
        if self.draft is None:
            return
        self.draft.notes = [p for p in self.notes.text().split("\n\n") if p]
        self.draft.sections = [s.build() for s in self.sections]
        self.drafts.append(self.draft)
        self.draft = None

    def start_draft(self, rest: str, line: int) -> None:
        self.finish_draft()
        code, _, title = rest.strip().partition(" ")
        code = code.translate(_CYRILLIC_LOOKALIKES).rstrip(".:,;")
        title = title.strip().lstrip("-–—:.").strip()
        if not _CODE.match(code) or not title:
            raise _err(
                line,
                "a draft heading is the code and then the title, like "
                '"# C11 International and regional cooperation".',
            )
        if any(d.code.casefold() == code.casefold() for d in self.drafts):
            raise _err(line, f"the file already holds a draft {code}; give each draft once.")
        self.draft = ParsedDraft(code=code, title=title, version=None, line=line)
        self.notes = _Text()
        self.sections = []
        self.part = None
        self.section = None
        self.comment = None

    def start_section(self, key: str, line: int) -> _SectionBuilder:
        for existing in self.sections:
            if existing.key == key:
                raise _err(
                    line,
                    f"{section_label(key)} appears twice in draft {self.draft_code} "
                    f"(first on line {existing.line}).",
                )
        self.section = _SectionBuilder(key=key, line=line)
        self.sections.append(self.section)
        self.comment = None
        return self.section

    @property
    def draft_code(self) -> str:
        return self.draft.code if self.draft else ""

    # -- lines

    def feed(self, raw: str, line: int) -> None:
        expanded = raw.expandtabs(4).rstrip()
        stripped = expanded.strip()
        if not stripped:
            self.blank = True
            return
        indented = len(expanded) - len(expanded.lstrip()) >= 2
        escaped = stripped.startswith("\\")
        if escaped:
            stripped = stripped[1:].strip()
        structural = not indented and not escaped
        blank, self.blank = self.blank, False

        if structural and self.heading(stripped, line):
            return
        if self.draft is None:
            raise _err(
                line,
                "the file must start with a draft heading, like "
                '"# C11 International and regional cooperation".',
            )
        if self.part is None:
            self.header_line(stripped, line, structural=structural, blank=blank)
            return
        if structural and self.structure_line(stripped, line, blank=blank):
            return
        self.text_line(stripped, line, indented=indented, blank=blank)

    def heading(self, stripped: str, line: int) -> bool:
        if match := _DRAFT_HEADING.match(stripped):
            self.start_draft(match.group("rest"), line)
            return True
        if match := _PART_HEADING.match(stripped):
            if self.draft is None:
                raise _err(line, 'put a draft heading such as "# C11 Title" before the parts.')
            part = part_from_heading(match.group("rest"))
            if part is None:
                headings = ", ".join(f'"## {h}"' for h in PARTS.values())
                raise _err(
                    line,
                    f'"{_short(match.group("rest"))}" is not a part of a draft; use {headings}.',
                )
            self.part = part
            self.section = None
            self.comment = None
            return True
        if match := _SUB_HEADING.match(stripped):
            try:
                StakeholderGroup.parse(match.group("rest").strip())
            except ValueError:
                valid = False
            else:
                valid = self.part is not None
            if not valid:
                raise _err(
                    line,
                    "only drafts (#), parts (## Vision, ## Pillars, ## Targets) and "
                    "stakeholder groups above comments (### Government) have headings; "
                    'write items as "a) text".',
                )
            self.blank = True
            return True
        return False

    def header_line(self, stripped: str, line: int, *, structural: bool, blank: bool) -> None:
        assert self.draft is not None
        if structural:
            meta = _META.match(stripped)
            if meta:
                if meta.group("name").lower() == "version":
                    value = meta.group("value").strip()
                    if not value:
                        raise _err(line, 'the version line is empty; write "Version: V1.2".')
                    if self.draft.version is not None:
                        raise _err(line, f"draft {self.draft.code} already has a version.")
                    self.draft.version = value
                return
            if _ITEM.match(stripped) or _EXPLICIT_BULLET.match(stripped):
                raise _err(
                    line,
                    "items and comments go under a part heading "
                    f"({', '.join('## ' + h for h in PARTS.values())}).",
                )
        self.notes.add(stripped, new_paragraph=blank)

    def structure_line(self, stripped: str, line: int, *, blank: bool) -> bool:
        """Items and comments; True if the line was one."""
        assert self.part is not None
        if item := _ITEM.match(stripped):
            letter = (item.group("l1") or item.group("l2")).lower()
            text = (item.group("text") or "").strip()
            key = make_section_key(self.part, letter)
            if not text:
                raise _err(line, f"{section_label(key)} has no text; write it after the letter.")
            self.start_section(key, line).body.add(text, new_paragraph=True)
            return True
        if stripped == _NO_COMMENTS:
            return True
        if explicit := _EXPLICIT_BULLET.match(stripped):
            rest = explicit.group("rest")
            attribution = _parse_attribution(rest, line, strict=True)
            if attribution is not None:
                self.start_comment(attribution, line)
                return True
            if self.comment is None:
                raise _err(
                    line,
                    "a comment needs an attribution, like "
                    '"· ISOC, Civil Society: text" (organization, then group).',
                )
            self.comment.body.add(rest.strip(), new_paragraph=blank)
            return True
        if soft := _SOFT_BULLET.match(stripped):
            attribution = _parse_attribution(soft.group("rest"), line, strict=False)
            if attribution is not None:
                self.start_comment(attribution, line)
                return True
        return False

    def start_comment(self, attribution: _Attribution, line: int) -> None:
        if self.section is None or not self.section.body.paragraphs:
            part = part_heading(self.part or "")
            raise _err(
                line,
                f"the comment by {attribution.organization} comes before any text under {part}; "
                'put it under the item it is about (an "a) ..." line) or the part\'s text.',
            )
        body = _Text()
        body.add(attribution.text, new_paragraph=True)
        self.comment = _CommentBuilder(
            line=line,
            organization=attribution.organization,
            group=attribution.group,
            kind=attribution.kind,
            body=body,
        )
        self.section.comments.append(self.comment)

    def text_line(self, stripped: str, line: int, *, indented: bool, blank: bool) -> None:
        assert self.part is not None
        if self.comment is not None:
            if not blank or indented:
                self.comment.body.add(stripped, new_paragraph=blank)
                return
            assert self.section is not None
            raise _err(
                line,
                f"this text follows the comments on {section_label(self.section.key)}; indent it "
                "by two spaces to continue the comment above, or start an item like "
                '"f) ..." or a comment like "· ISOC, Civil Society: ...".',
            )
        if self.section is None:
            self.start_section(self.part, line)
        assert self.section is not None
        self.section.body.add(stripped, new_paragraph=blank)

    def finish(self) -> list[ParsedDraft]:
        self.finish_draft()
        if not self.drafts:
            raise UserError(
                'The file holds no draft; start it with a heading like "# C11 Title", then '
                '"## Vision", "## Pillars" and "## Targets".'
            )
        return self.drafts


def parse_draft_markdown(text: str) -> list[ParsedDraft]:
    """Every draft in a Markdown file, its sections and their comments (see the module doc)."""
    parser = _Parser()
    # Control characters go before the lines are read (line numbers stay those of the file);
    # a vertical tab or form feed inside a line separates words.
    text = clean_control(text.translate(_SPACES))
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    in_html_comment = False
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if in_html_comment:
            if "-->" in stripped:
                in_html_comment = False
            continue
        if stripped.startswith("<!--"):
            in_html_comment = "-->" not in stripped[4:]
            continue
        parser.feed(raw, number)
    return parser.finish()


# --------------------------------------------------------------------------- rendering helpers


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _stamp(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _day(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%d")


def _window_text(draft: ConsolidatedDraft) -> str | None:
    opens, closes = draft.window_opens, draft.window_closes
    if opens and closes:
        return f"{_stamp(opens)} to {_stamp(closes)}"
    if opens:
        return f"opens {_stamp(opens)}"
    if closes:
        return f"closes {_stamp(closes)}"
    return None


def _group_comments(
    comments: Iterable[ConsolidatedComment],
) -> list[tuple[StakeholderGroup, list[ConsolidatedComment]]]:
    """Comments by stakeholder group, groups in StakeholderGroup order, each in the given order."""
    groups: dict[StakeholderGroup, list[ConsolidatedComment]] = {g: [] for g in StakeholderGroup}
    for comment in comments:
        groups[comment.group].append(comment)
    return [(g, cs) for g, cs in groups.items() if cs]


def _ordered_sections(draft: ConsolidatedDraft) -> list[tuple[str, list[ConsolidatedSection]]]:
    """Sections in document order, grouped by part."""
    parts: dict[str, list[ConsolidatedSection]] = {}
    for section in sorted(draft.sections, key=lambda s: section_sort_key(s.key)):
        parts.setdefault(split_section_key(section.key)[0], []).append(section)
    return list(parts.items())


def _looks_structural(line: str) -> bool:
    """Would this text line read as structure if written at the start of a line?"""
    if line.startswith(("#", "\\", "<!--")) or line == _NO_COMMENTS:
        return True
    if _ITEM.match(line) or _EXPLICIT_BULLET.match(line) or _META.match(line):
        return True
    soft = _SOFT_BULLET.match(line)
    return bool(soft and _parse_attribution(soft.group("rest"), 0, strict=False))


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
        return " [comment]" if _infer_kind(text) is not CommentKind.COMMENT else ""
    return f" [{comment.kind.value}]"


def _date_note(comment: ConsolidatedComment) -> str:
    return _day(comment.created_at) + (", edited" if comment.edited else "")


# --------------------------------------------------------------------------- Markdown out


def render_markdown(draft: ConsolidatedDraft) -> str:
    """The consolidated text as Markdown that :func:`parse_draft_markdown` reads back."""
    out: list[str] = [f"# {draft.code} {' '.join(draft.title.split())}", ""]
    if draft.version:
        out += [f"Version: {' '.join(draft.version.split())}", ""]
    out += [f"Generated: {_stamp(draft.generated_at)}", ""]
    window = _window_text(draft)
    if window:
        out += [f"Comment window: {window}", ""]
    for note in draft.notes:
        if normalize_text(note):
            out += [*_block(note, ""), ""]
    for part, sections in _ordered_sections(draft):
        out += [f"## {part_heading(part)}", ""]
        for section in sections:
            _, letter = split_section_key(section.key)
            text = normalize_text(section.text) or "(no text)"
            if letter:
                out += _block(text, "   ", first=f"{letter}) ")
            else:
                out += _block(text, "")
            out.append("")
            if not section.comments:
                out += [_NO_COMMENTS, ""]
            for _, comments in _group_comments(section.comments):
                for comment in comments:
                    body = normalize_text(comment.text) or "(no text)"
                    head = (
                        f"· {' '.join(comment.organization.split())}, {comment.group.value}"
                        f"{_kind_marker(comment, body)}: "
                    )
                    lines = _block(body, "  ", first=head)
                    lines[-1] += f" _({_date_note(comment)})_"
                    out += [*lines, ""]
    return "\n".join(out).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- DOCX out


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
    facts.append(f"Consolidated text generated {_stamp(draft.generated_at)}")
    meta.add_run(". ".join(facts) + ".")
    window = _window_text(draft)
    if window:
        meta.add_run().add_break()
        meta.add_run(f"Comment window: {window}.")
    for note in draft.notes:
        if normalize_text(note):
            _add_text(document.add_paragraph(), note, italic=True)
    for part, sections in _ordered_sections(draft):
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
            if not section.comments:
                document.add_paragraph().add_run("No comments.").italic = True
                continue
            for group, comments in _group_comments(section.comments):
                document.add_heading(f"{group.value} ({len(comments)})", level=level + 1)
                for comment in comments:
                    paragraph = document.add_paragraph(style="List Bullet")
                    attribution = f"{comment.organization}, {comment.group.value}"
                    paragraph.add_run(attribution).bold = True
                    paragraph.add_run(f" ({comment.kind.value}, {_date_note(comment)}): ")
                    _add_text(paragraph, comment.text)
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


# --------------------------------------------------------------------------- conversions


def to_consolidated(
    draft: ParsedDraft, *, generated_at: datetime, created_at: datetime | None = None
) -> ConsolidatedDraft:
    """A parsed draft as a consolidated one (ids in file order), e.g. to preview an import.

    Each comment's date is the one the file carried, else ``created_at`` (else ``generated_at``).
    """
    default = created_at or generated_at
    next_id = 0
    sections: list[ConsolidatedSection] = []
    for section in draft.sections:
        comments: list[ConsolidatedComment] = []
        for comment in section.comments:
            next_id += 1
            moment = (
                datetime.combine(comment.created_on, time(), tzinfo=UTC)
                if comment.created_on
                else default
            )
            comments.append(
                ConsolidatedComment(
                    id=next_id,
                    organization=comment.organization,
                    group=comment.group,
                    kind=comment.kind,
                    text=comment.text,
                    created_at=moment,
                )
            )
        sections.append(ConsolidatedSection(section.key, section.text, 1, comments))
    return ConsolidatedDraft(
        code=draft.code,
        title=draft.title,
        version=draft.version,
        generated_at=generated_at,
        window_opens=None,
        window_closes=None,
        sections=sections,
        notes=list(draft.notes),
    )


__all__ = [
    "KEY_EXAMPLES",
    "ConsolidatedComment",
    "ConsolidatedDraft",
    "ConsolidatedSection",
    "ParsedComment",
    "ParsedDraft",
    "ParsedSection",
    "normalize_text",
    "one_line",
    "parse_draft_markdown",
    "render_docx",
    "render_markdown",
    "to_consolidated",
]
