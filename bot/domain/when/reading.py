"""How an answer says what was read: the zone a typed time was read in and why that zone
(issue 19: a Geneva coordinator on a server without a timezone must not find 10:00 silently
read as UTC), how a numeric date was read, and the refusal of a new event in the past."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bot.domain.when.resolve import When
from bot.domain.when.zones import zone_tzinfo
from bot.errors import UserError

#: Where the zone of a typed time came from: the command's `timezone` option, the member's own
#: zone (/timezone), the server's (/settings timezone), or the server's default, UTC.
ZoneSource = Literal["option", "member", "server", "default"]

_WHY: dict[str, str] = {
    "option": "",
    "member": " (your timezone; `/timezone` changes it)",
    "server": " (the server's timezone; set your own with `/timezone`)",
    "default": (
        "; no timezone is set, so times are read as UTC: set yours with `/timezone`, or the"
        " server's with `/settings timezone`"
    ),
}


def zone_source(*, option: bool, member: str | None, server: str) -> ZoneSource:
    """Which zone a member's typed time is read in, named for `reading_lines`."""
    if option:
        return "option"
    if member:
        return "member"
    return "default" if server == "UTC" else "server"


def reading_lines(when: When, source: ZoneSource) -> list[str]:
    """The lines an answer adds under what it understood: how a numeric date was read, and
    for a time read in a zone the text did not name, that zone ("Read as 10:00 UTC; ...")."""
    lines = [when.reading] if when.reading else []
    if when.read_in is not None and not when.all_day:
        tz = zone_tzinfo(when.read_in)
        start = when.start.astimezone(tz)
        shown = f"{start:%H:%M}"
        if when.end is not None:
            end = when.end.astimezone(tz)
            shown += f" to {end:%H:%M}" if end.date() == start.date() else ""
        lines.append(f"Read as {shown} {when.read_in}{_WHY[source]}.")
    return lines


def refuse_past(when: When, now: datetime, what: str = "event") -> None:
    """A new event (or window) entirely in the past is refused: "yesterday" was more likely a
    slip than a record. `past:true` on the command says it is meant."""
    ends = when.end or when.start
    if ends >= now:
        return
    if when.end is not None and not (when.all_day and when.last_day() == when.first_day()):
        said = "That range is already over; give one that ends later"
    elif when.all_day:
        said = "That date is already past; give one to come"
    else:
        said = "That time is already past; give one to come"
    raise UserError(f"{said}, or add `past:true` to record a past {what}.")
