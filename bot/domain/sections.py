"""Section keys of a draft of any shape (SPEC §2, §9).

A draft has parts (``## Preamble``, ``## Operative paragraphs``, ``## Annex I``) and items within
them (``a)``, ``(a)``, ``1.``, ``12.``, ``(iv)``, ``iv)``, ``Article 3``; sub-items under an item).
A key is the part's short name, then each item label: ``preamble``, ``para-12``, ``para-12-a``,
``pillar-b``, ``article-3``, ``chapter-7``. A part's short name alone is the part's own text
(the text under its heading before any item): ``preamble``, ``vision``.

The short name is the heading's last word, singular, lowercased, "paragraph" shortened to
"para"; when that word is a number or numeral the whole heading is the short name; when two
parts of one draft would share a short name the later uses its whole heading
(:func:`part_short_names`).

Pure functions, no Discord and no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.errors import UserError
from bot.i18n import Msg

#: Headings of the parts of the original C11 shape, for sections stored before drafts kept
#: their part headings: the key's short name -> the heading it had in the consolidated text.
PARTS: dict[str, str] = {
    "vision": "Vision",
    "pillar": "Pillars",
    "target": "Targets",
}

#: How the error messages describe a key.
KEY_EXAMPLES = "preamble, para-12 or pillar-b"

#: Words that name an item in a label ("Article 3"); the key keeps the word (``article-3``).
LABEL_WORDS = ("article",)

_ROMAN = re.compile(r"^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_PARA = {"paragraph", "paragraphs", "para", "paras", "§"}
_MAX_QUOTED = 40
_MAX_TOKENS = 8
_MAX_TOKEN = 40


def is_roman(word: str) -> bool:
    """``"iv"``, ``"XII"``: a Roman numeral (lowercase or capitals)."""
    return bool(word) and bool(_ROMAN.match(word.lower()))


def _is_numeral(word: str) -> bool:
    """A number, a Roman numeral or a single letter: what numbers a heading ("Annex I",
    "Chapter 7", "Appendix B")."""
    return word.isdigit() or is_roman(word) or (len(word) == 1 and word.isalpha())


def singular(word: str) -> str:
    """``"pillars"`` -> ``"pillar"``, ``"paragraphs"`` -> ``"para"``, ``"annexes"`` -> ``"annex"``."""
    word = word.lower()
    if word in _PARA:
        return "para"
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z§]+", text.lower().replace("§", " § ")) if w]


def clean_heading(heading: str) -> str:
    """A part heading without numbering and trailing colon: ``"2. Pillars:"`` -> ``"Pillars"``."""
    text = " ".join(heading.split())
    text = re.sub(r"^\d+\s*[.)]\s*", "", text).strip().rstrip(":").strip()
    return text or " ".join(heading.split())


def _whole_name(words: list[str]) -> str:
    words = [*words[:-1], singular(words[-1])] if not _is_numeral(words[-1]) else words
    return "-".join("para" if w in _PARA else w for w in words)


def short_name(heading: str) -> str:
    """A part's short name: ``"Pillars"`` -> ``pillar``, ``"Operative paragraphs"`` -> ``para``,
    ``"Chapter 7"`` -> ``chapter-7``, ``"Annex I"`` -> ``annex-i``."""
    words = _words(clean_heading(heading)) or ["part"]
    if len(words) > 1 and _is_numeral(words[-1]):
        return _whole_name(words)
    return singular(words[-1])


def part_short_names(headings: Sequence[str]) -> list[str]:
    """The short names of a draft's parts in document order: a part whose short name an earlier
    part already has uses its whole heading (``Preambular paragraphs`` -> ``para``, then
    ``Operative paragraphs`` -> ``operative-para``); a number is added if even that is taken."""
    names: list[str] = []
    for heading in headings:
        name = short_name(heading)
        if name in names:
            name = _whole_name(_words(clean_heading(heading)) or ["part"])
        base, n = name, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return names


def label_slug(label: str) -> str:
    """The key form of an item label: ``"12."`` -> ``12``, ``"(a)"`` -> ``a``, ``"(iv)"`` ->
    ``iv``, ``"Article 3"`` -> ``article-3``."""
    return "-".join(w for w in _words(label) if w != "§")


def item_key(part_key: str, label: str) -> str:
    """The key of an item labelled `label` under `part_key` (a part's short name or its parent
    item's key). A label in words that repeats the part's name is not doubled:
    ``("article", "Article 3")`` -> ``article-3``."""
    slug = label_slug(label)
    if slug.split("-")[0] in LABEL_WORDS and part_key == slug.split("-")[0]:
        return slug
    return f"{part_key}-{slug}"


def split_section_key(key: str) -> tuple[str, str | None]:
    """``"pillar-b"`` -> ``("pillar", "b")``; ``"vision"`` -> ``("vision", None)``: the first
    word and the rest (a key alone cannot tell a part's whole-heading name from its items; the
    stored part heading can)."""
    part, sep, rest = key.partition("-")
    return part, (rest if sep else None)


def make_section_key(part: str, letter: str | None = None) -> str:
    """``("pillar", "b")`` -> ``"pillar-b"``; ``("vision", None)`` -> ``"vision"``."""
    return f"{part}-{letter.lower()}" if letter else part


def part_heading(part: str) -> str:
    """The heading of a part named by a short name or heading: ``"pillar"`` -> ``"Pillars"``,
    ``"annex"`` -> ``"Annex"``, ``"Operative paragraphs"`` unchanged."""
    if part in PARTS:
        return PARTS[part]
    if part != part.lower() or " " in part:
        return part
    return " ".join(part.replace("-", " ").split()).capitalize()


def heading_of(key: str, part: str | None) -> str:
    """A section's part heading: as written when stored (`part`), else from the key's first
    word (``"pillar-b"`` -> ``"Pillars"``), for sections stored before drafts kept headings."""
    return part if part else part_heading(split_section_key(key)[0])


def label_of(key: str, part: str | None, label: str | None) -> str | None:
    """A section's item label: as written when stored, else from the key (``"pillar-b"`` ->
    ``"b)"``, ``"para-12"`` -> ``"12."``); None for a part's own text."""
    if label or part:
        return label
    item = split_section_key(key)[1]
    if item is None:
        return None
    return f"{item}." if item.isdigit() else f"{item})"


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _MAX_QUOTED:
        text = text[: _MAX_QUOTED - 1] + "…"
    return f'"{text}"'


