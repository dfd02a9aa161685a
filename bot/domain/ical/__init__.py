"""The calendar in and out as iCalendar (RFC 5545), through the `icalendar` library.

Export: one VEVENT per event. All-day events are `DTSTART;VALUE=DATE` with an exclusive
`DTEND;VALUE=DATE`; timed events carry `TZID` of the event's zone (with its VTIMEZONE), or UTC
(`Z`). Concord's own fields travel as X- properties (`X-CONCORD-KIND`, `X-CONCORD-STATUS`,
`X-CONCORD-TIMEZONE`, `X-CONCORD-TENTATIVE`), so an export imports back unchanged.

Import: all-day and timed events, `TZID`, UTC and floating times (read in the calendar's
`X-WR-TIMEZONE`, else `default_tz`). A recurring VEVENT (RRULE/RDATE, minus EXDATE, with
RECURRENCE-ID overrides) is expanded by the recurring-ical-events library into one event per
occurrence, each with the UID `"{uid}#{occurrence}"` (`#20140317` for dates,
`#20140317T090000Z` for times), so importing the file again finds the same events. Expansion is
bounded: at most MAX_OCCURRENCES occurrences per series (a warning says so when a series is
longer or unbounded), a rule asking for a day that no month has (30 February) keeps its first
date at once, and the whole file gets EXPAND_BUDGET seconds, each series on a helper thread, so
a rule that never matches cannot hold the caller (dateutil would walk to the year 9999). A
changed occurrence (RECURRENCE-ID) whose series is not in the file is imported as one event with
the UID the series would give it. A file holding several VCALENDARs is read whole. Events
without DTSTART are skipped with a warni

The package: `read` (the file, series by UID), `vevent` (one VEVENT), `expand` (bounded
recurrence expansion), `write` (the export) and `models` (the file as read, and the limits).
"""

from __future__ import annotations

from bot.domain.ical.models import (
    EXPAND_BUDGET,
    MAX_EVENTS,
    MAX_OCCURRENCES,
    ImportedEvent,
    ParsedCalendar,
)
from bot.domain.ical.read import import_ics
from bot.domain.ical.write import PRODID, export_ics

__all__ = [
    "EXPAND_BUDGET",
    "MAX_EVENTS",
    "MAX_OCCURRENCES",
    "PRODID",
    "ImportedEvent",
    "ParsedCalendar",
    "export_ics",
    "import_ics",
]
