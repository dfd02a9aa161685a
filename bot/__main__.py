"""`python -m bot`: run the bot; `demo`, `load` and `export` are subcommands."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

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
    from bot.app import ConcordBot
    from bot.db import connect
    from bot.discord_target import point_discord_at
    from bot.domain.clock import system_clock
    from bot.domain.when import warm_up
    from bot.services import Services

    point_discord_at(settings)
    warm_up()  # a cold dateparser costs over a second; pay it before the first interaction
    db = await connect(settings.database_url)
    try:
        services = Services.build(db, system_clock)
        async with ConcordBot(settings=settings, services=services) as bot:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
            await bot.start(settings.discord_token)
    finally:
        await db.close()


def load_settings() -> Settings | None:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"Invalid setting {first['loc'][0]}: {first['msg']}", file=sys.stderr)
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Concord, the bot.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    args, rest = parser.parse_known_args(argv)
    if args.command not in (None, "run"):
        parser.error(f"unknown command {args.command}")
    if rest:
        parser.error(f"unexpected arguments: {' '.join(rest)}")
    settings = load_settings()
    if settings is None:
        return 2
    configure_logging(settings.log_level)
    if not settings.discord_token.strip():
        print(MISSING_TOKEN, file=sys.stderr)
        return 2
    try:
        asyncio.run(run(settings))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
