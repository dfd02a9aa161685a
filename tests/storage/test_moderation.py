"""Trust in comments on both backends (SPEC section 8): the attribution status recorded with
each comment, hiding and restoring (gone from every count, listing and export, counted as
hidden in exports), one comment whole with its edit history, and imports that keep the marks."""

from __future__ import annotations

import asyncio
import io

import docx
import pytest

from bot.domain.clock import FakeClock
from bot.domain.draftdoc import render_docx, render_markdown
from bot.domain.models import AttributionStatus
from bot.errors import NotFound, UserError
from bot.services import Services

G = 1
COORD = 100
ANN, BO = 7, 8


async def _setup(services: Services) -> None:
    await services.drafts.create(G, COORD, "C11", "International and regional cooperation", "V1.2")
    for key in ("vision", "pillar-a"):
        await services.drafts.set_section(G, COORD, "C11", key, f"Text of {key}")
    await services.stakeholders.register(G, ANN, "Ann", "ISOC", "Civil Society")
    await services.stakeholders.register(G, BO, "Bo", "Brazil", "Government")
    await services.db.execute("UPDATE stakeholders SET verified = 1 WHERE user_id = $1", BO)


async def test_each_comment_records_how_its_attribution_stood(services: Services) -> None:
    await _setup(services)
    ann = (await services.comments.add(G, ANN, "C11", "vision", "Support")).comment
    bo = (await services.comments.add(G, BO, "C11", "vision", "Agree")).comment
    assert (ann.status, bo.status) == (AttributionStatus.UNVERIFIED, AttributionStatus.VERIFIED)
    # Read back as recorded, whatever the profile says later.
    await services.db.execute("UPDATE stakeholders SET verified = 1 WHERE user_id = $1", ANN)
    stored = await services.comments.get(G, ann.id)
    assert stored is not None and stored.status is AttributionStatus.UNVERIFIED
    doc = await services.drafts.consolidated(G, "C11")
    assert [c.status for c in doc.sections[0].comments] == [
        AttributionStatus.UNVERIFIED, AttributionStatus.VERIFIED
    ]


async def test_a_hidden_comment_leaves_every_count_and_listing(
    services: Services, clock: FakeClock
) -> None:
    await _setup(services)
    spam = (await services.comments.add(G, ANN, "C11", "vision", "Buy watches")).comment
    kept = (await services.comments.add(G, BO, "C11", "vision", "Agree")).comment
    await services.comments.add(G, BO, "C11", "pillar-a", "Fine")
    clock.advance(minutes=5)

    with pytest.raises(UserError, match="Give a reason"):
        await services.comments.hide(G, COORD, spam.id, "  ")
    with pytest.raises(UserError, match="500"):
        await services.comments.hide(G, COORD, spam.id, "x" * 501)
    with pytest.raises(NotFound, match="no comment #999"):
        await services.comments.hide(G, COORD, 999, "Spam")
    with pytest.raises(UserError, match="is not hidden"):
        await services.comments.restore(G, COORD, spam.id)

    changed = await services.comments.hide(G, COORD, spam.id, "Advertising")
    hidden = changed.comment
    assert changed.draft_code == "C11"
    assert (hidden.hidden_at, hidden.hidden_by, hidden.hidden_reason) == (clock(), COORD, "Advertising")
    with pytest.raises(UserError, match="already hidden"):
        await services.comments.hide(G, COORD, spam.id, "Again")

    listing = await services.comments.listing(G, "C11")
    assert [c.id for c in listing.comments if c.section_key == "vision"] == [kept.id]
    coverage = await services.comments.coverage(G, "C11")
    assert coverage.total == 2
    outline = await services.drafts.outline(G, "C11")
    assert sorted(outline.comments.values()) == [1, 1]
    [summary] = await services.drafts.summaries(G)
    assert summary.comments == 2
    doc = await services.drafts.consolidated(G, "C11")
    vision = next(s for s in doc.sections if s.key == "vision")
    assert [c.id for c in vision.comments] == [kept.id] and vision.hidden == 1
    assert next(s for s in doc.sections if s.key == "pillar-a").hidden == 0
    markdown = render_markdown(doc)
    assert "Buy watches" not in markdown and "_1 comment hidden by the secretariat._" in markdown
    word = "\n".join(p.text for p in docx.Document(io.BytesIO(render_docx(doc))).paragraphs)
    assert "Buy watches" not in word and "1 comment hidden by the secretariat" in word

    # The author may still withdraw it; a withdrawn comment is no longer counted as hidden.
    back = (await services.comments.restore(G, COORD, spam.id)).comment
    assert (back.hidden_at, back.hidden_by, back.hidden_reason) == (None, None, None)
    assert (await services.comments.coverage(G, "C11")).total == 3
    await services.comments.hide(G, COORD, spam.id, "Advertising")
    with pytest.raises(UserError, match="hidden by the secretariat, so it can't be edited"):
        await services.comments.edit(G, ANN, spam.id, "Something else")
    await services.comments.withdraw(G, ANN, spam.id)
    doc = await services.drafts.consolidated(G, "C11")
    assert next(s for s in doc.sections if s.key == "vision").hidden == 0
    with pytest.raises(UserError, match="withdrawn by its author"):
        await services.comments.hide(G, COORD, spam.id, "x")

    actions = [
        (r["action"], r["actor_id"], r["detail"])
        for r in await services.db.fetch(
            "SELECT action, actor_id, detail FROM audit WHERE target = $1 AND action LIKE 'comment.%'"
            " ORDER BY id",
            f"comment:{spam.id}",
        )
    ]
    assert [(a, who) for a, who, _ in actions] == [
        ("comment.add", ANN),
        ("comment.hide", COORD),
        ("comment.restore", COORD),
        ("comment.hide", COORD),
        ("comment.withdraw", ANN),
    ]
    assert '"reason": "Advertising"' in actions[1][2]


