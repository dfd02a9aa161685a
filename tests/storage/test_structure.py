"""Drafts of any shape stored on both backends (SPEC §9): an import keeps each section's part
heading and label and the draft's notes, and exports them back; a new key given to
/draft section lands at the end of its part."""

from __future__ import annotations

from pathlib import Path

from bot.domain.draftdoc import parse_draft_markdown, render_markdown
from bot.services import Services

G = 1
COORD = 100
SAMPLE = Path(__file__).parents[2] / "data" / "A-RES-WSIS.md"


async def test_import_stores_parts_labels_and_notes_and_exports_them(services: Services) -> None:
    data = SAMPLE.read_bytes()
    [counts] = await services.drafts.import_markdown(G, COORD, data)
    assert (counts.code, counts.sections_new, counts.comments_added) == ("WSIS-OD", 18, 4)
    draft = await services.drafts.require(G, "wsis-od")
    assert draft.notes is not None and draft.notes.startswith("Zero draft of 1 February")
    sections = await services.drafts.sections(draft)
    assert [s.key for s in sections][:3] == ["preamble", "para-1", "para-2"]
    by_key = {s.key: s for s in sections}
    assert (by_key["para-12-a"].part, by_key["para-12-a"].label) == ("Operative paragraphs", "(a)")
    assert (by_key["annex"].part, by_key["annex"].label) == ("Annex", None)

    exported = render_markdown(await services.drafts.consolidated(G, "WSIS-OD"))
    [seed] = parse_draft_markdown(data.decode())
    [back] = parse_draft_markdown(exported)
    assert back.notes == seed.notes
    assert [(s.key, s.part, s.label, s.text) for s in back.sections] == [
        (s.key, s.part, s.label, s.text) for s in seed.sections
    ]
    # Importing the export again changes nothing.
    [again] = await services.drafts.import_markdown(G, COORD, exported.encode())
    assert (again.sections_new, again.sections_revised, again.comments_added) == (0, 0, 0)


async def test_a_new_key_lands_at_the_end_of_its_part(services: Services) -> None:
    await services.drafts.import_markdown(G, COORD, SAMPLE.read_bytes())
    _, saved, outcome = await services.drafts.set_section(
        G, COORD, "WSIS-OD", "Paragraph 13", "Decides to remain seized of the matter."
    )
    assert (outcome, saved.key, saved.part, saved.label) == (
        "new",
        "para-13",
        "Operative paragraphs",
        "13.",
    )
    _, sub, _ = await services.drafts.set_section(G, COORD, "WSIS-OD", "para 12 (c)", "A third.")
    assert (sub.key, sub.label) == ("para-12-c", "(c)")
    _, chapter, _ = await services.drafts.set_section(G, COORD, "WSIS-OD", "Chapter 7", "New.")
    assert (chapter.key, chapter.part, chapter.label) == ("chapter-7", "Chapter 7", None)
    draft = await services.drafts.require(G, "WSIS-OD")
    keys = [s.key for s in await services.drafts.sections(draft)]
    assert keys[-9:] == [
        "para-12",
        "para-12-a",
        "para-12-b",
        "para-12-c",
        "para-13",
        "annex",
        "annex-a",
        "annex-b",
        "chapter-7",
    ]
    exported = render_markdown(await services.drafts.consolidated(G, "WSIS-OD"))
    assert "\n(c) A third.\n" in exported and "\n13. Decides to remain seized" in exported
    assert (
        exported.index("13. Decides") < exported.index("## Annex") < exported.index("## Chapter 7")
    )
