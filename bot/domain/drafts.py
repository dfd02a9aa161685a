"""Drafts: codes, sections and their revisions, comment windows, import and consolidated export.

No Discord here: the cog converts options and formats answers.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from bot.db.comments import CommentRepository
from bot.db.drafts import DraftRepository, DraftSummary, ImportCounts
from bot.domain.clock import Clock
from bot.domain.draftdoc import (
    ConsolidatedComment,
    ConsolidatedDraft,
    ConsolidatedSection,
    ParsedDraft,
    normalize_text,
    one_line,
    parse_draft_markdown,
)
from bot.domain.models import Draft, Event, Section
from bot.domain.sections import normalize_section_key, section_label
from bot.domain.timefmt import ts
from bot.domain.when import When, parse_when
from bot.errors import NotFound, UserError, WindowClosed

log = logging.getLogger(__name__)

MAX_CODE = 20
MAX_TITLE = 200
MAX_VERSION = 40
MAX_SECTION_TEXT = 6000
MAX_IMPORT_BYTES = 2_000_000
#: A code that names no draft: up to this many drafts are all listed, else the closest few.
LISTED_CODES = 10
CLOSE_CODES = 5
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._/+-]*$")


class WindowCalendar(Protocol):
    """What drafts need of the calendar: the draft's window as a kind=window event."""

    async def upsert_draft_window(
        self,
        *,
        guild_id: int,
        draft_id: int,
        title: str,
        opens: datetime,
        closes: datetime,
        timezone: str,
        actor_id: int | None,
    ) -> Event: ...


def normalize_code(text: str) -> str:
    """A draft code as stored: trimmed, upper case (``"c11"`` -> ``"C11"``)."""
    code = "".join(text.split()).upper()
    if not code:
        raise UserError('Give the draft\'s code, for example "C11".')
    if len(code) > MAX_CODE or not _CODE.match(code):
        raise UserError(
            f'"{code[:MAX_CODE]}" is not a draft code; use letters and digits such as "C11"'
            f" (at most {MAX_CODE} characters)."
        )
    return code


def import_too_big(size: int | None = None) -> UserError:
    """The refusal of a file over MAX_IMPORT_BYTES: its size when known (declared or read)."""
    advice = "(split it into several .md files)."
    if size is None:
        return UserError(
            f"That file is over {MAX_IMPORT_BYTES:,} bytes, the most an import takes {advice}"
        )
    return UserError(
        f"That file is {size:,} bytes; an import takes at most {MAX_IMPORT_BYTES:,} bytes {advice}"
    )


def missing_draft(wanted: str, codes: list[str]) -> str:
    """The answer to a code naming no draft: every code when there are few, else the closest
    few and `/draft list` (a server may hold hundreds; a message holds 2,000 characters)."""
    if len(codes) <= LISTED_CODES:
        return f"There is no draft {wanted}; drafts here: {', '.join(codes)}."
    close = difflib.get_close_matches(wanted, codes, n=CLOSE_CODES, cutoff=0.5)
    if close:
        return (
            f"There is no draft {wanted}; did you mean {', '.join(close)}? `/draft list` shows"
            f" all {len(codes)}."
        )
    return f"There is no draft {wanted}; `/draft list` shows the {len(codes)} drafts here."


def _clean_line(text: str, what: str, limit: int, example: str) -> str:
    cleaned = one_line(text)
    if not cleaned:
        raise UserError(f"Give the draft's {what}, for example {example}.")
    if len(cleaned) > limit:
        raise UserError(f"The {what} is {len(cleaned)} characters; keep it to {limit}.")
    return cleaned


def _checked_import(item: ParsedDraft) -> ParsedDraft:
    """A parsed draft with its code, title and version as /draft create takes them; a
    UserError naming the draft's line if one is not."""
    try:
        return replace(
            item,
            code=normalize_code(item.code),
            title=_clean_line(item.title, "title", MAX_TITLE, '"Cooperation"'),
            version=(
                _clean_line(item.version, "version", MAX_VERSION, '"V1.2"')
                if item.version is not None
                else None
            ),
        )
    except UserError as exc:
        raise UserError(f"Line {item.line}: {exc.message}") from None


def window_state(draft: Draft, now: datetime) -> str:
    """``"none"`` (no window), ``"before"``, ``"open"`` or ``"after"``."""
    if draft.window_opens is None or draft.window_closes is None:
        return "none"
    if now < draft.window_opens:
        return "before"
    if now >= draft.window_closes:
        return "after"
    return "open"


