"""Commands under database faults (issue 11.2, 11.7, 11.15): a held SQLite lock and a stalled
PostgreSQL still get an answer within Discord's 3 seconds, say plainly what happened, and a
retry of the same comment is recognised instead of stored twice. Interactions delivered twice
run once. Faults are real: another connection holds SQLite's write lock; a TCP proxy between
the bot and PostgreSQL stops passing bytes.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from bot.db.database import sqlite_path
from bot.domain.clock import FakeClock
from bot.harness import RunningBot, World, run_bot_in_process
from tests.faults import StallingProxy, sqlite_write_lock

pytestmark = pytest.mark.e2e


async def prepare(world: World) -> None:
    """A draft with an open window and a registered stakeholder (Alice)."""
    coord = world.coordinator
    await world.run(coord, "draft create", code="C11", title="International cooperation")
    await world.run(coord, "draft section", code="C11", section="vision", text="The vision.")
    await world.run(coord, "draft window", code="C11", when="1 November 2013 - 24 January 2014")
    await world.run(world.alice, "stakeholder register", organization="ISOC", group="Civil Society")


async def comment_count(bot: RunningBot) -> int:
    return int(await bot.db.fetchval("SELECT COUNT(*) FROM comments"))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_held_sqlite_lock_gets_an_answer_in_time_that_says_nothing_was_saved(
    world: World, bot: RunningBot, db_url: str
) -> None:
    await prepare(world)
    world.emu.enforce_interaction_deadline = True  # a late first answer is refused, as Discord does
    async with sqlite_write_lock(sqlite_path(db_url)):
        started = time.monotonic()
        res = await world.run(world.alice, "comment", draft="C11", section="vision", text="Support.")
        held_for = time.monotonic() - started
    assert res.deferred and res.latency is not None and res.latency < 3
    # Deferred privately (SPEC 3), so the refusal that follows stays private.
    assert res.ephemeral and res.original is not None and res.original.ephemeral
    assert not res.followups
    assert "nothing was saved" in res.text() and "again" in res.text()
    assert held_for > 4.5  # it waited for the lock (busy_timeout) before giving up
    assert await comment_count(bot) == 0
    # The lock is gone: the same command now works.
    res = await world.run(world.alice, "comment", draft="C11", section="vision", text="Support.")
    assert "Recorded **#1**" in res.text()


@pytest.fixture
async def proxy() -> AsyncIterator[StallingProxy]:
    proxy = await StallingProxy("127.0.0.1", 5432).start()
    try:
        yield proxy
    finally:
        await proxy.stop()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_stalled_postgresql_still_answers_and_a_retry_is_not_stored_twice(
    world: World, db_url: str, clock: FakeClock, proxy: StallingProxy
) -> None:
    assert urlsplit(db_url).port == 5432
    async with run_bot_in_process(world.emu, proxy.url(db_url), clock=clock) as bot:
        await prepare(world)
        world.emu.enforce_interaction_deadline = True
        async with proxy.stalled():
            pending = asyncio.create_task(
                world.run(world.alice, "comment", draft="C11", section="vision", text="Support.")
            )
            await asyncio.sleep(4)  # longer than Discord waits for a first answer
        res = await pending
        assert res.deferred and res.latency is not None and res.latency < 3
        # Deferred privately; the confirmation is a public follow-up and the private
        # placeholder is removed.
        assert res.ephemeral and res.original is None
        [posted] = res.followups
        assert not posted.ephemeral and "Recorded **#1**" in posted.content
        # The member did not see it in time and posts the same again: one comment, one answer.
        again = await world.run(world.alice, "comment", draft="C11", section="vision", text="Support.")
        assert again.ephemeral and "Already recorded as **#1**" in again.text()
        assert await comment_count(bot) == 1
        # Different text is a different comment.
        other = await world.run(world.alice, "comment", draft="C11", section="vision", text="More.")
        assert "Recorded **#2**" in other.text()


async def test_slow_public_answers_and_their_errors(
    world: World, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow command defers privately (SPEC 3): its success is a public follow-up with the
    private placeholder removed, and its failure stays private."""
    await prepare(world)
    res = await world.run(world.bob, "draft export", code="C11", format="docx")
    assert res.deferred and res.ephemeral and res.original is None
    [posted] = res.followups
    assert not posted.ephemeral and posted.attachments[0][0] == "C11.docx"

    def broken(_doc: object) -> bytes:
        raise RuntimeError("the word processor library failed")

    # (The module the bot loaded as an extension, not an earlier import of it.)
    monkeypatch.setattr(sys.modules["cogs.drafts"], "render_docx", broken)
    res = await world.run(world.bob, "draft export", code="C11", format="docx")
    assert res.deferred and res.ephemeral and not res.followups
    assert res.original is not None and res.original.ephemeral
    assert "Sorry, something went wrong" in res.content


async def test_an_interaction_delivered_twice_runs_once(world: World, bot: RunningBot) -> None:
    await prepare(world)
    res = await world.run(world.alice, "comment", draft="C11", section="vision", text="Once.")
    assert "Recorded **#1**" in res.text()
    # The gateway delivers the very same interaction again (a replay after a resume).
    session = world.emu._live_session_for(world.guild.id)
    assert session is not None
    session.dispatch("INTERACTION_CREATE", res.payload)
    await asyncio.sleep(0.5)
    assert await comment_count(bot) == 1


async def test_control_characters_in_options_are_removed_on_both_backends(
    world: World, bot: RunningBot
) -> None:
    await prepare(world)
    res = await world.run(
        world.alice, "comment", draft="C11", section="vision", text="Sup\x00port\x01 from\x0cISOC."
    )
    assert "Recorded **#1**" in res.text(), res.text()
    body = await bot.db.fetchval("SELECT body FROM comments")
    assert body == "Support from\nISOC."
    res = await world.run(
        world.coordinator, "event add", title="ICANN\x00 49", when="23 March 2014 09:00"
    )
    assert "ICANN 49" in res.text(), res.text()


async def test_an_event_added_again_is_in_the_calendar_once(world: World, bot: RunningBot) -> None:
    first = await world.run(world.coordinator, "event add", title="ICANN 49", when="23-27 March 2014")
    assert "Added to the calendar" in first.text()
    again = await world.run(world.coordinator, "event add", title="ICANN 49", when="23-27 March 2014")
    assert again.ephemeral and "in the calendar once" in again.text()
    assert await bot.db.fetchval("SELECT COUNT(*) FROM events") == 1


async def test_an_ics_bigger_than_declared_stops_reading_at_the_limit(
    world: World, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.e2e.test_drafts import _declare_sizes

    content = b"BEGIN:VCALENDAR\r\n" + b"X-FILLER:" + b"x" * (20 * 1024 * 1024) + b"\r\n"
    store = _declare_sizes(world, monkeypatch, {"big.ics": 1000})
    res = await world.run(
        world.coordinator, "event import", attachments={"file": ("big.ics", content)}, timeout=30
    )
    assert res.text().startswith("big.ics is larger than 1 MB"), res.text()
    assert store.downloads == 1
    assert await bot.db.fetchval("SELECT COUNT(*) FROM events") == 0
