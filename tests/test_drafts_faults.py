"""Drafts under faults (issue 11), on both backends: control characters, one transaction per
import, concurrent writes to one key."""

from __future__ import annotations

from bot.services import Services

G = 1
COORD = 100


# --------------------------------------------------------------------------- control characters


async def test_control_characters_are_cleaned_at_input(services: Services) -> None:
    """PostgreSQL refuses NUL in text and a DOCX cannot hold any C0 control: none is stored."""
    draft, _ = await services.drafts.create(G, COORD, "C11", "Inter\x00national\x0bcooperation", "V1\x01.2")
    assert (draft.title, draft.version) == ("International cooperation", "V1.2")
    _, section, _ = await services.drafts.set_section(
        G, COORD, "C11", "vision", "Page one\x0cPage two\x00 and\x1b more"
    )
    assert section.text == "Page one\nPage two and more"
    md = "# C12 Ro\x00les\n## Vision\nA vi\x01sion\n· IS\x02OC, Civil Society: fi\x1fne\n"
    await services.drafts.import_markdown(G, COORD, md.encode())
    doc = await services.drafts.consolidated(G, "C12")
    assert doc.title == "Roles" and doc.sections[0].text == "A vision"
    assert [(c.organization, c.text) for c in doc.sections[0].comments] == [("ISOC", "fine")]
