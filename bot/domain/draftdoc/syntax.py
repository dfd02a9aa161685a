"""The syntax the Markdown reader and writer share: the heading, item and comment-line patterns,
the "Organization, Group [kind]: text" attribution, how a kind is inferred ("Deleted 3" is a
deletion), and how text is normalized (`normalize_text`, `one_line`). The writer escapes any
text line these patterns would read as structure, so what it writes reads back unchanged."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.models import AttributionStatus, CommentKind
from bot.domain.stakeholders import match_group, server_groups
from bot.errors import UserError
from bot.i18n import Msg
from bot.text import clean_control

#: Controls that break a line where text was pasted from Word (vertical tab) or a PDF (form feed).
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
BREAKS_AS_SPACES = str.maketrans({"\x0b": " ", "\x0c": " "})


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
    return " ".join(clean_control(text.translate(BREAKS_AS_SPACES)).split())


DRAFT_HEADING = re.compile(r"^#\s+(?P<rest>.*)$")
PART_HEADING = re.compile(r"^##\s+(?P<rest>.*)$")
SUB_HEADING = re.compile(r"^#{3,6}\s+(?P<rest>.*)$")
DRAFT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/+-]*$")
#: An item's label at the start of a line, then its text: ``a)``, ``(a)``, ``1.``, ``12)``,
#: ``(iv)``, ``iv)``, ``Article 3`` (which may have its text on the lines below).
ITEM = re.compile(
    r"^(?P<label>"
    r"\((?:[A-Za-z]|[ivxlcdm]+|[IVXLCDM]+|\d{1,3})\)"
    r"|(?:[A-Za-z]|[ivxlcdm]+|[IVXLCDM]+)\)"
    r"|\d{1,3}[.)]"
    r"|(?P<word>Article)\s+(?:\d{1,3}|[IVXLC]+)[.:]?(?=\s|$)"
    r")(?:\s+(?P<text>.*))?$"
)


def item_family(label: str) -> str:
    """What kind of numbering a label belongs to: ``"number"`` (``12.``, ``(3)``), ``"letter"``
    (``a)``, ``(a)``, ``(iv)``) or ``"word"`` (``Article 3``). An item numbered unlike the
    items above it is their sub-item."""
    core = label.strip("().: ")
    if core.isdigit():
        return "number"
    return "letter" if core.isalpha() and " " not in core else "word"
EXPLICIT_BULLET = re.compile(r"^(?:[-*+]\s+)?[·•]\s*(?P<rest>.*)$")
SOFT_BULLET = re.compile(r"^[-*+]\s+(?P<rest>.*)$")
_KIND_MARK = re.compile(r"\s*[\[(]\s*(?P<kind>[A-Za-z]+)\s*[\])]\s*$")
DATE_SUFFIX = re.compile(
    r"\s*_\((?:#\d+,\s*)?(?:(?P<date>\d{4}-\d{2}-\d{2})|imported)(?:,\s*edited)?\)_\s*$"
)
_DELETION = re.compile(r"^(?:delete|deleted|deletion)(?:\s+[\w().,/-]{1,12}){0,2}\s*\.?$", re.I)
META = re.compile(r"^(?P<name>version|generated|comment window)\s*:\s*(?P<value>.*)$", re.I)
NO_COMMENTS = "_No comments._"
#: The line that says how many comments of a section the secretariat hid (never their text).
HIDDEN_NOTE = re.compile(r"^_\d[\d,]* comments? hidden by the secretariat\._$")
#: The marks after a group that say an attribution was not verified in Discord.
_STATUS_WORDS = {
    "unverified": AttributionStatus.UNVERIFIED,
    "imported": AttributionStatus.IMPORTED,
}
#: The group of a comment whose file named only its organization (seed 002's "Contribution by
#: ICANN"): kept as is, so its draft's Markdown export reads back; a coordinator sets it later.
UNKNOWN_GROUP = "Unknown"
_MAX_ORG = 120
_MAX_GROUP = 40


def _group_names(own: Sequence[str] = ()) -> str:
    names = server_groups(own)
    return ", ".join(names[:-1]) + " or " + names[-1]


def hidden_note(count: int) -> str:
    """ "_2 comments hidden by the secretariat._", which the reader skips."""
    return f"_{count:,} comment{'' if count == 1 else 's'} hidden by the secretariat._"


def _kind_names() -> str:
    return ", ".join(f"[{k.value}]" for k in CommentKind)


def line_error(line: int, message: str) -> UserError:
    return UserError(Msg("Line {line}: {message}", line=line, message=message))


def shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(slots=True)
class Attribution:
    organization: str
    group: str
    kind: CommentKind | None
    text: str
    #: None without a mark; " (unverified)" or " (imported)" after the group says which.
    status: AttributionStatus | None = None


def parse_attribution(
    rest: str, line: int, *, strict: bool, groups: Sequence[str] = (), any_group: bool = False
) -> Attribution | None:
    """``"ISOC, Civil Society (unverified) [amendment]: text"`` -> the parts; None if it has no
    attribution. The status mark (``(unverified)`` or ``(imported)``) and the kind come after
    the group, in either order.
    The organization and the group split at the last comma; the group is one of the five WSIS
    groups or of ``groups`` (a server's own), or with ``any_group`` any text that could name a
    group (the writer uses it to escape every line the reader might take for a comment).

    With ``strict`` (an explicit ``·`` bullet), an attribution whose group or kind is unknown is
    an error; otherwise it is simply not an attribution.
    """
    head, colon, text = rest.partition(":")
    if not colon or "," not in head:
        return None
    kind: CommentKind | None = None
    status: AttributionStatus | None = None
    while mark := _KIND_MARK.search(head):
        word = mark.group("kind").lower()
        bracket = mark.group(0).strip().startswith("[")
        if kind is None and word in {k.value for k in CommentKind}:
            kind = CommentKind(word)
            head = head[: mark.start()]
        elif status is None and not bracket and word in _STATUS_WORDS:
            status = _STATUS_WORDS[word]
            head = head[: mark.start()]
        elif not bracket:
            break
        else:
            if not strict:
                return None
            raise line_error(
                line,
                f'"{shorten(mark.group("kind"))}" is not a comment kind; '
                f"use {_kind_names()} after the group.",
            )
    org, _, group_text = head.rpartition(",")
    org, group_text = " ".join(org.split()), " ".join(group_text.split())
    if not org or not group_text or len(org) > _MAX_ORG or len(group_text) > _MAX_GROUP:
        return None
    group = group_text if any_group else match_group(group_text, groups)
    if group is None and group_text.casefold() == UNKNOWN_GROUP.casefold():
        group = UNKNOWN_GROUP  # imported from Word naming only the organization
    if group is None:
        if not strict:
            return None
        raise line_error(
            line,
            f'"{shorten(group_text)}" is not a stakeholder group; write "Organization, Group:" '
            f"with the group one of {_group_names(groups)} (indent the line by two spaces if it "
            "continues the comment above).",
        )
    return Attribution(org, group, kind, text.strip(), status)


def infer_kind(text: str) -> CommentKind:
    return CommentKind.DELETION if _DELETION.match(text) else CommentKind.COMMENT
