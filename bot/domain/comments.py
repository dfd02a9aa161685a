"""Stakeholder comments: attribution frozen at comment time, windows, author-only changes,
bounded listings and the coverage of sections by stakeholder groups.

No Discord here: the cog converts options and formats answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.db.comments import CommentFilter, CommentRepository
from bot.domain.clock import Clock
from bot.domain.drafts import LISTED_CODES, DraftService, require_open_window
from bot.domain.models import Comment, CommentKind, Draft, Section, StakeholderGroup
from bot.domain.stakeholders import StakeholderService, parse_group
from bot.errors import Forbidden, NotFound, UserError

log = logging.getLogger(__name__)

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


class CommentService:
    def __init__(
        self,
        repo: CommentRepository,
        drafts: DraftService,
        stakeholders: StakeholderService,
        clock: Clock,
    ) -> None:
        self.repo = repo
        self.drafts = drafts
        self.stakeholders = stakeholders
        self.clock = clock

    async def add(
        self,
        guild_id: int,
        user_id: int,
        draft_code: str,
        section: str,
        text: str,
        kind: str | CommentKind | None = None,
    ) -> Posted:
        """Record a comment attributed to the member's organization and group as they are now."""
        profile = await self.stakeholders.require(guild_id, user_id)
        draft = await self.drafts.require(guild_id, draft_code)
        found = await self.drafts.require_section(draft, section)
        now = self.clock()
        require_open_window(draft, now)
        body = clean_comment_text(text)
        chosen = kind if isinstance(kind, CommentKind) else parse_kind(kind)
        comment, new = await self.repo.add(
            draft, found, profile, chosen, body, now, same_since=now - SAME_COMMENT_WINDOW
        )
        return Posted(comment, draft, found, new)

    def _ownership_check(
        self, user_id: int, comment_id: int, verb: str, draft: Draft | None
    ) -> Callable[[Comment | None], None]:
        """The checks of an edit or withdrawal, run on the row as it is inside the write's
        transaction (not on an earlier read another change may have overtaken)."""

        def check(comment: Comment | None) -> None:
            if comment is None:
                raise NotFound(
                    f"There is no comment #{comment_id} here; `/comments list` shows the comments"
                    " and their numbers."
                )
            if comment.author_id != user_id:
                raise Forbidden(
                    f"Only the author of #{comment_id} can {verb} it; you can add your own with"
                    " `/comment`."
                )
            if comment.withdrawn_at is not None:
                raise UserError(
                    f"#{comment_id} was withdrawn, so it can't be {verb}ed any more; post a new"
                    " one with `/comment`." if verb == "edit" else f"#{comment_id} is already withdrawn."
                )
            if draft is not None:
                require_open_window(draft, self.clock())

        return check

    async def _change(
        self, guild_id: int, user_id: int, comment_id: int, verb: str, text: str | None
    ) -> Comment:
        before = await self.repo.get(guild_id, comment_id)
        draft = None
        if before is not None:
            draft = await self.drafts.repo.get_by_id(before.draft_id)
        check = self._ownership_check(user_id, comment_id, verb, draft)
        check(before)  # refuse early, without a write transaction
        return await self.repo.change(
            guild_id, comment_id, check, text=text, actor_id=user_id, at=self.clock()
        )

    async def edit(self, guild_id: int, user_id: int, comment_id: int, text: str) -> Comment:
        """The author changes the text while the window is open; the old text goes to the audit."""
        body = clean_comment_text(text)
        return await self._change(guild_id, user_id, comment_id, "edit", body)

    async def withdraw(self, guild_id: int, user_id: int, comment_id: int) -> Comment:
        """The author withdraws the comment while the window is open (it stays in the audit)."""
        return await self._change(guild_id, user_id, comment_id, "withdraw", None)

    async def get(self, guild_id: int, comment_id: int) -> Comment | None:
        return await self.repo.get(guild_id, comment_id)

    async def listing(
        self,
        guild_id: int,
        draft_code: str | None = None,
        section: str | None = None,
        group: str | None = None,
    ) -> Listing:
        """The newest live comments matching the filters (at most MAX_LISTED) and their count."""
        draft: Draft | None = None
        found: Section | None = None
        if draft_code:
            draft = await self.drafts.require(guild_id, draft_code)
        if section:
            if draft is None:
                codes = await self.drafts.codes(guild_id)
                if len(codes) != 1:
                    listed = ", ".join(codes[:LISTED_CODES])
                    if len(codes) > LISTED_CODES:
                        listed += f" and {len(codes) - LISTED_CODES} more: `/draft list`"
                    raise UserError(
                        "Name the draft as well as the section"
                        + (f" (drafts here: {listed})." if codes else ".")
                    )
                draft = await self.drafts.require(guild_id, codes[0])
            found = await self.drafts.require_section(draft, section)
        chosen = parse_group(group) if group else None
        flt = CommentFilter(
            guild_id=guild_id,
            draft_id=draft.id if draft else None,
            section_id=found.id if found else None,
            group=chosen,
        )
        comments = await self.repo.latest(flt, MAX_LISTED + 1)
        if len(comments) > MAX_LISTED:
            comments = comments[:MAX_LISTED]
            total = await self.repo.count(flt, COUNT_CAP + 1)
        else:
            total = len(comments)
        if draft is not None:
            codes_by_id = {draft.id: draft.code}
        else:
            codes_by_id = {d.id: d.code for d in await self.drafts.repo.all(guild_id)}
        return Listing(
            comments=comments,
            total=min(total, COUNT_CAP),
            capped=total > COUNT_CAP,
            drafts=codes_by_id,
            draft=draft,
            section=found,
            group=chosen,
        )

    async def coverage(self, guild_id: int, draft_code: str) -> Coverage:
        draft = await self.drafts.require(guild_id, draft_code)
        sections = await self.drafts.repo.sections(draft.id)
        return Coverage(draft, sections, await self.repo.coverage(draft.id))
