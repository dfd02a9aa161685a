"""The reminder engine's share of Discord's limits: the global budget lets a channel whose
window reopened go before DMs (which no channel window holds back), and a channel's pacer
waits for its own 5-second window before the send takes a global slot."""

from __future__ import annotations

import asyncio
import time

from bot.discord_io.budget import ChannelPacer, GlobalBudget


async def test_a_channel_send_goes_before_waiting_dms() -> None:
    # window 0: a slot is free again as soon as its response is in, so the waiters are woken
    # by completed() alone, in the order they began to wait (no timers decide).
    budget = GlobalBudget(rate=1, window=0.0)
    await budget.acquire()  # the only slot is taken
    order: list[str] = []

    async def take(name: str, filler: bool) -> None:
        await budget.acquire(filler=filler)
        order.append(name)

    dms = [asyncio.create_task(take(f"dm{i}", True)) for i in range(3)]
    await asyncio.sleep(0)
    channel = asyncio.create_task(take("channel", False))  # asks last
    await asyncio.sleep(0)
    for _ in range(4):
        await budget.completed()  # one response in: one slot free
        for _ in range(5):
            await asyncio.sleep(0)
    await asyncio.wait_for(asyncio.gather(channel, *dms), 2)
    assert order == ["channel", "dm0", "dm1", "dm2"], order


async def test_dms_use_the_budget_when_no_channel_waits() -> None:
    budget = GlobalBudget(rate=3, window=1.0)
    for _ in range(3):
        await asyncio.wait_for(budget.acquire(filler=True), 0.5)  # no wait: slots are free


async def test_the_pacer_holds_the_sixth_message_until_the_window_ends() -> None:
    pacer = ChannelPacer(limit=5, window=0.2)
    began = time.monotonic()
    for _ in range(5):
        await pacer.wait()
        pacer.sent()
    assert time.monotonic() - began < 0.1  # five go at once
    await pacer.wait()  # the sixth waits for the window that began with the first
    assert time.monotonic() - began >= 0.2
    pacer.sent()
    await pacer.wait()  # a new window: room again
