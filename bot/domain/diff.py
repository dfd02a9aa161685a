"""A word diff of two texts (revisions of a section, or an amendment against the text it was
written on): `word_diff` gives the runs, `render_diff` writes them as Discord Markdown with
deletions ~~struck through~~ and insertions in **bold**. Pure: the caller passes the function
that makes user text inert, so its own Markdown cannot break the marks."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.i18n import N_

Op = Literal["equal", "delete", "insert"]

#: A word or a line break (with the blank lines after it), and the spaces that follow it.
_TOKEN = re.compile(r"(\n[ \t\n]*|[^\s]+)([ \t]*)")
_MARKS: dict[Op, str] = {"equal": "", "delete": "~~", "insert": "**"}
#: What the marks mean, said wherever a diff is shown.
LEGEND = N_("~~struck~~: deleted, **bold**: inserted")


@dataclass(frozen=True, slots=True)
class Change:
    """A run of the diff. A deleted or inserted run never holds a line break: the lines of
    the new text are kept as unchanged runs, the old text's line breaks are not shown."""

    op: Op
    text: str


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _TOKEN.finditer(text.strip(" \t"))]


def _is_break(token: str) -> bool:
    return token.startswith("\n")


def word_diff(old: str, new: str) -> list[Change]:
    """The runs that turn `old` into `new`, word by word; line breaks count as words."""
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(
        None, [t for t, _ in a], [t for t, _ in b], autojunk=False
    )
    out: list[Change] = []

    def add(op: Op, text: str) -> None:
        if not text:
            return
        if out and out[-1].op == op:
            out[-1] = Change(op, out[-1].text + text)
        else:
            out.append(Change(op, text))

    def run(op: Op, tokens: list[tuple[str, str]]) -> None:
        """A changed run: its words marked line by line, the spaces after it unmarked."""
        if out and not out[-1].text.endswith((" ", "\t", "\n")):
            add("equal", " ")  # after the last word of a line, or between two changes
        words: list[str] = []
        for i, (token, space) in enumerate(tokens):
            if _is_break(token):
                add(op, "".join(words).rstrip(" \t"))
                words = []
                if op == "insert":
                    add("equal", token)
                continue
            words.append(token + (space if i < len(tokens) - 1 else ""))
        add(op, "".join(words).rstrip(" \t"))
        last_token, last_space = tokens[-1]
        if (last_space and not _is_break(last_token)) or (_is_break(last_token) and op == "delete"):
            add("equal", " ")

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", "".join(t + s for t, s in b[j1:j2]))
            continue
        if tag in ("delete", "replace"):
            run("delete", a[i1:i2])
        if tag in ("insert", "replace"):
            run("insert", b[j1:j2])
    return _tidy(out)


def _tidy(changes: list[Change]) -> list[Change]:
    """Adjacent runs of one kind merged; no doubled space where two runs meet."""
    merged: list[Change] = []
    for change in changes:
        text = change.text
        if merged and change.op == "equal" and merged[-1].text.endswith((" ", "\n")):
            text = text.lstrip(" ")
        if not text:
            continue
        if merged and merged[-1].op == change.op:
            merged[-1] = Change(change.op, merged[-1].text + text)
        else:
            merged.append(Change(change.op, text))
    if merged and merged[-1].op == "equal" and not merged[-1].text.strip():
        merged.pop()
    return merged


def _identity(text: str) -> str:
    return text


def render_diff(old: str, new: str, *, escape: Callable[[str], str] = _identity) -> str:
    """`old` -> `new` as Markdown: deletions ~~struck~~, insertions **bold**, every piece of
    user text passed through `escape` (marks never span a line break)."""
    parts = []
    for change in word_diff(old, new):
        mark = _MARKS[change.op]
        parts.append(f"{mark}{escape(change.text)}{mark}")
    return "".join(parts)


def render_diff_lines(
    old: str, new: str, *, width: int, escape: Callable[[str], str] = _identity
) -> list[str]:
    """`render_diff` as lines of at most `width` characters, for pages: a long paragraph is
    broken between words, and every mark is closed at the end of a line and opened again on
    the next, so no page ever holds half a mark."""
    lines: list[list[tuple[Op, str]]] = [[]]
    for change in word_diff(old, new):
        for i, line in enumerate(change.text.split("\n")):
            if i:
                lines.append([])
            lines[-1] += [(change.op, word) for word in line.split()]
    out: list[str] = []
    for words in lines:
        current: list[tuple[Op, str]] = []
        for word in words:
            if current and len(_line([*current, word], escape)) > width:
                out.append(_line(current, escape))
                current = []
            current.append(word)
        out.append(_line(current, escape))
    return out


def _line(words: list[tuple[Op, str]], escape: Callable[[str], str]) -> str:
    """Words of one line, each run of one kind marked once."""
    runs: list[tuple[Op, list[str]]] = []
    for op, word in words:
        if runs and runs[-1][0] == op:
            runs[-1][1].append(word)
        else:
            runs.append((op, [word]))
    return " ".join(f"{_MARKS[op]}{escape(' '.join(ws))}{_MARKS[op]}" for op, ws in runs)
