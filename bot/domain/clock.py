"""The clock is injected everywhere, so tests control time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, aware UTC."""
    return datetime.now(UTC)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        from datetime import timedelta

        self.now = self.now + timedelta(**delta)
        return self.now


class ShiftedClock:
    """The real clock running at real speed from another instant (`python -m bot demo`).

    `ShiftedClock(datetime(2014, 1, 10, tzinfo=UTC))` says 2014-01-10 00:00 now and a second
    later one second more; `advance()` and `set()` jump it (time travel for the demo).
    """

    def __init__(self, start: datetime | None = None) -> None:
        from datetime import timedelta

        if start is not None and start.tzinfo is None:
            raise ValueError("ShiftedClock needs an aware datetime")
        self.offset = timedelta(0) if start is None else start - datetime.now(UTC)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> datetime:
        from datetime import timedelta

        self.offset += timedelta(**delta)
        return self()

    def set(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            raise ValueError("ShiftedClock.set needs an aware datetime")
        self.offset = when - datetime.now(UTC)
        return self()
