"""The Markdown reader: `parse_draft_markdown` turns a file (see the package docstring for the
format) into parsed drafts, one line at a time, with errors that start with the line number.
Comments get a `source_key` so that re-importing the same file finds the same comments."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.domain.draftdoc.syntax import (
    BREAKS_AS_SPACES,
    DATE_SUFFIX,
    DRAFT_CODE,
    DRAFT_HEADING,
    EXPLICIT_BULLET,
    HIDDEN_NOTE,
    ITEM,
    META,
    NO_COMMENTS,
    PART_HEADING,
    SOFT_BULLET,
    SUB_HEADING,
    Attribution,
    infer_kind,
    item_family,
    line_error,
    normalize_text,
    parse_attribution,
)
from bot.domain.models import (
    AttributionStatus,
    CommentKind,
    ParsedComment,
    ParsedDraft,
    ParsedSection,
)
from bot.domain.sections import (
    clean_heading,
    item_key,
    part_short_names,
    section_label,
)
from bot.domain.stakeholders import match_group
from bot.errors import UserError
from bot.i18n import Msg
from bot.text import clean_control

#: The sub-heading an export writes above comments on an earlier revision (layout.py).
REVISION_HEADING = re.compile(r"Comments on revision \d+\b", re.IGNORECASE)


def _source_key(section_key: str, org: str, group: str, kind: str, text: str) -> str:
    canon = "\x1f".join(
        [" ".join(org.split()).casefold(), group, kind, " ".join(text.split()).casefold()]
    )
    return f"{section_key}:{hashlib.sha256(canon.encode()).hexdigest()[:16]}"


_CYRILLIC_LOOKALIKES = str.maketrans("СсАаВЕеКМНОоРрТХх", "CcAaBEeKMHOoPpTXx")


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
    group: str
    kind: CommentKind | None
    body: _Text
    status: AttributionStatus = AttributionStatus.IMPORTED

    def build(self, section_key: str) -> ParsedComment:
        text = self.body.text()
        created_on: date | None = None
        suffix = DATE_SUFFIX.search(text)
        if suffix:
            text = text[: suffix.start()].rstrip()
            try:
                found = suffix.group("date")  # None for "_(imported)_": no date
                created_on = date.fromisoformat(found) if found else None
            except ValueError:
                raise line_error(
                    self.line, f'"{suffix.group("date")}" is not a date; write it as 2014-01-20.'
                ) from None
        if not text:
            raise line_error(
                self.line,
                f"the comment by {self.organization}, {self.group} has no text; write it "
                "after the colon or on the next line.",
            )
        kind = self.kind or infer_kind(text)
        return ParsedComment(
            organization=self.organization,
            group=self.group,
            kind=kind,
            text=text,
            source_key=_source_key(section_key, self.organization, self.group, kind, text),
            created_on=created_on,
            line=self.line,
            status=self.status,
        )


@dataclass(slots=True)
class _SectionBuilder:
    key: str
    line: int
    part: str
    label: str | None = None
    body: _Text = field(default_factory=_Text)
    comments: list[_CommentBuilder] = field(default_factory=list)

    def build(self) -> ParsedSection:
        text = self.body.text()
        if not text:
            raise line_error(
                self.line, f"{section_label(self.key)} has no text; write it after the label."
            )
        return ParsedSection(
            key=self.key,
            text=text,
            comments=[c.build(self.key) for c in self.comments],
            line=self.line,
            part=self.part,
            label=self.label,
        )


class _Parser:
    def __init__(self, groups: Sequence[str] = ()) -> None:
        self.groups = groups  # the server's own groups, beside the five WSIS groups
        self.drafts: list[ParsedDraft] = []
        self.draft: ParsedDraft | None = None
        self.notes = _Text()
        self.sections: list[_SectionBuilder] = []
        #: The current part's heading as written, and its short name (the keys' first part).
        self.part: str | None = None
        self.part_key = ""
        self.part_headings: list[str] = []
        #: The items above the current line, outermost first: (numbering family, key).
        self.items: list[tuple[str, str]] = []
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
        if not DRAFT_CODE.match(code) or not title:
            raise line_error(
                line,
                "a draft heading is the code and then the title, like "
                '"# C11 International and regional cooperation".',
            )
        if any(d.code.casefold() == code.casefold() for d in self.drafts):
            raise line_error(line, f"the file already holds a draft {code}; give each draft once.")
        self.draft = ParsedDraft(code=code, title=title, version=None, line=line)
        self.notes = _Text()
        self.sections = []
        self.part = None
        self.part_key = ""
        self.part_headings = []
        self.items = []
        self.section = None
        self.comment = None

    def start_section(self, key: str, line: int, label: str | None = None) -> _SectionBuilder:
        for existing in self.sections:
            if existing.key == key:
                raise line_error(
                    line,
                    f"{section_label(key)} appears twice in draft {self.draft_code} "
                    f"(first on line {existing.line}).",
                )
        assert self.part is not None
        self.section = _SectionBuilder(key=key, line=line, part=self.part, label=label)
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
            raise line_error(
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
        if match := DRAFT_HEADING.match(stripped):
            self.start_draft(match.group("rest"), line)
            return True
        if match := PART_HEADING.match(stripped):
            if self.draft is None:
                raise line_error(
                    line, 'put a draft heading such as "# C11 Title" before the parts.'
                )
            heading = " ".join(match.group("rest").split())
            if not clean_heading(heading).strip("#").strip():
                raise line_error(line, 'a part heading needs a name, like "## Preamble".')
            self.part = heading
            self.part_headings.append(heading)
            self.part_key = part_short_names(self.part_headings)[-1]
            self.items = []
            self.section = None
            self.comment = None
            return True
        if match := SUB_HEADING.match(stripped):
            named = match_group(match.group("rest").strip(), self.groups)
            if REVISION_HEADING.match(match.group("rest").strip()):
                named = ""  # an export's "Comments on revision 1 (...)": comments follow
            valid = named is not None and self.part is not None
            if not valid:
                raise line_error(
                    line,
                    "only drafts (#), parts (## Preamble, ## Operative paragraphs) and "
                    "stakeholder groups above comments (### Government) have headings; "
                    'write items as "a) text" or "12. text".',
                )
            self.blank = True
            return True
        return False

    def header_line(self, stripped: str, line: int, *, structural: bool, blank: bool) -> None:
        assert self.draft is not None
        if structural:
            meta = META.match(stripped)
            if meta:
                if meta.group("name").lower() == "version":
                    value = meta.group("value").strip()
                    if not value:
                        raise line_error(line, 'the version line is empty; write "Version: V1.2".')
                    if self.draft.version is not None:
                        raise line_error(line, f"draft {self.draft.code} already has a version.")
                    self.draft.version = value
                return
            if ITEM.match(stripped) or EXPLICIT_BULLET.match(stripped):
                raise line_error(
                    line,
                    "items and comments go under a part heading "
                    '(like "## Preamble" or "## Operative paragraphs").',
                )
        self.notes.add(stripped, new_paragraph=blank)

    def structure_line(self, stripped: str, line: int, *, blank: bool) -> bool:
        """Items and comments; True if the line was one."""
        assert self.part is not None
        if item := ITEM.match(stripped):
            label = item.group("label")
            text = (item.group("text") or "").strip()
            key = self.item_key(label)
            if not text and not item.group("word"):
                raise line_error(
                    line, f"{section_label(key)} has no text; write it after the label."
                )
            self.start_section(key, line, label).body.add(text, new_paragraph=True)
            return True
        if stripped == NO_COMMENTS or HIDDEN_NOTE.match(stripped):
            return True
        if explicit := EXPLICIT_BULLET.match(stripped):
            rest = explicit.group("rest")
            attribution = parse_attribution(rest, line, strict=True, groups=self.groups)
            if attribution is not None:
                self.start_comment(attribution, line)
                return True
            if self.comment is None:
                raise line_error(
                    line,
                    "a comment needs an attribution, like "
                    '"· ISOC, Civil Society: text" (organization, then group).',
                )
            self.comment.body.add(rest.strip(), new_paragraph=blank)
            return True
        if soft := SOFT_BULLET.match(stripped):
            attribution = parse_attribution(soft.group("rest"), line, strict=False, groups=self.groups)
            if attribution is not None:
                self.start_comment(attribution, line)
                return True
        return False

    def item_key(self, label: str) -> str:
        """The key of the item `label` starts: numbered like an item above, it is that item's
        sibling; numbered otherwise, it is a sub-item of the item just above."""
        family = item_family(label)
        families = [f for f, _ in self.items]
        if family in families:
            del self.items[families.index(family):]
        parent = self.items[-1][1] if self.items else self.part_key
        key = item_key(parent, label)
        self.items.append((family, key))
        return key

    def start_comment(self, attribution: Attribution, line: int) -> None:
        if self.section is None or not self.section.body.paragraphs:
            part = self.part or ""
            raise line_error(
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
            # A file never makes an attribution verified: unmarked means imported.
            status=attribution.status or AttributionStatus.IMPORTED,
        )
        self.section.comments.append(self.comment)

    def text_line(self, stripped: str, line: int, *, indented: bool, blank: bool) -> None:
        assert self.part is not None
        if self.comment is not None:
            if not blank or indented:
                self.comment.body.add(stripped, new_paragraph=blank)
                return
            assert self.section is not None
            raise line_error(
                line,
                f"this text follows the comments on {section_label(self.section.key)}; indent it "
                "by two spaces to continue the comment above, or start an item like "
                '"f) ..." or a comment like "· ISOC, Civil Society: ...".',
            )
        if self.section is None:
            self.start_section(self.part_key, line)
        assert self.section is not None
        self.section.body.add(stripped, new_paragraph=blank)

    def finish(self) -> list[ParsedDraft]:
        self.finish_draft()
        if not self.drafts:
            raise UserError(Msg(
                'The file holds no draft; start it with a heading like "# C11 Title", then '
                'its parts, like "## Preamble" and "## Operative paragraphs".'
            ))
        return self.drafts


def parse_draft_markdown(text: str, groups: Sequence[str] = ()) -> list[ParsedDraft]:
    """Every draft in a Markdown file, its sections and their comments (see the module doc).
    A comment's group is one of the five WSIS groups or of `groups` (the server's own)."""
    parser = _Parser(groups)
    # Control characters go before the lines are read (line numbers stay those of the file);
    # a vertical tab or form feed inside a line separates words.
    text = clean_control(text.translate(BREAKS_AS_SPACES))
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
