"""Reading the demo's lines: tokens (shell-like quoting), commands and their options by name or
position, the demo's own commands, durations and instants, and where lines come from."""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import re
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from bot.emulator.options import SUB_COMMAND, SUB_COMMAND_GROUP

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


def parse_instant(text: str, zone: tzinfo = UTC) -> datetime:
    """`2014-01-10`, `2014-01-10 09:00`, `2014-01-10T09:00+01:00`; without an offset, in
    `zone` (the `--tz` zone the demo shows times in)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DemoSyntaxError(
            f"{text!r} is not a date; write e.g. 2014-01-10 or 2014-01-10 09:00"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def script_start(lines: Sequence[str], zone: tzinfo = UTC) -> datetime | None:
    """A script whose first command is `/now DATE` starts the demo at DATE, before the sample
    is loaded, so the sample's comments and reminders are dated then."""
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        words = stripped.split(None, 1)
        if words[0].lower() == "/now" and len(words) == 2:
            with contextlib.suppress(DemoSyntaxError):
                return parse_instant(words[1], zone)
        return None
    return None




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

