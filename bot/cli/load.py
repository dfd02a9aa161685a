"""`python -m bot load`: the .ics, .md and .docx files of a folder, read as the bot reads
attachments."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.cli.common import CLI_ACTOR, Failure, Progress, plural
from bot.domain.calendar import MAX_ICS_BYTES
from bot.domain.drafts import MAX_IMPORT_BYTES, import_too_big
from bot.errors import UserError
from bot.services import Services

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

def files_to_load(directory: Path) -> list[Path]:
    """The `.ics` files, then the `.md` and `.docx` files of `directory` (not recursive), by
    name. Word's lock files ("~$C11.docx") are not documents and are left out."""
    if not directory.is_dir():
        raise Failure(
            f"{directory} is not a directory; give the folder holding .ics, .md and .docx files"
        )
    ics = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() == ".ics")
    drafts = sorted(
        p
        for p in directory.iterdir()
        if p.is_file() and p.suffix.lower() in (".md", ".docx") and not p.name.startswith("~$")
    )
    return ics + drafts


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
        return f"{path.name}: {plural(result.total, 'event')} ({details})"
    parts: list[str] = []
    for counts in await services.drafts.import_markdown(
        guild_id, actor_id, data, filename=path.name
    ):
        sections = counts.sections_new + counts.sections_revised + counts.sections_unchanged
        comments = counts.comments_added + counts.comments_known
        text = f"draft {counts.code}, {plural(sections, 'section')}, {plural(comments, 'comment')}"
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
    """Load every `.ics`, `.md` and `.docx` file of `directory` into the guild. Loading the same files
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
