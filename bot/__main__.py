"""`python -m bot`: run the bot; `demo`, `load` and `export` are subcommands."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.settings import Settings

log = logging.getLogger("bot")

MISSING_TOKEN = (
    "DISCORD_TOKEN is not set: put DISCORD_TOKEN=<your bot token> in .env (see .env.example)"
    " or in the environment, or try `python -m bot demo` to run without Discord."
)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("discord").setLevel(max(logging.getLevelName(level), logging.INFO))
    # apscheduler logs every wake-up at INFO; the engine logs what matters itself.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


async def run(settings: Settings) -> None:
    """Open the database, build the services and run the bot until it is closed or signalled."""
    import discord

    from bot.app import ConcordBot
    from bot.db import connect
    from bot.discord_target import point_discord_at
    from bot.domain.clock import system_clock
    from bot.domain.when import warm_up
    from bot.errors import ConfigError
    from bot.services import Services

    point_discord_at(settings)
    # One bot per SQLite file: a second one would execute every interaction again.
    db = await connect(settings.database_url, exclusive=True)
    warm_up()  # a cold dateparser costs over a second; pay it before the first interaction
    # Start-up objects (dateparser's tables above all) live as long as the process: keep them
    # out of the collector's full passes, which otherwise took 16-22 ms each, in the middle of
    # whichever interaction triggered them.
    gc.collect()
    gc.freeze()
    try:
        services = Services.build(db, system_clock)
        async with ConcordBot(settings=settings, services=services) as bot:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
            try:
                await bot.start(settings.discord_token)
            except discord.LoginFailure:
                raise ConfigError(
                    "Discord rejected DISCORD_TOKEN: copy the bot's token again from the"
                    " Developer Portal (Bot > Reset Token) into .env"
                ) from None
            except (OSError, discord.GatewayNotFound) as exc:
                raise ConfigError(
                    f"can't reach Discord ({exc}): check the network (and DISCORD_API_BASE,"
                    " if it is set)"
                ) from None
    finally:
        await db.close()


def load_settings() -> Settings | None:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"Invalid setting {first['loc'][0]}: {first['msg']}", file=sys.stderr)
        return None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; give the guild's id") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("a guild id is a positive number")
    return value


def add_tool_commands(sub: Any) -> None:
    """`demo`, `load` and `export`: none of them needs a Discord token."""
    demo = sub.add_parser(
        "demo",
        help="run the real bot against the built-in Discord emulator with the sample process",
        description="Run the real bot against the local Discord emulator with the sample"
        " process of data/, and type commands as in Discord (/help lists them).",
    )
    demo.add_argument("--script", type=Path, help="read commands from this file, one a line")
    demo.add_argument(
        "--out", type=Path, default=Path("demo-output"),
        help="folder for the files the bot sends (default: ./demo-output); when it holds an"
        " earlier run's files, a new run-<time> folder inside it",
    )
    demo.add_argument(
        "--now", help="start the demo's clock at this date or time in the --tz zone, e.g."
        " 2014-01-10; it then runs at real speed (default: the sample process's date,"
        " 2014-01-10 09:00; with --empty, the real time)",
    )
    demo.add_argument(
        "--tz", help="show times in this timezone, e.g. Europe/Zurich (default: this computer's)"
    )
    demo.add_argument(
        "--empty", action="store_true", help="start without the sample process of data/"
    )
    demo.add_argument(
        "--http-port", type=int, default=0, metavar="PORT",
        help="serve the calendar feed on 127.0.0.1:PORT while the demo runs (default: a free"
        " port, shown at the start and by /calendar feed)",
    )
    load = sub.add_parser(
        "load", help="load a calendar (*.ics) and drafts (*.md, *.docx) from a folder into a guild",
        description="Load DIR/*.ics into the calendar and DIR/*.md and *.docx drafts with their comments"
        " into a guild of the database named by DATABASE_URL. Loading twice adds nothing.",
    )
    load.add_argument("dir", type=Path, help="the folder holding the .ics, .md and .docx files")
    load.add_argument("--guild", type=positive_int, required=True, help="the guild (server) id")
    export = sub.add_parser(
        "export", help="write a guild's calendar, drafts and everything else to a folder",
        description="Write calendar.ics, each draft as CODE.md and CODE.docx (consolidated"
        " texts) and concord.json (everything) for a guild of the database named by DATABASE_URL.",
    )
    export.add_argument("--guild", type=positive_int, required=True, help="the guild (server) id")
    export.add_argument("--out", type=Path, required=True, help="the folder to write to")


def run_tool(args: argparse.Namespace) -> int:
    """`load` and `export`: DATABASE_URL from the settings, no token."""
    from bot import cli

    settings = load_settings()
    if settings is None:
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "load":
            return asyncio.run(cli.run_load(settings.database_url, args.guild, args.dir))
        return asyncio.run(cli.run_export(settings.database_url, args.guild, args.out))
    except cli.Failure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Concord, the bot.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    add_tool_commands(sub)
    args, rest = parser.parse_known_args(argv)
    if rest:
        parser.error(f"unexpected arguments: {' '.join(rest)}")
    if args.command == "demo":
        from bot.demo import main as demo_main

        return demo_main(args)
    if args.command in ("load", "export"):
        return run_tool(args)
    if args.command not in (None, "run"):
        parser.error(f"unknown command {args.command}")
    settings = load_settings()
    if settings is None:
        return 2
    configure_logging(settings.log_level)
    if not settings.discord_token.strip():
        print(MISSING_TOKEN, file=sys.stderr)
        return 2
    from bot.errors import ConfigError

    try:
        asyncio.run(run(settings))
    except KeyboardInterrupt:
        pass
    except ConfigError as exc:
        logging.shutdown()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
