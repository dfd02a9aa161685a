"""The running demo: who is typing, the clock (wait, travel), the bot's answers as they arrive,
typed values turned into members, roles, channels and files, and buttons to click."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, TextIO

from bot.emulator.options import (
    ATTACHMENT,
    BOOLEAN,
    CHANNEL,
    INTEGER,
    MENTIONABLE,
    NUMBER,
    ROLE,
    STRING,
    USER,
)
from bot.harness import settle

from .render import USER_MENTION, Renderer
from .script import (
    Call,
    Catalog,
    DemoSyntaxError,
    Meta,
    parse_duration,
    parse_instant,
    parse_line,
)

APOLOGY_MARK = "Sorry, something went wrong"

TYPE_NAMES = {
    STRING: "text", INTEGER: "integer", BOOLEAN: "true/false", USER: "member",
    CHANNEL: "#channel", ROLE: "role", MENTIONABLE: "member or role", NUMBER: "number",
    ATTACHMENT: "file path",
}

META_HELP = [
    ("/as NAME", "act as another member: coordinator, alice, bob, carol"),
    ("/wait DURATION", "let time pass (30s, 10m, 2h, 1d, 1h30m): reminders due meanwhile fire"),
    ("/now [DATE]", "show the demo's clock, or set it (2014-01-10, 2014-01-20 09:00)"),
    ("/next, /prev", "turn the page of the last paged answer"),
    ("/click LABEL", "press a button of the last answer that has buttons"),
    ("/help [COMMAND]", "this list, or one command's options"),
    ("/quit", "stop the demo"),
]

@dataclass
class Outcome:
    """What a line did, for the exit status of a script."""

    demo_errors: int = 0
    bot_failures: int = 0
    quit: bool = False


class ErrorCounter(logging.Handler):
    """Counts ERROR records (the bot logs a traceback for every failed command)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class Demo:
    def __init__(
        self,
        *,
        emu: Any,
        world: Any,
        running: Any,
        clock: Any,
        out_dir: Path,
        zone: tzinfo,
        search_dirs: Sequence[Path],
        stream: TextIO,
        errors: ErrorCounter,
    ) -> None:
        self.emu = emu
        self.world = world
        self.running = running
        self.clock = clock
        self.out_dir = out_dir
        self.search_dirs = list(search_dirs)
        self.stream = stream
        self.errors = errors
        self.user = world.coordinator
        self.catalog = Catalog.from_emulator(emu, world.guild)
        self.render = Renderer(
            zone,
            clock,
            users={u.id: u.name for u in emu.users.values()},
            roles={r.id: r.name for r in world.guild.roles},
            channels={c.id: c.name for c in emu.channels.values()},
        )
        self.last_buttons: Any = None  # the last message with buttons, for /next /prev /click
        self.saved: list[Path] = []
        emu.on_message = self.on_message

    # ------------------------------------------------------------------ output

    def say(self, text: str = "") -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def on_message(self, msg: Any) -> None:
        """Channel and DM messages that are not answers: reminders as they arrive."""
        if msg.interaction_id is not None or msg.webhook:
            return
        channel = self.emu.channels.get(msg.channel_id)
        if channel is not None and channel.guild_id is None:
            who = self.render.users.get(channel.recipient_id or 0, "someone")
            where = f"[DM to {who}]"
        else:
            where = f"[#{channel.name if channel else msg.channel_id}]"
        lines = self.render.message(msg)
        self.say(f"{where} {lines[0] if lines else ''}")
        for line in lines[1:]:
            self.say(f"{' ' * (len(where) + 1)}{line}")
        self._files(msg)

    def _files(self, msg: Any) -> None:
        for filename, data in msg.attachments:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            safe = Path(filename).name or "file"
            target = self.out_dir / safe
            stem, suffix, n = target.stem, target.suffix, 2
            while target in self.saved:  # a run starts in a folder of its own (fresh_out_dir)
                target = self.out_dir / f"{stem}-{n}{suffix}"
                n += 1
            target.write_bytes(data)
            self.saved.append(target)
            self.say(f"  [file saved: {target} ({len(data):,} bytes)]")

    def show(self, res: Any) -> bool:
        """Print an interaction's answer; returns False when it is the bot's apology."""
        ok = True
        for msg in res.messages:
            lines = self.render.message(msg) or ["(no text)"]
            mark = "[only you] " if msg.ephemeral else ""
            for i, line in enumerate(lines):
                self.say(f"  {mark if i == 0 else ''}{line}")
            if APOLOGY_MARK in msg.content:
                ok = False
            self._files(msg)
            buttons = msg.buttons()
            if buttons:
                self.last_buttons = msg
                labels = " · ".join(
                    str(b.get("label") or b.get("custom_id")) + (" (disabled)" if b.get("disabled") else "")
                    for b in buttons
                )
                self.say(f"  [buttons: {labels}] (/next, /prev or /click LABEL)")
        for problem in res.errors:
            self.say(f"  [Discord rejected the answer: {problem}]")
            ok = False
        if not res.messages and not res.errors:
            self.say("  (no answer)")
        return ok

    # ------------------------------------------------------------------ lines

    @property
    def prompt(self) -> str:
        return f"{self.user.name}> "

    async def run_line(self, line: str, *, echo: bool) -> Outcome:
        outcome = Outcome()
        if echo and line.strip() and not line.strip().startswith("#"):
            self.say(f"{self.prompt}{line.strip()}")
        try:
            parsed = parse_line(line, self.catalog)
            if parsed is None:
                return outcome
            if isinstance(parsed, Meta):
                return await self.meta(parsed)
            options, attachments = self.values(parsed)
        except DemoSyntaxError as exc:
            self.say(f"  error: {exc}")
            outcome.demo_errors += 1
            return outcome
        before = self.errors.count
        try:
            res = await self.emu.invoke(
                self.user, parsed.command, options, guild=self.world.guild,
                channel=self.world.channel, attachments=attachments, timeout=30,
            )
        except ValueError as exc:  # the emulator refused the options (types, choices)
            self.say(f"  error: {exc}")
            outcome.demo_errors += 1
            return outcome
        except TimeoutError as exc:
            self.say(f"  error: the bot did not answer: {exc}")
            outcome.bot_failures += 1
            return outcome
        try:
            res = await settle(res, 30)
        except TimeoutError as exc:
            self.say(f"  error: the bot did not finish its answer: {exc}")
            outcome.bot_failures += 1
            return outcome
        if not self.show(res) or self.errors.count > before:
            outcome.bot_failures += 1
        await asyncio.sleep(0.05)  # let a reminder the command made due now arrive
        return outcome

    def values(self, call: Call) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        """Typed option values as the emulator takes them: ids for members, roles and
        channels, (filename, bytes) for files, choice values for choices."""
        options: dict[str, Any] = {}
        attachments: dict[str, tuple[str, bytes]] = {}
        schema = {o["name"]: o for o in self.catalog.options(call.command)}
        for name, raw in call.options.items():
            opt = schema[name]
            kind = int(opt["type"])
            if opt.get("choices"):
                options[name] = self._choice(opt, raw)
            elif kind == USER:
                options[name] = self._member(raw).id
            elif kind == ROLE:
                options[name] = self._role(raw).id
            elif kind == MENTIONABLE:
                try:
                    options[name] = self._member(raw).id
                except DemoSyntaxError:
                    options[name] = self._role(raw).id
            elif kind == CHANNEL:
                options[name] = self._channel(raw).id
            elif kind == ATTACHMENT:
                path = self._file(raw)
                attachments[name] = (path.name, path.read_bytes())
            else:
                options[name] = raw
        return options, attachments

    def _choice(self, opt: dict[str, Any], raw: str) -> Any:
        for choice in opt["choices"]:
            if raw.lower() in (str(choice["name"]).lower(), str(choice["value"]).lower()):
                return choice["value"]
        valid = ", ".join(str(c["name"]) for c in opt["choices"])
        raise DemoSyntaxError(f"{opt['name']} is one of: {valid} (not {raw!r})")

    def _member(self, raw: str) -> Any:
        wanted = raw.strip().lstrip("@").lower()
        match = USER_MENTION.fullmatch(raw.strip())
        for user in self.world.members.values():
            if user.name.lower() == wanted or (match and int(match.group(1)) == user.id):
                return user
        raise DemoSyntaxError(
            f"no member {raw!r}; the members are {', '.join(self.world.members)}"
        )

    def _role(self, raw: str) -> Any:
        wanted = raw.strip().lstrip("@").lower()
        for role in self.world.guild.roles:
            if role.name.lower().lstrip("@") == wanted:  # "@everyone" is its own name
                return role
        # The roles one would choose: not @everyone (every member has it) nor a bot's own.
        chosen = [
            r.name for r in self.world.guild.roles
            if r.id != r.guild_id and not r.managed and not r.name.endswith("permissions")
        ]
        if not chosen:
            raise DemoSyntaxError(f"no role {raw!r}; this server has no roles to choose yet")
        raise DemoSyntaxError(f"no role {raw!r}; name one of the server's roles: {', '.join(chosen)}")

    def _channel(self, raw: str) -> Any:
        wanted = raw.strip().lstrip("#").lower()
        for channel in self.world.guild.channels:
            if channel.name.lower() == wanted:
                return channel
        names = ", ".join("#" + c.name for c in self.world.guild.channels)
        raise DemoSyntaxError(f"no channel {raw!r}; the channels are {names}")

    def _file(self, raw: str) -> Path:
        path = Path(raw).expanduser()
        candidates = [path] if path.is_absolute() else [d / path for d in self.search_dirs]
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        where = ", ".join(str(d) for d in self.search_dirs)
        raise DemoSyntaxError(f"no file {raw!r} (looked in {where})")

    # ------------------------------------------------------------------ demo commands

    async def meta(self, meta: Meta) -> Outcome:
        outcome = Outcome()
        try:
            if meta.name == "quit":
                outcome.quit = True
            elif meta.name == "help":
                self.help(meta.args)
            elif meta.name == "as":
                if len(meta.args) != 1:
                    raise DemoSyntaxError(f"/as takes a name: {', '.join(self.world.members)}")
                self.user = self._member(meta.args[0])
                self.say(f"  (you are now {self.user.name})")
            elif meta.name == "wait":
                await self.wait(parse_duration(" ".join(meta.args)))
            elif meta.name == "now":
                if meta.args:
                    await self.travel(parse_instant(" ".join(meta.args), self.render.zone))
                self.say(f"  (demo time: {self.render.timestamp(int(self.clock().timestamp()), 'F')})")
            elif meta.name in ("next", "prev", "click"):
                return await self.click(meta)
        except DemoSyntaxError as exc:
            self.say(f"  error: {exc}")
            outcome.demo_errors += 1
        return outcome

    def help(self, args: list[str]) -> None:
        if args:
            name = " ".join(args).lstrip("/").lower()
            if name not in self.catalog.schemas:
                raise DemoSyntaxError(f"unknown command /{name}; /help lists them")
            schema = self.catalog.schemas[name]
            self.say(f"  {self.catalog.usage(name)} — {schema.get('description', '')}")
            for o in self.catalog.options(name):
                choices = ", ".join(str(c["name"]) for c in o.get("choices") or [])
                extra = f" (one of: {choices})" if choices else ""
                need = "required" if o.get("required") else "optional"
                self.say(
                    f"    {o['name']}: {TYPE_NAMES.get(int(o['type']), 'value')}, {need}"
                    f" — {o.get('description', '')}{extra}"
                )
            return
        self.say("  Bot commands (options in order; [optional]):")
        for name in self.catalog.names:
            self.say(f"    {self.catalog.usage(name)}")
        self.say("  Demo commands:")
        for usage, what in META_HELP:
            self.say(f"    {usage:<18} {what}")
        self.say('  Options by name (text:"a b") or by position; members by name, #channels, files by path.')

    async def _settle(self, timeout: float = 5.0) -> None:
        """Wait until nothing due now is pending (the engine sent it), or `timeout`."""
        repo = self.running.services.reminder_repo
        engine = self.running.bot.engine
        if engine is None:
            return
        engine.poke()
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            nxt = await repo.earliest_pending(engine.shards)
            if nxt is None or nxt > self.clock():
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)  # the hook prints as the message is created

    async def wait(self, duration: timedelta) -> None:
        """Move the demo's clock `duration` ahead, stopping at each due reminder so it fires
        on time (not late)."""
        target = self.clock() + duration
        engine = self.running.bot.engine
        repo = self.running.services.reminder_repo
        while engine is not None:
            nxt = await repo.earliest_pending(engine.shards)
            if nxt is None or nxt > target:
                break
            if nxt > self.clock():
                self.clock.set(nxt)
            await self._settle()
            after = await repo.earliest_pending(engine.shards)
            if after is not None and after <= nxt:  # stuck (no channel, failing): go on
                break
        if target > self.clock():
            self.clock.set(target)
        await self._settle()
        self.say(f"  (demo time: {self.render.timestamp(int(self.clock().timestamp()), 'F')})")

    async def travel(self, when: datetime) -> None:
        """Set the demo's clock; the events still to come get their reminders planned again."""
        self.clock.set(when)
        await self.running.services.calendar.replan_guild(self.world.guild.id)
        await self._settle()

    async def click(self, meta: Meta) -> Outcome:
        outcome = Outcome()
        msg = self.last_buttons
        if msg is None:
            raise DemoSyntaxError("no answer with buttons yet; /upcoming or a long list has them")
        wanted = {"next": "next", "prev": "prev"}.get(meta.name) or " ".join(meta.args).lower()
        if not wanted:
            raise DemoSyntaxError("/click takes a button's label, e.g. /click Next")
        buttons = [
            b for b in msg.buttons()
            if wanted in str(b.get("label") or "").lower() or wanted == str(b.get("custom_id")).lower()
        ]
        if not buttons:
            labels = ", ".join(str(b.get("label")) for b in msg.buttons())
            raise DemoSyntaxError(f"no button {wanted!r} on the last paged answer ({labels})")
        button = buttons[0]
        if button.get("disabled"):
            self.say(f"  (the {button.get('label')} button is disabled: no more pages that way)")
            return outcome
        before = self.errors.count
        res = await self.emu.click(self.user, msg, str(button["custom_id"]), timeout=30)
        if not self.show(res) or self.errors.count > before:
            outcome.bot_failures += 1
        return outcome

