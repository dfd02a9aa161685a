"""What the load and the export share: the audit actor, progress callbacks, one-line failures."""

from __future__ import annotations

from collections.abc import Callable

# Loads from the command line are recorded in the audit with this actor (no Discord member).
CLI_ACTOR = 0

Progress = Callable[[int, int], None]


class Failure(Exception):
    """A problem with the files or the arguments, said in one line."""


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"

