"""`python -m bot load DIR --guild ID` and `python -m bot export --guild ID --out DIR`.

Both go through the same services as `/event import`, `/draft import`, `/event export` and
`/draft export`, so a file loaded here is read exactly as the bot reads an attachment; neither
needs a Discord token, only DATABASE_URL. The demo loads its sample process with
:func:`load_directory` too.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from bot.db.database import Database, opt_dt, sqlite_path
from bot.domain.calendar import MAX_ICS_BYTES
from bot.domain.draftdoc import render_docx, render_markdown
from bot.domain.drafts import MAX_IMPORT_BYTES, import_too_big
from bot.errors import ConfigError, UserError
from bot.services import Services

# Loads from the command line are recorded in the audit with this actor (no Discord member).
CLI_ACTOR = 0
EXPORT_FORMAT = "concord-export/1"

Progress = Callable[[int, int], None]
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class Failure(Exception):
    """A problem with the files or the arguments, said in one line."""


# --------------------------------------------------------------------------- progress


class ProgressBar:
    """`[#####.....] 12/40 files` on a stream (stderr): redrawn in place on a terminal, a line
    per tenth otherwise. Silent for short runs (fewer than `min_total` files)."""

    def __init__(self, stream: TextIO | None = None, *, width: int = 10, min_total: int = 5) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.min_total = min_total
        self._last_step = -1
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def bar(self, done: int, total: int) -> str:
        filled = self.width * done // total if total else self.width
        return f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} files"

    def __call__(self, done: int, total: int) -> None:
        if total < self.min_total:
            return
        if self._tty:
            end = "\n" if done >= total else ""
            self.stream.write("\r" + self.bar(done, total) + end)
        else:
            step = 10 * done // total
            if step == self._last_step and done < total:
                return
            self._last_step = step
            self.stream.write(self.bar(done, total) + "\n")
        self.stream.flush()


# --------------------------------------------------------------------------- load


@dataclass
class LoadReport:
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return " · ".join(self.lines) if self.lines else "nothing to load"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def files_to_load(directory: Path) -> list[Path]:
    """The `.ics` files, then the `.md` files of `directory` (not recursive), by name."""
    if not directory.is_dir():
        raise Failure(f"{directory} is not a directory; give the folder holding .ics and .md files")
    ics = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() == ".ics")
    md = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() == ".md")
    return ics + md


async def load_file(services: Services, guild_id: int, path: Path, actor_id: int) -> str:
    """Load one file; returns its summary ("calendar.ics: 15 events (15 new, 0 updated)")."""
    ics = path.suffix.lower() == ".ics"
    size = (await asyncio.to_thread(path.stat)).st_size
    if not ics and size > MAX_IMPORT_BYTES:
        raise import_too_big(size)  # before reading it: a stray 2 GB file is not read
    if ics and size > MAX_ICS_BYTES:
        raise UserError(
            f"it is {size:,} bytes; calendars up to {MAX_ICS_BYTES:,} bytes can be loaded"
            " (export fewer months)."
        )
    data = await asyncio.to_thread(path.read_bytes)
    if ics:
        result = await services.calendar.import_ics(guild_id, actor_id, data, filename=path.name)
        details = f"{result.created} new, {result.updated} updated"
        if result.unchanged:
            details += f", {result.unchanged} unchanged"
        if result.skipped:
            details += f", {result.skipped} skipped"
        return f"{path.name}: {_plural(result.total, 'event')} ({details})"
    parts: list[str] = []
    for counts in await services.drafts.import_markdown(guild_id, actor_id, data):
        sections = counts.sections_new + counts.sections_revised + counts.sections_unchanged
        comments = counts.comments_added + counts.comments_known
        text = f"draft {counts.code}, {_plural(sections, 'section')}, {_plural(comments, 'comment')}"
        if not counts.created:
            text += (
                f" ({counts.sections_revised} sections revised,"
                f" {counts.comments_added} new comments)"
            )
        parts.append(text)
    return f"{path.name}: {'; '.join(parts)}"


async def load_directory(
    services: Services,
    guild_id: int,
    directory: Path,
    *,
    actor_id: int = CLI_ACTOR,
    progress: Progress | None = None,
) -> LoadReport:
    """Load every `.ics` and `.md` file of `directory` into the guild. Loading the same files
    again adds nothing: events are matched by UID, comments by their source key."""
    report = LoadReport()
    paths = files_to_load(directory)
    for done, path in enumerate(paths, start=1):
        try:
            report.lines.append(await load_file(services, guild_id, path, actor_id))
        except UserError as exc:
            report.errors.append(f"{path.name}: {exc}")
        except OSError as exc:
            report.errors.append(f"{path.name}: cannot read it ({exc.strerror or exc})")
        if progress is not None:
            progress(done, len(paths))
    return report


# --------------------------------------------------------------------------- export


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
    report.written.append(("calendar.ics", _plural(calendar.count, "event")))
    step()
    taken: set[str] = set()
    for code in codes:
        doc = await services.drafts.consolidated(guild_id, code)
        comments = sum(len(s.comments) for s in doc.sections)
        what = f"draft {code}, {_plural(len(doc.sections), 'section')}, {_plural(comments, 'comment')}"
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
            f"settings, {_plural(len(data['stakeholders']), 'stakeholder')},"
            f" {_plural(len(data['events']), 'event')}, {_plural(len(data['drafts']), 'draft')},"
            f" {_plural(sum(len(d['comments']) for d in data['drafts']), 'comment')},"
            f" {_plural(len(data['reminders']), 'reminder')}",
        )
    )
    step()
    return report


# --------------------------------------------------------------------------- entry points


SCHEMES = ("sqlite:", "postgresql:", "postgres:")


def database_place(url: str) -> str:
    """Where DATABASE_URL points, for messages: the SQLite file, or the PostgreSQL address
    without its password."""
    if url.startswith("sqlite:"):
        return sqlite_path(url)
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{user}{parts.hostname or ''}{port}{parts.path}"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or exc.__class__.__name__


async def open_database(url: str) -> Database:
    """The database DATABASE_URL names, migrated; a Failure saying what to fix if it cannot be
    opened (an unknown scheme, a file that is not a database, a server out of reach)."""
    import sqlite3

    import asyncpg

    from bot.db import connect

    place = database_place(url) if url.startswith(SCHEMES) else url.partition(":")[0]
    try:
        return await connect(url)
    except ConfigError as exc:  # connect's own one-line account of a set-up problem
        raise Failure(str(exc)) from None
    # What connect leaves unworded: said here, not as a traceback.
    except sqlite3.Error as exc:
        raise Failure(
            f"cannot use the SQLite database {place} ({_reason(exc)}); check DATABASE_URL"
        ) from None
    except (OSError, TimeoutError) as exc:
        raise Failure(
            f"cannot reach the database at {place} ({_reason(exc)}); check DATABASE_URL and"
            " that the server is running"
        ) from None
    except (asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
        raise Failure(f"the database at {place} refused ({_reason(exc)}); check DATABASE_URL") from None


async def _open(database_url: str) -> Services:
    from bot.domain.clock import system_clock

    return Services.build(await open_database(database_url), system_clock)


def prepare_out(out: Path) -> None:
    """Create the folder `out` if missing; a Failure if it is a file or cannot be written."""
    for place in (out, *out.parents):
        if place.exists():
            if not place.is_dir():
                raise Failure(
                    f"--out {out}: {place} is a file, not a folder; give --out a folder (it is"
                    " created if missing)"
                )
            break
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".concord-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise Failure(
            f"cannot write to {out} ({_reason(exc)}); give --out a folder you can write to"
        ) from None


async def run_load(database_url: str, guild_id: int, directory: Path) -> int:
    paths = files_to_load(directory)
    if not paths:
        raise Failure(f"{directory} holds no .ics or .md file to load")
    services = await _open(database_url)
    try:
        report = await load_directory(services, guild_id, directory, progress=ProgressBar())
    finally:
        await services.db.close()
    print(report.summary())
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if report.errors else 0


async def run_export(database_url: str, guild_id: int, out: Path) -> int:
    await asyncio.to_thread(prepare_out, out)
    services = await _open(database_url)
    try:
        report = await export_guild(services, guild_id, out, progress=ProgressBar())
    except OSError as exc:  # a full disk, a folder removed meanwhile, a lost connection
        raise Failure(f"the export to {out} stopped ({_reason(exc)})") from None
    finally:
        await services.db.close()
    print(f"Wrote to {out}:")
    print(report.summary())
    if report.empty:
        print(
            f"note: guild {guild_id} holds nothing in this database; check --guild and DATABASE_URL",
            file=sys.stderr,
        )
    return 0
