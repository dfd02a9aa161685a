"""Stakeholder comments as values: the text and kind checks, and what the comment service
returns (a posted comment, a bounded listing, the coverage of sections by stakeholder groups).
Pure; the service is bot.services.comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.models import Comment, CommentKind, Draft, Section, StakeholderGroup
from bot.errors import UserError

MAX_COMMENT = 4000
#: A listing shows at most this many comments (newest first) ...
MAX_LISTED = 100
#: ... and counts the matching ones up to this many, so its cost stays bounded.
COUNT_CAP = 1_000


def clean_comment_text(text: str) -> str:
    """The comment's text with outer whitespace trimmed; empty or over 4,000 characters is an
    error that says the limit."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise UserError("Write the comment's text; an empty comment can't be recorded.")
    if len(cleaned) > MAX_COMMENT:
        raise UserError(
            f"That comment is {len(cleaned):,} characters; the limit is {MAX_COMMENT:,}."
            " Shorten it, or split it into several comments."
        )
    return cleaned


def parse_kind(text: str | None) -> CommentKind:
    if not text:
        return CommentKind.COMMENT
    try:
        return CommentKind(text.strip().lower())
    except ValueError:
        names = ", ".join(k.value for k in CommentKind)
        raise UserError(f"Choose a kind of comment: {names}.") from None


#: The same author posting the same text on the same section within this time is one comment
#: (a retry after no answer came), not two.
SAME_COMMENT_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Posted:
    comment: Comment
    draft: Draft
    section: Section
    new: bool = True  # False: the same comment was already recorded (a retry)


@dataclass(frozen=True, slots=True)
class Listing:
    comments: list[Comment]  # newest first, at most MAX_LISTED; texts cut to a preview
    total: int  # matching comments, counted up to COUNT_CAP
    capped: bool  # True when there are more than COUNT_CAP
    drafts: dict[int, str]  # draft id -> code, for the items
    draft: Draft | None
    section: Section | None
    group: StakeholderGroup | None


@dataclass(frozen=True, slots=True)
class Coverage:
    draft: Draft
    sections: list[Section]
    counts: dict[tuple[int, StakeholderGroup], int]

    def count(self, section: Section, group: StakeholderGroup) -> int:
        return self.counts.get((section.id, group), 0)

    def gaps(self) -> list[tuple[Section, list[StakeholderGroup]]]:
        """Sections with the groups that have not commented on them, in document order."""
        out = []
        for section in self.sections:
            missing = [g for g in StakeholderGroup if self.count(section, g) == 0]
            if missing:
                out.append((section, missing))
        return out

    @property
    def total(self) -> int:
        return sum(self.counts.values())
