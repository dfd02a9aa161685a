"""Drafts under faults (issue 11), on both backends: control characters, one transaction per
import, concurrent writes to one key."""

from __future__ import annotations

import asyncio
import contextlib
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.domain.drafts import MAX_IMPORT_BYTES, import_too_big
from bot.domain.models import Draft
from bot.errors import NotFound, UserError
from bot.services import Services
from cogs._common import read_capped

G = 1
COORD = 100


# --------------------------------------------------------------------------- control characters


async def test_control_characters_are_cleaned_at_input(services: Services) -> None:
    """PostgreSQL refuses NUL in text and a DOCX cannot hold any C0 control: none is stored."""
    draft = await services.drafts.create(G, COORD, "C11", "Inter\x00national\x0bcooperation", "V1\x01.2")
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
    original = repo.set_section

    async def failing(tx: Any, draft: Draft, *args: Any, **kwargs: Any) -> Any:
        if draft.code == "C2":
            raise RuntimeError("the process died here")
        return await original(tx, draft, *args, **kwargs)

    monkeypatch.setattr(repo, "set_section", failing)
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


# --------------------------------------------------------------------------- capped downloads


async def test_a_download_without_a_length_stops_at_the_limit() -> None:
    """A response that names no length (chunked) is read in chunks and dropped past the limit."""
    sent = 0

    async def endless(request: web.Request) -> web.StreamResponse:
        nonlocal sent
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"x" * 65536
        with contextlib.suppress(ConnectionError):
            for _ in range(1000):  # 65 MB if nobody stops
                await response.write(chunk)
                sent += len(chunk)
        return response

    async def small(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b"# C1 Small\n")
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_get("/endless.md", endless)
    app.router.add_get("/small.md", small)
    async with TestServer(app) as server, aiohttp.ClientSession() as session:
        client = SimpleNamespace(
            http=SimpleNamespace(_HTTPClient__session=session, proxy=None, proxy_auth=None)
        )
        small_file = SimpleNamespace(url=str(server.make_url("/small.md")))
        assert await read_capped(client, small_file, 100, import_too_big) == b"# C1 Small\n"  # type: ignore[arg-type]
        endless_file = SimpleNamespace(url=str(server.make_url("/endless.md")))
        with pytest.raises(UserError, match="over 2,000,000 bytes"):
            await read_capped(client, endless_file, MAX_IMPORT_BYTES, import_too_big)  # type: ignore[arg-type]
        missing = SimpleNamespace(url=str(server.make_url("/gone.md")))
        with pytest.raises(UserError, match="answered 404"):
            await read_capped(client, missing, MAX_IMPORT_BYTES, import_too_big)  # type: ignore[arg-type]
    # The client closed the connection: the server got rid of far less than its 65 MB (what it
    # sent beyond the client's 2 MB sat in the sockets' buffers).
    assert sent < 32 * 1024 * 1024, f"the server sent {sent:,} bytes"


# --------------------------------------------------------------------------- concurrent writes


async def test_concurrent_creates_of_one_code_create_one_and_refuse_the_other(
    services: Services,
) -> None:
    """PostgreSQL runs the two at once; like SQLite, one creates and the other is refused with
    the sentence that names /draft edit (not an apology for a unique violation)."""
    for attempt in range(5):
        code = f"C{attempt}"
        results = await asyncio.gather(
            services.drafts.create(G, COORD, code, "First title", None),
            services.drafts.create(G, COORD + 1, code, "Second title", "V2"),
            return_exceptions=True,
        )
        created = [r for r in results if isinstance(r, Draft)]
        refused = [r for r in results if isinstance(r, BaseException)]
        assert len(created) == 1 and len(refused) == 1, results
        assert isinstance(refused[0], UserError) and "/draft edit" in str(refused[0])
        stored = await services.drafts.require(G, code)
        assert (stored.id, stored.title, stored.version) == (
            created[0].id, created[0].title, created[0].version
        )
    assert len(await services.drafts.codes(G)) == 5
    creates = await services.db.fetchval("SELECT COUNT(*) FROM audit WHERE action = 'draft.create'")
    assert creates == 5


async def test_concurrent_section_writes_keep_both_revisions(services: Services) -> None:
    await services.drafts.create(G, COORD, "C11", "Cooperation", None)
    for attempt in range(5):
        key = f"pillar-{'abcde'[attempt]}"
        # A new section written twice at once: revision 1 and 2.
        results = await asyncio.gather(
            services.drafts.set_section(G, COORD, "C11", key, f"One {attempt}"),
            services.drafts.set_section(G, COORD + 1, "C11", key, f"Two {attempt}"),
        )
        assert sorted(outcome for _, _, outcome in results) == ["new", "revised"]
        # An existing section revised twice at once: revisions 3 and 4.
        results = await asyncio.gather(
            services.drafts.set_section(G, COORD, "C11", key, f"Three {attempt}"),
            services.drafts.set_section(G, COORD + 1, "C11", key, f"Four {attempt}"),
        )
        assert [outcome for _, _, outcome in results] == ["revised", "revised"]
        section = await services.drafts.repo.section(results[0][0].id, key)
        assert section is not None and section.revision == 4
        revisions = await services.drafts.repo.revisions(section.id)
        assert [r.revision for r in revisions] == [1, 2, 3, 4]
        assert {r.text for r in revisions} == {
            f"One {attempt}", f"Two {attempt}", f"Three {attempt}", f"Four {attempt}"
        }
        assert section.text == revisions[-1].text
