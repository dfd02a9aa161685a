"""Run the real bot against the local emulator: a sample world, in-process or as a subprocess.

Used by the end-to-end tests, the benchmark and `python -m bot demo`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import ConcordBot
from bot.db import Database, connect
from bot.discord_target import point_discord_at, restore_discord_target
from bot.domain.clock import Clock, system_clock
from bot.emulator import Channel, DiscordEmulator, Guild, InteractionResult, Role, User
from bot.services import Services
from bot.settings import Settings
from bot.ui import POSTED

MANAGE_GUILD = 1 << 5
TOKEN = "emulator-token"


@dataclass
class World:
    """A server with a secretariat and a few stakeholders, on an emulator."""

    emu: DiscordEmulator
    guild: Guild
    channel: Channel
    reminders: Channel
    coordinator_role: Role
    coordinator: User  # has Manage Server
    alice: User  # plain members
    bob: User
    carol: User  # has the coordinator role
    members: dict[str, User] = field(default_factory=dict)

    async def run(
        self,
        user: User,
        command: str,
        *,
        in_channel: Channel | None = None,
        attachments: dict[str, tuple[str, bytes]] | None = None,
        timeout: float = 15,
        **options: Any,
    ) -> InteractionResult:
        """Invoke a slash command as `user` (in `in_channel`, default #general) and wait for
        its (completed) answer. Keyword arguments are the command's options."""
        res = await self.emu.invoke(
            user,
            command,
            {k: v for k, v in options.items() if v is not None},
            guild=self.guild,
            channel=in_channel or self.channel,
            attachments=attachments,
            wait=True,
            timeout=timeout,
        )
        return await settle(res, timeout)

    async def complete(
        self, user: User, command: str, focused: str, **options: Any
    ) -> list[dict[str, Any]]:
        return await self.emu.autocomplete(
            user, command, options, focused=focused, guild=self.guild, channel=self.channel
        )


async def settle(res: InteractionResult, timeout: float = 15) -> InteractionResult:
    """`res` once the bot is done with it. After a private deferral, a public answer comes in
    three steps (bot.ui.reply): the private placeholder says POSTED, the public follow-up is
    posted, the placeholder is deleted; wait for the last."""
    if res.original is not None and res.original.content == POSTED:
        await res.wait_until(lambda r: r.original is None and bool(r.followups), timeout)
    return res


def build_world(emu: DiscordEmulator, name: str = "WSIS+10 MPP") -> World:
    guild = emu.add_guild(name)
    channel = emu.add_channel(guild, "general")
    reminders = emu.add_channel(guild, "reminders")
    role = emu.add_role(guild, "Secretariat")
    users = {}
    for uname in ("coordinator", "alice", "bob", "carol"):
        users[uname] = emu.add_user(uname)
    emu.add_member(guild, users["coordinator"], permissions=MANAGE_GUILD | (1 << 11) | (1 << 10))
    emu.add_member(guild, users["alice"])
    emu.add_member(guild, users["bob"])
    emu.add_member(guild, users["carol"], roles=[role])
    return World(
        emu=emu,
        guild=guild,
        channel=channel,
        reminders=reminders,
        coordinator_role=role,
        coordinator=users["coordinator"],
        alice=users["alice"],
        bob=users["bob"],
        carol=users["carol"],
        members=users,
    )


def emulator_settings(emu: DiscordEmulator, database_url: str, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        discord_token=emu.token,
        database_url=database_url,
        discord_api_base=emu.api_base,
        discord_gateway_url=emu.gateway_url,
        **extra,
    )


@dataclass
class RunningBot:
    bot: ConcordBot
    services: Services
    db: Database
    task: asyncio.Task[None]


@contextlib.asynccontextmanager
async def run_bot_in_process(
    emu: DiscordEmulator,
    database_url: str,
    *,
    clock: Clock = system_clock,
    before_start: Callable[[ConcordBot], Awaitable[None]] | None = None,
    **settings: Any,
) -> AsyncIterator[RunningBot]:
    """Start ConcordBot in this event loop against `emu`; close it on exit."""
    config = emulator_settings(emu, database_url, **settings)
    point_discord_at(config)
    db = await connect(database_url)
    services = Services.build(db, clock)
    bot = ConcordBot(settings=config, services=services)
    if before_start is not None:
        await before_start(bot)
    task = asyncio.create_task(bot.start(config.discord_token), name="concord-bot")
    try:
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # raises what the bot died of
            raise RuntimeError("the bot stopped before it was ready")
        if ready not in done:
            raise TimeoutError("the bot did not become ready within 30 s")
        yield RunningBot(bot=bot, services=services, db=db, task=task)
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, 10)
        await db.close()
        restore_discord_target()


class BotProcess:
    """`python -m bot` as a subprocess against the emulator (for crash and restart tests)."""

    def __init__(
        self,
        emu: DiscordEmulator,
        database_url: str,
        *,
        log_path: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        self.emu = emu
        self.database_url = database_url
        self.log_path = log_path
        self.extra_env = env or {}
        self.proc: asyncio.subprocess.Process | None = None
        self._log: Any = None

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
        env.update(
            DISCORD_TOKEN=self.emu.token,
            DATABASE_URL=self.database_url,
            DISCORD_API_BASE=self.emu.api_base,
            DISCORD_GATEWAY_URL=self.emu.gateway_url,
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    async def start(self, *, ready_timeout: float = 30) -> None:
        before = self.emu.identify_count
        self._log = self.log_path.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot",
            env=self.environment(),
            stdout=self._log,
            stderr=self._log,
            cwd=str(self.log_path.parent),  # away from any developer's .env
        )
        deadline = asyncio.get_running_loop().time() + ready_timeout
        while self.emu.identify_count <= before:
            if self.proc.returncode is not None:
                raise RuntimeError(f"bot exited with {self.proc.returncode}: {self.log_tail()}")
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"bot did not connect: {self.log_tail()}")
            await asyncio.sleep(0.05)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, like a crash."""
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)

    async def wait(self, timeout: float = 15) -> int:
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def stop(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self._log:
            self._log.close()
            self._log = None
