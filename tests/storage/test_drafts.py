"""Drafts on both backends: codes, sections and revisions, windows, import, consolidated text."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.domain.clock import FakeClock
from bot.domain.drafts import normalize_code, require_open_window, window_state
from bot.domain.models import Event, EventKind
from bot.errors import NotFound, UserError, WindowClosed
from bot.services import Services

G = 1
COORD = 100


@pytest.mark.parametrize(("text", "code"), [("c11", "C11"), (" C11 ", "C11"), ("al-c7", "AL-C7")])
def test_codes_are_upper_case(text: str, code: str) -> None:
    assert normalize_code(text) == code


@pytest.mark.parametrize("text", ["", "   ", "C 11!", "x" * 30])
def test_bad_codes(text: str) -> None:
    with pytest.raises(UserError):
        normalize_code(text)


async def test_create_refuses_an_existing_code_and_edit_changes_it(services: Services) -> None:
    """No silent overwrites (SPEC section 8): a second create of a code is refused and changes
    nothing; /draft edit changes the title or version, audited with before and after."""
    draft = await services.drafts.create(G, COORD, "c11", "International cooperation", "V1.1")
    assert draft.code == "C11" and draft.version == "V1.1"
    with pytest.raises(UserError, match=r"already a draft C11; nothing was changed.*`/draft edit code title version`"):
        await services.drafts.create(G, COORD, "C11", "International and regional cooperation", "V1.2")
    stored = await services.drafts.require(G, "C11")
    assert (stored.title, stored.version) == ("International cooperation", "V1.1")

    edited = await services.drafts.edit(G, COORD, "c11", version="V1.2")
    assert edited.changes == ("version",) and edited.before.version == "V1.1"
    assert (edited.after.title, edited.after.version) == ("International cooperation", "V1.2")
    edited = await services.drafts.edit(G, COORD, "C11", title="International  and regional\u202e cooperation", version="-")
    assert edited.changes == ("title", "version")
    assert (edited.after.title, edited.after.version) == ("International and regional cooperation", None)
    unchanged = await services.drafts.edit(G, COORD, "C11", title="International and regional cooperation")
    assert unchanged.changes == () and unchanged.after == unchanged.before
    with pytest.raises(UserError, match="Give a new `title`, `version` or `language`"):
        await services.drafts.edit(G, COORD, "C11")
    with pytest.raises(NotFound, match="drafts here: C11"):
        await services.drafts.edit(G, COORD, "C12", title="Other")
    rows = await services.db.fetch("SELECT action, detail FROM audit ORDER BY id")
    assert [r["action"] for r in rows] == ["draft.create", "draft.edit", "draft.edit"]
    assert json.loads(rows[1]["detail"]) == {
        "before": {"title": "International cooperation", "version": "V1.1"},
        "after": {"title": "International cooperation", "version": "V1.2"},
    }
    assert [d.draft.code for d in await services.drafts.summaries(G)] == ["C11"]
    assert await services.drafts.summaries(2) == []


async def test_sections_keep_revisions_and_forgive_keys(services: Services, clock: FakeClock) -> None:
    await services.drafts.create(G, COORD, "C11", "Cooperation", "V1.2")
    _, section, outcome = await services.drafts.set_section(G, COORD, "c11", "Pillar B", "First text")
    assert (section.key, section.revision, outcome) == ("pillar-b", 1, "new")
    clock.advance(hours=1)
    _, section, outcome = await services.drafts.set_section(G, COORD, "C11", "pillars-b", "Second text")
    assert (section.revision, outcome, section.text) == (2, "revised", "Second text")
    _, section, outcome = await services.drafts.set_section(G, COORD, "C11", "pillar b", "Second text")
    assert (section.revision, outcome) == (2, "unchanged")
    revisions = await services.drafts.repo.revisions(section.id)
    assert [(r.revision, r.text) for r in revisions] == [(1, "First text"), (2, "Second text")]
    await services.drafts.set_section(G, COORD, "C11", "Vision", "The vision")
    await services.drafts.set_section(G, COORD, "C11", "targets a", "A target")
    await services.drafts.set_section(G, COORD, "C11", "pillar a", "Pillar a")
    outline = await services.drafts.outline(G, "c11")
    assert [s.key for s in outline.sections] == ["vision", "pillar-a", "pillar-b", "target-a"]
    view = await services.drafts.show_section(G, "C11", "PILLAR_B")
    assert view.section.text == "Second text" and view.revisions == 2 and view.comments == 0
    actions = [r["action"] for r in await services.db.fetch("SELECT action FROM audit ORDER BY id")]
    assert actions.count("section.revise") == 1 and actions.count("section.create") == 4


async def test_unknown_draft_and_section_say_what_exists(services: Services) -> None:
    with pytest.raises(NotFound, match="no drafts yet"):
        await services.drafts.require(G, "C11")
    await services.drafts.create(G, COORD, "C11", "Cooperation", None)
    await services.drafts.create(G, COORD, "C7", "E-business", None)
    with pytest.raises(NotFound, match="drafts here: C11, C7"):
        await services.drafts.require(G, "C12")
    draft = await services.drafts.require(G, "c11")
    with pytest.raises(NotFound, match="no sections yet"):
        await services.drafts.require_section(draft, "vision")
    await services.drafts.set_section(G, COORD, "C11", "vision", "Text")
    with pytest.raises(NotFound, match=r"no section Pillar z\) \(pillar-z\); its sections are vision"):
        await services.drafts.require_section(draft, "pillar z")
    with pytest.raises(NotFound, match=r"no section Chapter 9 \(chapter-9\)"):
        await services.drafts.require_section(draft, "chapter 9")
    with pytest.raises(UserError, match="don't know the section"):
        await services.drafts.require_section(draft, "C11 9")


async def test_require_place_reads_the_draft_and_its_sections_at_once(
    services: Services,
) -> None:
    """/comment's place in one statement: the same answers and refusals as `require` then
    `require_section`."""
    drafts = services.drafts
    with pytest.raises(NotFound, match="no drafts yet"):
        await drafts.require_place(G, "C11", "vision")
    await drafts.create(G, COORD, "C11", "Cooperation", None)
    with pytest.raises(NotFound, match="no sections yet"):
        await drafts.require_place(G, "c11", "vision")
    for key, text in (("vision", "V"), ("pillar b", "B"), ("pillar a", "A")):
        await drafts.set_section(G, COORD, "C11", key, text)
    draft, section = await drafts.require_place(G, "c11", "PILLAR_B")
    assert (draft.code, section.key, section.text) == ("C11", "pillar-b", "B")
    assert section == await drafts.require_section(draft, "pillar b")
    found = await drafts.repo.get_with_sections(G, "C11")
    assert found is not None
    assert [s.key for s in found[1]] == [s.key for s in await drafts.sections(draft)]
    with pytest.raises(NotFound, match=r"no section Pillar z\) \(pillar-z\)"):
        await drafts.require_place(G, "C11", "pillar z")
    with pytest.raises(NotFound, match="drafts here: C11"):
        await drafts.require_place(G, "C12", "vision")


@dataclass
class FakeCalendar:
    calls: list[dict[str, Any]] = field(default_factory=list)

    async def upsert_draft_window(self, **kwargs: Any) -> Event:
        self.calls.append(kwargs)
        return Event(
            id=42, guild_id=kwargs["guild_id"], title=kwargs["title"], kind=EventKind.WINDOW,
            start=kwargs["opens"], end=kwargs["closes"], all_day=True,
            timezone=kwargs["timezone"], draft_id=kwargs["draft_id"],
        )

    async def remove_draft_window(self, **kwargs: Any) -> Event | None:
        self.calls.append(kwargs)
        return None


async def test_window_from_a_range_gates_by_time(services: Services, clock: FakeClock) -> None:
    calendar = FakeCalendar()
    services.windows.calendar = calendar
    await services.drafts.create(G, COORD, "C11", "Cooperation", "V1.2")
    with pytest.raises(UserError, match="needs a range"):
        await services.windows.set_window(G, COORD, "C11", "24 January 2014", "UTC")
    assert calendar.calls == []
    result = await services.windows.set_window(
        G, COORD, "C11", "19 December 2013 - 24 January 2014", "Europe/Zurich"
    )
    draft = result.draft
    assert draft.window_opens == datetime(2013, 12, 18, 23, 0, tzinfo=UTC)
    assert draft.window_closes == datetime(2014, 1, 24, 23, 0, tzinfo=UTC)
    assert draft.window_event_id == 42
    assert calendar.calls[0]["title"] == "C11 comment window"
    assert calendar.calls[0]["opens"] == draft.window_opens and calendar.calls[0]["actor_id"] == COORD
    assert window_state(draft, clock()) == "before"
    with pytest.raises(WindowClosed, match=r"opens <t:1387407600:F> \(<t:1387407600:R>\)"):
        require_open_window(draft, clock())
    clock.advance(days=60)
    assert window_state(draft, clock()) == "open"
    require_open_window(draft, clock())
    clock.advance(days=30)
    with pytest.raises(WindowClosed, match=r"closed <t:1390604400:F>\.$"):
        require_open_window(draft, clock())


async def test_window_without_calendar_still_gates(services: Services) -> None:
    services.windows.calendar = None
    await services.drafts.create(G, COORD, "C11", "Cooperation", "V1.2")
    result = await services.windows.set_window(G, COORD, "C11", "2014-01-01/2014-01-31", "UTC")
    assert result.event is None and result.draft.window_event_id is None
    assert result.draft.window_closes == datetime(2014, 2, 1, tzinfo=UTC)


async def test_import_twice_adds_nothing(services: Services, repo_root: Path, clock: FakeClock) -> None:
    data = (repo_root / "data" / "C11.md").read_bytes()
    [first] = await services.drafts.import_markdown(G, COORD, data)
    assert first.created and first.sections_new == 7 and first.comments_added == 11
    clock.advance(days=1)
    [second] = await services.drafts.import_markdown(G, COORD, data)
    assert not second.created and second.sections_new == 0 and second.sections_revised == 0
    assert second.comments_added == 0 and second.comments_known == 11
    count = await services.db.fetchval("SELECT COUNT(*) FROM comments")
    assert count == 11
    # An edited file: one section's text changed and one comment added.
    changed = data.decode().replace(
        "e) Further promote the inclusive and open multistakeholder model\n",
        "e) Further promote the open multistakeholder model\n\n· ICANN, Technical Community: Agreed.\n",
    )
    [third] = await services.drafts.import_markdown(G, COORD, changed.encode())
    assert (third.sections_revised, third.comments_added, third.comments_known) == (1, 1, 11)
    view = await services.drafts.show_section(G, "C11", "pillar-e")
    assert view.section.revision == 2 and view.comments == 2
    rows = await services.db.fetch("SELECT author_id FROM comments")
    assert all(r["author_id"] is None for r in rows)


async def test_import_errors_are_sentences(services: Services) -> None:
    with pytest.raises(UserError, match="UTF-8"):
        await services.drafts.import_markdown(G, COORD, b"\xff\xfe\x00bad")
    with pytest.raises(UserError, match="Line 1"):
        await services.drafts.import_markdown(G, COORD, b"no heading here")
    assert await services.drafts.summaries(G) == []


async def test_consolidated_text_skips_withdrawn(services: Services, repo_root: Path) -> None:
    await services.drafts.import_markdown(G, COORD, (repo_root / "data" / "C11.md").read_bytes())
    await services.stakeholders.register(G, 7, "Ann", "ISOC", "Civil Society")
    posted = await services.comments.add(G, 7, "C11", "target a", "Withdraw me")
    kept = await services.comments.add(G, 7, "C11", "target a", "Keep me", "amendment")
    await services.comments.withdraw(G, 7, posted.comment.id)
    doc = await services.drafts.consolidated(G, "c11")
    target = next(s for s in doc.sections if s.key == "target-a")
    texts = [c.text for c in target.comments]
    assert "Keep me" in texts and "Withdraw me" not in texts
    assert sum(len(s.comments) for s in doc.sections) == 12
    assert kept.comment.id in [c.id for c in target.comments]
