"""`python -m bot export`: the calendar, every draft (.md and .docx) and a JSON dump of a server."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.cli.common import Progress, plural
from bot.db.database import Database, opt_dt
from bot.domain.draftdoc import render_docx, render_markdown
from bot.services import Services

EXPORT_FORMAT = "concord-export/1"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _iso(ms: int | None) -> str | None:
    dt = opt_dt(ms)
    return None if dt is None else dt.isoformat()


async def dump(db: Database, guild_id: int, *, now: datetime) -> dict[str, Any]:
    """Everything the guild holds, as plain JSON data (instants as ISO 8601 UTC)."""
    settings_row = await db.fetchrow(
        "SELECT timezone, reminder_channel_id, reminder_offsets, coordinator_role_id"
        " FROM guild_settings WHERE guild_id = $1",
        guild_id,
    )
    settings = (
        {
            "timezone": settings_row["timezone"],
            "reminder_channel_id": settings_row["reminder_channel_id"],
            "reminder_offsets": settings_row["reminder_offsets"],
            "coordinator_role_id": settings_row["coordinator_role_id"],
        }
        if settings_row is not None
        else None
    )
    stakeholders = [
        {
            "user_id": r["user_id"],
            "display_name": r["display_name"],
            "organization": r["organization"],
            "group": r["stakeholder_group"],
            "timezone": r["timezone"],
            "created_at": _iso(r["created_at"]),
            "updated_at": _iso(r["updated_at"]),
        }
        for r in await db.fetch(
            "SELECT s.user_id, s.display_name, s.organization, s.stakeholder_group,"
            " s.created_at, s.updated_at, u.timezone FROM stakeholders s"
            " LEFT JOIN user_settings u ON u.user_id = s.user_id"
            " WHERE s.guild_id = $1 ORDER BY s.stakeholder_group, s.organization, s.user_id",
            guild_id,
        )
    ]
    drafts_by_id: dict[int, str] = {}
    drafts: list[dict[str, Any]] = []
    for d in await db.fetch(
        "SELECT id, code, title, version, window_opens, window_closes, window_event_id,"
        " created_at, updated_at FROM drafts WHERE guild_id = $1 ORDER BY code",
        guild_id,
    ):
        drafts_by_id[d["id"]] = d["code"]
        sections: list[dict[str, Any]] = []
        keys: dict[int, str] = {}
        for s in await db.fetch(
            "SELECT id, key, position, revision, body, updated_at FROM sections"
            " WHERE draft_id = $1 ORDER BY position, id",
            d["id"],
        ):
            keys[s["id"]] = s["key"]
            revisions = [
                {
                    "revision": r["revision"],
                    "text": r["body"],
                    "created_by": r["created_by"],
                    "created_at": _iso(r["created_at"]),
                }
                for r in await db.fetch(
                    "SELECT revision, body, created_by, created_at FROM section_revisions"
                    " WHERE section_id = $1 ORDER BY revision",
                    s["id"],
                )
            ]
            sections.append(
                {
                    "key": s["key"],
                    "position": s["position"],
                    "revision": s["revision"],
                    "text": s["body"],
                    "updated_at": _iso(s["updated_at"]),
                    "revisions": revisions,
                }
            )
        comments = [
            {
                "id": c["id"],
                "section": keys.get(c["section_id"]),
                "revision": c["revision"],
                "author_id": c["author_id"],
                "organization": c["organization"],
                "group": c["stakeholder_group"],
                "kind": c["kind"],
                "text": c["body"],
                "source_key": c["source_key"],
                "created_at": _iso(c["created_at"]),
                "edited_at": _iso(c["edited_at"]),
                "withdrawn_at": _iso(c["withdrawn_at"]),
            }
            for c in await db.fetch(
                "SELECT id, section_id, revision, author_id, organization, stakeholder_group,"
                " kind, body, source_key, created_at, edited_at, withdrawn_at FROM comments"
                " WHERE draft_id = $1 ORDER BY id",
                d["id"],
            )
        ]
        drafts.append(
            {
                "id": d["id"],
                "code": d["code"],
                "title": d["title"],
                "version": d["version"],
                "window_opens": _iso(d["window_opens"]),
                "window_closes": _iso(d["window_closes"]),
                "window_event_id": d["window_event_id"],
                "created_at": _iso(d["created_at"]),
                "updated_at": _iso(d["updated_at"]),
                "sections": sections,
                "comments": comments,
            }
        )
    events = [
        {
            "id": e["id"],
            "uid": e["uid"],
            "title": e["title"],
            "kind": e["kind"],
            "start": _iso(e["start_at"]),
            "end": _iso(e["end_at"]),
            "all_day": bool(e["all_day"]),
            "timezone": e["timezone"],
            "location": e["location"],
            "url": e["url"],
            "description": e["description"],
            "tentative": bool(e["tentative"]),
            "status": e["status"],
            "draft": drafts_by_id.get(e["draft_id"]) if e["draft_id"] is not None else None,
            "created_at": _iso(e["created_at"]),
            "updated_at": _iso(e["updated_at"]),
        }
        for e in await db.fetch(
            "SELECT id, uid, title, kind, start_at, end_at, all_day, timezone, location, url,"
            " description, tentative, status, draft_id, created_at, updated_at FROM events"
            " WHERE guild_id = $1 ORDER BY start_at, id",
            guild_id,
        )
    ]
    reminders = [
        {
            "id": r["id"],
            "event_id": r["event_id"],
            "moment": r["moment"],
            "offset_seconds": r["offset_seconds"],
            "due_at": _iso(r["due_at"]),
            "channel_id": r["channel_id"],
            "user_id": r["user_id"],
            "text": r["body"],
            "state": r["state"],
            "rescheduled": bool(r["rescheduled"]),
            "late": bool(r["late"]),
            "sent_at": _iso(r["sent_at"]),
            "error": r["error"],
            "created_at": _iso(r["created_at"]),
        }
        for r in await db.fetch(
            "SELECT id, event_id, moment, offset_seconds, due_at, channel_id, user_id, body,"
            " state, rescheduled, late, sent_at, error, created_at FROM reminders"
            " WHERE guild_id = $1 ORDER BY due_at, id",
            guild_id,
        )
    ]
    return {
        "format": EXPORT_FORMAT,
        "guild_id": guild_id,
        "exported_at": now.isoformat(),
        "settings": settings,
        "stakeholders": stakeholders,
        "events": events,
        "drafts": drafts,
        "reminders": reminders,
    }


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
    """Write calendar.ics, CODE.md and CODE.docx for each draft, and concord.json to `out`."""
    await asyncio.to_thread(out.mkdir, parents=True, exist_ok=True)
    report = ExportReport()
    codes = await services.drafts.codes(guild_id)
    total = 2 + 2 * len(codes)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    calendar = await services.calendar.export_ics(guild_id, name="Concord")
    (out / "calendar.ics").write_bytes(calendar.data)
    report.written.append(("calendar.ics", plural(calendar.count, "event")))
    step()
    taken: set[str] = set()
    for code in codes:
        doc = await services.drafts.consolidated(guild_id, code)
        comments = sum(len(s.comments) for s in doc.sections)
        what = f"draft {code}, {plural(len(doc.sections), 'section')}, {plural(comments, 'comment')}"
        stem = file_stem(code, taken)
        (out / f"{stem}.md").write_text(render_markdown(doc), encoding="utf-8")
        report.written.append((f"{stem}.md", what))
        step()
        (out / f"{stem}.docx").write_bytes(render_docx(doc))
        report.written.append((f"{stem}.docx", what))
        step()
    data = await dump(services.db, guild_id, now=services.clock())
    (out / "concord.json").write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    report.empty = not (data["settings"] or data["events"] or data["drafts"])
    report.written.append(
        (
            "concord.json",
            f"settings, {plural(len(data['stakeholders']), 'stakeholder')},"
            f" {plural(len(data['events']), 'event')}, {plural(len(data['drafts']), 'draft')},"
            f" {plural(sum(len(d['comments']) for d in data['drafts']), 'comment')},"
            f" {plural(len(data['reminders']), 'reminder')}",
        )
    )
    step()
    return report