async def test_a_hide_racing_an_edit_never_edits_a_hidden_comment(services: Services) -> None:
    await _setup(services)
    for round_ in range(4):
        cid = (await services.comments.add(G, ANN, "C11", "vision", f"Round {round_}")).comment.id
        racers = [
            services.comments.edit(G, ANN, cid, f"Edited {round_}"),
            services.comments.hide(G, COORD, cid, "Spam"),
        ]
        if round_ % 2:
            racers.reverse()
        results = await asyncio.gather(*racers, return_exceptions=True)
        assert not any(isinstance(r, Exception) and not isinstance(r, UserError) for r in results)
        actions = [
            r["action"]
            for r in await services.db.fetch(
                "SELECT action FROM audit WHERE target = $1 ORDER BY id", f"comment:{cid}"
            )
        ]
        # Either the edit came first, or it was refused: never an edit after the hide.
        assert actions in (
            ["comment.add", "comment.edit", "comment.hide"],
            ["comment.add", "comment.hide"],
        ), actions


async def test_show_gives_the_history_to_the_author_and_coordinators_only(
    services: Services, clock: FakeClock
) -> None:
    await _setup(services)
    cid = (await services.comments.add(G, ANN, "C11", "vision", "First")).comment.id
    clock.advance(minutes=20)
    first_edit = clock()
    await services.comments.edit(G, ANN, cid, "Second")
    clock.advance(minutes=20)
    await services.comments.edit(G, ANN, cid, "Third")

    view = await services.comments.show(G, BO, cid, coordinator=False)
    assert not view.privileged and view.history == [] and view.text_shown
    assert view.comment.text == "Third" and view.draft_code == "C11"
    for viewer, coordinator in ((ANN, False), (BO, True)):
        view = await services.comments.show(G, viewer, cid, coordinator=coordinator)
        assert view.privileged
        assert [(e.text, e.replaced_at) for e in view.history] == [
            ("First", first_edit), ("Second", clock())
        ]

    await services.comments.withdraw(G, ANN, cid)
    assert not (await services.comments.show(G, BO, cid, coordinator=False)).text_shown
    assert (await services.comments.show(G, ANN, cid, coordinator=False)).text_shown
    with pytest.raises(NotFound):
        await services.comments.show(G, ANN, 999, coordinator=True)
    with pytest.raises(NotFound):
        await services.comments.show(2, ANN, cid, coordinator=True)  # another server's


async def test_an_import_keeps_the_marks_and_never_makes_a_comment_verified(
    services: Services,
) -> None:
    md = (
        "# C7 E-business\n## Vision\nThe vision.\n\n"
        "· ISOC, Civil Society (unverified): Marked unverified\n"
        "· Brazil, Government (imported) [amendment]: Marked imported\n"
        "· Egypt, Government: Not marked\n"
        "· Canada, Government [deletion] (unverified): Deleted 3\n"
    )
    [counts] = await services.drafts.import_markdown(G, COORD, md.encode())
    assert counts.comments_added == 4
    rows = await services.db.fetch(
        "SELECT organization, stakeholder_group, kind, attribution_status FROM comments ORDER BY id"
    )
    assert [
        (r["organization"], r["stakeholder_group"], r["kind"], r["attribution_status"]) for r in rows
    ] == [
        ("ISOC", "Civil Society", "comment", "unverified"),
        ("Brazil", "Government", "amendment", "imported"),
        ("Egypt", "Government", "comment", "imported"),
        ("Canada", "Government", "deletion", "unverified"),
    ]
    # The export writes the marks back, and importing it again adds nothing.
    markdown = render_markdown(await services.drafts.consolidated(G, "C7"))
    assert "· ISOC, Civil Society (unverified): Marked unverified" in markdown
    assert "· Egypt, Government (imported): Not marked" in markdown
    assert "· Canada, Government (unverified) [deletion]: Deleted 3" in markdown
    [again] = await services.drafts.import_markdown(G, COORD, markdown.encode())
    assert (again.comments_added, again.comments_known) == (0, 4)
