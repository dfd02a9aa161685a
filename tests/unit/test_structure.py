"""Drafts of any shape (SPEC §2, §9): part short names, item keys, forgiving input resolved
against a draft's keys, the reader on the UN-style sample and odd shapes, and where a new
section goes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.draftdoc import parse_draft_markdown, render_markdown, to_consolidated
from bot.domain.models import Section
from bot.domain.sections import part_short_names, resolve_section_key, section_label
from bot.domain.structure import Placement, placement

SAMPLE = Path(__file__).parents[2] / "data" / "A-RES-WSIS.md"


def test_duplicate_short_names_use_the_whole_heading() -> None:
    assert part_short_names(["Preambular paragraphs", "Operative paragraphs"]) == [
        "para",
        "operative-para",
    ]
    assert part_short_names(["Preamble", "Operative paragraphs", "Annex"]) == [
        "preamble",
        "para",
        "annex",
    ]


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Paragraph 12", "para-12"),
        ("para 12", "para-12"),
        ("§12", "para-12"),
        ("paragraph 12 (a)", "para-12-a"),
        ("Pillar B", "pillar-b"),
        ("pillars-b", "pillar-b"),
        ("Article 3", "article-3"),
    ],
)
def test_typed_text_resolves_against_the_drafts_keys(typed: str, key: str) -> None:
    keys = ["preamble", "para-12", "para-12-a", "pillar-b", "article-3"]
    assert resolve_section_key(typed, keys) == key


def test_a_key_without_its_whole_heading_prefix_is_found_when_unique() -> None:
    keys = ["para-1", "operative-para-12"]
    assert resolve_section_key("paragraph 12", keys) == "operative-para-12"
    assert resolve_section_key("para 1", keys) == "para-1"
    assert resolve_section_key("para 99", keys) is None


def test_the_un_sample_reads_as_parts_and_items() -> None:
    (draft,) = parse_draft_markdown(SAMPLE.read_text(encoding="utf-8"))
    assert draft.code == "WSIS-OD"
    assert draft.notes[0].startswith("Zero draft of 1 February")
    keys = [s.key for s in draft.sections]
    assert keys[:2] == ["preamble", "para-1"]
    assert keys[-6:] == ["para-12", "para-12-a", "para-12-b", "annex", "annex-a", "annex-b"]
    by_key = {s.key: s for s in draft.sections}
    assert (by_key["para-12-a"].part, by_key["para-12-a"].label) == ("Operative paragraphs", "(a)")
    assert (by_key["preamble"].part, by_key["preamble"].label) == ("Preamble", None)
    assert by_key["preamble"].text.startswith("The General Assembly,\n\nRecalling")
    assert sum(len(s.comments) for s in draft.sections) == 4


def test_the_un_sample_writes_back_as_read() -> None:
    (draft,) = parse_draft_markdown(SAMPLE.read_text(encoding="utf-8"))
    md = render_markdown(to_consolidated(draft, generated_at=datetime(2026, 1, 1, tzinfo=UTC)))
    assert "## Preamble\n" in md and "## Operative paragraphs\n" in md and "## Annex\n" in md
    assert "\n12. Decides to hold" in md and "\n(a) The Secretary-General" in md
    assert "Zero draft of 1 February" in md
    (again,) = parse_draft_markdown(md)
    assert [(s.key, s.part, s.label, s.text) for s in again.sections] == [
        (s.key, s.part, s.label, s.text) for s in draft.sections
    ]
    assert again.notes == draft.notes


ODD = """# X1 Odd shapes
## Chapter 7
The chapter's own text.
## Annex I
(iv) A roman item.
iv) The same numbering, closed.
## Articles
Article 3
The article's text on the next line.
## Preambular paragraphs
1. First preambular.
## Operative paragraphs
1. First operative.
(a) Its sub-item.
2. Second operative.
"""


def test_odd_shapes() -> None:
    (draft,) = parse_draft_markdown(ODD.replace("iv) The same", "v) The next"))
    assert [s.key for s in draft.sections] == [
        "chapter-7",
        "annex-i-iv",
        "annex-i-v",
        "article-3",
        "para-1",
        "operative-para-1",
        "operative-para-1-a",
        "operative-para-2",
    ]
    by_key = {s.key: s for s in draft.sections}
    assert by_key["article-3"].text == "The article's text on the next line."
    assert by_key["article-3"].label == "Article 3"
    assert by_key["chapter-7"].part == "Chapter 7"
    assert section_label("article-3") == "Article 3"
    assert section_label("chapter-7") == "Chapter 7"


def _s(key: str, position: int, part: str, label: str | None) -> Section:
    return Section(0, 1, key, position, 1, "t", part=part, label=label)


UN = [
    _s("preamble", 0, "Preamble", None),
    _s("para-11", 1, "Operative paragraphs", "11."),
    _s("para-12", 2, "Operative paragraphs", "12."),
    _s("para-12-a", 3, "Operative paragraphs", "(a)"),
    _s("annex", 4, "Annex", None),
]


def test_a_new_item_goes_at_the_end_of_its_part_labelled_like_its_siblings() -> None:
    assert placement("para-13", UN) == Placement("Operative paragraphs", "13.", 4)
    assert placement("para-12-b", UN) == Placement("Operative paragraphs", "(b)", 4)
    assert placement("para-10", UN) == Placement("Operative paragraphs", "10.", 1)


def test_a_new_part_goes_at_the_end_of_the_draft() -> None:
    assert placement("chapter-7", UN) == Placement("Chapter 7", None, 5)
    assert placement("appendix-a", UN) == Placement("Appendix", "a)", 5)
