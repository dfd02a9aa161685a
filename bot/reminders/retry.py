"""What happens after a failed send: given up at once, given up after too many attempts, or
tried again after an exponential backoff.

A failure is permanent when trying again cannot help: no access, an unknown channel, any
other 4xx but 429. Server errors, rate limits and network errors are transient.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class SendError(Exception):
    """A send that failed. `permanent` (403/404: no access, unknown channel) is not retried.
    `dms_closed`: a DM that its recipient does not accept (their privacy settings), so the
    engine records them and sends them no more event DMs."""

    def __init__(self, message: str, *, permanent: bool, dms_closed: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.dms_closed = dms_closed


def permanent_status(status: int) -> bool:
    """An HTTP status that will not change by trying again (a 4xx other than 429)."""
    return 400 <= status < 500 and status != 429


class Outcome(enum.Enum):
    PERMANENT = "permanent"  # failed for good at the first attempt
    GAVE_UP = "gave up"  # transient, but tried `max_attempts` times
    RETRY = "retry"  # try again after `Verdict.backoff` seconds


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    attempts: int  # counting the one that just failed
    backoff: float = 0.0

    def error(self, exc: SendError) -> str:
        """What is recorded on the rows."""
        if self.outcome is Outcome.GAVE_UP:
            return f"gave up after {self.attempts} attempts: {exc}"
        return str(exc)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff `base`, 2 × `base`, 4 × `base`, ... seconds; failed after `max_attempts`."""

    base: float = 2.0
    max_attempts: int = 5

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failed attempt."""
        return self.base * (2 ** (attempts - 1))

    def verdict(self, exc: SendError, previous_attempts: int) -> Verdict:
        """What to do with rows that failed with `exc` after `previous_attempts` earlier
        failed attempts."""
        attempts = previous_attempts + 1
        if exc.permanent:
            return Verdict(Outcome.PERMANENT, attempts)
        if attempts >= self.max_attempts:
            return Verdict(Outcome.GAVE_UP, attempts)
        return Verdict(Outcome.RETRY, attempts, self.backoff(attempts))
