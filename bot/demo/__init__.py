"""`python -m bot demo`: the real bot against the built-in Discord emulator, driven by typed lines.

It starts the local emulator (a server "WSIS+10 MPP" with #general and #reminders, members
coordinator, alice, bob and carol), runs the real ConcordBot in this process against it on a
temporary SQLite database, loads the sample process of data/ and then reads commands as they
are typed in Discord, from the terminal or a script:

    /comment draft:C11 section:pillar-b text:"Hello world" kind:amendment
    /comment C11 pillar-b "Hello world"            (positionally, in the options' order)
    /event add "ICANN 50" "22-26 June 2014"        (subcommands too)

plus the demo's own commands: /as NAME, /wait DURATION, /now [DATE], /next, /prev,
/click LABEL, /help [COMMAND], /quit. Answers are printed readably: Discord timestamps in
local time, mentions as names, embeds as text, buttons listed, files saved to --out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.domain.feeds import feed_url

from .render import Renderer, display_zone, relative_text
from .script import (
    Call,
    Catalog,
    DemoSyntaxError,
    Meta,
    Token,
    parse_duration,
    parse_instant,
    parse_line,
    read_lines,
    script_start,
    tokenize,
)
from .session import Demo, ErrorCounter, Outcome

__all__ = [
    "Call",
    "Catalog",
    "Demo",
    "DemoSyntaxError",
    "Meta",
    "Renderer",
    "Token",
    "fresh_out_dir",
    "main",
    "parse_duration",
    "parse_instant",
    "parse_line",
    "relative_text",
    "script_start",
    "tokenize",
]

ROOT = Path(__file__).resolve().parent.parent.parent  # where data/ lives in a checkout
SAMPLE = ROOT / "data"

SAMPLE_MEMBERS = {
    # member: (organization, stakeholder group)
    "alice": ("ISOC", "Civil Society"),
    "bob": ("Brazil", "Government"),
    "carol": ("WSIS+10 secretariat", "International Organization"),
}
SERVER_TIMEZONE = "Europe/Zurich"
C11_WINDOW = "19 December 2013 - 24 January 2014"
#: Without --now, the demo with the sample process starts on its date (in the --tz zone), so
#: `/upcoming` shows the process as it was: C11's window open, meetings ahead.
SAMPLE_NOW = "2014-01-10 09:00"


def fresh_out_dir(wanted: Path, now: datetime) -> Path:
    """Where this run saves files: `wanted`, or when it already holds an earlier run's files,
    a new folder inside it named after this moment (nothing is overwritten)."""
    if not wanted.is_dir() or not any(wanted.iterdir()):
        return wanted
    stamp = now.strftime("run-%Y%m%d-%H%M%S")
    target, n = wanted / stamp, 2
    while target.exists():
        target, n = wanted / f"{stamp}-{n}", n + 1
    return target


async def load_sample(services: Any, world: Any, directory: Path) -> list[str]:
    """The sample process: settings, stakeholders, data/*.ics and *.md, C11's comment window."""
    from bot.cli import load_directory

    gid, chair = world.guild.id, world.coordinator.id
    await services.settings.set_timezone(gid, chair, SERVER_TIMEZONE)
    await services.settings.set_reminder_channel(gid, chair, world.reminders.id)
    await services.settings.set_coordinator_role(gid, chair, world.coordinator_role.id)
    for name, (org, group) in SAMPLE_MEMBERS.items():
        # Set by the chair, so the sample members start verified (SPEC section 8).
        await services.stakeholders.set(gid, chair, world.members[name].id, name, org, group)
    report = await load_directory(services, gid, directory, actor_id=chair)
    lines = list(report.lines) + [f"error: {e}" for e in report.errors]
    if "C11" in await services.drafts.codes(gid):
        await services.windows.set_window(
            gid, chair, "C11", C11_WINDOW, SERVER_TIMEZONE, past=True  # the demo may start later
        )
        lines.append(f"C11 comment window: {C11_WINDOW}")
    return lines



async def run_demo(args: argparse.Namespace, stream: TextIO = sys.stdout) -> int:
    from bot.domain.clock import ShiftedClock
    from bot.emulator import DiscordEmulator
    from bot.harness import TOKEN, build_world, run_bot_in_process

    script: list[str] | None = args.script_lines
    try:
        zone = display_zone(args.tz)
        start = parse_instant(args.now, zone) if args.now else None
    except (DemoSyntaxError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if start is None and script is not None:
        start = script_start(script, zone)
    as_of_sample = start is None and not args.empty
    if as_of_sample:
        start = parse_instant(SAMPLE_NOW, zone)
    clock = ShiftedClock(start)
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    interactive = script is None and sys.stdin.isatty()
    out_dir = fresh_out_dir(args.out, datetime.now(UTC))
    searched = [Path.cwd(), out_dir]
    if args.script is not None:
        searched.append(args.script_dir)
    searched.append(ROOT)
    outcome = Outcome()
    with tempfile.TemporaryDirectory(prefix="concord-demo-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        async with DiscordEmulator(token=TOKEN) as emu:
            emu.now = clock  # Discord's "future" for scheduled events is the demo's time
            world = build_world(emu)
            for member in world.members.values():
                member.locale = "en-GB"  # a Geneva secretariat: numeric dates day first
            sample: list[str] = []

            async def before_start(bot: Any) -> None:
                if not args.empty:
                    sample.extend(await load_sample(bot.services, world, SAMPLE))

            # The calendar feed is served on this machine while the demo runs (SPEC 11), and
            # /calendar subscribe may follow calendars on it (python -m http.server ...).
            async with run_bot_in_process(
                emu, url, clock=clock, before_start=before_start,
                http_port=getattr(args, "http_port", 0), subscriptions_allow_private=True,
            ) as running:
                await emu.wait_for_commands()
                demo = Demo(
                    emu=emu, world=world, running=running, clock=clock, out_dir=out_dir,
                    zone=zone, search_dirs=searched, stream=stream, errors=errors,
                )
                feed = None
                if running.bot.web is not None:
                    secret = await running.services.feeds.secret(world.guild.id)
                    feed = feed_url(running.bot.web.public_url, secret)
                moved = out_dir if out_dir != args.out else None
                banner(
                    demo, sample, interactive, feed, as_of_sample=as_of_sample, out_dir=moved
                )
                async for line, echo in read_lines(script, interactive, lambda: demo.prompt):
                    result = await demo.run_line(line, echo=echo)
                    outcome.demo_errors += result.demo_errors
                    outcome.bot_failures += result.bot_failures
                    if result.quit:
                        break
                await asyncio.sleep(0.2)
    logging.getLogger().removeHandler(errors)
    if outcome.demo_errors or outcome.bot_failures:
        print(
            f"({outcome.demo_errors} line(s) the demo could not read,"
            f" {outcome.bot_failures} command(s) the bot failed)",
            file=stream,
        )
    if interactive:
        return 0
    return 1 if outcome.demo_errors or outcome.bot_failures else 0


def banner(
    demo: Demo,
    sample: list[str],
    interactive: bool,
    feed: str | None = None,
    *,
    as_of_sample: bool = False,
    out_dir: Path | None = None,
) -> None:
    w = demo.world
    now = demo.render.timestamp(int(demo.clock().timestamp()), "F")
    demo.say(f"Concord demo: the real bot on a local Discord emulator. Server {w.guild.name}:")
    demo.say("  channels #general (where you type) and #reminders")
    if sample:
        demo.say(
            "  members: coordinator (Manage Server, the chair), alice (ISOC, Civil Society),"
            " bob (Brazil, Government), carol (Secretariat role; WSIS+10 secretariat)"
        )
        demo.say(f"  sample process loaded: {' · '.join(sample)}")
    else:  # --empty: nobody has a profile yet
        demo.say(
            "  members: coordinator (Manage Server, the chair), carol (Secretariat role), alice"
            " and bob; no stakeholder profiles yet (/stakeholder register)"
        )
    demo.say(f"  demo time: {now}; times are shown in {demo.render.zone}")
    if feed is not None:
        demo.say(f"  calendar feed, served while the demo runs: {feed}")
    if as_of_sample:
        demo.say(
            "  (the sample process's date, so its window is open and its meetings ahead;"
            " --now or /now changes it)"
        )
    elif demo.clock().year > 2014 and sample:
        demo.say("  (the sample process is from 2013-2014: /now 2014-01-10 takes you there)")
    if out_dir is not None:
        demo.say(f"  files go to {out_dir} ({out_dir.parent} holds an earlier run's files)")
    if interactive:
        demo.say("Type /help for the commands, /as NAME to be someone else, /quit to stop.")
    demo.say("")


def main(args: argparse.Namespace) -> int:
    """Entry point of `python -m bot demo` (arguments parsed by bot.__main__)."""
    import os

    level = os.environ.get("LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(
        level=level if level in logging.getLevelNamesMapping() else "WARNING",
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("discord").setLevel(logging.WARNING)
    logging.getLogger("discord.client").setLevel(logging.ERROR)  # "PyNaCl is not installed"
    args.script_lines = None
    if args.script is not None:
        try:
            args.script_lines = args.script.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            print(f"error: cannot read the script {args.script}: {exc}", file=sys.stderr)
            return 2
        args.script_dir = args.script.resolve().parent
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(run_demo(args))
    return 0