def _unknown(text: str) -> UserError:
    return UserError(Msg("I don't know the section {section}; use a key like {examples}.",
                         section=_quoted(text), examples=KEY_EXAMPLES))


def _is_label(word: str) -> bool:
    return word.isdigit() or len(word) == 1


def normalize_section_key(text: str) -> str:
    """The canonical key for what a person typed, without looking at any draft.

    ``"Pillar B"``, ``"pillar b"``, ``"pillars-b"``, ``"pillar (b)"``, ``"b) pillar"`` and
    ``"pillarb"`` give ``pillar-b``; ``"Paragraph 12"``, ``"para 12"`` and ``"§12"`` give
    ``para-12``; ``"paragraph 12 (a)"`` gives ``para-12-a``; ``"Article 3"`` gives
    ``article-3``. Text that cannot be a key is a UserError.
    """
    if not text or not text.strip():
        raise UserError(Msg("Name a section: {examples}.", examples=KEY_EXAMPLES))
    words = ["para" if w == "§" else w for w in _words(text)]
    if not words or len(words) > _MAX_TOKENS or any(len(w) > _MAX_TOKEN for w in words):
        raise _unknown(text)
    # "b) pillar": the label first.
    if len(words) == 2 and _is_label(words[0]) and not _is_label(words[1]):
        words = [words[1], words[0]]
    # Glued: "para12", "pillarb", "targetsa".
    if len(words) == 1 and (glued := re.fullmatch(r"([a-z§]+?)(\d+)", words[0])):
        words = [glued.group(1), glued.group(2)]
    elif len(words) == 1 and singular(words[0]) not in PARTS and singular(words[0][:-1]) in PARTS:
        words = [words[0][:-1], words[0][-1]]
    words = [singular(w) if not _is_label(w) and not is_roman(w) else w for w in words]
    if not words[0].isalpha() or len(words[0]) < 2:
        raise _unknown(text)
    return "-".join(words)


def _loose(key: str) -> str:
    return "-".join(singular(w) if not _is_label(w) else w for w in key.split("-"))


def resolve_section_key(text: str, keys: Iterable[str]) -> str | None:
    """The key among a draft's `keys` that `text` names (forgiving, see
    :func:`normalize_section_key`), else None. A key typed without its part's whole-heading
    prefix is found when only one key ends that way (``para-12`` finds ``operative-para-12``
    when the draft has no other). Text that cannot be a key is a UserError."""
    wanted = normalize_section_key(text)
    known = list(keys)
    if wanted in known:
        return wanted
    loose = [k for k in known if _loose(k) == _loose(wanted)]
    if len(loose) == 1:
        return loose[0]
    ending = [k for k in known if k.endswith("-" + wanted)]
    return ending[0] if len(ending) == 1 else None


def section_sort_key(key: str) -> tuple[int, str, str]:
    """The order of keys stored without a position: the vision, then pillars a..z, then targets
    a..z, then other parts by name; a part's own text before its items."""
    part, letter = split_section_key(key)
    order = list(PARTS)
    index = order.index(part) if part in PARTS else len(order)
    return index, "" if part in PARTS else part, letter or ""


def section_label(key: str) -> str:
    """How people read a key: ``"Vision"``, ``"Pillar b)"``, ``"Para 12"``, ``"Para 12 (a)"``,
    ``"Article 3"``, ``"Preamble"``, ``"Chapter 7"``, ``"Pillars"``."""
    if key in PARTS:
        return PARTS[key]
    words = key.split("-")
    out = words[0].capitalize()
    previous_word = True
    for word in words[1:]:
        if word.isdigit():
            out += f" {word}"
            previous_word = False
        elif len(word) == 1 and previous_word:
            out += f" {word})"
            previous_word = False
        elif len(word) == 1 or (is_roman(word) and not previous_word):
            out += f" ({word})"
            previous_word = False
        else:
            out += f" {word}"
            previous_word = True
    return out
