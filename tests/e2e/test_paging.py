"""Paged answers end to end: buttons that keep turning after a restart, and /upcoming that reads
one page of a 20,000-event calendar while ten members ask at once."""

from __future__ import annotations

import asyncio
import re
import string
from datetime import timedelta
from typing import Any

import discord
import pytest

from benchmarks.common import analyze, answer_latency, bulk_insert
from bot import paging
from bot.db.database import to_ms
from bot.domain.clock import FakeClock
from bot.domain.models import Event, EventKind
from bot.emulator import InteractionResult, SentMessage
from bot.harness import World, run_bot_in_process

pytestmark = pytest.mark.e2e

ID_RE = re.compile(r"\*\*#(\d+)\*\*")
PAGE_RE = re.compile(r"Page (\d+)/(\d+)")
REFUSAL = "These buttons belong to whoever ran the command; run it yourself to page."


def button(msg: SentMessage, label: str) -> dict[str, Any]:
    """The button of `msg` whose label contains `label`."""
    for row in msg.components:
        for item in row.get("components") or []:
            if label in str(item.get("label") or ""):
                return dict(item)
    raise AssertionError(f"no {label!r} button on {msg.id}: {msg.components}")


async def press(world: World, user: Any, msg: SentMessage, label: str) -> InteractionResult:
    """Press the `label` button of `msg` as `user`; an unanswered click fails within 3 s."""
    return await world.emu.click(
        user, msg, str(button(msg, label)["custom_id"]), guild=world.guild, channel=world.channel,
        timeout=3,
    )


def page_number(content: str) -> tuple[int, int]:
    m = PAGE_RE.search(content)
    assert m, content
    return int(m.group(1)), int(m.group(2))


def fits(msg: SentMessage) -> None:
    assert len(msg.content) <= 2000, len(msg.content)
    for item in (i for row in msg.components for i in row.get("components") or []):
        assert len(str(item.get("custom_id"))) <= 100, item


async def test_upcoming_pages_turn_after_a_restart(world: World, db_url: str, clock: FakeClock) -> None:
    now = clock()
    async with run_bot_in_process(world.emu, db_url, clock=clock) as running:
        events = [
            Event(
                id=0, guild_id=world.guild.id, title=f"Meeting {i}", kind=EventKind.MEETING,
                start=now + timedelta(hours=1 + i), end=None, all_day=False, timezone="UTC",
            )
            for i in range(60)
        ]
        await running.services.calendar.repo.insert_many(events, now)
        res = await world.run(world.bob, "upcoming", days=30)
        first = res.original
        assert first is not None and not res.ephemeral
        fits(first)
        assert page_number(first.content)[0] == 1 and "· 60" in first.content
        page1 = [int(x) for x in ID_RE.findall(first.content)]
        assert button(first, "Previous").get("disabled")

    # A new bot on the same database and emulator: nothing of the first one's memory is left.
    async with run_bot_in_process(world.emu, db_url, clock=clock):
        turned = await press(world, world.bob, first, "Next")
        assert turned.original is not None and not turned.errors
        msg = turned.original
        fits(msg)
        assert page_number(msg.content)[0] == 2
        page2 = [int(x) for x in ID_RE.findall(msg.content)]
        assert page2 and min(page2) > max(page1)

        # Only whoever asked turns the pages, after a restart too.
        refused = await press(world, world.alice, msg, "Next")
        assert refused.ephemeral and refused.content == REFUSAL
        assert page_number(msg.content)[0] == 2

        back = await press(world, world.bob, msg, "Previous")
        assert back.original is not None
        assert [int(x) for x in ID_RE.findall(back.original.content)] == page1


def big_draft(comment_words: int = 15) -> bytes:
    """A draft with 53 sections and a long comment on each pillar: several pages of comments
    and of coverage."""
    lines = ["# C99 A big draft", "", "## Vision", "", "The vision.", "", "## Pillars", ""]
    for letter in string.ascii_lowercase:
        lines += [f"{letter}) Pillar text {letter}.",
                  f"· ISOC, Civil Society: {letter} " + "words " * comment_words, ""]
    lines += ["## Targets", ""]
    for letter in string.ascii_lowercase:
        lines += [f"{letter}) Target text {letter}.", ""]
    return "\n".join(lines).encode()


