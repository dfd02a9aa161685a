"""The comment service: attribution frozen at comment time (with whether it was verified),
windows, author-only changes, moderation (hide, restore), one comment whole with its edit
history, bounded listings and the coverage of sections by stakeholder groups.

No Discord here: the cog converts options and formats answers.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import replace

from bot.db import audit
from bot.db.comments import CommentFilter, CommentRepository, same_comment_lock
from bot.db.database import Database
from bot.domain.clock import Clock
from bot.domain.comments import (
    COMMENTS_PER_PAGE,
    COUNT_CAP,
    SAME_COMMENT_WINDOW,
    Changed,
    CommentView,
    Coverage,
    EarlierText,
    Listed,
    Listing,
    Posted,
    clean_comment_text,
    clean_reason,
    last_page,
    page_window,
    parse_kind,
)
from bot.domain.draftdoc.syntax import UNKNOWN_GROUP
from bot.domain.drafts import LISTED_CODES, require_open_window
from bot.domain.models import AttributionStatus, Comment, CommentKind, Draft, Section, Stakeholder
from bot.errors import Forbidden, NotFound, UserError
from bot.i18n import Msg
from bot.services.drafts import DraftService
from bot.services.stakeholders import StakeholderService

log = logging.getLogger(__name__)


def _require(comment: Comment | None, comment_id: int) -> Comment:
    if comment is None:
        raise NotFound(
            Msg("There is no comment #{id} here; `/comments list` shows the comments and their"
                " numbers.", id=comment_id)
        )
    return comment


class CommentService:
    def __init__(
        self,
        db: Database,
        repo: CommentRepository,
        drafts: DraftService,
        stakeholders: StakeholderService,
        clock: Clock,
    ) -> None:
        self.db = db
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
        *,
        written_on: int | None = None,
    ) -> Posted:
        """Record a comment attributed to the member's organization and group as they are now,
        and whether that attribution is verified (a server that requires verification refuses
        unverified members). `written_on`: the revision of the section a form showed (the
        comment is recorded as made on it when the section was revised since)."""
        profile, status, draft, found = await self._place(guild_id, user_id, draft_code, section)
        now = self.clock()
        body = clean_comment_text(text)
        chosen = kind if isinstance(kind, CommentKind) else parse_kind(kind)
        if written_on is not None and 1 <= written_on < found.revision:
            # Written in a form on an earlier text of the section, revised since it opened.
            found = replace(found, revision=written_on)
        lock = same_comment_lock(user_id, found.id)
        async with self.db.quick_transaction(lock) as tx:
            comment, new = await self.repo.add(
                tx, draft, found, profile, chosen, body, now,
                status=status, same_since=now - SAME_COMMENT_WINDOW, locked=True,
            )
            if new:
                await audit.record(
                    tx, guild_id=draft.guild_id, actor_id=user_id, action="comment.add",
                    target=f"comment:{comment.id}", at=now,
                    detail={
                        "draft": draft.code, "section": found.key, "kind": chosen.value,
                        "status": status.value,
                    },
                )
        return Posted(comment, draft, found, new)

    async def _place(
        self, guild_id: int, user_id: int, draft_code: str, section: str
    ) -> tuple[Stakeholder, AttributionStatus, Draft, Section]:
        """Who may comment where, now: the member's profile (verified where required), the
        draft and section, the open window."""
        # The member and the place are read at once (on PostgreSQL, on two connections); a
        # missing profile is still the refusal given first.
        who, where = await asyncio.gather(
            self.stakeholders.for_comment(guild_id, user_id),
            self.drafts.require_place(guild_id, draft_code, section),
            return_exceptions=True,
        )
        for outcome in (who, where):
            if isinstance(outcome, BaseException):
                raise outcome
        assert not isinstance(who, BaseException) and not isinstance(where, BaseException)
        (profile, status), (draft, found) = who, where
        require_open_window(draft, self.clock())
        return profile, status, draft, found

    async def prepare(
        self, guild_id: int, user_id: int, draft_code: str, section: str, kind: str | None
    ) -> tuple[Draft, Section, CommentKind]:
        """Everything `add` checks before the text: what a form for the text is opened on."""
        _, _, draft, found = await self._place(guild_id, user_id, draft_code, section)
        return draft, found, parse_kind(kind)

    async def prepare_edit(self, guild_id: int, user_id: int, comment_id: int) -> Comment:
        """The comment the member may edit now (author, not withdrawn or hidden, window
        open): what a form for its new text starts with."""
        before = await self.repo.get(guild_id, comment_id)
        draft = None if before is None else await self.drafts.by_id(before.draft_id)
        self._ownership_check(user_id, comment_id, "edit", draft)(before)
        assert before is not None
        return before

    async def record_message(self, posted: Posted, channel_id: int, message_id: int) -> Changed:
        """Remember the public message that announced a comment, so that it can follow the
        record (edited when the comment is edited, withdrawn, hidden or restored). Returns the
        comment as it is now: a change made before the message was remembered did not edit
        the message, so the caller does when the comment is no longer as announced."""
        changed = await self.repo.remember_message(posted.comment.id, channel_id, message_id)
        if changed is False:  # still as announced: nothing more to read (revision not asked)
            comment = replace(posted.comment, channel_id=channel_id, message_id=message_id)
            return Changed(comment, posted.draft.code, None)
        now = await self.repo.get(posted.draft.guild_id, posted.comment.id)
        return await self._changed(now or posted.comment)

    def _ownership_check(
        self, user_id: int, comment_id: int, verb: str, draft: Draft | None
    ) -> Callable[[Comment | None], None]:
        """The checks of an edit or withdrawal, run on the row as it is inside the write's
        transaction (not on an earlier read another change may have overtaken)."""

        def check(found: Comment | None) -> None:
            comment = _require(found, comment_id)
            if comment.author_id != user_id:
                raise Forbidden(
                    Msg("Only the author of #{id} can edit it; you can add your own with"
                        " `/comment`.", id=comment_id) if verb == "edit"
                    else Msg("Only the author of #{id} can withdraw it; you can add your own with"
                             " `/comment`.", id=comment_id)
                )
            if comment.withdrawn_at is not None:
                raise UserError(
                    Msg("#{id} was withdrawn, so it can't be edited any more; post a new one with"
                        " `/comment`.", id=comment_id) if verb == "edit"
                    else Msg("#{id} is already withdrawn.", id=comment_id)
                )
            if comment.hidden_at is not None and verb == "edit":
                raise UserError(
                    Msg("#{id} was hidden by the secretariat, so it can't be edited;"
                        " `/comments show {id}` gives the reason. Ask a coordinator, or"
                        " withdraw it with `/comments withdraw`.", id=comment_id)
                )
            if draft is not None:
                require_open_window(draft, self.clock())

        return check

    async def _change(
        self, guild_id: int, user_id: int, comment_id: int, verb: str, text: str | None
    ) -> Changed:
        before = await self.repo.get(guild_id, comment_id)
        draft = None
        if before is not None:
            draft = await self.drafts.by_id(before.draft_id)
        check = self._ownership_check(user_id, comment_id, verb, draft)
        check(before)  # refuse early, without a write transaction
        if before is not None and text is not None and before.text == text:
            # The same text again: nothing to edit, no audit row, no "edited" mark.
            changed = await self._changed(before, draft)
            return replace(changed, unchanged=True)
        at = self.clock()
        async with self.db.transaction() as tx:
            # Read, checked and written in one transaction, the row locked on PostgreSQL: two
            # changes at once are applied one after the other and the audit keeps every text.
            previous, after = await self.repo.change(
                tx, guild_id, comment_id, check, text=text, at=at
            )
            await audit.record(
                tx, guild_id=guild_id, actor_id=user_id,
                action="comment.withdraw" if text is None else "comment.edit",
                target=f"comment:{comment_id}", at=at,
                detail=None if text is None else {"previous": previous.text},
            )
        return await self._changed(after, draft)

    async def edit(self, guild_id: int, user_id: int, comment_id: int, text: str) -> Changed:
        """The author changes the text while the window is open; the old text goes to the audit."""
        body = clean_comment_text(text)
        return await self._change(guild_id, user_id, comment_id, "edit", body)

    async def withdraw(self, guild_id: int, user_id: int, comment_id: int) -> Changed:
        """The author withdraws the comment while the window is open (it stays in the audit)."""
        return await self._change(guild_id, user_id, comment_id, "withdraw", None)

    # ---------------------------------------------------------------- moderation

    async def hide(
        self, guild_id: int, actor_id: int, comment_id: int, reason: str
    ) -> Changed:
        """A coordinator hides a comment: it leaves listings, coverage and the consolidated
        text (which counts it as hidden by the secretariat); the record and the reason stay."""
        why = clean_reason(reason)

        def check(comment: Comment | None) -> None:
            found = _require(comment, comment_id)
            if found.withdrawn_at is not None:
                raise UserError(Msg(
                    "#{id} was withdrawn by its author, so it is shown nowhere already; there is"
                    " nothing to hide.", id=comment_id,
                ))
            if found.hidden_at is not None:
                raise UserError(Msg(
                    "#{id} is already hidden; `/comments restore {id}` shows it again.",
                    id=comment_id,
                ))

        at = self.clock()
        async with self.db.transaction() as tx:
            _, after = await self.repo.set_hidden(
                tx, guild_id, comment_id, check, by=actor_id, reason=why, at=at
            )
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="comment.hide",
                target=f"comment:{comment_id}", at=at, detail={"reason": why},
            )
        return await self._changed(after)

    async def restore(self, guild_id: int, actor_id: int, comment_id: int) -> Changed:
        """A coordinator shows a hidden comment again, wherever it was shown before."""

        def check(comment: Comment | None) -> None:
            if _require(comment, comment_id).hidden_at is None:
                raise UserError(Msg(
                    "#{id} is not hidden; `/comments hide {id} reason` hides it.", id=comment_id
                ))

        at = self.clock()
        async with self.db.transaction() as tx:
            before, after = await self.repo.set_hidden(
                tx, guild_id, comment_id, check, by=None, reason=None, at=None
            )
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="comment.restore",
                target=f"comment:{comment_id}", at=at,
                detail={"hidden_reason": before.hidden_reason, "hidden_by": before.hidden_by},
            )
        return await self._changed(after)

    async def regroup(
        self, guild_id: int, actor_id: int, comment_id: int, group: str
    ) -> Changed:
        """A coordinator sets the stakeholder group of a comment imported with the group
        "Unknown" (a Word comment naming only its organization); any other comment keeps the
        attribution it was made with. The group is one of the server's."""
        chosen = await self.stakeholders.parse_group(guild_id, group)

        def check(comment: Comment | None) -> None:
            found = _require(comment, comment_id)
            if found.group != UNKNOWN_GROUP:
                raise UserError(Msg(
                    "#{id} is attributed to the group {group}, frozen as it was made; only a"
                    " comment imported with the group {unknown} can be regrouped.",
                    id=comment_id, group=found.group, unknown=UNKNOWN_GROUP,
                ))

        at = self.clock()
        async with self.db.transaction() as tx:
            before, after = await self.repo.set_group(tx, guild_id, comment_id, check, chosen)
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="comment.regroup",
                target=f"comment:{comment_id}", at=at,
                detail={"before": before.group, "after": after.group},
            )
        return await self._changed(after)

    async def _changed(self, comment: Comment, draft: Draft | None = None) -> Changed:
        """The comment as changed, with its draft's code and its section's current revision
        (what its public message and the confirmation say of it)."""
        if draft is None:
            draft = await self.drafts.by_id(comment.draft_id)
        current = await self.drafts.current_revisions({comment.draft_id})
        return Changed(
            comment, draft.code if draft is not None else "?", current.get(comment.section_id)
        )

    async def show(
        self, guild_id: int, viewer_id: int, comment_id: int, *, coordinator: bool
    ) -> CommentView:
        """One comment whole for `viewer_id`. Its author and coordinators also get the text of
        a hidden or withdrawn comment and its edit history (each earlier text, from the audit)."""
        comment = _require(await self.repo.get(guild_id, comment_id), comment_id)
        draft = await self.drafts.by_id(comment.draft_id)
        privileged = coordinator or (
            comment.author_id is not None and comment.author_id == viewer_id
        )
        history: list[EarlierText] = []
        if privileged and comment.edited_at is not None:
            for entry in await audit.for_target(
                self.db, guild_id, f"comment:{comment_id}", "comment.edit"
            ):
                previous = json.loads(entry.detail or "{}").get("previous")
                if isinstance(previous, str):
                    history.append(EarlierText(previous, entry.created_at))
        current = await self.drafts.current_revisions({comment.draft_id})
        written_on = None
        if comment.kind is CommentKind.AMENDMENT:
            written_on = await self.drafts.revision_text(comment.section_id, comment.revision)
        return CommentView(
            comment, draft.code if draft else "?", privileged, history,
            current_revision=current.get(comment.section_id), written_on=written_on,
        )

    async def get(self, guild_id: int, comment_id: int) -> Comment | None:
        return await self.repo.get(guild_id, comment_id)

    async def listing(
        self,
        guild_id: int,
        draft_code: str | None = None,
        section: str | None = None,
        group: str | None = None,
        page: int = 0,
    ) -> Listing:
        """Page `page` of the newest live comments matching the filters (at most MAX_LISTED,
        COMMENTS_PER_PAGE a page) and their count; the last page when `page` is past it."""
        draft: Draft | None = None
        found: Section | None = None
        if draft_code and section:  # the draft and its sections in one statement
            draft, found = await self.drafts.require_place(guild_id, draft_code, section)
        elif draft_code:
            draft = await self.drafts.require(guild_id, draft_code)
        if section and found is None:
            if draft is None:
                codes = await self.drafts.codes(guild_id)
                if len(codes) != 1:
                    listed: str = ", ".join(codes[:LISTED_CODES])
                    if len(codes) > LISTED_CODES:
                        listed = Msg("{codes} and {more} more: `/draft list`", codes=listed,
                                     more=len(codes) - LISTED_CODES)
                    raise UserError(
                        Msg("Name the draft as well as the section (drafts here: {drafts}).",
                            drafts=listed)
                        if codes
                        else Msg("Name the draft as well as the section.")
                    )
                draft = await self.drafts.require(guild_id, codes[0])
            found = await self.drafts.require_section(draft, section)
        chosen = await self.stakeholders.parse_group(guild_id, group) if group else None
        flt = CommentFilter(
            guild_id=guild_id,
            draft_id=draft.id if draft else None,
            section_id=found.id if found else None,
            group=chosen,
        )
        rows, page, total = await self._page(flt, page)
        return Listing(
            comments=[r.comment for r in rows],
            total=min(total, COUNT_CAP),
            capped=total > COUNT_CAP,
            drafts={r.comment.draft_id: r.draft_code for r in rows},
            draft=draft,
            section=found,
            group=chosen,
            current={r.comment.section_id: r.current_revision for r in rows},
            page=page,
        )

    async def _page(self, flt: CommentFilter, page: int) -> tuple[list[Listed], int, int]:
        """The comments of page `page` (the last page when the listing has shrunk below it),
        the page's index, and how many comments match (up to COUNT_CAP + 1): one statement
        reads the page and counts, unless the page is past the end."""
        offset, size = page_window(page)
        rows, counted = await self.repo.page(flt, size + 1, offset, cap=COUNT_CAP + 1)
        if counted is not None:  # the count came with the page, in the same statement
            return rows[:size], offset // COMMENTS_PER_PAGE, counted
        if offset == 0:
            return rows, 0, 0
        total = await self.repo.count(flt, COUNT_CAP + 1)
        # past the end: the listing shrank since the button was made
        offset, size = page_window(last_page(total))
        rows, _ = await self.repo.page(flt, size + 1, offset)
        total = max(total, offset + min(len(rows), size))
        return rows[:size], offset // COMMENTS_PER_PAGE, total

    async def coverage(self, guild_id: int, draft_code: str) -> Coverage:
        draft = await self.drafts.require(guild_id, draft_code)
        sections = await self.drafts.sections(draft)
        groups = await self.stakeholders.groups(guild_id)
        return Coverage(draft, sections, await self.repo.coverage(draft.id), groups)
