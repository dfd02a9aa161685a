"""Section keys: forgiving input, one canonical form, document order, labels."""

from __future__ import annotations

import pytest

from bot.domain.sections import (
    PARTS,
    make_section_key,
    normalize_section_key,
    section_label,
    section_sort_key,
    short_name,
    split_section_key,
)
from bot.errors import UserError


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("pillar-b", "pillar-b"),
        ("Pillar B", "pillar-b"),
        ("pillar b", "pillar-b"),
        ("pillars-b", "pillar-b"),
        ("PILLAR_B", "pillar-b"),
        ("pillar (b)", "pillar-b"),
        ("Pillar b)", "pillar-b"),
        ("b) pillar", "pillar-b"),
        ("Pillars / b)", "pillar-b"),
        ("pillarb", "pillar-b"),
        ("  pillar.b  ", "pillar-b"),
        ("Vision", "vision"),
        ("vision", "vision"),
        ("VISION", "vision"),
        ("targets a", "target-a"),
        ("Target A", "target-a"),
        ("target-a", "target-a"),
        ("targeta", "target-a"),
        ("Pillars", "pillar"),
        ("pillar e", "pillar-e"),
        ("Paragraph 12", "para-12"),
        ("para 12", "para-12"),
        ("§12", "para-12"),
        ("paragraph 12 (a)", "para-12-a"),
        ("para12", "para-12"),
        ("Article 3", "article-3"),
        ("Preamble", "preamble"),
        ("Annex I", "annex-i"),
        ("chapter 7", "chapter-7"),
    ],
)
def test_normalize_accepts_what_people_type(typed: str, key: str) -> None:
    assert normalize_section_key(typed) == key


def test_normalize_is_idempotent() -> None:
    for key in ["vision", "pillar-a", "pillar-e", "target-a", "pillar"]:
        assert normalize_section_key(normalize_section_key(key)) == key


@pytest.mark.parametrize("typed", ["x", "b", "12", "C11 pillar b", "(a)", "a" * 50])
def test_normalize_rejects_what_cannot_be_a_key(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        normalize_section_key(typed)
    assert str(caught.value).startswith("I don't know the section ")
    assert "preamble, para-12" in str(caught.value)


@pytest.mark.parametrize("typed", ["", "   "])
def test_normalize_empty_asks_for_a_section(typed: str) -> None:
    with pytest.raises(UserError, match="preamble, para-12"):
        normalize_section_key(typed)


def test_error_quotes_long_input_shortened() -> None:
    with pytest.raises(UserError) as caught:
        normalize_section_key("x" * 500)
    assert len(str(caught.value)) < 120
    assert "\n" not in str(caught.value)


def test_sort_order_vision_pillars_targets_unknown_last() -> None:
    keys = ["target-b", "annex-a", "pillar-c", "target-a", "vision", "pillar-a", "pillar", "annex"]
    assert sorted(keys, key=section_sort_key) == [
        "vision",
        "pillar",
        "pillar-a",
        "pillar-c",
        "target-a",
        "target-b",
        "annex",
        "annex-a",
    ]


def test_sort_follows_parts_constant_order() -> None:
    assert [split_section_key(k)[0] for k in sorted(PARTS, key=section_sort_key)] == list(PARTS)


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("vision", "Vision"),
        ("pillar-b", "Pillar b)"),
        ("target-a", "Target a)"),
        ("pillar", "Pillars"),
        ("annex-c", "Annex c)"),
        ("para-12", "Para 12"),
        ("para-12-a", "Para 12 (a)"),
        ("article-3", "Article 3"),
        ("preamble", "Preamble"),
        ("chapter-7", "Chapter 7"),
    ],
)
def test_labels(key: str, label: str) -> None:
    assert section_label(key) == label


def test_split_and_make_are_inverse() -> None:
    for key in ["vision", "pillar-a", "target-z"]:
        assert make_section_key(*split_section_key(key)) == key
    assert make_section_key("pillar", "B") == "pillar-b"


@pytest.mark.parametrize(
    ("heading", "part"),
    [
        ("Vision", "vision"),
        ("1.\tVision", "vision"),
        ("2. Pillars", "pillar"),
        ("Targets:", "target"),
        ("Pillar", "pillar"),
        ("Annexes", "annex"),
        ("Preamble", "preamble"),
        ("Operative paragraphs", "para"),
        ("Chapter 7", "chapter-7"),
        ("Annex I", "annex-i"),
    ],
)
def test_short_name(heading: str, part: str) -> None:
    assert short_name(heading) == part
