"""`python -m bot load` and `python -m bot export`: summaries, idempotence, the round trip."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli import ProgressBar, export_guild, load_directory
from bot.db import connect
from bot.domain.clock import system_clock
from bot.services import Services

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
GUILD = 4242

# What differs between two databases holding the same things.
VOLATILE = {
    "id", "guild_id", "exported_at", "created_at", "updated_at", "window_event_id", "event_id",
    "created_by",
}


def stable(value: Any) -> Any:
    """The dump without ids and creation/update timestamps. Comments are compared as a set:
    the consolidated text groups them by stakeholder group, so they come back in that order."""
    if isinstance(value, dict):
        out = {k: stable(v) for k, v in value.items() if k not in VOLATILE}
        if "comments" in out:
            out["comments"] = sorted(out["comments"], key=lambda c: (c["section"], c["source_key"]))
        return out
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


async def load_and_export(url: str, source: Path, out: Path, *, times: int = 1) -> dict[str, Any]:
    db = await connect(url)
    try:
        services = Services.build(db, system_clock)
        for _ in range(times):
            report = await load_directory(services, GUILD, source)
            assert not report.errors, report.errors
        await export_guild(services, GUILD, out)
    finally:
        await db.close()
    result: dict[str, Any] = json.loads((out / "concord.json").read_text(encoding="utf-8"))
    return result


async def test_round_trip_through_the_export(tmp_path: Path) -> None:
    first = await load_and_export(f"sqlite:///{tmp_path / 'a.db'}", DATA, tmp_path / "one")
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == [
        "C11 (review).docx", "C11.docx", "C11.md", "WSIS-OD (review).docx", "WSIS-OD.docx",
        "WSIS-OD.md", "calendar.ics", "concord.json"
    ]
    assert len(first["events"]) == 15
    # data/ holds C11 and the UN-style sample WSIS-OD (preamble, numbered paragraphs, annex).
    assert [d["code"] for d in first["drafts"]] == ["C11", "WSIS-OD"]
    assert len(first["drafts"][0]["comments"]) == 11
    assert len(first["drafts"][0]["sections"]) == 7
    # Comments from a file are marked imported: nobody verified them in Discord (SPEC 8).
    assert {c["attribution_status"] for c in first["drafts"][0]["comments"]} == {"imported"}
    assert all(c["hidden_at"] is None for c in first["drafts"][0]["comments"])
    assert first["groups"] == []
    second = await load_and_export(
        f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "one", tmp_path / "two"
    )
    assert stable(second["events"]) == stable(first["events"])
    assert stable(second["drafts"]) == stable(first["drafts"])
    # Both consolidated texts say the same apart from when they were generated.
    def body(path: Path) -> list[str]:
        return [
            line for line in path.read_text(encoding="utf-8").splitlines()
            if not line.startswith("Generated:")
        ]

    assert body(tmp_path / "two" / "C11.md") == body(tmp_path / "one" / "C11.md")


async def test_loading_twice_duplicates_nothing(tmp_path: Path) -> None:
    once = await load_and_export(f"sqlite:///{tmp_path / 'a.db'}", DATA, tmp_path / "one")
    twice = await load_and_export(
        f"sqlite:///{tmp_path / 'b.db'}", DATA, tmp_path / "two", times=2
    )
    assert stable(twice["events"]) == stable(once["events"])
    assert stable(twice["drafts"]) == stable(once["drafts"])
    assert all(s["revision"] == 1 for s in twice["drafts"][0]["sections"])


def test_progress_bar() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream)
    for done in range(1, 41):
        bar(done, 40)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[..........] 1/40 files"
    assert "[#####.....] 20/40 files" in lines
    assert lines[-1] == "[##########] 40/40 files"
    assert len(lines) == 11  # one line per tenth when not a terminal
    quiet = io.StringIO()
    ProgressBar(quiet)(1, 2)  # short runs say nothing
    assert quiet.getvalue() == ""


def run_cli(*args: str, cwd: Path, database: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["DATABASE_URL"] = f"sqlite:///{database}"
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_command_line(tmp_path: Path) -> None:
    database = tmp_path / "concord.db"
    first = run_cli("load", str(DATA), "--guild", str(GUILD), cwd=tmp_path, database=database)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == (
        "calendar.ics: 15 events (15 new, 0 updated) · A-RES-WSIS.md: draft WSIS-OD, 18 sections, 4 comments"
        " · C11.md: draft C11, 7 sections, 11 comments"
    )
    again = run_cli("load", str(DATA), "--guild", str(GUILD), cwd=tmp_path, database=database)
    assert again.returncode == 0, again.stderr
    assert "15 events (0 new, 0 updated, 15 unchanged)" in again.stdout
    assert "0 new comments" in again.stdout
    out = tmp_path / "export"
    export = run_cli("export", "--guild", str(GUILD), "--out", str(out), cwd=tmp_path, database=database)
    assert export.returncode == 0, export.stderr
    assert "calendar.ics: 15 events" in export.stdout
    assert "C11.docx: draft C11, 7 sections, 11 comments" in export.stdout
    assert (out / "C11.docx").read_bytes()[:2] == b"PK"
    missing = run_cli("load", str(tmp_path / "nope"), "--guild", "1", cwd=tmp_path, database=database)
    assert missing.returncode == 2
    assert missing.stderr.strip().startswith("error:") and len(missing.stderr.splitlines()) == 1
    bad_guild = run_cli("export", "--guild", "x", "--out", str(out), cwd=tmp_path, database=database)
    assert bad_guild.returncode == 2 and "guild" in bad_guild.stderr


async def test_a_file_over_the_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "big.md").write_bytes(b"# C1 Big\n## Vision\n" + b"x" * 3_000_000)
    (source / "big.ics").write_bytes(b"BEGIN:VCALENDAR\n" + b"x" * 1_500_000)
    read = Path.read_bytes

    def guarded(path: Path) -> bytes:
        assert path.name not in ("big.md", "big.ics"), f"{path.name} was read"
        return read(path)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    db = await connect(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        report = await load_directory(Services.build(db, system_clock), GUILD, source)
    finally:
        await db.close()
    assert report.errors == [
        "big.ics: it is 1,500,016 bytes; calendars up to 1,000,000 bytes can be loaded"
        " (export fewer months).",
        "big.md: That file is 3,000,019 bytes; an import takes at most 2,000,000 bytes"
        " (split it into several .md files).",
    ]


def _files_outside(root: Path, out: Path) -> list[Path]:
    """Files under `root` that are neither in `out` nor the database."""
    return [
        p for p in root.rglob("*")
        if p.is_file() and p.parent != out and not p.name.startswith("a.db")
    ]


async def test_export_file_names_are_safe_and_distinct(tmp_path: Path) -> None:
    """Codes may hold "/" and "+": each draft gets its own file, inside --out."""
    db = await connect(f"sqlite:///{tmp_path / 'a.db'}")
    codes = ["C11/REV2", "C11+REV2", "C11_REV2", "A/../../EVIL", "C11.REV2"]
    out = tmp_path / "deep" / "out"
    try:
        services = Services.build(db, system_clock)
        for code in codes:
            await services.drafts.create(GUILD, 1, code, f"Draft {code}", None)
            await services.drafts.set_section(GUILD, 1, code, "vision", f"The vision of {code}")
        report = await export_guild(services, GUILD, out)
    finally:
        await db.close()
    assert _files_outside(tmp_path, out) == []
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        ["calendar.ics", "concord.json"]
        + [f"{stem}{suffix}" for stem in ("A_.._.._EVIL", "C11.REV2", "C11_REV2", "C11_REV2-2",
                                          "C11_REV2-3") for suffix in (".md", ".docx", " (review).docx")]
    )
    # Each file holds its own draft, and the summary says which.
    texts = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.md")}
    for code in codes:
        [name] = [n for n, text in texts.items() if f"The vision of {code}\n" in text]
        assert f"{name}: draft {code}, 1 section, 0 comments" in report.summary()


def run_with_url(*args: str, cwd: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=60,
    )


def _one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit non-zero with one line on stderr that starts with "error:" and names `words`."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write to (as root, chmod is not enough: try /sys)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    for candidate in (folder, Path("/sys")):
        try:
            (candidate / "probe").write_bytes(b"")
        except OSError:
            return candidate
        (candidate / "probe").unlink()
    pytest.skip("no folder here refuses writes to this process")


@pytest.mark.slow
def test_bad_out_or_database_url_is_one_line(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'concord.db'}"
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("not a folder, not a database\n")

    res = run_with_url("export", "--guild", "1", "--out", str(a_file), cwd=tmp_path, url=database)
    _one_line_error(res, str(a_file), "--out", "folder")
    res = run_with_url("export", "--guild", "1", "--out", str(a_file / "sub"), cwd=tmp_path, url=database)
    _one_line_error(res, "--out", "folder")
    unwritable = _unwritable_folder(tmp_path)
    res = run_with_url("export", "--guild", "1", "--out", str(unwritable), cwd=tmp_path, url=database)
    _one_line_error(res, str(unwritable), "--out")

    res = run_with_url("export", "--guild", "1", "--out", str(tmp_path / "o"), cwd=tmp_path, url=f"sqlite:///{a_file}")
    _one_line_error(res, str(a_file), "SQLite database", "DATABASE_URL")
    res = run_with_url("load", str(ROOT / "data"), "--guild", "1", cwd=tmp_path, url=f"sqlite:///{a_file}")
    _one_line_error(res, "SQLite database")
    res = run_with_url("export", "--guild", "1", "--out", str(tmp_path / "o"), cwd=tmp_path, url="mysql://me@db/concord")
    _one_line_error(res, "mysql", "DATABASE_URL", "sqlite:///", "postgresql://")
    res = run_with_url(
        "export", "--guild", "1", "--out", str(tmp_path / "o"), cwd=tmp_path,
        url="postgresql://concord:secret@127.0.0.1:1/concord",
    )
    _one_line_error(res, "127.0.0.1:1", "DATABASE_URL")
    assert "secret" not in res.stderr
    res = run_with_url(
        "export", "--guild", "1", "--out", str(tmp_path / "o"), cwd=tmp_path,
        url=f"sqlite:///{unwritable / 'sub' / 'concord.db'}",
    )
    _one_line_error(res, "DATABASE_URL")


SERIES_ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Outside//Calendar//EN\r
BEGIN:VEVENT\r
UID:mag@outside\r
SUMMARY:MAG call\r
DTSTART;TZID=Europe/Zurich:20140304T160000\r
DTEND;TZID=Europe/Zurich:20140304T170000\r
RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=5\r
EXDATE;TZID=Europe/Zurich:20140318T160000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:mag@outside\r
RECURRENCE-ID;TZID=Europe/Zurich:20140401T160000\r
SUMMARY:MAG call (Paris)\r
DTSTART;TZID=Europe/Zurich:20140402T160000\r
DTEND;TZID=Europe/Zurich:20140402T170000\r
END:VEVENT\r
END:VCALENDAR\r
"""


async def test_a_series_goes_out_and_back_whole(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "mag.ics").write_bytes(SERIES_ICS)
    first = await load_and_export(f"sqlite:///{tmp_path / 'a.db'}", source, tmp_path / "one")
    (event,) = first["events"]
    assert event["rrule"] == "FREQ=WEEKLY;INTERVAL=2;COUNT=5"
    assert event["series_end"] == "2014-04-29T14:00:00+00:00"
    assert [(o["occurrence"], o["cancelled"], o["title"]) for o in event["occurrences"]] == [
        ("2014-03-18T15:00:00+00:00", True, None),
        ("2014-04-01T14:00:00+00:00", False, "MAG call (Paris)"),
    ]
    second = await load_and_export(
        f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "one", tmp_path / "two"
    )
    assert stable(second["events"]) == stable(first["events"])
