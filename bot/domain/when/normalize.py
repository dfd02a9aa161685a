"""Text normalisation before a date is read: accents folded, dashes and arrows unified,
"a.m." as "am", common month typos fixed, ordinals dropped ("24th" -> "24"), punctuation turned
into spaces, and the words that make a date tentative ("TBD", "provisional", "?") recognised."""

from __future__ import annotations

import re
import unicodedata

_DASHES = str.maketrans(
    {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"}
)
_TYPOS = {
    "ianuary": "january",
    "ian": "jan",
    "janurary": "january",
    "januray": "january",
    "febuary": "february",
    "feburary": "february",
    "februay": "february",
    "agust": "august",
    "septmber": "september",
    "octobre": "october",
    "novmber": "november",
    "decmber": "december",
}
_TYPO_RE = re.compile(r"\b(" + "|".join(_TYPOS) + r")\b")
_ORDINAL_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_AMPM_RE = re.compile(r"\b([ap])\.\s?m\b\.?")
_LOOSE_DOT_RE = re.compile(r"(?<!\d)\.|\.(?!\d)")
TENTATIVE_RE = re.compile(
    r"\b(?:tbd|tba|tbc|to be (?:confirmed|determined|decided|announced)|tentative(?:ly)?"
    r"|provisional(?:ly)?|unconfirmed)\b|\?+"
)
_SPACES_RE = re.compile(r"\s+")
_ARROW_RE = re.compile(r"\s*(?:->|=>|\u2192)\s*")


def _fold(text: str) -> str:
    """Drop accents: "São Paulo" -> "Sao Paulo"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize(text: str) -> str:
    s = _fold(text).lower().translate(_DASHES)
    s = _ARROW_RE.sub(" to ", s)
    s = _AMPM_RE.sub(r"\1m", s)
    s = _TYPO_RE.sub(lambda m: _TYPOS[m.group(1)], s)
    s = _ORDINAL_RE.sub(r"\1", s)
    return s


def tidy(s: str) -> str:
    s = s.replace(",", " ").replace("(", " ").replace(")", " ").replace(";", " ")
    s = _LOOSE_DOT_RE.sub(" ", s)
    s = _SPACES_RE.sub(" ", s).strip(" :-")
    s = re.sub(r"^(?:on|the|at|date)\s+", "", s)
    return s
