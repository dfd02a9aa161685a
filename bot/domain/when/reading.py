"""How an answer says what was read: the zone a typed time was read in and why that zone
(issue 19: a Geneva coordinator on a server without a timezone must not find 10:00 silently
read as UTC), how a numeric date was read, and the refusal of a new event in the past."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bot.domain.when.resolve import When
from bot.domain.when.zones import zone_tzinfo
from bot.errors import UserError
from bot.i18n import N_, Msg

#: Where the zone of a typed time came from: the command's `timezone` option, the member's own
#: zone (/timezone), the server's (/settings timezone), or the server's default, UTC.
ZoneSource = Literal["option", "member", "server", "default"]

#: "Read as 10:00 UTC", then why that zone, by ZoneSource.
_READ_AS: dict[str, str] = {
    "option": N_("Read as {time} {zone}."),
    "member": N_("Read as {time} {zone} (your timezone; `/timezone` changes it)."),
    "server": N_("Read as {time} {zone} (the server's timezone; set your own with `/timezone`)."),
    "default": N_(
        "Read as {time} {zone}; no timezone is set, so times are read as UTC: set yours with"
        " `/timezone`, or the server's with `/settings timezone`."
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
    for a time read in a zone the text did not name, that zone ("Read as 10:00 UTC; ..."), as
    messages for the reader's language."""
    lines = [when.reading] if when.reading else []
    if when.read_in is not None and not when.all_day:
        tz = zone_tzinfo(when.read_in)
        start = when.start.astimezone(tz)
        shown: str = f"{start:%H:%M}"
        if when.end is not None:
            end = when.end.astimezone(tz)
            if end.date() == start.date():
                shown = Msg("{start} to {end}", start=shown, end=f"{end:%H:%M}")
        lines.append(Msg(_READ_AS[source], time=shown, zone=when.read_in))
    return lines


def refuse_past(when: When, now: datetime, what: str = "event") -> None:
    """A new event (or window, `what`) entirely in the past is refused: "yesterday" was more
    likely a slip than a record. `past:true` on the command says it is meant."""
    ends = when.end or when.start
    if ends >= now:
        return
    if when.end is not None and not (when.all_day and when.last_day() == when.first_day()):
        said = "range"
    elif when.all_day:
        said = "date"
    else:
        said = "time"
    raise UserError(Msg(_PAST[said, what == "window"]))


#: The refusals of a new event or window in the past, by (what was typed, a window?).
_PAST = {
    ("range", False): N_(
        "That range is already over; give one that ends later, or add `past:true` to record a"
        " past event."
    ),
    ("range", True): N_(
        "That range is already over; give one that ends later, or add `past:true` to record a"
        " past window."
    ),
    ("date", False): N_(
        "That date is already past; give one to come, or add `past:true` to record a past event."
    ),
    ("date", True): N_(
        "That date is already past; give one to come, or add `past:true` to record a past"
        " window."
    ),
    ("time", False): N_(
        "That time is already past; give one to come, or add `past:true` to record a past event."
    ),
    ("time", True): N_(
        "That time is already past; give one to come, or add `past:true` to record a past"
        " window."
    ),
}
