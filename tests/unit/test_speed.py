"""The shortcuts taken for speed give exactly what the long way gives."""

from __future__ import annotations

import random

import discord

from bot.text import strip_bidi
from bot.ui import inert

ALPHABET = "ab \n:/.-_*~|`\\[]()<>#hs\u202e\u2066é"


def test_inert_is_escape_markdown_of_strip_bidi() -> None:
    rng = random.Random(18)
    samples = [
        "",
        "plain text, no markup at all.",
        "ISOC, Civil Society",
        "see https://example.org/a_b_c and [x](https://e.org)",
        "> quoted\n# heading\n - item",
        "\u202eCOSI",
        *("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 40))) for _ in range(3000)),
        *("x" * 250 + "".join(rng.choice(ALPHABET) for _ in range(20)) for _ in range(200)),
    ]
    for text in samples:
        assert inert(text) == discord.utils.escape_markdown(strip_bidi(text)), text
        assert inert(text) == inert(text)  # cached answers too