def require_open_window(draft: Draft, now: datetime) -> None:
    """Raise WindowClosed with the window's times when `draft` does not accept comments now."""
    state = window_state(draft, now)
    if state == "before":
        assert draft.window_opens is not None
        opens = draft.window_opens
        raise WindowClosed(
            f"The comment window for {draft.code} opens {ts(opens, 'F')} ({ts(opens, 'R')})."
        )
    if state == "after":
        assert draft.window_closes is not None
        raise WindowClosed(
            f"The comment window for {draft.code} closed {ts(draft.window_closes, 'F')}."
        )


@dataclass(frozen=True, slots=True)
class SectionView:
    draft: Draft
    section: Section
    comments: int
    revisions: int


@dataclass(frozen=True, slots=True)
class Outline:
    draft: Draft
    sections: list[Section]
    comments: dict[int, int]  # live comments per section id


@dataclass(frozen=True, slots=True)
class WindowSet:
    draft: Draft
    when: When
    event: Event | None


class DraftService:
    def __init__(
        self,
        repo: DraftRepository,
        comments: CommentRepository,
        clock: Clock,
        calendar: WindowCalendar | None = None,
    ) -> None:
        self.repo = repo
        self.comments = comments
        self.clock = clock
        #: Wired by Services once the calendar service exists; None leaves windows off it.
        self.calendar = calendar

    # ---------------------------------------------------------------- lookups

    async def require(self, guild_id: int, code: str) -> Draft:
        """The draft named `code`, or one sentence saying which drafts exist."""
        wanted = normalize_code(code)
        draft = await self.repo.get(guild_id, wanted)
        if draft is not None:
            return draft
        codes = await self.repo.codes(guild_id)
        if not codes:
            raise NotFound(
                f"There is no draft {wanted}: this server has no drafts yet; a coordinator adds"
                " one with `/draft create` or `/draft import`."
            )
        raise NotFound(missing_draft(wanted, codes))

    async def require_section(self, draft: Draft, text: str) -> Section:
        """The draft's section named by `text` (forgiving), or a sentence listing the sections."""
        key = normalize_section_key(text)
        section = await self.repo.section(draft.id, key)
        if section is not None:
            return section
        keys = [s.key for s in await self.repo.sections(draft.id)]
        if not keys:
            raise NotFound(
                f"{draft.code} has no sections yet; a coordinator adds them with `/draft section`."
            )
        raise NotFound(
            f"{draft.code} has no section {section_label(key)} ({key}); its sections are "
            f"{', '.join(keys)}."
        )

    async def codes(self, guild_id: int) -> list[str]:
        return await self.repo.codes(guild_id)

    async def section_keys(self, guild_id: int, code: str) -> list[Section]:
        """The sections of `code` for autocomplete; [] when the code names no draft."""
        try:
            wanted = normalize_code(code)
        except UserError:
            return []
        draft = await self.repo.get(guild_id, wanted)
        return [] if draft is None else await self.repo.sections(draft.id)

    async def summaries(self, guild_id: int) -> list[DraftSummary]:
        return await self.repo.summaries(guild_id)

    async def outline(self, guild_id: int, code: str) -> Outline:
        draft = await self.require(guild_id, code)
        sections = await self.repo.sections(draft.id)
        return Outline(draft, sections, await self.repo.comment_counts(draft.id))

    async def show_section(self, guild_id: int, code: str, section: str) -> SectionView:
        draft = await self.require(guild_id, code)
        found = await self.require_section(draft, section)
        counts = await self.repo.comment_counts(draft.id)
        return SectionView(draft, found, counts.get(found.id, 0), found.revision)

    # ---------------------------------------------------------------- changes

    async def create(
        self, guild_id: int, actor_id: int, code: str, title: str, version: str | None
    ) -> tuple[Draft, bool]:
        """Create a draft, or update the title and version of an existing one."""
        clean_code = normalize_code(code)
        clean_title = _clean_line(title, "title", MAX_TITLE, '"International and regional cooperation"')
        clean_version = (
            _clean_line(version, "version", MAX_VERSION, '"V1.2"') if version and version.strip() else None
        )
        return await self.repo.upsert(
            guild_id, clean_code, clean_title, clean_version, actor_id=actor_id, at=self.clock()
        )

    async def set_section(
        self, guild_id: int, actor_id: int, code: str, section: str, text: str
    ) -> tuple[Draft, Section, str]:
        """Create the section or give it a new revision; the outcome is new/revised/unchanged."""
        draft = await self.require(guild_id, code)
        key = normalize_section_key(section)
        body = normalize_text(text)
        if not body:
            raise UserError(f"Give the text of {section_label(key)}.")
        if len(body) > MAX_SECTION_TEXT:
            raise UserError(
                f"That text is {len(body):,} characters; a section holds at most"
                f" {MAX_SECTION_TEXT:,}. Use `/draft import` with a .md file for longer texts."
            )
        saved, outcome = await self.repo.set_section(
            draft, key, body, actor_id=actor_id, at=self.clock()
        )
        return draft, saved, outcome

    async def set_window(
        self, guild_id: int, actor_id: int, code: str, when_text: str, timezone: str
    ) -> WindowSet:
        """Set the comment window from a range and show it in the calendar."""
        draft = await self.require(guild_id, code)
        when = parse_when(when_text, self.clock(), timezone)
        if when.end is None or (when.all_day and when.last_day() == when.first_day()):
            raise UserError(
                "A comment window needs a range with a start and an end, like"
                ' "19 December 2013 - 24 January 2014" or "from 1 March to 15 March 2014".'
            )
        if when.tentative:
            raise UserError(
                "A comment window needs definite dates, not a tentative one; give the range"
                ' once it is known, like "19 December 2013 - 24 January 2014".'
            )
        event: Event | None = None
        if self.calendar is not None:
            # The calendar writes the window event and the draft's window in one transaction.
            event = await self.calendar.upsert_draft_window(
                guild_id=guild_id,
                draft_id=draft.id,
                title=f"{draft.code} comment window",
                opens=when.start,
                closes=when.end,
                timezone=when.timezone,
                actor_id=actor_id,
            )
            if getattr(self.calendar, "records_draft_window", False):
                stored = await self.repo.get_by_id(draft.id)
                if stored is not None:
                    return WindowSet(stored, when, event)
        # No calendar, or one that only shows the window: the draft records it itself.
        updated = await self.repo.set_window(
            draft,
            when.start,
            when.end,
            event.id if event is not None else None,
            actor_id=actor_id,
            at=self.clock(),
        )
        return WindowSet(updated, when, event)

    async def import_markdown(
        self, guild_id: int, actor_id: int, data: bytes
    ) -> list[ImportCounts]:
        """Import every draft of a Markdown file (sections, new revisions, comments)."""
        if len(data) > MAX_IMPORT_BYTES:
            raise import_too_big(len(data))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UserError("That file is not UTF-8 text; save it as UTF-8 Markdown (.md).") from None
        parsed = parse_draft_markdown(text)
        if not parsed:
            raise UserError(
                'That file holds no draft; start it with a heading like "# C11 Title".'
            )
        # Every draft of the file is checked before any is written, then all are written in
        # one transaction: a refusal or a crash half-way never leaves part of the file stored.
        checked = [_checked_import(item) for item in parsed]
        imported = await self.repo.import_drafts(
            guild_id, checked, actor_id=actor_id, at=self.clock()
        )
        return [counts for _, counts in imported]

    # ---------------------------------------------------------------- export

    async def consolidated(self, guild_id: int, code: str) -> ConsolidatedDraft:
        """The draft as the consolidated text: current section texts and live comments."""
        draft = await self.require(guild_id, code)
        sections = await self.repo.sections(draft.id)
        comments = await self.comments.for_draft(draft.id)
        by_section: dict[int, list[ConsolidatedComment]] = {s.id: [] for s in sections}
        for c in comments:
            by_section.setdefault(c.section_id, []).append(
                ConsolidatedComment(
                    id=c.id,
                    organization=c.organization,
                    group=c.group,
                    kind=c.kind,
                    text=c.text,
                    created_at=c.created_at,
                    edited=c.edited_at is not None,
                )
            )
        return ConsolidatedDraft(
            code=draft.code,
            title=draft.title,
            version=draft.version,
            generated_at=self.clock(),
            window_opens=draft.window_opens,
            window_closes=draft.window_closes,
            sections=[
                ConsolidatedSection(s.key, s.text, s.revision, by_section[s.id]) for s in sections
            ],
        )
