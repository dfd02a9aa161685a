"""Section keys of a draft: a part name and an optional item letter.

A key is ``vision``, ``pillar-a`` ... ``pillar-e``, ``target-a``: the part's name, then a dash and
the item's letter. A part name alone (``vision``, ``pillar``) is the part's own text, the text
under its heading before any lettered item; for the vision that is the whole section.

Pure functions, no Discord and no database.
"""

from __future__ import annotations

import re

from bot.errors import UserError

#: The parts of a draft in document order, each with the heading it has in the consolidated text.
#: Add a part here (name -> plural heading) and keys, labels, sorting and the Markdown import and
#: export all learn it.
PARTS: dict[str, str] = {
    "vision": "Vision",
    "pillar": "Pillars",
    "target": "Targets",
}

#: How the error messages describe a key.
KEY_EXAMPLES = "vision, pillar-a ... pillar-e or target-a"

_LETTER = re.compile(r"[a-z]")
_MAX_QUOTED = 40


def split_section_key(key: str) -> tuple[str, str | None]:
    """``"pillar-b"`` -> ``("pillar", "b")``; ``"vision"`` -> ``("vision", None)``."""
    part, sep, letter = key.partition("-")
    return part, (letter if sep else None)


def make_section_key(part: str, letter: str | None = None) -> str:
    """``("pillar", "b")`` -> ``"pillar-b"``; ``("vision", None)`` -> ``"vision"``."""
    return f"{part}-{letter.lower()}" if letter else part


def part_heading(part: str) -> str:
    """The heading of a part in the consolidated text: ``"pillar"`` -> ``"Pillars"``."""
    return PARTS.get(part, part.capitalize())


def _part_of_word(word: str) -> str | None:
    """The part a word names (``"pillars"``, ``"Pillar"``, ``"targets"``), else None."""
    word = word.lower()
    for name, heading in PARTS.items():
        if word in (name, name + "s", heading.lower()):
            return name
    return None


def part_from_heading(text: str) -> str | None:
    """The part a ``##`` heading names: "Pillars", "2. Pillars", "Targets:"; None if none."""
    cleaned = re.sub(r"^\s*\d+\s*[.)]?\s*", "", text).strip().rstrip(":").strip()
    return _part_of_word(cleaned) if cleaned and " " not in cleaned else None


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _MAX_QUOTED:
        text = text[: _MAX_QUOTED - 1] + "…"
    return f'"{text}"'


def normalize_section_key(text: str) -> str:
    """The canonical key for what a person typed.

    ``"Pillar B"``, ``"pillar b"``, ``"pillars-b"``, ``"PILLAR_B"``, ``"pillar (b)"``,
    ``"b) pillar"``, ``"Pillars / b)"`` and ``"pillarb"`` all give ``"pillar-b"``; ``"Vision"``
    gives ``"vision"``; ``"targets a"`` gives ``"target-a"``. Anything else is a UserError.
    """
    if not text or not text.strip():
        raise UserError(f"Name a section: {KEY_EXAMPLES}.")
    tokens = re.split(r"[\s\-_./:,;()\[\]{}]+", text.strip().lower())
    tokens = [token for token in tokens if token]
    part: str | None = None
    letter: str | None = None
    ok = bool(tokens) and len(tokens) <= 2
    for token in tokens if ok else []:
        named = _part_of_word(token)
        if named is not None and part is None:
            part = named
        elif _LETTER.fullmatch(token) and letter is None:
            letter = token
        elif len(tokens) == 1:
            # One word with the letter glued on: "pillarb", "targetsa".
            named = _part_of_word(token[:-1])
            if named is not None and _LETTER.fullmatch(token[-1]):
                part, letter = named, token[-1]
            else:
                ok = False
        else:
            ok = False
    if not ok or part is None:
        raise UserError(f"I don't know the section {_quoted(text)}; use {KEY_EXAMPLES}.")
    return make_section_key(part, letter)


def section_sort_key(key: str) -> tuple[int, str, str]:
    """Document order: the vision, then pillars a..z, then targets a..z, then unknown parts.

    A part's own text comes before its lettered items.
    """
    part, letter = split_section_key(key)
    order = list(PARTS)
    index = order.index(part) if part in PARTS else len(order)
    # Known parts sort by position only; unknown ones by name after all known ones.
    return index, "" if part in PARTS else part, letter or ""


def section_label(key: str) -> str:
    """How people read a key: ``"Vision"``, ``"Pillar b)"``, ``"Target a)"``, ``"Pillars"``."""
    part, letter = split_section_key(key)
    if letter is None:
        return part_heading(part)
    return f"{part.capitalize()} {letter})"
