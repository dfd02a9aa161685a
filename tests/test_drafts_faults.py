"""Drafts under faults (issue 11), on both backends: control characters, one transaction per
import, concurrent writes to one key."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.models import Draft
from bot.errors import NotFound, UserError
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


# --------------------------------------------------------------------------- one file, one transaction

TWO_DRAFTS = (
    "# C1 First draft\n## Vision\nThe first vision.\n· ISOC, Civil Society: fine\n\n"
    "# {code} Second draft\n## Vision\nThe second vision.\n"
)


async def test_a_bad_second_draft_stores_nothing(services: Services) -> None:
    bad = TWO_DRAFTS.format(code="C" + "2" * 30).encode()
    with pytest.raises(UserError, match="is not a draft code"):
        await services.drafts.import_markdown(G, COORD, bad)
    assert await services.drafts.codes(G) == []
    long_title = TWO_DRAFTS.replace("Second draft", "x" * 300).format(code="C2").encode()
    with pytest.raises(UserError, match="title"):
        await services.drafts.import_markdown(G, COORD, long_title)
    assert await services.drafts.codes(G) == []
    assert await services.db.fetchval("SELECT COUNT(*) FROM comments") == 0


async def test_a_failure_while_writing_the_second_draft_stores_nothing(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash (here an error from the database layer) half-way leaves the file unimported."""
    repo = services.drafts.repo
    original = repo._set_section

    async def failing(tx: Any, draft: Draft, *args: Any, **kwargs: Any) -> Any:
        if draft.code == "C2":
            raise RuntimeError("the process died here")
        return await original(tx, draft, *args, **kwargs)

    monkeypatch.setattr(repo, "_set_section", failing)
    with pytest.raises(RuntimeError):
        await services.drafts.import_markdown(G, COORD, TWO_DRAFTS.format(code="C2").encode())
    assert await services.drafts.codes(G) == []
    assert await services.db.fetchval("SELECT COUNT(*) FROM sections") == 0
    assert await services.db.fetchval("SELECT COUNT(*) FROM audit") == 0
    monkeypatch.undo()
    first, second = await services.drafts.import_markdown(G, COORD, TWO_DRAFTS.format(code="C2").encode())
    assert (first.code, first.created, first.comments_added) == ("C1", True, 1)
    assert (second.code, second.created, second.sections_new) == ("C2", True, 1)


# --------------------------------------------------------------------------- bounded messages


async def test_no_such_draft_names_close_matches_among_many(services: Services) -> None:
    for n in range(1, 121):
        await services.drafts.create(G, COORD, f"WSIS10-MPP/C{n:03d}/V2", f"Draft {n}", None)
    with pytest.raises(NotFound) as caught:
        await services.drafts.require(G, "WSIS10-MPP/C1O5/V2")
    message = str(caught.value)
    assert len(message) < 300, message
    assert "WSIS10-MPP/C105/V2" in message and "`/draft list`" in message
    with pytest.raises(NotFound) as caught:
        await services.drafts.require(G, "ZZZZZZZZZZZZZZZZZZZZ")
    assert len(str(caught.value)) < 300 and "`/draft list`" in str(caught.value)
