"""Drafts as values: codes, titles and versions as typed, comment-window states, the answers
that name a missing draft, and what the draft service returns. Pure; the service (sections and
their revisions, windows, import and the consolidated export) is bot.services.drafts."""

from __future__ import annotations

import difflib
import enum
import re
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.draftdoc import one_line
from bot.domain.models import Draft, Event, ParsedDraft, Section
from bot.domain.timefmt import ts
from bot.domain.when import When
from bot.errors import UserError, WindowClosed
from bot.i18n import Msg
from bot.text import strip_bidi

MAX_CODE = 20
MAX_TITLE = 200
MAX_VERSION = 40
MAX_SECTION_TEXT = 6000
MAX_IMPORT_BYTES = 2_000_000
CLEAR = "-"  # /draft edit version:- removes the version label
#: A code that names no draft: up to this many drafts are all listed, else the closest few.
LISTED_CODES = 10
CLOSE_CODES = 5
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._/+-]*$")


def normalize_code(text: str) -> str:
    """A draft code as stored: trimmed, upper case (``"c11"`` -> ``"C11"``)."""
    code = "".join(text.split()).upper()
    if not code:
        raise UserError(Msg('Give the draft\'s code, for example "C11".'))
    if len(code) > MAX_CODE or not _CODE.match(code):
        raise UserError(Msg(
            '"{code}" is not a draft code; use letters and digits such as "C11" (at most {n}'
            " characters).", code=code[:MAX_CODE], n=MAX_CODE,
        ))
    return code


def import_too_big(size: int | None = None) -> UserError:
    """The refusal of a file over MAX_IMPORT_BYTES: its size when known (declared or read)."""
    if size is None:
        return UserError(Msg(
            "That file is over {most} bytes, the most an import takes (split it into several"
            " .md files).", most=f"{MAX_IMPORT_BYTES:,}",
        ))
    return UserError(Msg(
        "That file is {n} bytes; an import takes at most {most} bytes (split it into several"
        " .md files).", n=f"{size:,}", most=f"{MAX_IMPORT_BYTES:,}",
    ))


def missing_draft(wanted: str, codes: list[str]) -> str:
    """The answer to a code naming no draft: every code when there are few, else the closest
    few and `/draft list` (a server may hold hundreds; a message holds 2,000 characters)."""
    if len(codes) <= LISTED_CODES:
        return Msg("There is no draft {code}; drafts here: {codes}.", code=wanted,
                   codes=", ".join(codes))
    close = difflib.get_close_matches(wanted, codes, n=CLOSE_CODES, cutoff=0.5)
    if close:
        return Msg(
            "There is no draft {code}; did you mean {close}? `/draft list` shows all {count}.",
            code=wanted, close=", ".join(close), count=len(codes),
        )
    return Msg("There is no draft {code}; `/draft list` shows the {count} drafts here.",
               code=wanted, count=len(codes))


def clean_line(text: str, what: str, limit: int, example: str) -> str:
    """A title or version label as stored: one line, no control or bidirectional-override
    characters, at most `limit` characters."""
    cleaned = one_line(strip_bidi(text))
    if not cleaned and what == "title":
        raise UserError(Msg("Give the draft's title, for example {example}.", example=example))
    if not cleaned:
        raise UserError(Msg("Give the draft's version, for example {example}.", example=example))
    if len(cleaned) > limit and what == "title":
        raise UserError(Msg("The title is {n} characters; keep it to {most}.", n=len(cleaned),
                            most=limit))
    if len(cleaned) > limit:
        raise UserError(Msg("The version is {n} characters; keep it to {most}.", n=len(cleaned),
                            most=limit))
    return cleaned


def clean_title(text: str) -> str:
    return clean_line(text, "title", MAX_TITLE, '"International and regional cooperation"')


