"""What both exports (Markdown and DOCX) lay out the same way: sections in document order
grouped by part, comments grouped by stakeholder group, the comment window as a sentence, and
dates and stamps in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.comments import marked_attribution
from bot.domain.draftdoc.models import ConsolidatedComment, ConsolidatedDraft, ConsolidatedSection
from bot.domain.models import DEFAULT_GROUPS
from bot.domain.sections import heading_of, section_sort_key
from bot.domain.when import zone


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stamp(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _day(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%d")


def _long_day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _as_typed(opens: datetime, closes: datetime, timezone: str) -> str | None:
    """The window as the secretariat typed it, in its zone: "19 December 2013 - 24 January
    2014" for days (the close is the midnight after the last day), else local times."""
    tz = zone(timezone)
    if tz is None:
        return None
    first, end = opens.astimezone(tz), closes.astimezone(tz)
    if first.time() == time(0) and end.time() == time(0):
        return f"{_long_day(first.date())} - {_long_day(end.date() - timedelta(days=1))}"
    return f"{_long_day(first.date())} {first:%H:%M} - {_long_day(end.date())} {end:%H:%M} ({timezone})"


def window_text(draft: ConsolidatedDraft) -> str | None:
    opens, closes = draft.window_opens, draft.window_closes
    if opens and closes:
        typed = _as_typed(opens, closes, draft.window_timezone) if draft.window_timezone else None
        return typed or f"{stamp(opens)} to {stamp(closes)}"
    if opens:
        return f"opens {stamp(opens)}"
    if closes:
        return f"closes {stamp(closes)}"
    return None


def group_comments(
    comments: Iterable[ConsolidatedComment],
) -> list[tuple[str, list[ConsolidatedComment]]]:
    """Comments by stakeholder group, each in the given order: the five WSIS groups in their
    order, then a server's own groups by name."""
    groups: dict[str, list[ConsolidatedComment]] = {g: [] for g in DEFAULT_GROUPS}
    own: dict[str, list[ConsolidatedComment]] = {}
    for comment in comments:
        (groups if comment.group in groups else own).setdefault(comment.group, []).append(comment)
    groups.update(sorted(own.items(), key=lambda item: item[0].casefold()))
    return [(g, cs) for g, cs in groups.items() if cs]


def revision_heading(revision: int) -> str:
    """The sub-heading above the comments made on an earlier revision of their section."""
    return f"Comments on revision {revision} (the text has changed since)"


def comments_by_revision(
    section: ConsolidatedSection,
) -> list[tuple[int | None, list[ConsolidatedComment]]]:
    """A section's comments as both writers show them: first those on its current text (None:
    no sub-heading), then those on each earlier revision, oldest revision first, each under
    `revision_heading`; each part grouped by stakeholder group with `group_comments`."""
    current: list[ConsolidatedComment] = []
    earlier: dict[int, list[ConsolidatedComment]] = {}
    for comment in section.comments:
        if 0 < comment.revision < section.revision:
            earlier.setdefault(comment.revision, []).append(comment)
        else:
            current.append(comment)
    out: list[tuple[int | None, list[ConsolidatedComment]]] = []
    if current:
        out.append((None, current))
    out += sorted(earlier.items())
    return out


def ordered_sections(draft: ConsolidatedDraft) -> list[tuple[str, list[ConsolidatedSection]]]:
    """Sections in document order (the order given: stored positions, or the file's), grouped
    by part heading as written. Sections that know no heading (stored before drafts kept
    theirs) are put in the order of the original shape: vision, pillars, targets."""
    sections = draft.sections
    if not any(s.part for s in sections):
        sections = sorted(sections, key=lambda s: section_sort_key(s.key))
    parts: list[tuple[str, list[ConsolidatedSection]]] = []
    for section in sections:
        heading = heading_of(section.key, section.part)
        if parts and parts[-1][0] == heading:
            parts[-1][1].append(section)
        else:
            parts.append((heading, [section]))
    return parts


def attribution_text(comment: ConsolidatedComment) -> str:
    """ "ISOC, Civil Society (unverified)": organization (on one line), group, and the mark of
    an attribution nobody verified in Discord ("unverified", or "imported" from a file)."""
    plain = f"{' '.join(comment.organization.split())}, {comment.group}"
    return marked_attribution(plain, comment.status)


def date_note(comment: ConsolidatedComment) -> str:
    """ "2014-01-20", "2014-01-20, edited", or "imported" for a comment whose file gave no
    date (the day it was imported is not its date)."""
    when = "imported" if comment.undated else _day(comment.created_at)
    return when + (", edited" if comment.edited else "")
