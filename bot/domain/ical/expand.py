"""Bounded expansion of a recurring VEVENT through recurring-ical-events: at most
MAX_OCCURRENCES + 1 occurrences, a rule that asks for a day no month has is caught before
dateutil walks to the year 9999, and each series runs on a helper thread against one deadline
for the whole file, so a rule that never matches cannot hold the caller."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from time import monotonic as time_monotonic
from typing import Any

import recurring_ical_events
from icalendar import Calendar, Component
from icalendar import Event as VEvent

from bot.domain.ical.models import MAX_OCCURRENCES
from bot.domain.recurrence import impossible_day as _impossible_day


def never_matches(component: VEvent) -> bool:
    """Whether every RRULE of `component` asks for a day no month it allows has (30 February,
    31 April): dateutil would walk to the year 9999 looking for one. RDATEs still count."""
    if component.get("RDATE") is not None:
        return False
    rules = component.get("RRULE")
    rule_list = rules if isinstance(rules, list) else [rules]
    return bool(rule_list) and all(_impossible_day(rule) for rule in rule_list)


class OutOfTime(Exception):
    def __init__(self, *, spent: bool) -> None:
        super().__init__("out of time")
        self.spent = spent  # True: the budget was gone before this series started


@dataclass(slots=True)
class Expander:
    """Expands series through recurring-ical-events until a shared deadline (monotonic)."""

    deadline: float

    def expand(self, master: VEvent, overrides: list[VEvent]) -> list[Component]:
        """The occurrences of `master` (with its overrides applied), at most
        MAX_OCCURRENCES + 1 of them, each a VEVENT with its DTSTART, DTEND and RECURRENCE-ID."""
        left = self.deadline - time_monotonic()
        if left <= 0:
            raise OutOfTime(spent=True)
        series = Calendar()
        for component in (master, *overrides):
            series.add_component(component)
        start = master.decoded("DTSTART")
        if not isinstance(start, datetime):  # after() never leaves a date: it adds 15 minutes
            start = datetime.combine(start, time(0))

        def occurrences(stop: threading.Event) -> list[Component]:
            out: list[Component] = []
            for occurrence in recurring_ical_events.of(series).after(start):
                if stop.is_set() or len(out) > MAX_OCCURRENCES:
                    break
                out.append(occurrence)
            return out

        return _within(occurrences, left, self)

    def spend(self) -> None:
        self.deadline = 0.0


def _within(
    work: Callable[[threading.Event], list[Component]], seconds: float, owner: Expander
) -> list[Component]:
    """`work(stop)` on a daemon thread, waited for at most `seconds`. A thread that runs late is
    told to stop at its next occurrence, or else left to finish on its own (dateutil cannot be
    interrupted; it gives up at the year 9999), and the owner's budget is spent so that no
    second one starts."""
    outcome: list[tuple[bool, Any]] = []
    done = threading.Event()
    stop = threading.Event()

    def run() -> None:
        try:
            outcome.append((True, work(stop)))
        except BaseException as err:  # handed to the waiting thread below
            outcome.append((False, err))
        finally:
            done.set()

    threading.Thread(target=run, name="ical-expand", daemon=True).start()
    if not done.wait(seconds):
        stop.set()
        owner.spend()
        raise OutOfTime(spent=False)
    ok, value = outcome[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]
