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
import difflib
import logging
import re
import sys
import tempfile
import threading
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent  # where data/ lives in a checkout
SAMPLE = ROOT / "data"
APOLOGY_MARK = "Sorry, something went wrong"

# Discord's option types (application command option type numbers).
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = (
    3, 4, 5, 6, 7, 8, 9, 10, 11,
)
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
META_NAMES = {"as", "wait", "now", "next", "prev", "click", "help", "quit", "exit"}


class DemoSyntaxError(ValueError):
    """A line the demo cannot read; the message is one sentence for the user."""


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    text: str
    quoted: bool = False  # the token started with a quote: never an option name


def tokenize(line: str) -> list[Token]:
    """Split like a shell (shlex's rules for quotes): words separated by blanks, "double" or
    'single' quotes keep spaces, a backslash escapes the next character (in double quotes only
    before " and \\). `key:"a value"` is one token. Unlike shlex.split, a token remembers
    whether it began with a quote, so `"kind:x"` stays a positional value."""
    tokens: list[Token] = []
    i, n = 0, len(line)
    while i < n:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            break
        quoted = line[i] in "\"'\u201c\u201d"
        buf: list[str] = []
        while i < n and not line[i].isspace():
            ch = line[i]
            if ch in "\"\u201c\u201d":  # smart quotes, as pasted from a document, count too
                closers = "\"\u201d" if ch != "\u201d" else "\u201d\""
                j = i + 1
                while j < n and line[j] not in closers:
                    if line[j] == "\\" and j + 1 < n and line[j + 1] in '"\\':
                        j += 1
                    buf.append(line[j])
                    j += 1
                if j >= n:
                    raise DemoSyntaxError("a quote is not closed; close it or remove it")
                i = j + 1
            elif ch == "'":
                j = line.find("'", i + 1)
                if j < 0:
                    raise DemoSyntaxError("a quote is not closed; close it or remove it")
                buf.append(line[i + 1 : j])
                i = j + 1
            elif ch == "\\" and i + 1 < n:
                buf.append(line[i + 1])
                i += 2
            else:
                buf.append(ch)
                i += 1
        tokens.append(Token("".join(buf), quoted))
    return tokens


# --------------------------------------------------------------------------- the commands


@dataclass
class Catalog:
    """The synced commands: full names ("event add") and each one's options, in order."""

    schemas: dict[str, dict[str, Any]]

    @classmethod
    def from_emulator(cls, emu: Any, guild: Any) -> Catalog:
        return cls({name: emu.command_schema(name, guild) for name in emu.command_names(guild)})

    @property
    def names(self) -> list[str]:
        return sorted(self.schemas)

    def options(self, name: str) -> list[dict[str, Any]]:
        return [
            o for o in self.schemas[name].get("options") or []
            if o.get("type") not in (SUB_COMMAND, SUB_COMMAND_GROUP)
        ]

    def usage(self, name: str) -> str:
        parts = [f"/{name}"]
        for o in self.options(name):
            parts.append(o["name"] if o.get("required") else f"[{o['name']}]")
        return " ".join(parts)


@dataclass
class Call:
    command: str
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class Meta:
    name: str
    args: list[str] = field(default_factory=list)


_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):(.*)$", re.S)