async def test_comment_and_coverage_pages_turn_after_a_restart(
    world: World, db_url: str, clock: FakeClock
) -> None:
    async with run_bot_in_process(world.emu, db_url, clock=clock) as running:
        await running.services.drafts.import_markdown(world.guild.id, world.coordinator.id, big_draft())
        listed = await world.run(world.carol, "comments list", draft="c99")
        covered = await world.run(world.bob, "coverage", draft="C99")
    for res in (listed, covered):
        assert res.original is not None
        fits(res.original)
        assert page_number(res.content) == (1, page_number(res.content)[1])
        assert page_number(res.content)[1] > 1

    async with run_bot_in_process(world.emu, db_url, clock=clock):
        assert listed.original is not None and covered.original is not None
        first_ids = ID_RE.findall(listed.original.content)
        turned = await press(world, world.carol, listed.original, "Next")
        assert turned.original is not None and page_number(turned.original.content)[0] == 2
        fits(turned.original)
        assert not set(ID_RE.findall(turned.original.content)) & set(first_ids)

        turned = await press(world, world.bob, covered.original, "Next")
        assert turned.original is not None and page_number(turned.original.content)[0] == 2
        fits(turned.original)
        refused = await press(world, world.carol, covered.original, "Previous")
        assert refused.ephemeral and refused.content == REFUSAL


async def test_comment_pages_hold_six_and_a_late_click_shows_the_last_page(
    world: World, db_url: str, clock: FakeClock
) -> None:
    """/comments list answers with six comments a page, each page read on its own; a click on
    a page the listing no longer reaches (comments hidden since) shows its last page."""
    async with run_bot_in_process(world.emu, db_url, clock=clock) as running:
        svc = running.services
        await svc.drafts.import_markdown(world.guild.id, world.coordinator.id, big_draft(3))
        everything = []
        for page in range(5):
            listed = await svc.comments.listing(world.guild.id, "C99", page=page)
            everything += [c.id for c in listed.comments]
        assert len(everything) == 26
        res = await world.run(world.carol, "comments list", draft="c99")
        msg = res.original
        assert msg is not None and page_number(msg.content) == (1, 5)
        assert msg.content.startswith("**Comments on C99** (26)\n")
        assert [int(x) for x in ID_RE.findall(msg.content)] == everything[:6]
        for page in range(1, 4):
            turned = await press(world, world.carol, msg, "Next")
            assert turned.original is not None and not turned.errors
            msg = turned.original
            fits(msg)
            assert page_number(msg.content) == (page + 1, 5)
            assert [int(x) for x in ID_RE.findall(msg.content)] == everything[6 * page : 6 * page + 6]
        for cid in everything[:14]:
            await svc.comments.hide(world.guild.id, world.coordinator.id, cid, "Advertising")
        late = await press(world, world.carol, msg, "Next")  # page 5 of what are now 2
        assert late.original is not None and not late.errors
        assert page_number(late.original.content) == (2, 2)
        assert [int(x) for x in ID_RE.findall(late.original.content)] == everything[20:]
        assert button(late.original, "Next").get("disabled")
        back = await press(world, world.carol, late.original, "Previous")
        assert back.original is not None and page_number(back.original.content) == (1, 2)
        assert [int(x) for x in ID_RE.findall(back.original.content)] == everything[14:20]


async def test_draft_outline_and_list_pages_turn_after_a_restart(
    world: World, db_url: str, clock: FakeClock
) -> None:
    async with run_bot_in_process(world.emu, db_url, clock=clock) as running:
        await running.services.drafts.import_markdown(world.guild.id, world.coordinator.id, big_draft())
        for i in range(60):
            await running.services.drafts.create(
                world.guild.id, world.coordinator.id, f"D{i:02d}", "A draft with a long title " * 3, None
            )
        outline = await world.run(world.bob, "draft show", code="C99")
        listed = await world.run(world.bob, "draft list")
    for res in (outline, listed):
        assert res.original is not None and page_number(res.content)[1] > 1

    async with run_bot_in_process(world.emu, db_url, clock=clock):
        for res in (outline, listed):
            assert res.original is not None
            turned = await press(world, world.bob, res.original, "Next")
            assert turned.original is not None and page_number(turned.original.content)[0] == 2
            fits(turned.original)


