"""Errors a user can fix: the tree's error handler shows their message as one ephemeral sentence."""

from __future__ import annotations


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
