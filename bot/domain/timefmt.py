"""Discord timestamps: every time the bot shows is `<t:UNIX:STYLE>`, so each reader sees it in
their own timezone.

All-day dates are shown with the `:D` style on the timestamp of 12:00 UTC of the local date:
everyone from UTC-11 to UTC+11 then sees the same calendar date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.domain.when.zones import zone

__all__ = ["day", "format_event_time", "local_date", "relative", "ts"]

STYLES = frozenset("tTdDfFR")


def ts(dt: datetime, style: str = "F") -> str:
    """`<t:UNIX:STYLE>` for an aware datetime (F: full date and time, R: relative, D: date...)."""
    if dt.tzinfo is None:
        raise ValueError("ts() needs an aware datetime")
    if style not in STYLES:
        raise ValueError(f"unknown Discord timestamp style {style!r}")
    return f"<t:{int(dt.timestamp())}:{style}>"


def relative(dt: datetime) -> str:
    """`<t:UNIX:R>`: "in 3 days", "2 hours ago" in the reader's language."""
    return ts(dt, "R")


def day(d: date, style: str = "D") -> str:
    """A calendar date as a timestamp every reader sees as the same date (12:00 UTC of `d`)."""
    return ts(datetime.combine(d, time(12), tzinfo=UTC), style)


def local_date(dt: datetime, timezone: str | None = None) -> date:
    """The date of `dt` in `timezone`; without one, the date of a local midnight stored in UTC
    (a start at 23:00 UTC is the next day's midnight east of Greenwich)."""
    tz = zone(timezone)
    if tz is not None:
        return dt.astimezone(tz).date()
    return (dt.astimezone(UTC) + timedelta(hours=12)).date()


def format_event_time(
    start: datetime,
    end: datetime | None,
    all_day: bool,
    tentative: bool,
    timezone: str | None = None,
) -> str:
    """How an event's time reads in a message.

    Timed: `<t:s:F>` or `<t:s:F> – <t:e:t>` (`:F` when it ends on another day), then
    ` (<t:s:R>)`. All-day: the first and last day in `:D` style (`end` is exclusive). Tentative
    events end with ` · tentative`. `timezone` is the event's zone, for its local dates.
    """
    if all_day:
        first = local_date(start, timezone)
        last = local_date(end, timezone) - timedelta(days=1) if end is not None else first
        text = day(first) if last <= first else f"{day(first)} – {day(last)}"
    else:
        text = ts(start)
        if end is not None and end != start:
            same_day = local_date(start, timezone or "UTC") == local_date(end, timezone or "UTC")
            text += f" – {ts(end, 't' if same_day else 'F')}"
        text += f" ({relative(start)})"
    if tentative:
        text += " · tentative"
    return text
