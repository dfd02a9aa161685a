"""`python -m bot load DIR --guild ID` and `python -m bot export --guild ID --out DIR`.

Both go through the same services as `/event import`, `/draft import`, `/event export` and
`/draft export`, so a file loaded here is read exactly as the bot reads an attachment; neither
needs a Discord token, only DATABASE_URL. The demo loads its sample process with
:func:`load_directory` too.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from urllib.parse import urlsplit

from bot.cli.common import CLI_ACTOR, Failure, Progress
from bot.cli.export import EXPORT_FORMAT, ExportReport, dump, export_guild, file_stem
from bot.cli.load import LoadReport, ProgressBar, files_to_load, load_directory, load_file
from bot.db.database import Database, sqlite_path
from bot.errors import ConfigError
from bot.services import Services

__all__ = [
    "CLI_ACTOR",
    "EXPORT_FORMAT",
    "ExportReport",
    "Failure",
    "LoadReport",
    "Progress",
    "ProgressBar",
    "dump",
    "export_guild",
    "file_stem",
    "files_to_load",
    "load_directory",
    "load_file",
    "run_export",
    "run_load",
]


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
        raise Failure(f"{directory} holds no .ics, .md or .docx file to load")
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
