"""Showing Discord's markup in a terminal: timestamps in the display zone, mentions as names,
embeds as text."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.domain.when.zones import zone

from .script import DemoSyntaxError

_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
USER_MENTION = re.compile(r"<@!?(\d+)>")
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
        text = USER_MENTION.sub(lambda m: "@" + self.users.get(int(m.group(1)), "unknown-user"), text)
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



def display_zone(name: str | None) -> tzinfo:
    """The zone times are shown in: ``--tz NAME``, else this computer's local zone."""
    if name:
        found = zone(name)
        if found is None:
            raise DemoSyntaxError(f"no time zone {name!r}; write an IANA name, e.g. Europe/Zurich")
        return found
    local = datetime.now().astimezone().tzinfo
    return local if local is not None else UTC