def clean_version(text: str | None) -> str | None:
    """A version label; None (no label) when empty."""
    if text is None or not text.strip():
        return None
    return clean_line(text, "version", MAX_VERSION, '"V1.2"')


def already_exists(code: str) -> UserError:
    """The refusal of /draft create for a code in use: nothing is overwritten silently."""
    return UserError(Msg(
        "There is already a draft {code}; nothing was changed. To change its title or version,"
        " use `/draft edit code title version`.", code=code,
    ))


def checked_import(item: ParsedDraft) -> ParsedDraft:
    """A parsed draft with its code, title and version as /draft create takes them; a
    UserError naming the draft's line if one is not."""
    try:
        return replace(
            item,
            code=normalize_code(item.code),
            title=clean_line(item.title, "title", MAX_TITLE, '"Cooperation"'),
            version=(
                clean_line(item.version, "version", MAX_VERSION, '"V1.2"')
                if item.version is not None
                else None
            ),
        )
    except UserError as exc:
        raise UserError(Msg("Line {line}: {message}", line=item.line, message=exc.message)) from None


class WindowState(enum.StrEnum):
    """Where `now` stands against a draft's comment window."""

    NONE = "none"  # no window: comments at any time
    BEFORE = "before"
    OPEN = "open"
    AFTER = "after"


def window_state(draft: Draft, now: datetime) -> WindowState:
    if draft.window_opens is None or draft.window_closes is None:
        return WindowState.NONE
    if now < draft.window_opens:
        return WindowState.BEFORE
    if now >= draft.window_closes:
        return WindowState.AFTER
    return WindowState.OPEN


def require_open_window(draft: Draft, now: datetime) -> None:
    """Raise WindowClosed with the window's times when `draft` does not accept comments now."""
    state = window_state(draft, now)
    if state is WindowState.BEFORE:
        assert draft.window_opens is not None
        opens = draft.window_opens
        raise WindowClosed(
            Msg("The comment window for {code} opens {when}.", code=draft.code,
                when=f"{ts(opens, 'F')} ({ts(opens, 'R')})")
        )
    if state is WindowState.AFTER:
        assert draft.window_closes is not None
        raise WindowClosed(
            Msg("The comment window for {code} closed {when}.", code=draft.code,
                when=ts(draft.window_closes, "F"))
        )


@dataclass(frozen=True, slots=True)
class SectionView:
    draft: Draft
    section: Section
    comments: int
    revisions: int


@dataclass(frozen=True, slots=True)
class Outline:
    draft: Draft
    sections: list[Section]
    comments: dict[int, int]  # live comments per section id


@dataclass(frozen=True, slots=True)
class DraftEdit:
    """What /draft edit did: the draft before and after, and what changed ("title",
    "version"; empty when it already read like that)."""

    before: Draft
    after: Draft
    changes: tuple[str, ...]


def plan_edit(
    draft: Draft, title: str | None, version: str | None, language: str | None = None
) -> tuple[str, str | None, tuple[str, ...]]:
    """The title and version `draft` gets from /draft edit's options, and what changes. A
    missing option keeps its value; `version` "-" removes the label. `language` (already one
    of the six codes) counts as a change when it differs."""
    if title is None and version is None and language is None:
        raise UserError(Msg(
            "Give a new `title`, `version` or `language`; `version:-` removes the version label."
        ))
    new_title = draft.title if title is None else clean_title(title)
    if version is None:
        new_version = draft.version
    elif version.strip() == CLEAR:
        new_version = None
    else:
        new_version = clean_version(version)
    changes = tuple(
        name
        for name, old, new in (
            ("title", draft.title, new_title),
            ("version", draft.version, new_version),
            ("language", draft.language, language or draft.language),
        )
        if old != new
    )
    return new_title, new_version, changes


@dataclass(frozen=True, slots=True)
class WindowSet:
    draft: Draft
    when: When
    event: Event | None
    notes: tuple[str, ...] = ()  # how the range was read (bot.domain.when.reading)
