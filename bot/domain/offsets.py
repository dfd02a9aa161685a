"""Reminder offsets: `7d,1d,1h` <-> a list of timedeltas."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.errors import UserError
from bot.i18n import Msg

_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"^(\d+)\s*([mhdw])$")
MAX_OFFSETS = 10


def parse_offsets(text: str) -> list[timedelta]:
    """`"7d, 1d,1h"` -> [7 days, 1 day, 1 hour], largest first, without duplicates."""
    parts = [p.strip().lower() for p in text.replace(" ", ",").split(",") if p.strip()]
    if not parts:
        raise UserError(Msg('Give offsets such as "7d,1d,1h" (units m, h, d, w).'))
    seconds: set[int] = set()
    for part in parts:
        m = _PART.match(part)
        if not m:
            raise UserError(Msg(
                '"{part}" is not an offset; write a number and a unit m, h, d or w, such as'
                ' "7d,1d,1h".', part=part[:20],
            ))
        value = int(m.group(1)) * _UNITS[m.group(2)]  # "100000w" is one too, only too large
        if value < 60:
            raise UserError(Msg('Offsets must be at least 1m; try "7d,1d,1h".'))
        if value > 366 * 86400:
            raise UserError(Msg(
                '"{part}" is more than a year; offsets can be at most 52w, such as "7d,1d,1h".',
                part=part[:20],
            ))
        seconds.add(value)
    if len(seconds) > MAX_OFFSETS:
        raise UserError(Msg('Give at most {n} offsets, such as "7d,1d,1h".', n=MAX_OFFSETS))
    return [timedelta(seconds=s) for s in sorted(seconds, reverse=True)]


def format_offset(delta: timedelta) -> str:
    """The usual exact spelling: a week is `7d`, 90 minutes `90m`."""
    total = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600)):
        if total % size == 0:
            return f"{total // size}{unit}"
    return f"{total // 60}m"


def format_offsets(deltas: list[timedelta]) -> str:
    return ",".join(format_offset(d) for d in deltas)
