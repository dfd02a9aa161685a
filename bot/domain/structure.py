"""Where a new section goes in a draft of any shape (SPEC §9): its part heading, its item label
as it would be written, and its position, worked out from the draft's sections and its key.

Pure: the draft service reads the sections, asks here, and the repository writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from bot.domain.draftdoc.syntax import item_family
from bot.domain.models import Section
from bot.domain.sections import (
    PARTS,
    heading_of,
    is_roman,
    label_of,
    part_heading,
    part_short_names,
    split_section_key,
)


class Placement(NamedTuple):
    """A section's part heading and item label as written, and its position in the draft."""

    part: str | None
    label: str | None
    position: int


def _label_like(slug: str, examples: Sequence[str]) -> str:
    """The label for the item `slug` written like the draft's other labels: ``"13"`` after
    ``"12."`` gives ``"13."``, ``"c"`` after ``"(a)"`` gives ``"(c)"``."""
    words = slug.split("-")
    if len(words) > 1 and not words[0].isdigit():  # "article-3"
        return " ".join(
            [words[0].capitalize(), *[w.upper() if is_roman(w) else w for w in words[1:]]]
        )
    family = "number" if slug.isdigit() else "letter"
    same = [e for e in examples if item_family(e) == family]
    if same:
        template = same[-1]
        core = re.search(r"[A-Za-z0-9]+", template)
        if core is not None:
            text = slug.upper() if core.group(0).isupper() else slug
            return template[: core.start()] + text + template[core.end() :]
    return f"{slug}." if family == "number" else f"({slug})" if len(slug) > 1 else f"{slug})"


def _new_part_heading(key: str) -> tuple[str, str | None]:
    """A heading and label for a key whose part the draft does not have yet: ``"chapter-7"``
    -> ``("Chapter 7", None)``, ``"annex-a"`` -> ``("Annex", "a)")``."""
    first, rest = split_section_key(key)
    if rest is None:
        return part_heading(first), None
    if rest.isdigit() or (len(rest) > 1 and is_roman(rest)):
        return f"{first.capitalize()} {rest.upper() if is_roman(rest) else rest}", None
    return part_heading(first), _label_like(rest, ())


def placement(key: str, sections: Sequence[Section]) -> Placement:
    """Where the new section `key` goes among `sections` (the draft's, in document order): in
    the part whose short name starts the key, after the last section under its nearest
    existing parent (for ``para-13``, the part ``para``; for ``para-12-c``, the item
    ``para-12``); a part the draft lacks is added at the end. The position is the one the
    section takes; the sections from there on move down one place."""
    ordered = sorted(sections, key=lambda s: (s.position, s.key))
    end = (ordered[-1].position + 1) if ordered else 0
    headings: list[str] = []
    for s in ordered:
        heading = heading_of(s.key, s.part)
        if heading not in headings:
            headings.append(heading)
    names = dict(zip(part_short_names(headings), headings, strict=True))
    prefixes = [n for n in names if key == n or key.startswith(n + "-")]
    if not prefixes:
        heading, label = _new_part_heading(key)
        return Placement(heading, label, _new_part_position(key, names, ordered, end))
    name = max(prefixes, key=len)
    heading = names[name]
    in_part = [s for s in ordered if heading_of(s.key, s.part) == heading]
    if key == name:  # the part's own text: before its items
        return Placement(heading, None, in_part[0].position)
    parents = [k for k in (s.key for s in in_part) if key.startswith(k + "-")]
    parent = max(parents, key=len) if parents else name
    rest = key[len(parent) + 1 :]
    # Before the first sibling numbered after it (pillar-b before pillar-c), else at the end
    # of what is under its parent (para-13 after para-12 and its sub-items).
    for s in in_part:
        sibling = s.key[len(parent) + 1 :] if s.key.startswith(parent + "-") else ""
        if sibling and "-" not in sibling and _before(rest, sibling):
            return Placement(heading, _label_like(rest, _labels(in_part)), s.position)
    under = [s for s in in_part if s.key == parent or s.key.startswith(parent + "-")]
    after = under[-1] if under else in_part[-1]
    return Placement(heading, _label_like(rest, _labels(in_part)), after.position + 1)


def _labels(sections: Sequence[Section]) -> list[str]:
    return [lab for s in sections if (lab := label_of(s.key, s.part, s.label)) is not None]


def _before(new: str, sibling: str) -> bool:
    """Is the item `new` numbered before `sibling` (both numbers, or both single letters)?"""
    if new.isdigit() and sibling.isdigit():
        return int(new) < int(sibling)
    both_letters = len(new) == len(sibling) == 1 and new.isalpha() and sibling.isalpha()
    return both_letters and new < sibling


def _new_part_position(
    key: str, names: dict[str, str], ordered: Sequence[Section], end: int
) -> int:
    """A new part goes at the end of the draft, except a part of the original shape (vision,
    pillars, targets), which goes before the first of those parts that follows it."""
    first = split_section_key(key)[0]
    order = list(PARTS)
    if first not in order:
        return end
    for s in ordered:
        name = next((n for n, h in names.items() if h == heading_of(s.key, s.part)), None)
        if name in order and order.index(name) > order.index(first):
            return s.position
    return end