def parse_line(line: str, catalog: Catalog) -> Call | Meta | None:
    """One typed line: None for blank lines and `#` comments, else a command or a demo command.
    Raises DemoSyntaxError with a sentence saying what to type instead."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    tokens = tokenize(stripped)
    first = tokens[0]
    if first.quoted or not first.text.startswith("/") or len(first.text) < 2:
        raise DemoSyntaxError(
            f"{first.text[:30]!r} is not a command: commands start with /, e.g. /upcoming"
            " (/help lists them)"
        )
    head = first.text[1:].lower()
    if head in META_NAMES:
        return Meta("quit" if head == "exit" else head, [t.text for t in tokens[1:]])
    rest = tokens[1:]
    name, used = _command_name(head, rest, catalog)
    return Call(name, _options(name, rest[used:], catalog))


def _command_name(head: str, rest: Sequence[Token], catalog: Catalog) -> tuple[str, int]:
    names = set(catalog.names)
    words = [head]
    for token in rest[:2]:
        if token.quoted or ":" in token.text:
            break
        words.append(token.text.lower())
    for used in range(len(words), 0, -1):
        candidate = " ".join(words[:used])
        if candidate in names:
            return candidate, used - 1
    # A group named without (or with a wrong) subcommand: say which ones exist.
    for used in range(len(words), 0, -1):
        prefix = " ".join(words[:used]) + " "
        subs = sorted(n[len(prefix):].split()[0] for n in names if n.startswith(prefix))
        if subs:
            wrong = f" has no {words[used]!r}; try" if used < len(words) else " needs a subcommand:"
            return _raise(f"/{prefix.strip()}{wrong} {', '.join(subs)}")
    close = difflib.get_close_matches(head, sorted({n.split()[0] for n in names}), n=3)
    hint = f"; did you mean {', '.join('/' + c for c in close)}?" if close else "; /help lists them"
    return _raise(f"unknown command /{head}{hint}")


def _raise(message: str) -> Any:
    raise DemoSyntaxError(message)


def _options(name: str, tokens: Sequence[Token], catalog: Catalog) -> dict[str, str]:
    schema = catalog.options(name)
    by_name = {o["name"].lower(): o["name"] for o in schema}
    named: dict[str, str] = {}
    positional: list[str] = []
    for token in tokens:
        match = None if token.quoted else _KEY.match(token.text)
        if match and match.group(1).lower() in by_name:
            key = by_name[match.group(1).lower()]
            if key in named:
                raise DemoSyntaxError(f"option {key} is given twice in /{name}")
            named[key] = match.group(2)
        elif match and not match.group(2).startswith("//"):
            valid = ", ".join(o["name"] for o in schema) or "none"
            raise DemoSyntaxError(
                f"/{name} has no option {match.group(1)!r} (options: {valid}); put a value"
                " that contains a colon in quotes"
            )
        else:
            positional.append(token.text)
    free = [o["name"] for o in schema if o["name"] not in named]
    if len(positional) > len(free):
        raise DemoSyntaxError(
            f"too many values for {catalog.usage(name)}; put a value with spaces in quotes"
        )
    for key, value in zip(free, positional, strict=False):
        named[key] = value
    missing = [o["name"] for o in schema if o.get("required") and o["name"] not in named]
    if missing:
        raise DemoSyntaxError(f"/{name} needs {', '.join(missing)}: {catalog.usage(name)}")
    return {o["name"]: named[o["name"]] for o in schema if o["name"] in named}


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|h|days?|d|weeks?|w)")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """`30s`, `10m`, `2h`, `1d`, `1h30m`, `2 days`."""
    compact = text.strip().lower()
    pos, total = 0, 0.0
    for match in _DURATION.finditer(compact):
        if compact[pos : match.start()].strip(" ,"):
            break
        unit = match.group(2)
        total += float(match.group(1)) * _UNITS[unit[0]]
        pos = match.end()
    if pos == 0 or compact[pos:].strip(" ,"):
        raise DemoSyntaxError(f"{text!r} is no duration; write e.g. 30s, 10m, 2h, 1d or 1h30m")
    return timedelta(seconds=total)


def parse_instant(text: str) -> datetime:
    """`2014-01-10`, `2014-01-10 09:00`, `2014-01-10T09:00+01:00` (naive means UTC)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DemoSyntaxError(
            f"{text!r} is not a date; write e.g. 2014-01-10 or 2014-01-10 09:00 (UTC)"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- rendering


_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")
_CHANNEL = re.compile(r"<#(\d+)>")


def relative_text(moment: datetime, now: datetime) -> str:
    """Like Discord's `:R`: "in 3 days", "2 hours ago"."""
    seconds = (moment - now).total_seconds()
    future = seconds >= 0
    s = abs(seconds)
    if s < 45:
        return "in a few seconds" if future else "a few seconds ago"
    for limit, size, unit in (
        (45 * 60, 60, "minute"),
        (22 * 3600, 3600, "hour"),
        (26 * 86400, 86400, "day"),
        (320 * 86400, 30.44 * 86400, "month"),
        (float("inf"), 365.25 * 86400, "year"),
    ):
        if s < limit:
            n = max(1, round(s / size))
            phrase = f"{n} {unit}{'' if n == 1 else 's'}"
            return f"in {phrase}" if future else f"{phrase} ago"
    raise AssertionError("unreachable")


class Renderer:
    """Discord markup as a terminal reader would see it in their client."""

    def __init__(
        self,
        zone: tzinfo,
        clock: Callable[[], datetime],
        users: dict[int, str] | None = None,
        roles: dict[int, str] | None = None,
        channels: dict[int, str] | None = None,
    ) -> None:
        self.zone = zone
        self.clock = clock
        self.users = users or {}
        self.roles = roles or {}
        self.channels = channels or {}

    def timestamp(self, unix: int, style: str) -> str:
        moment = datetime.fromtimestamp(unix, UTC)
        local = moment.astimezone(self.zone)
        if style == "R":
            return relative_text(moment, self.clock())
        if style == "t":
            return f"{local:%H:%M}"
        if style == "T":
            return f"{local:%H:%M:%S}"
        if style == "d":
            return f"{local:%Y-%m-%d}"
        if style == "D":
            return f"{local.day} {local:%B %Y}"
        if style == "F":
            return f"{local:%A} {local.day} {local:%B %Y %H:%M} {local.tzname()}"
        return f"{local.day} {local:%B %Y %H:%M}"

    def __call__(self, text: str) -> str:
        text = _TIMESTAMP.sub(lambda m: self.timestamp(int(m.group(1)), m.group(2) or "f"), text)
        text = _ROLE.sub(lambda m: "@" + self.roles.get(int(m.group(1)), "unknown-role"), text)
        text = _USER.sub(lambda m: "@" + self.users.get(int(m.group(1)), "unknown-user"), text)
        return _CHANNEL.sub(lambda m: "#" + self.channels.get(int(m.group(1)), "unknown-channel"), text)

    def message(self, msg: Any) -> list[str]:
        """A SentMessage's content and embeds as lines of text (attachments and buttons apart)."""
        parts: list[str] = []
        if msg.content:
            parts.append(msg.content)
        for embed in msg.embeds:
            for piece in (
                (embed.get("author") or {}).get("name"),
                f"**{embed['title']}**" if embed.get("title") else None,
                embed.get("description"),
            ):
                if piece:
                    parts.append(str(piece))
            for f in embed.get("fields") or []:
                parts.append(f"{f.get('name', '')}: {f.get('value', '')}")
            footer = (embed.get("footer") or {}).get("text")
            if footer:
                parts.append(str(footer))
        text = self("\n".join(parts))
        return [line.removeprefix("-# ") for line in text.splitlines()]


# --------------------------------------------------------------------------- the demo


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
            while target in self.saved:  # earlier runs' files are overwritten, this run's kept
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
        match = _USER.fullmatch(raw.strip())
        for user in self.world.members.values():
            if user.name.lower() == wanted or (match and int(match.group(1)) == user.id):
                return user
        raise DemoSyntaxError(
            f"no member {raw!r}; the members are {', '.join(self.world.members)}"
        )

    def _role(self, raw: str) -> Any:
        wanted = raw.strip().lstrip("@").lower()
        for role in self.world.guild.roles:
            if role.name.lower() == wanted:
                return role
        names = ", ".join(r.name for r in self.world.guild.roles if not r.name.endswith("permissions"))
        raise DemoSyntaxError(f"no role {raw!r}; the roles are {names}")

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
                    await self.travel(parse_instant(" ".join(meta.args)))
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


# --------------------------------------------------------------------------- start-up


SAMPLE_MEMBERS = {
    # member: (organization, stakeholder group)
    "alice": ("ISOC", "Civil Society"),
    "bob": ("Brazil", "Government"),
    "carol": ("WSIS+10 secretariat", "International Organization"),
}
SERVER_TIMEZONE = "Europe/Zurich"
C11_WINDOW = "19 December 2013 - 24 January 2014"


async def load_sample(services: Any, world: Any, directory: Path) -> list[str]:
    """The sample process: settings, stakeholders, data/*.ics and *.md, C11's comment window."""
    from bot.cli import load_directory

    gid, chair = world.guild.id, world.coordinator.id
    await services.settings.set_timezone(gid, chair, SERVER_TIMEZONE)
    await services.settings.set_reminder_channel(gid, chair, world.reminders.id)
    await services.settings.set_coordinator_role(gid, chair, world.coordinator_role.id)
    for name, (org, group) in SAMPLE_MEMBERS.items():
        await services.stakeholders.register(gid, world.members[name].id, name, org, group)
    report = await load_directory(services, gid, directory, actor_id=chair)
    lines = list(report.lines) + [f"error: {e}" for e in report.errors]
    if "C11" in await services.drafts.codes(gid):
        await services.drafts.set_window(gid, chair, "C11", C11_WINDOW, SERVER_TIMEZONE)
        lines.append(f"C11 comment window: {C11_WINDOW}")
    return lines


def script_start(lines: Sequence[str]) -> datetime | None:
    """A script whose first command is `/now DATE` starts the demo at DATE, before the sample
    is loaded, so the sample's comments and reminders are dated then."""
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        words = stripped.split(None, 1)
        if words[0].lower() == "/now" and len(words) == 2:
            with contextlib.suppress(DemoSyntaxError):
                return parse_instant(words[1])
        return None
    return None


def display_zone(name: str | None) -> tzinfo:
    if name:
        return zoneinfo.ZoneInfo(name)
    local = datetime.now().astimezone().tzinfo
    return local if local is not None else UTC


async def read_lines(
    script: list[str] | None, interactive: bool, prompt: Callable[[], str]
) -> Any:
    """Yield (line, echo) from the script's lines, the terminal or piped stdin."""
    if script is not None:
        for line in script:
            yield line, True
        return
    while True:
        typed = await _read_line(prompt() if interactive else None)
        if typed is None:
            return
        yield typed.rstrip("\n"), not interactive


async def _read_line(prompt: str | None) -> str | None:
    """One line from stdin (None at its end), read in a daemon thread: Ctrl-C stops the demo
    at once instead of waiting for a blocked input() to return."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str | None] = loop.create_future()

    def read() -> None:
        try:
            value: str | None = input(prompt) if prompt is not None else sys.stdin.readline()
        except EOFError:
            value = None
        if value == "" and prompt is None:
            value = None
        def deliver() -> None:
            if not done.done():
                done.set_result(value)

        loop.call_soon_threadsafe(deliver)

    threading.Thread(target=read, name="demo-input", daemon=True).start()
    return await done


async def run_demo(args: argparse.Namespace, stream: TextIO = sys.stdout) -> int:
    from bot.domain.clock import ShiftedClock
    from bot.emulator import DiscordEmulator
    from bot.harness import TOKEN, build_world, run_bot_in_process

    script: list[str] | None = args.script_lines
    try:
        zone = display_zone(args.tz)
        start = parse_instant(args.now) if args.now else None
    except (DemoSyntaxError, zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if start is None and script is not None:
        start = script_start(script)
    clock = ShiftedClock(start)
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    interactive = script is None and sys.stdin.isatty()
    out_dir: Path = args.out
    searched = [Path.cwd(), out_dir]
    if args.script is not None:
        searched.append(args.script_dir)
    searched.append(ROOT)
    outcome = Outcome()
    with tempfile.TemporaryDirectory(prefix="concord-demo-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        async with DiscordEmulator(token=TOKEN) as emu:
            world = build_world(emu)
            sample: list[str] = []

            async def before_start(bot: Any) -> None:
                if not args.empty:
                    sample.extend(await load_sample(bot.services, world, SAMPLE))

            async with run_bot_in_process(
                emu, url, clock=clock, before_start=before_start
            ) as running:
                await emu.wait_for_commands()
                demo = Demo(
                    emu=emu, world=world, running=running, clock=clock, out_dir=out_dir,
                    zone=zone, search_dirs=searched, stream=stream, errors=errors,
                )
                banner(demo, sample, interactive)
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


def banner(demo: Demo, sample: list[str], interactive: bool) -> None:
    w = demo.world
    now = demo.render.timestamp(int(demo.clock().timestamp()), "F")
    demo.say(f"Concord demo: the real bot on a local Discord emulator. Server {w.guild.name}:")
    demo.say("  channels #general (where you type) and #reminders")
    demo.say(
        "  members: coordinator (Manage Server, the chair), alice (ISOC, Civil Society),"
        " bob (Brazil, Government), carol (Secretariat role; WSIS+10 secretariat)"
    )
    if sample:
        demo.say(f"  sample process loaded: {' · '.join(sample)}")
    demo.say(f"  demo time: {now}; times are shown in {demo.render.zone}")
    if demo.clock().year > 2014 and sample:
        demo.say("  (the sample process is from 2013-2014: /now 2014-01-10 takes you there)")
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
