"""Two changes to one comment at once (issue 11.13), and the same comment posted twice (11.2),
on both backends: tasks really race on one row through `asyncio.gather`. And an answer that
must name drafts stays short however many there are (11.9)."""

from __future__ import annotations

import asyncio
import json

from bot.domain.clock import FakeClock
from bot.errors import UserError
from bot.services import Services
from tests.storage.test_comments import ANN, BO, G, _setup


async def _history(services: Services, comment_id: int) -> list[str]:
    rows = await services.db.fetch(
        "SELECT detail FROM audit WHERE action = 'comment.edit' AND target = $1 ORDER BY id",
        f"comment:{comment_id}",
    )
    return [json.loads(r["detail"])["previous"] for r in rows]


async def test_concurrent_edits_keep_every_earlier_text(services: Services) -> None:
    await _setup(services)
    posted = await services.comments.add(G, ANN, "C11", "vision", "Original")
    cid = posted.comment.id
    await asyncio.gather(
        services.comments.edit(G, ANN, cid, "Second"),
        services.comments.edit(G, ANN, cid, "Third"),
    )
    final = await services.comments.get(G, cid)
    assert final is not None
    history = await _history(services, cid)
    # One edit followed the other: the audit chains Original -> first edit -> final text.
    assert history[0] == "Original"
    assert sorted([history[1], final.text]) == ["Second", "Third"]


async def test_an_edit_racing_a_withdrawal_never_edits_a_withdrawn_comment(
    services: Services,
) -> None:
    await _setup(services)
    for round_ in range(4):
        posted = await services.comments.add(G, ANN, "C11", "vision", f"Round {round_}")
        cid = posted.comment.id
        racers = [
            services.comments.edit(G, ANN, cid, f"Edited {round_}"),
            services.comments.withdraw(G, ANN, cid),
        ]
        if round_ % 2:  # the withdrawal starts first, and ends between the edit's read and write
            racers.reverse()
        results = await asyncio.gather(*racers, return_exceptions=True)
        edit, withdraw = results if round_ % 2 == 0 else results[::-1]
        assert not isinstance(withdraw, BaseException), withdraw
        actions = [
            r["action"]
            for r in await services.db.fetch(
                "SELECT action FROM audit WHERE target = $1 ORDER BY id", f"comment:{cid}"
            )
        ]
        if isinstance(edit, UserError):
            assert "withdrawn" in str(edit)
            assert actions == ["comment.add", "comment.withdraw"]
        else:
            assert not isinstance(edit, BaseException), edit
            assert actions == ["comment.add", "comment.edit", "comment.withdraw"]


async def test_the_same_comment_twice_is_recorded_once(
    services: Services, clock: FakeClock
) -> None:
    await _setup(services)
    first, second = await asyncio.gather(
        services.comments.add(G, ANN, "C11", "vision", "Support."),
        services.comments.add(G, ANN, "C11", "vision", "Support."),
    )
    assert first.comment.id == second.comment.id
    assert [first.new, second.new].count(True) == 1
    # The same text from someone else, on another section, or later, is another comment.
    assert (await services.comments.add(G, BO, "C11", "vision", "Support.")).new
    assert (await services.comments.add(G, ANN, "C11", "pillar-a", "Support.")).new
    clock.advance(minutes=11)
    assert (await services.comments.add(G, ANN, "C11", "vision", "Support.")).new
    count = await services.db.fetchval("SELECT COUNT(*) FROM comments")
    assert int(count) == 4


async def test_a_section_without_its_draft_among_many_drafts_gets_a_short_answer(
    services: Services,
) -> None:
    await _setup(services)
    for i in range(120):
        await services.drafts.create(G, 100, f"WSIS10-MPP/C{i:03d}/V2", "A draft", None)
    try:
        await services.comments.listing(G, None, "vision", None)
    except UserError as exc:
        assert len(str(exc)) < 400 and "/draft list" in str(exc)
    else:
        raise AssertionError("a section without its draft was accepted")