async def test_member_and_reminder_lists_page_with_lasting_buttons(
    world: World, db_url: str, clock: FakeClock
) -> None:
    async with run_bot_in_process(world.emu, db_url, clock=clock) as running:
        svc = running.services
        gid = world.guild.id
        for i in range(80):
            await svc.stakeholders.register(
                gid, 10_000 + i, f"Member {i}", f"Organization number {i} of the process", "Government"
            )
        for i in range(60):
            await svc.reminders.remind(
                guild_id=gid, user_id=world.alice.id, when=f"in {i + 1} hours",
                text=f"Reminder {i} " + "text " * 10, timezone="UTC", channel_id=world.channel.id,
            )
        members = await world.run(world.bob, "stakeholder list")
        reminders = await world.run(world.alice, "reminders list")
    for res in (members, reminders):
        assert res.original is not None
        fits(res.original)
        assert page_number(res.content)[0] == 1
    assert reminders.ephemeral

    async with run_bot_in_process(world.emu, db_url, clock=clock):
        for user, res in ((world.bob, members), (world.alice, reminders)):
            assert res.original is not None
            turned = await press(world, user, res.original, "Next")
            assert turned.original is not None and page_number(turned.original.content)[0] == 2


EVENT_COLUMNS = (
    "guild_id", "title", "kind", "start_at", "end_at", "all_day", "timezone", "location",
    "tentative", "status", "created_at", "updated_at", "span_ms",
)


async def test_ten_concurrent_upcoming_over_20000_events_answer_in_time(
    world: World, db_url: str, clock: FakeClock
) -> None:
    now = clock()
    now_ms = to_ms(now)
    kinds = ("meeting", "deadline", "window")
    rows = []
    for i in range(20_000):
        start = now_ms + i * 1_500_000  # every 25 minutes: all 20,000 within 366 days
        kind = kinds[i % 3]
        end = None if kind == "deadline" else start + 2 * 3600_000
        rows.append((world.guild.id, f"Meeting {i} of the WSIS+10 MPP", kind, start, end, 0,
                     "UTC", f"Room {i % 40}", 0, "scheduled", now_ms, now_ms,
                     0 if end is None else end - start))
    await bulk_insert(db_url, "events", EVENT_COLUMNS, rows)
    await analyze(db_url)

    world.emu.enforce_interaction_deadline = True
    users = [world.emu.add_user(f"reader{i}") for i in range(10)]
    for user in users:
        world.emu.add_member(world.guild, user)
    async with run_bot_in_process(world.emu, db_url, clock=clock):
        await world.run(world.bob, "upcoming", days=1)  # warm up
        results = await asyncio.gather(
            *(world.run(user, "upcoming", days=366, timeout=20) for user in users)
        )
        latencies = sorted(answer_latency(res) for res in results)
        print("10 concurrent /upcoming days:366 over 20,000 events (s):",
              [round(x, 3) for x in latencies])
        for res in results:
            assert not res.errors, res.errors
            assert res.original is not None
            fits(res.original)
            assert "**Upcoming events** · next 366 days · more than 1,000" in res.content
            assert page_number(res.content)[0] == 1
        assert latencies[-1] < 3.0

        # Further pages on demand.
        first = results[0]
        assert first.original is not None
        turned = await press(world, users[0], first.original, "Next")
        assert turned.original is not None and page_number(turned.original.content)[0] == 2
        fits(turned.original)


def many_events_ics(n: int) -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:e{i}@test\r\nSUMMARY:Imported meeting number {i} of the process\r\n"
        f"DTSTART:20140{1 + i % 9}{10 + i % 18}T090000Z\r\nEND:VEVENT\r\n"
        for i in range(n)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{body}END:VCALENDAR\r\n".encode()


async def test_kept_and_retired_pages_say_to_run_the_command_again_after_a_restart(
    world: World, db_url: str, clock: FakeClock
) -> None:
    async with run_bot_in_process(world.emu, db_url, clock=clock) as running:
        res = await world.run(
            world.coordinator, "event import",
            attachments={"file": ("big.ics", many_events_ics(60))},
        )
        summary = res.messages[-1]
        fits(summary)
        assert page_number(summary.content)[0] == 1
        turned = await press(world, world.coordinator, summary, "Next")  # kept in memory
        assert turned.original is not None and page_number(turned.original.content)[0] == 2

        # A message from before lasting pages: its buttons were "page:prev" and "page:next".
        old = discord.ui.View(timeout=None)
        old.add_item(discord.ui.Button(label="Next ▶", custom_id="page:next"))
        channel = running.bot.get_channel(world.channel.id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("Page 1/2", view=old)
        retired = world.emu.get_message(sent.id)
        assert retired is not None

    paging._kept.clear()  # a new process starts without the pages the last one kept
    async with run_bot_in_process(world.emu, db_url, clock=clock):
        for msg in (summary, retired):
            gone = await press(world, world.coordinator, msg, "Next")
            assert gone.ephemeral and gone.content == paging.GONE
