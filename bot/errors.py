"""Errors a user can fix: the tree's error handler shows their message as one ephemeral sentence."""

from __future__ import annotations

from discord import app_commands


class UserError(Exception):
    """A problem with what the user asked for; ``str(err)`` is shown to them verbatim."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(UserError):
    """Something the user named does not exist."""


class Forbidden(UserError):
    """The user may not do this (not a coordinator, not the author...)."""


class WindowClosed(UserError):
    """A draft's comment window is not open."""


class ConfigError(Exception):
    """A set-up problem the operator can fix (a bad DATABASE_URL, a wrong token, a second
    process on one SQLite file). ``str(err)`` is the one line `python -m bot` prints."""


class DatabaseUnavailable(Exception):
    """The database could not take a write in time (a lock held elsewhere, a stalled or lost
    connection). `recorded` says whether the write may still have been made."""

    def __init__(self, message: str, *, maybe_recorded: bool) -> None:
        super().__init__(message)
        self.maybe_recorded = maybe_recorded


class NotCoordinator(app_commands.CheckFailure):
    """Raised by the coordinator check (cogs/_common.py); the tree shows it as a refusal."""
