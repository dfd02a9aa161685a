"""Resolution: what the grammar and dateparser read becomes a `When`, instants in UTC. Years are
inferred for dates written without one, a range's missing month, year or date is taken from
its other side, zones are chosen (the side's own, the whole text's, the member's), and every
error is one sentence that says what to type instead. `parse_when` is the entry point."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.when.adapter import dateparser_side
from bot.domain.when.grammar import MONTHS, VAGUE_RE, Part, read_side, split_candidates
from bot.domain.when.languages import to_english
from bot.domain.when.normalize import (
    TENTATIVE_RE,
    normalize,
    numeric_dates,
    numeric_reading,
    tidy,
)
from bot.domain.when.zones import Zone, member_zone, strip_zone, zone_tzinfo
from bot.errors import UserError
from bot.i18n import Day, Msg

MAX_LENGTH = 200
MIN_YEAR = 1900  # the years Concord keeps events in (parse_when, the .ics import)
MAX_YEAR = 2200
EXAMPLES = '"24 January 2014", "23-27 March 2014" or "next friday 9am"'


@dataclass(frozen=True, slots=True)
class When:
    """A moment or a span, as understood from what someone typed.

    `start` and `end` are aware UTC. All-day: `start` is local midnight of the first day in
    `timezone` and `end` the exclusive local midnight after the last day. A single timed instant
    has `end = None`.
    """

    start: datetime
    end: datetime | None
    all_day: bool
    tentative: bool
    timezone: str
    #: The zone local times were read in when the text named none (the member's, the
    #: server's or the `timezone` option's); None when the text named its own zone.
    read_in: str | None = None
    #: How numeric day/month input was read, when it could mean two dates ("03/04/2014").
    reading: str | None = None

    def last_day(self) -> date | None:
        """For an all-day span, the last local date it includes; None for timed ones."""
        if not self.all_day or self.end is None:
            return None
        return self.end.astimezone(zone_tzinfo(self.timezone)).date() - timedelta(days=1)

    def first_day(self) -> date:
        """The local date the span starts on, in `timezone`."""
        return self.start.astimezone(zone_tzinfo(self.timezone)).date()


@dataclass(slots=True)
class _Ctx:
    zone: Zone  # the zone times are read in when the text names none
    now: datetime  # aware
    explicit: Zone | None  # a zone named for the whole text


def _local(d: date, t: time, zone: Zone) -> datetime:
    return datetime.combine(d, t, tzinfo=zone.tz).astimezone(UTC)


def _midnight(d: date, zone: Zone) -> datetime:
    return _local(d, time(0), zone)


def _human(d: date) -> str:
    return f"{d.day} {calendar.month_name[d.month]} {d.year}"


def _make_date(y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        if not 1 <= m <= 12:
            raise UserError(Msg("{month} is not a month; check the date.", month=m)) from None
        last = calendar.monthrange(y, m)[1]
        raise UserError(
            Msg('{month} has no day {day}; check the date, e.g. "{example}".',
                month=Day(date(y, m, 1), "month_year"), day=d,
                example=Day(date(y, m, min(d, last))))
        ) from None


def _month_end(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _infer_year(m: int, last_day: int | None, today: date) -> int:
    """The year of a yearless date (or month): this year, unless that is already past."""
    y = today.year
    day = min(last_day or _month_end(y, m), _month_end(y, m))
    return y if date(y, m, day) >= today else y + 1


def _zone_for(part: Part, ctx: _Ctx, other: Part | None = None) -> Zone:
    if part.zone is not None:
        return part.zone
    if ctx.explicit is not None:
        return ctx.explicit
    if other is not None and other.zone is not None:
        return other.zone
    return ctx.zone


def _single(part: Part, ctx: _Ctx, text: str) -> tuple[datetime, datetime | None, bool, Zone]:
    zone = _zone_for(part, ctx)
    today = ctx.now.astimezone(zone.tz).date()
    if not part.has_date:
        if part.t is None:
            raise _unreadable(text)
        start = _local(today, part.t, zone)
        if start < ctx.now:
            start = _local(today + timedelta(days=1), part.t, zone)
        return start, None, False, zone
    if part.m is None:
        raise _unreadable(text)  # a day without a month
    if part.d is None:  # a whole month
        y = part.y if part.y is not None else _infer_year(part.m, None, today)
        first = date(y, part.m, 1)
        return _midnight(first, zone), _midnight(_next_month(first), zone), True, zone
    y = part.y if part.y is not None else _infer_year(part.m, part.d, today)
    day = _make_date(y, part.m, part.d)
    if part.t is None:
        return _midnight(day, zone), _midnight(day + timedelta(days=1), zone), True, zone
    return _local(day, part.t, zone), None, False, zone


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _range(
    left: Part, right: Part, ctx: _Ctx, text: str
) -> tuple[datetime, datetime | None, bool, Zone]:
    lzone = _zone_for(left, ctx)
    rzone = _zone_for(right, ctx, left)
    if not left.has_date and not right.has_date:
        # "10:00-12:00": today, or tomorrow if the start is past.
        if left.t is None or right.t is None:
            raise _unreadable(text)
        today = ctx.now.astimezone(lzone.tz).date()
        if _local(today, left.t, lzone) < ctx.now:
            today += timedelta(days=1)
        left.y, left.m, left.d = today.year, today.month, today.day
    inherited_date = False
    if not right.has_date:  # "17 february 2014 10:00-13:00"
        right.y, right.m, right.d = left.y, left.m, left.d
        inherited_date = True
    elif not left.has_date:  # "10:00-13:00 17 february 2014" / "10:00 - 17 february 2014 13:00"
        left.y, left.m, left.d = right.y, right.m, right.d
    both_months = left.m is not None and right.m is not None
    if left.m is None and left.d is not None:  # "23-27 march 2014"
        left.m = right.m
    if right.m is None and right.d is not None:  # "march 23-27 2014"
        right.m = left.m
    if left.m is None or right.m is None:
        raise _unreadable(text)
    # Months without days: "march - april 2014" spans whole months.
    month_left, month_right = left.d is None, right.d is None
    # A range written with both months that crosses a year end, within half a year:
    # "30 december - 2 january 2015". ("7 november - 20 october 2014" stays an error.)
    wraps = (
        both_months
        and (left.m, left.d or 1) > (right.m, right.d or 31)
        and right.m + 12 - left.m <= 6
    )
    if left.y is None and right.y is None:
        today = ctx.now.astimezone(rzone.tz).date()
        right.y = _infer_year(right.m, right.d, today)
        left.y = right.y - wraps
    elif left.y is None:
        assert right.y is not None
        left.y = right.y - wraps
    elif right.y is None:
        right.y = left.y + wraps
    assert left.y is not None and right.y is not None
    first = _make_date(left.y, left.m, 1 if month_left else left.d or 1)
    last = _make_date(
        right.y, right.m, _month_end(right.y, right.m) if month_right else right.d or 1
    )
    if left.t is None and right.t is None:
        if last < first:
            raise _backwards(_human(first), _human(last))
        return _midnight(first, lzone), _midnight(last + timedelta(days=1), lzone), True, lzone
    start = _local(first, left.t or time(0), lzone)
    if right.t is None:
        end = _midnight(last + timedelta(days=1), rzone)
    else:
        end = _local(last, right.t, rzone)
        if inherited_date and end < start:
            overnight = _local(last + timedelta(days=1), right.t, rzone)  # "22:00-01:00"
            if overnight - start <= timedelta(hours=12):
                end = overnight
    if end == start:
        raise UserError(Msg(
            "That range ends when it starts ({when}); give an end after the start, e.g."
            ' "17 February 2014 10:00-13:00".', when=_human_dt(start, lzone),
        ))
    if end < start:
        raise _backwards(_human_dt(start, lzone), _human_dt(end, rzone))
    return start, end, False, lzone


def _human_dt(dt: datetime, zone: Zone) -> str:
    local = dt.astimezone(zone.tz)
    return f"{_human(local.date())} {local:%H:%M}"


_CLOCK_RE = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])")


def _unreadable(text: str) -> UserError:
    for m in _CLOCK_RE.finditer(text):
        if int(m.group(1)) > 24 or int(m.group(2)) > 59:  # "25:00": a time that does not exist
            return UserError(Msg(
                '"{time}" is not a time of day; write one from 00:00 to 23:59, e.g.'
                ' "24 January 2014 18:00".', time=m.group(0),
            ))
    shown = text.strip()
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return UserError(Msg(
        'I couldn\'t read "{text}" as a date; try "24 January 2014", "23-27 March 2014" or'
        ' "next friday 9am".', text=shown,
    ))


def _backwards(start: str, end: str) -> UserError:
    return UserError(Msg(
        "That range ends before it starts ({end} is not after {start}); put the earlier date"
        ' first, e.g. "23-27 March 2014".', start=start, end=end,
    ))


def _vague(s: str, ctx: _Ctx) -> tuple[datetime, datetime, bool] | None:
    """ "late january 2014", "mid march", "january 2014": (start, end, tentative)."""
    m = VAGUE_RE.fullmatch(s)
    if not m:
        return None
    month = MONTHS[m.group("m")]
    part = m.group("part")
    zone = ctx.explicit or ctx.zone
    if part in ("early", "beginning of", "start of"):
        days = (1, 10)
    elif part in ("mid", "middle of"):
        days = (11, 20)
    elif part in ("late", "end of"):
        days = (21, 31)
    else:
        days = (1, 31)
    if m.group("y"):
        year = int(m.group("y"))
    else:
        year = _infer_year(month, days[1], ctx.now.astimezone(zone.tz).date())
    first = date(year, month, days[0])
    last = date(year, month, min(days[1], _month_end(year, month)))
    return _midnight(first, zone), _midnight(last + timedelta(days=1), zone), part is not None


def _read_any(s: str, ctx: _Ctx) -> Part | None:
    part = read_side(s)
    if part is None:
        rest, zone = strip_zone(s)
        use = zone or ctx.explicit or ctx.zone
        part = dateparser_side(rest, use, ctx.now.astimezone(use.tz))
        if part is not None:
            part.zone = zone
    return part


def parse_when(text: str, now: datetime, tz: str, *, month_first: bool = False) -> When:
    """Read `text` as a date, a time or a range, in zone `tz` unless the text names one.
    Numeric dates are day first ("03/04/2014" is 3 April), month first with `month_first`
    (members whose Discord is in US English); `When.reading` says so when both could be meant.

    Raises UserError with one sentence that says what to type instead.
    """
    when = _parse(text, now, tz, month_first)
    reading = numeric_reading(normalize(text), month_first)
    return replace(when, reading=reading) if reading else when


def _parse(text: str, now: datetime, tz: str, month_first: bool) -> When:
    if now.tzinfo is None:
        raise ValueError("parse_when needs an aware `now`")
    if len(text) > MAX_LENGTH:
        raise UserError(Msg(
            'That date is too long; keep it under {n} characters, e.g. "23-27 March 2014".',
            n=MAX_LENGTH,
        ))
    user_zone = member_zone(tz)
    s = numeric_dates(normalize(to_english(text)), month_first)
    tentative = bool(TENTATIVE_RE.search(s))
    if tentative:
        s = TENTATIVE_RE.sub(" ", s)
    s = tidy(s)
    if not s:
        if tentative:
            raise UserError(Msg(
                'A tentative date needs at least a month; try "TBD (late January 2014)".'
            ))
        raise UserError(Msg("Give a date, e.g. {examples}.", examples=EXAMPLES))

    try:
        body, explicit = strip_zone(s)
        ctx = _Ctx(zone=user_zone, now=now, explicit=explicit)

        vague = _vague(body, ctx)
        if vague is not None:
            start, end, is_vague = vague
            return _when(start, end, True, tentative or is_vague, explicit or user_zone, user_zone)

        # "until 24 january 2014": from now on.
        m_until = re.fullmatch(r"(?:until|till|til|up to)\s+(.+)", body)
        if m_until:
            first, last, _, zone = _until(m_until.group(1), ctx, text)
            return _when(first, last, False, tentative, zone, user_zone)
        first, last, all_day, zone = _parse_body(body, ctx, text)
        return _when(first, last, all_day, tentative, zone, user_zone)
    except (OverflowError, ValueError):  # "31 december 9999": past the last date Python knows
        year = max((int(y) for y in re.findall(r"\d{4,}", text)), default=None)
        if year is not None and year > MAX_YEAR:
            raise _out_of_range(year) from None
        raise _unreadable(text) from None


def _out_of_range(year: int) -> UserError:
    return UserError(Msg(
        'The year {year} is outside the calendar; give a date from {first} to {last}, e.g.'
        ' "23-27 March 2014".', year=year, first=MIN_YEAR, last=MAX_YEAR,
    ))


_Result = tuple[datetime, datetime | None, bool, Zone]


def _until(rest: str, ctx: _Ctx, text: str) -> _Result:
    right = _read_any(rest, ctx)
    if right is None:
        raise _unreadable(text)
    now_local = ctx.now.astimezone(_zone_for(right, ctx).tz)
    left = Part(
        now_local.year,
        now_local.month,
        now_local.day,
        now_local.time().replace(microsecond=0),
        zone=right.zone,
    )
    try:
        return _range(left, right, ctx, text)
    except UserError:
        if right.has_date or right.t is not None:  # "until 1 October 2013", said in November
            y, m, d = right.y, right.m, right.d
            shown = _human(date(y, m, d)) if y and m and d else f'"{rest.strip()}"'
            raise UserError(Msg(
                '{date} has already passed, and "until" counts from now; give a later date, or'
                ' a range such as "1-20 October 2013".', date=shown,
            )) from None
        raise


def _try_ranges(
    candidates: list[tuple[str, str]], ctx: _Ctx, text: str, relative: bool
) -> tuple[_Result | None, UserError | None]:
    """The first cut of the text whose two sides read as a valid range, or the first error."""
    error: UserError | None = None
    for head, tail in candidates:
        left = _read_any(head, ctx) if relative else read_side(head)
        right = _read_any(tail, ctx) if relative else read_side(tail)
        if left is None or right is None:
            continue
        try:
            return _range(left, right, ctx, text), None
        except UserError as err:
            error = error or err
    return None, error


def _parse_body(body: str, ctx: _Ctx, text: str) -> _Result:
    # "from X to Y", "between X and Y", "X - Y", "X/Y"
    m = re.fullmatch(r"(?:from|starting|start|by)\s+(.+)", body)
    if m:
        body = m.group(1)
    m = re.fullmatch(r"between\s+(.+?)\s+and\s+(.+)", body)
    candidates = [(m.group(1), m.group(2))] if m else split_candidates(body)

    # This module's regexes first; dateparser only for what they cannot read.
    result, error = _try_ranges(candidates, ctx, text, relative=False)
    if result is not None:
        return result
    if error is None:
        part = read_side(body)
        if part is not None:
            return _single(part, ctx, text)
        # Relative sides: "tomorrow 9am - 11am", "today to friday".
        result, error = _try_ranges(candidates, ctx, text, relative=True)
        if result is not None:
            return result
    if error is not None:
        raise error
    if not candidates:
        # dateparser has no ranges: text with a separator never goes to it whole.
        part = _read_any(body, ctx)
        if part is not None:
            return _single(part, ctx, text)
    raise _unreadable(text)


def _when(
    start: datetime,
    end: datetime | None,
    all_day: bool,
    tentative: bool,
    zone: Zone,
    user_zone: Zone,
) -> When:
    # The years kept, read where the event is: its first day and its last (an all-day end is
    # the exclusive midnight after it).
    first_year = start.astimezone(zone.tz).year
    last = end - timedelta(microseconds=1) if end is not None and end > start else start
    for year in (first_year, last.astimezone(zone.tz).year):
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise _out_of_range(year)
    name = zone.name
    if zone.fixed and zone.tz.utcoffset(start) == start.astimezone(user_zone.tz).utcoffset():
        name = user_zone.name  # "10:00 CET" from a Zurich member in winter stays Zurich
    read_in = user_zone.name if zone is user_zone else None
    return When(
        start=start, end=end, all_day=all_day, tentative=tentative, timezone=name,
        read_in=read_in,
    )
