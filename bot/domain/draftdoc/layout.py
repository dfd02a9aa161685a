"""What both exports (Markdown and DOCX) lay out the same way: sections in document order
grouped by part, comments grouped by stakeholder group, the comment window as a sentence, and
dates and stamps in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.comments import marked_attribution
from bot.domain.draftdoc.models import ConsolidatedComment, ConsolidatedDraft, ConsolidatedSection
from bot.domain.models import DEFAULT_GROUPS, AttributionStatus
from bot.domain.sections import heading_of, section_sort_key
from bot.domain.when import zone
from bot.i18n import N_, Day, group_name, render, tr


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stamp(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _day(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%d")


def _long_day(d: date, lang: str) -> str:
    """19 December 2013 in English (as the secretariat writes it), else the language's own
    long date (19 décembre 2013, 2013年12月19日)."""
    return render(Day(d), lang)


def _as_typed(opens: datetime, closes: datetime, timezone: str, lang: str) -> str | None:
    """The window as the secretariat typed it, in its zone: "19 December 2013 - 24 January
    2014" for days (the close is the midnight after the last day), else local times."""
    tz = zone(timezone)
    if tz is None:
        return None
    first, end = opens.astimezone(tz), closes.astimezone(tz)
    if first.time() == time(0) and end.time() == time(0):
        return f"{_long_day(first.date(), lang)} - {_long_day(end.date() - timedelta(days=1), lang)}"
    return (
        f"{_long_day(first.date(), lang)} {first:%H:%M} - {_long_day(end.date(), lang)}"
        f" {end:%H:%M} ({timezone})"
    )


def window_text(draft: ConsolidatedDraft, lang: str = "en") -> str | None:
    opens, closes = draft.window_opens, draft.window_closes
    if opens and closes:
        typed = (
            _as_typed(opens, closes, draft.window_timezone, lang) if draft.window_timezone else None
        )
        return typed or tr(lang, "{opens} to {closes}", opens=stamp(opens), closes=stamp(closes))
    if opens:
        return tr(lang, "opens {when}", when=stamp(opens))
    if closes:
        return tr(lang, "closes {when}", when=stamp(closes))
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


def revision_heading(revision: int, lang: str = "en") -> str:
    """The sub-heading above the comments made on an earlier revision of their section."""
    return tr(lang, "Comments on revision {n} (the text has changed since)", n=revision)


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


def attribution_text(comment: ConsolidatedComment, lang: str = "en") -> str:
    """ "ISOC, Civil Society (unverified)": organization (on one line), group, and the mark of
    an attribution nobody verified in Discord ("unverified", or "imported" from a file); the
    group and the mark in `lang`."""
    organization = " ".join(comment.organization.split())
    if lang == "en":
        return marked_attribution(f"{organization}, {comment.group}", comment.status)
    mark = STATUS_MARK_WORDS.get(comment.status)
    plain = f"{organization}, {group_name(comment.group, lang)}"
    return plain + (f" ({tr(lang, mark)})" if mark else "")


#: The words of STATUS_MARKS, to translate.
STATUS_MARK_WORDS = {
    AttributionStatus.UNVERIFIED: N_("unverified"),
    AttributionStatus.IMPORTED: N_("imported"),
}


def date_note(comment: ConsolidatedComment, lang: str = "en") -> str:
    """ "2014-01-20", "2014-01-20, edited", or "imported" for a comment whose file gave no
    date (the day it was imported is not its date)."""
    when = tr(lang, "imported") if comment.undated else _day(comment.created_at)
    return when + (", " + tr(lang, "edited") if comment.edited else "")
