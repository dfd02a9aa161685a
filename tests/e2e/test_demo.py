"""`python -m bot demo`: the command-line reader (unit) and the whole tour (a subprocess)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.demo import (
    Call,
    Catalog,
    DemoSyntaxError,
    Meta,
    Renderer,
    Token,
    fresh_out_dir,
    parse_duration,
    parse_instant,
    parse_line,
    relative_text,
    script_start,
    tokenize,
)
from bot.demo.guide import check, normalize_output

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "examples" / "tour.txt"

# Every command of SPEC section 3.
SPEC_COMMANDS = [
    "upcoming", "event add", "event edit", "event remove", "event show", "event import",
    "event export", "draft create", "draft section", "draft window", "draft import",
    "draft show", "draft list", "draft export", "comment", "comments list", "comments edit",
    "comments withdraw", "coverage", "stakeholder register", "stakeholder show",
    "stakeholder list", "reminders channel", "reminders offsets", "reminders list", "remind",
    "timezone", "settings timezone", "settings coordinator-role",
]


def opt(name: str, type_: int = 3, required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "required": required, "description": name, **extra}


KIND = opt(
    "kind",
    choices=[{"name": n, "value": n} for n in ("comment", "amendment", "deletion")],
)
CATALOG = Catalog(
    {
        "comment": {
            "name": "comment",
            "options": [opt("draft", required=True), opt("section", required=True),
                        opt("text", required=True), KIND],
        },
        "comments list": {"name": "list", "options": [opt("draft"), opt("section")]},
        "event add": {
            "name": "add",
            "options": [opt("title", required=True), opt("when", required=True), opt("kind"),
                        opt("location"), opt("url")],
        },
        "event show": {"name": "show", "options": [opt("id", required=True)]},
        "reminders channel": {"name": "channel", "options": [opt("channel", 7, True)]},
        "upcoming": {"name": "upcoming", "options": [opt("days", 4), opt("kind")]},
        "draft list": {"name": "list", "options": []},
    }
)


# --------------------------------------------------------------------------- tokens


def test_tokenize_quotes_and_keys() -> None:
    assert tokenize('/comment C11 "pillar b" text:"Hello world" \'single q\'') == [
        Token("/comment"), Token("C11"), Token("pillar b", quoted=True),
        Token("text:Hello world"), Token("single q", quoted=True),
    ]
    assert tokenize(r'a "say \"hi\"" b\ c') == [
        Token("a"), Token('say "hi"', quoted=True), Token("b c")
    ]
    assert tokenize("“smart quotes” x") == [Token("smart quotes", quoted=True), Token("x")]
    assert tokenize("   ") == []


def test_tokenize_unclosed_quote() -> None:
    with pytest.raises(DemoSyntaxError, match="quote is not closed"):
        tokenize('/comment C11 "oops')


# --------------------------------------------------------------------------- lines


def test_blank_and_comment_lines() -> None:
    assert parse_line("", CATALOG) is None
    assert parse_line("   # a comment /comment", CATALOG) is None


def test_named_options() -> None:
    call = parse_line(
        '/comment draft:C11 section:pillar-b text:"Hello world" kind:amendment', CATALOG
    )
    assert call == Call(
        "comment", {"draft": "C11", "section": "pillar-b", "text": "Hello world", "kind": "amendment"}
    )


def test_positional_options_follow_the_schema_order() -> None:
    assert parse_line('/comment C11 pillar-b "Hello"', CATALOG) == Call(
        "comment", {"draft": "C11", "section": "pillar-b", "text": "Hello"}
    )
    # Named options take their place; positional values fill the others in order.
    assert parse_line('/comment text:"Hi there" C11 vision deletion', CATALOG) == Call(
        "comment", {"draft": "C11", "section": "vision", "text": "Hi there", "kind": "deletion"}
    )


def test_subcommands() -> None:
    assert parse_line('/event add "ICANN 50" "22-26 June 2014"', CATALOG) == Call(
        "event add", {"title": "ICANN 50", "when": "22-26 June 2014"}
    )
    assert parse_line("/Event SHOW 12", CATALOG) == Call("event show", {"id": "12"})
    assert parse_line("/draft list", CATALOG) == Call("draft list", {})
    # "comment" and "comments list" are different commands
    assert parse_line("/comments list C11", CATALOG) == Call("comments list", {"draft": "C11"})


def test_values_with_colons() -> None:
    # A quoted value is never an option name; a time's colon is no option either.
    assert parse_line('/event add "Note: x" "24 January 2014 18:00"', CATALOG) == Call(
        "event add", {"title": "Note: x", "when": "24 January 2014 18:00"}
    )
    assert parse_line("/event add T 2014-01-24T18:00 url:https://example.org", CATALOG) == Call(
        "event add", {"title": "T", "when": "2014-01-24T18:00", "url": "https://example.org"}
    )
    assert parse_line('/comment C11 vision "kind:x"', CATALOG) == Call(
        "comment", {"draft": "C11", "section": "vision", "text": "kind:x"}
    )


def test_meta_commands() -> None:
    assert parse_line("/as alice", CATALOG) == Meta("as", ["alice"])
    assert parse_line("/wait 2h", CATALOG) == Meta("wait", ["2h"])
    assert parse_line("/exit", CATALOG) == Meta("quit", [])
    assert parse_line('/click "Next ▶"', CATALOG) == Meta("click", ["Next ▶"])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("comment C11", "not a command"),
        ("/bogus", "unknown command /bogus"),
        ("/coment C11 vision x", "did you mean /comment"),
        ("/event", "needs a subcommand: add, show"),
        ("/event delete 3", "has no 'delete'; try add, show"),
        ("/comment C11 vision", "needs text"),
        ("/comment C11 vision a b c", "too many values"),
        ("/comment C11 vision x colour:red", "has no option 'colour'"),
        ("/comment draft:C11 draft:C12 vision x", "given twice"),
        ('/comment C11 "vision x', "quote is not closed"),
    ],
)
def test_errors_say_what_to_type(line: str, message: str) -> None:
    with pytest.raises(DemoSyntaxError, match=re.escape(message)):
        parse_line(line, CATALOG)


def test_usage() -> None:
    assert CATALOG.usage("comment") == "/comment draft section text [kind]"


# --------------------------------------------------------------------------- time


def test_durations() -> None:
    assert parse_duration("2s") == timedelta(seconds=2)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("2 days") == timedelta(days=2)
    assert parse_duration("1w, 1d") == timedelta(days=8)
    for bad in ("", "soon", "2 parsecs", "3"):
        with pytest.raises(DemoSyntaxError):
            parse_duration(bad)


def test_instants_and_script_start() -> None:
    assert parse_instant("2014-01-10") == datetime(2014, 1, 10, tzinfo=UTC)
    assert parse_instant("2014-01-10 09:00").hour == 9
    with pytest.raises(DemoSyntaxError):
        parse_instant("next week")
    assert script_start(["# tour", "", "/now 2014-01-10 09:00", "/upcoming"]) == datetime(
        2014, 1, 10, 9, tzinfo=UTC
    )
    assert script_start(["/upcoming", "/now 2014-01-10"]) is None


def test_instants_are_read_in_the_tz_zone() -> None:
    """--now and /now mean the zone the demo shows times in (issue 19, point 8)."""
    from zoneinfo import ZoneInfo

    zurich = ZoneInfo("Europe/Zurich")
    assert parse_instant("2014-01-10 09:00", zurich) == datetime(2014, 1, 10, 8, tzinfo=UTC)
    assert parse_instant("2014-01-10T09:00+00:00", zurich) == datetime(2014, 1, 10, 9, tzinfo=UTC)
    assert script_start(["/now 2014-01-10 09:00"], zurich) == datetime(2014, 1, 10, 8, tzinfo=UTC)


def test_a_new_run_does_not_overwrite_an_earlier_runs_files(tmp_path: Path) -> None:
    now = datetime(2026, 12, 1, 18, 0, 5, tzinfo=UTC)
    out = tmp_path / "demo-output"
    assert fresh_out_dir(out, now) == out  # not there yet
    out.mkdir()
    assert fresh_out_dir(out, now) == out  # there, empty
    (out / "C11-V1.2.md").write_text("an earlier run")
    assert fresh_out_dir(out, now) == out / "run-20261201-180005"
    (out / "run-20261201-180005").mkdir()
    assert fresh_out_dir(out, now) == out / "run-20261201-180005-2"


@pytest.mark.slow
def test_a_plain_demo_starts_as_of_the_sample_and_empty_lists_no_profiles(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    script = tmp_path / "s.txt"
    script.write_text("/upcoming\n/settings coordinator-role role:Admins\n")
    run = [sys.executable, "-m", "bot", "demo", "--script", str(script), "--tz", "Europe/Zurich"]
    proc = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert "demo time: Friday 10 January 2014 09:00 CET" in proc.stdout, proc.stdout
    assert "the sample process's date" in proc.stdout
    assert "**#16** C11 comment window" in proc.stdout  # /upcoming is not empty
    assert "no role 'Admins'; name one of the server's roles: Secretariat" in proc.stdout
    assert "@everyone" not in proc.stdout
    empty = subprocess.run(
        [*run, "--empty"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    banner = empty.stdout.split("coordinator>")[0]
    assert "ISOC" not in banner and "Brazil" not in banner and "no stakeholder profiles" in banner


def test_relative_text() -> None:
    now = datetime(2014, 1, 10, tzinfo=UTC)
    assert relative_text(now + timedelta(seconds=10), now) == "in a few seconds"
    assert relative_text(now + timedelta(minutes=30), now) == "in 30 minutes"
    assert relative_text(now - timedelta(hours=1), now) == "1 hour ago"
    assert relative_text(now + timedelta(days=14), now) == "in 14 days"
    assert relative_text(now + timedelta(days=70), now) == "in 2 months"
    assert relative_text(now - timedelta(days=800), now) == "2 years ago"


def test_renderer_timestamps_and_mentions() -> None:
    from zoneinfo import ZoneInfo

    now = datetime(2014, 1, 10, 9, tzinfo=UTC)
    render = Renderer(
        ZoneInfo("Europe/Zurich"), lambda: now, users={1: "alice"}, roles={2: "Secretariat"},
        channels={3: "reminders"},
    )
    moment = int(datetime(2014, 1, 24, 17, tzinfo=UTC).timestamp())
    text = render(f"<t:{moment}:F> (<t:{moment}:R>) <t:{moment}:D> <@1> <@!1> <@&2> <#3> <@9>")
    assert text == (
        "Friday 24 January 2014 18:00 CET (in 14 days) 24 January 2014 @alice @alice"
        " @Secretariat #reminders @unknown-user"
    )


# --------------------------------------------------------------------------- the tour


def answered_blocks(output: str) -> list[tuple[str, list[str]]]:
    """(command line, answer lines) for each echoed command of a script run."""
    blocks: list[tuple[str, list[str]]] = []
    for line in output.splitlines():
        match = re.match(r"^\w+> (/.*)$", line)
        if match:
            blocks.append((match.group(1), []))
        elif blocks:
            blocks[-1][1].append(line)
    return blocks


@pytest.mark.slow
def test_the_tour_runs_every_command(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    out = tmp_path / "files"
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", str(TOUR), "--out", str(out),
         "--now", "2014-01-10", "--tz", "Europe/Zurich"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=110,
    )
    output = proc.stdout
    assert proc.returncode == 0, output[-3000:] + proc.stderr[-3000:]
    assert "Sorry, something went wrong" not in output
    assert "Traceback" not in output + proc.stderr
    assert "  error:" not in output
    blocks = answered_blocks(output)
    for command in SPEC_COMMANDS:
        pattern = re.compile(rf"^/{re.escape(command)}(\s|$)")
        answers = [lines for line, lines in blocks if pattern.match(line)]
        assert answers, f"/{command} is not in the tour"
        assert any(lines and lines[0].strip() for lines in answers), f"/{command} got no answer"
    # Refusals are part of the tour, and are answered to the member alone.
    assert "[only you] Only coordinators can do that" in output
    assert "[only you] The comment window for C11 closed" in output
    # The tour's own comments by number: the numbers it edits, withdraws and hides are the
    # comments it made (the sample data loaded first holds 15).
    assert "[only you] Edited **#16** · Pillar b) · ISOC, Civil Society:" in output
    assert "[only you] Withdrew **#17** on Pillar c)" in output
    assert "Recorded **#19** on **C11 · Pillar b)**" in output
    assert "[only you] Hid **#19** on C11 · Pillar b): it" in output  # no "b))"
    # Paging, reminders arriving and files saved.
    assert "Page 2/2" in output
    assert re.search(r"^\[#reminders\] Reminder: \*\*C11 comment window\*\* closes", output, re.M)
    assert "[DM to alice] Reminder: Send ISOC's comments on C12" in output
    assert "rescheduled" in output.lower()
    saved = {p.name for p in out.iterdir()}
    assert {"C11-V1.2.md", "C11-V1.2.docx", "concord-calendar.ics"} <= saved
    assert (out / "C11-V1.2.docx").read_bytes()[:2] == b"PK"
    assert "<t:" not in output and "<@" not in output and "<#" not in output
    # The README's user guide shows these very answers (python -m bot.demo.guide pastes them).
    problems, _ = check((ROOT / "README.md").read_text(encoding="utf-8"), normalize_output(output, str(out)))
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_script_errors_exit_1_and_go_on(tmp_path: Path) -> None:
    script = tmp_path / "bad.txt"
    script.write_text("/empty-command\n/draft list\n/as nobody\n/upcoming days:400\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", str(script), "--out", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert any(line.startswith("  error: unknown command /empty-command") for line in lines)
    assert any(line.startswith("  error: no member 'nobody'") for line in lines)
    # The line after an error still ran.
    assert "**C11** International and regional cooperation" in proc.stdout
    # A value out of range is the bot's (expected) refusal or the emulator's one-line error.
    block = answered_blocks(proc.stdout)[-1]
    assert block[0] == "/upcoming days:400" and block[1]
