"""Text normalisation before a date is read: accents folded, dashes and arrows unified,
"a.m." as "am", common month typos fixed, ordinals dropped ("24th" -> "24"), punctuation turned
into spaces, and the words that make a date tentative ("TBD", "provisional", "?") recognised."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from bot.i18n import Day, Msg

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


# "29.11." is a date, not the time 29.11: written with a slash before anything else reads it.
_DOTTED_DAY_MONTH_RE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(?!\d)")
# Numeric day/month: "03/04/2014", "3/4", "03.04.2014" (with dots only with a year: "10.30" is
# a time).
_NUMERIC_DATE_RE = re.compile(
    r"(?<![\d/.:])(\d{1,2})(?:/(\d{1,2})(?:/(\d{4}))?|\.(\d{1,2})\.(\d{4}))(?![\d/:])"
)


def _numeric_dates(s: str) -> list[tuple[re.Match[str], int, int, str | None]]:
    out = []
    for m in _NUMERIC_DATE_RE.finditer(s):
        second = m.group(2) or m.group(4)
        out.append((m, int(m.group(1)), int(second), m.group(3) or m.group(5)))
    return out


def _day_month(first: int, second: int, month_first: bool) -> tuple[int, int]:
    """(day, month) of a numeric date: day first, or month first for US English; a date that
    fits only one way ("12/25", "29.11.") is read that way."""
    if (month_first and first <= 12) or second > 12 >= first:
        return second, first
    return first, second


def numeric_dates(s: str, month_first: bool) -> str:
    """Numeric dates written day first with slashes, as the grammar reads them: "29.11." ->
    "29/11"; "12/25" -> "25/12"; with `month_first`, "4/3/2014" -> "3/4/2014"."""
    s = _DOTTED_DAY_MONTH_RE.sub(r"\1/\2", s)
    pieces, last = [], 0
    for m, first, second, year in _numeric_dates(s):
        day, month = _day_month(first, second, month_first)
        pieces.append(s[last : m.start()])
        pieces.append(f"{day}/{month}" + (f"/{year}" if year else ""))
        last = m.end()
    pieces.append(s[last:])
    return "".join(pieces)


def numeric_reading(s: str, month_first: bool) -> str | None:
    """The sentence that says how a numeric date that could mean two days was read
    ("03/04/2014": 3 April or 4 March), and what to write for the other; None otherwise."""
    s = _DOTTED_DAY_MONTH_RE.sub(r"\1/\2", s)
    for m, first, second, year in _numeric_dates(s):
        if first == second or not (1 <= first <= 12 and 1 <= second <= 12):
            continue
        day, month = _day_month(first, second, month_first)
        # Written in the reader's language at the edge; 2000 is a leap year, for "29/02".
        style = "full" if year else "day_month"
        y = int(year) if year else 2000
        meant, other = Day(date(y, month, day), style), Day(date(y, day, month), style)
        order = Msg("month first, as in US English") if month_first else Msg("day first")
        return Msg('Read "{typed}" as {meant} ({order}); for {other}, write "{other}".',
                   typed=m.group(0), meant=meant, order=order, other=other)
    return None
