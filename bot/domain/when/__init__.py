"""Reading the `when` that people type: dates, times, ranges, tentative dates; and time zones.

`parse_when(text, now, tz)` is a pure function: the common forms ("23-27 March 2014",
"20 October - 7 November 2014", "March 23-27, 2014", ISO dates and intervals, "17 February 2014
10:00-13:00 CET", "TBD (late January 2014)") are read by the package's own grammar, which take
microseconds; anything else ("next friday 9am", "in 3 days", "tomorrow") goes to dateparser with
`languages=["en"]`. dateparser knows no ranges, so ranges are always split here first.

Decisions (the contract leaves them open):

- A date without a year is the next occurrence that is not in the past: its (last) day is today
  or later in the zone of the input, else the same date next year ("3-4 May" read on 1 November
  2013 is 3-4 May 2014). A range whose year is written once and whose months go backwards
  ("30 December - 2 January 2015", "30 December 2014 - 2 January") crosses the year end, when
  that makes it at most about half a year long; otherwise it is an error.
- A time without a date ("9am", "14:00-16:00") is today if that time is still to come, else
  tomorrow.
- A range of dates is all-day, its last day included; the stored end is exclusive (local
  midnight after the last day). A bare time as the end of a range takes the start's date, and the
  next day when it is earlier than the start and that makes at most 12 hours ("22:00-01:00";
  "13:00-10:00" is an error).
- "until X" starts now; it is timed, and a date-only X ends at the local midnight after X.
- "in 2 hours", "now" are timed instants; "in 3 days", "today", "tomorrow", "next friday",
  "29.11." without a clock time are all-day: a date without a time is all-day however written.
- A zone abbreviation means its literal offset ("CET" is UTC+1 even in July, "EST" is UTC-5) and
  the event keeps a representative IANA zone (CET -> Europe/Paris), or the member's own zone when
  it has that offset at that moment. "ET", "CT", "MT", "PT" follow the US zones' daylight time.
  IST is India. "Europe/Geneva" and "Geneva" mean Europe/Zurich (Geneva has no IANA zone).
  A bare offset ("UTC+2", "+02:00" in ISO text) keeps "Etc/GMT-2" (IANA's inverted sign);
  one that is not whole hours keeps "UTC". The instant is exact either way.
- A local time that does not exist (inside a spring-forward gap) is read with the offset before
  the change; an ambiguous one (in the autumn hour that repeats) is the first of the two.
- Numeric dates are day first: "03/04/2014" is 3 April 2014; month first with `month_first`
  (members whose Discord is in US English). A numeric date that fits only one way ("12/25") is
  read that way; one that could mean two dates gets `When.reading`, the sentence that says how
  it was read and what to write for the other. `When.read_in` is the zone a time was read in
  when the text named none, so that answers can say so.
- "early" is days 1-10 of a month, "mid" 11-20, "late" 21 to the end; those are tentative.
  A bare month ("January 2014") is the whole month, all-day.

The package, in the order a text passes through it: `normalize` (text clean-up), `zones` (IANA
names, and zones written in the text), `grammar` (the forms and ranges read by regexes),
`adapter` (dateparser for the rest, and `warm_up`), `resolve` (into a `When`).
"""

from __future__ import annotations

from bot.domain.when.adapter import warm_up
from bot.domain.when.resolve import EXAMPLES, MAX_LENGTH, MAX_YEAR, MIN_YEAR, When, parse_when
from bot.domain.when.zones import (
    ALIASES,
    all_zones,
    search,
    suggest,
    validate_zone,
    zone,
    zone_or_utc,
)

__all__ = [
    "ALIASES",
    "EXAMPLES",
    "MAX_LENGTH",
    "MAX_YEAR",
    "MIN_YEAR",
    "When",
    "all_zones",
    "parse_when",
    "search",
    "suggest",
    "validate_zone",
    "warm_up",
    "zone",
    "zone_or_utc",
]
