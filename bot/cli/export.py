"""`python -m bot export`: the calendar, every draft (.md, .docx and the review .docx) and a JSON
dump of a server."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.cli.common import Progress, plural
from bot.db.comments import CommentRepository
from bot.db.database import Database
from bot.db.drafts import DraftRepository
from bot.db.events import EventRepository
from bot.db.groups import GroupRepository
from bot.db.guilds import GuildRepository, UserRepository
from bot.db.reminders import ReminderRepository
from bot.db.stakeholders import StakeholderRepository
from bot.domain.draftdoc import render_docx, render_docx_review, render_markdown
from bot.domain.models import (
    Comment,
    Draft,
    Event,
    GuildSettings,
    OccurrenceChange,
    Reminder,
    Section,
    SectionRevision,
    Stakeholder,
)
from bot.services import Services

EXPORT_FORMAT = "concord-export/1"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat()


def _settings(s: GuildSettings) -> dict[str, Any]:
    return {
        "timezone": s.timezone,
        "reminder_channel_id": s.reminder_channel_id,
        "reminder_offsets": s.reminder_offsets,
        "coordinator_role_id": s.coordinator_role_id,
        "verification_mode": s.verification_mode.value,
    }


def _stakeholder(s: Stakeholder, timezone: str | None) -> dict[str, Any]:
    return {
        "user_id": s.user_id,
        "display_name": s.display_name,
        "organization": s.organization,
        "group": s.group,
        "verified": s.verified,
        "verified_by": s.verified_by,
        "verified_at": _iso(s.verified_at),
        "timezone": timezone,
        "created_at": _iso(s.created_at),
        "updated_at": _iso(s.updated_at),
    }


def _revision(r: SectionRevision) -> dict[str, Any]:
    return {
        "revision": r.revision,
        "text": r.text,
        "created_by": r.created_by,
        "created_at": _iso(r.created_at),
    }


def _section(s: Section, revisions: list[SectionRevision]) -> dict[str, Any]:
    return {
        "key": s.key,
        "position": s.position,
        "revision": s.revision,
        "text": s.text,
        "updated_at": _iso(s.updated_at),
        "revisions": [_revision(r) for r in revisions],
    }


def _comment(c: Comment) -> dict[str, Any]:
    return {
        "id": c.id,
        "section": c.section_key,
        "revision": c.revision,
        "author_id": c.author_id,
        "organization": c.organization,
        "group": c.group,
        "kind": c.kind.value,
        "text": c.text,
        "source_key": c.source_key,
        "created_at": _iso(c.created_at),
        "undated": c.undated,  # imported from a file without a date: created_at is the import
        "edited_at": _iso(c.edited_at),
        "withdrawn_at": _iso(c.withdrawn_at),
        "attribution_status": c.status.value,
        "hidden_at": _iso(c.hidden_at),
        "hidden_by": c.hidden_by,
        "hidden_reason": c.hidden_reason,
    }


def _draft(d: Draft, sections: list[dict[str, Any]], comments: list[Comment]) -> dict[str, Any]:
    return {
        "id": d.id,
        "code": d.code,
        "title": d.title,
        "version": d.version,
        "window_opens": _iso(d.window_opens),
        "window_closes": _iso(d.window_closes),
        "window_event_id": d.window_event_id,
        "created_at": _iso(d.created_at),
        "updated_at": _iso(d.updated_at),
        "sections": sections,
        "comments": [_comment(c) for c in comments],
    }


def _change(c: OccurrenceChange) -> dict[str, Any]:
    return {
        "occurrence": _iso(c.occurrence_at),
        "cancelled": c.cancelled,
        "start": _iso(c.start),
        "end": _iso(c.end),
        "title": c.title,
        "location": c.location,
    }


def _event(
    e: Event, draft_code: str | None, changes: list[OccurrenceChange] | None = None
) -> dict[str, Any]:
    return {
        "id": e.id,
        "uid": e.uid,
        "title": e.title,
        "kind": e.kind.value,
        "start": _iso(e.start),
        "end": _iso(e.end),
        "all_day": e.all_day,
        "timezone": e.timezone,
        "location": e.location,
        "url": e.url,
        "description": e.description,
        "tentative": e.tentative,
        "status": e.status.value,
        "draft": draft_code,
        "created_at": _iso(e.created_at),
        "updated_at": _iso(e.updated_at),
        "rrule": e.rrule,
        "series_end": _iso(e.series_end),
        "occurrences": [_change(c) for c in changes or []],
    }


def _reminder(r: Reminder) -> dict[str, Any]:
    return {
        "id": r.id,
        "event_id": r.event_id,
        "moment": r.moment.value,
        "offset_seconds": r.offset_seconds,
        "due_at": _iso(r.due_at),
        "channel_id": r.channel_id,
        "user_id": r.user_id,
        "text": r.text,
        "state": r.state.value,
        "rescheduled": r.rescheduled,
        "late": r.late,
        "sent_at": _iso(r.sent_at),
        "error": r.error,
        "created_at": _iso(r.created_at),
    }


async def dump(db: Database, guild_id: int, *, now: datetime) -> dict[str, Any]:
    """Everything the guild holds, as plain JSON data (instants as ISO 8601 UTC), read through
    the repositories: withdrawn comments and sent reminders included."""
    settings = await GuildRepository(db).stored(guild_id)
    timezones = await UserRepository(db).timezones_in_guild(guild_id)
    stakeholders = await StakeholderRepository(db).list(guild_id)
    draft_repo, comment_repo = DraftRepository(db), CommentRepository(db)
    all_drafts = await draft_repo.all(guild_id)
    drafts: list[dict[str, Any]] = []
    for d in all_drafts:
        sections = [
            _section(s, await draft_repo.revisions(s.id)) for s in await draft_repo.sections(d.id)
        ]
        drafts.append(_draft(d, sections, await comment_repo.all_for_draft(d.id)))
    codes = {d.id: d.code for d in all_drafts}
    event_repo = EventRepository(db)
    events = await event_repo.all(guild_id)
    series = await event_repo.changes_of_many([e.id for e in events if e.rrule is not None])
    reminders = await ReminderRepository(db).all_for_guild(guild_id)
    return {
        "format": EXPORT_FORMAT,
        "guild_id": guild_id,
        "exported_at": now.isoformat(),
        "settings": None if settings is None else _settings(settings),
        "groups": await GroupRepository(db).names(guild_id),
        "stakeholders": [_stakeholder(s, timezones.get(s.user_id)) for s in stakeholders],
        "events": [
            _event(e, None if e.draft_id is None else codes.get(e.draft_id), series.get(e.id))
            for e in events
        ],
        "drafts": drafts,
        "reminders": [_reminder(r) for r in reminders],
    }


def _json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _save(path: Path, render: Callable[[Any], str | bytes], source: Any) -> None:
    """Write `render(source)` to `path`: text as UTF-8, bytes as they are."""
    content = render(source)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)


@dataclass
class ExportReport:
    written: list[tuple[str, str]] = field(default_factory=list)  # (file name, what it holds)
    empty: bool = False  # no settings, events or drafts: probably the wrong guild or database

    def summary(self) -> str:
        return "\n".join(f"{name}: {what}" for name, what in self.written)


def file_stem(code: str, taken: set[str]) -> str:
    """A file name (without suffix) for a draft code, unlike any in `taken` (which it joins).

    Codes may hold "/" and "+": anything outside letters, digits, ".", "_" and "-" becomes "_"
    and leading dots go, so the file stays in its folder and is not hidden ("C11/REV2" ->
    "C11_REV2"). Two codes that come out alike get "-2", "-3" (compared ignoring case, as
    some file systems do).
    """
    stem = _UNSAFE.sub("_", code).lstrip(".") or "draft"
    candidate, n = stem, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}-{n}"
    taken.add(candidate.casefold())
    return candidate


async def export_guild(
    services: Services, guild_id: int, out: Path, *, progress: Progress | None = None
) -> ExportReport:
    """Write calendar.ics, CODE.md, CODE.docx and "CODE (review).docx" (Word comments and tracked
    changes) for each draft, and concord.json to `out`."""
    await asyncio.to_thread(out.mkdir, parents=True, exist_ok=True)
    report = ExportReport()
    codes = await services.drafts.codes(guild_id)
    total = 2 + 3 * len(codes)
    done = 0

    async def write(name: str, what: str, render: Callable[[Any], str | bytes], source: Any) -> None:
        """Render `source` and write it on a worker thread (python-docx, Markdown and JSON are
        CPU work: no interaction waits behind an export), then count the file."""
        nonlocal done
        await asyncio.to_thread(_save, out / name, render, source)
        report.written.append((name, what))
        done += 1
        if progress is not None:
            progress(done, total)

    calendar = await services.calendar.export_ics(guild_id, name="Concord")
    await write("calendar.ics", plural(calendar.count, "event"), bytes, calendar.data)
    taken: set[str] = set()
    for code in codes:
        doc = await services.drafts.consolidated(guild_id, code)
        comments = sum(len(s.comments) for s in doc.sections)
        what = f"draft {code}, {plural(len(doc.sections), 'section')}, {plural(comments, 'comment')}"
        stem = file_stem(code, taken)
        await write(f"{stem}.md", what, render_markdown, doc)
        await write(f"{stem}.docx", what, render_docx, doc)
        await write(f"{stem} (review).docx", what, render_docx_review, doc)
    data = await dump(services.db, guild_id, now=services.clock())
    report.empty = not (data["settings"] or data["events"] or data["drafts"])
    what = (
        f"settings, {plural(len(data['stakeholders']), 'stakeholder')},"
        f" {plural(len(data['events']), 'event')}, {plural(len(data['drafts']), 'draft')},"
        f" {plural(sum(len(d['comments']) for d in data['drafts']), 'comment')},"
        f" {plural(len(data['reminders']), 'reminder')}"
    )
    await write("concord.json", what, _json_text, data)
    return report
