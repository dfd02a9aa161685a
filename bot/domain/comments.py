"""Stakeholder comments as values: the text and kind checks, and what the comment service
returns (a posted comment, a bounded listing, the coverage of sections by stakeholder groups).
Pure; the service is bot.services.comments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import ceil

from bot.domain.models import (
    DEFAULT_GROUPS,
    AttributionStatus,
    Comment,
    CommentKind,
    Draft,
    Section,
)
from bot.errors import UserError
from bot.i18n import Msg

MAX_COMMENT = 4000
#: A listing shows at most this many comments (newest first) ...
MAX_LISTED = 100
#: ... and counts the matching ones up to this many, so its cost stays bounded.
COUNT_CAP = 1_000
#: A listing answers with one page of this many comments; Next and Previous read the others.
COMMENTS_PER_PAGE = 6


def clean_comment_text(text: str) -> str:
    """The comment's text with outer whitespace trimmed; empty or over 4,000 characters is an
    error that says the limit."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise UserError(Msg("Write the comment's text; an empty comment can't be recorded."))
    if len(cleaned) > MAX_COMMENT:
        raise UserError(
            Msg("That comment is {length} characters; the limit is {limit}. Shorten it, or"
                " split it into several comments.", length=f"{len(cleaned):,}",
                limit=f"{MAX_COMMENT:,}")
        )
    return cleaned


def parse_kind(text: str | None) -> CommentKind:
    if not text:
        return CommentKind.COMMENT
    try:
        return CommentKind(text.strip().lower())
    except ValueError:
        names = ", ".join(k.value for k in CommentKind)
        raise UserError(Msg("Choose a kind of comment: {names}.", names=names)) from None


#: The same author posting the same text on the same section within this time is one comment
#: (a retry after no answer came), not two.
SAME_COMMENT_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Posted:
    comment: Comment
    draft: Draft
    section: Section
    new: bool = True  # False: the same comment was already recorded (a retry)


# ------------------------------------------------------------------ trust (SPEC section 8)

#: What an attribution that nobody verified in Discord carries after it, wherever it is shown.
STATUS_MARKS: dict[AttributionStatus, str] = {
    AttributionStatus.UNVERIFIED: " (unverified)",
    AttributionStatus.IMPORTED: " (imported)",
}
#: How `/comments show` says how the attribution stood when the comment was made.
STATUS_PHRASES: dict[AttributionStatus, str] = {
    AttributionStatus.VERIFIED: "verified when it was made",
    AttributionStatus.UNVERIFIED: "unverified when it was made",
    AttributionStatus.IMPORTED: "imported from a file (nobody verified it in Discord)",
}
MAX_REASON = 500


def marked_attribution(attribution: str, status: AttributionStatus) -> str:
    """"ISOC, Civil Society (unverified)": the attribution with its status mark, if any."""
    return attribution + STATUS_MARKS.get(status, "")


def clean_reason(text: str) -> str:
    """A moderation reason, trimmed; empty or over MAX_REASON characters is an error."""
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise UserError(Msg(
            "Give a reason: the author is told it by DM, e.g. `reason:Advertising`."
        ))
    if len(cleaned) > MAX_REASON:
        raise UserError(Msg(
            "That reason is {n} characters; keep it to {most}.", n=f"{len(cleaned):,}",
            most=f"{MAX_REASON:,}",
        ))
    return cleaned


@dataclass(frozen=True, slots=True)
class Changed:
    """A comment after an edit, a withdrawal, a hiding or a restoring, with its draft (what
    the public message that announced it says next) and the current revision of its section
    (None when unknown), so that both can say when it was made on an earlier text."""

    comment: Comment
    draft_code: str
    current_revision: int | None = None
    #: An edit to the text the comment already had: nothing was written.
    unchanged: bool = False


@dataclass(frozen=True, slots=True)
class EarlierText:
    """One entry of a comment's edit history: the text it had until `replaced_at`."""

    text: str
    replaced_at: datetime


@dataclass(frozen=True, slots=True)
class CommentView:
    """One comment whole, as `/comments show` gives it to one member. `privileged` (its author
    or a coordinator) sees the text of a hidden or withdrawn comment, the reason it was hidden
    and the edit history; `history` is empty for anyone else."""

    comment: Comment
    draft_code: str
    privileged: bool
    history: list[EarlierText] = field(default_factory=list)
    #: The section's current revision, and (for an amendment) the text it was written on.
    current_revision: int | None = None
    written_on: str | None = None

    @property
    def text_shown(self) -> bool:
        c = self.comment
        return self.privileged or (c.hidden_at is None and c.withdrawn_at is None)


@dataclass(frozen=True, slots=True)
class Listed:
    """A listed comment (its text cut to a preview) with its draft's code and its section's
    current revision, read with it."""

    comment: Comment
    draft_code: str
    current_revision: int


def page_window(page: int) -> tuple[int, int]:
    """Where page `page` of a listing starts among the newest MAX_LISTED comments, and how
    many comments it shows at most (the last page may show fewer)."""
    page = min(max(page, 0), last_page(MAX_LISTED))
    offset = page * COMMENTS_PER_PAGE
    return offset, min(COMMENTS_PER_PAGE, MAX_LISTED - offset)


def last_page(total: int) -> int:
    """The index of the last page of a listing of `total` matching comments (0 when none)."""
    return max(0, ceil(min(total, MAX_LISTED) / COMMENTS_PER_PAGE) - 1)


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of the newest MAX_LISTED live comments matching the filters."""

    comments: list[Comment]  # the page's comments, newest first; texts cut to a preview
    total: int  # matching comments, counted up to COUNT_CAP
    capped: bool  # True when there are more than COUNT_CAP
    drafts: dict[int, str]  # draft id -> code, for the page's comments
    draft: Draft | None
    section: Section | None
    group: str | None
    current: dict[int, int] = field(default_factory=dict)  # section id -> current revision
    page: int = 0  # the index of this page

    @property
    def listed(self) -> int:
        """How many comments the listing covers: the newest MAX_LISTED at most."""
        return min(self.total, MAX_LISTED)

    @property
    def pages(self) -> int:
        """How many pages the listing has (1 when it is empty)."""
        return last_page(self.total) + 1


@dataclass(frozen=True, slots=True)
class Coverage:
    draft: Draft
    sections: list[Section]
    counts: dict[tuple[int, str], int]
    #: The columns: the server's groups (the five WSIS groups, then its own), then any other
    #: group a comment was made in (a group since removed, or one from an imported file).
    groups: list[str] = field(default_factory=lambda: list(DEFAULT_GROUPS))

    def __post_init__(self) -> None:
        others = sorted({g for _, g in self.counts} - set(self.groups), key=str.casefold)
        object.__setattr__(self, "groups", [*self.groups, *others])

    def count(self, section: Section, group: str) -> int:
        return self.counts.get((section.id, group), 0)

    def gaps(self) -> list[tuple[Section, list[str]]]:
        """Sections with the groups that have not commented on them, in document order."""
        out = []
        for section in self.sections:
            missing = [g for g in self.groups if self.count(section, g) == 0]
            if missing:
                out.append((section, missing))
        return out

    @property
    def total(self) -> int:
        return sum(self.counts.values())
