"""Subscriptions to outside calendars (SPEC 11), on both backends, against a real HTTP server
on loopback whose feed changes between checks."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.db.shards import ShardFilter
from bot.domain.clock import FakeClock
from bot.domain.feeds import FetchRefused
from bot.domain.models import EventStatus
from bot.errors import UserError
from bot.services import Services
from bot.services.ical_fetch import GuardedResolver, fetch_calendar
from bot.subscriptions import SubscriptionRunner
from tests.outside_calendar import OutsideCalendar, VEvent, calendar

GUILD = 1 << 22  # shard 1 of 2
COORD = 7


def at(month: int, day: int, hour: int = 9, year: int = 2014) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


def t(dt: datetime, style: str = "F") -> str:
    return f"<t:{int(dt.timestamp())}:{style}>"


@pytest.fixture
async def outside() -> AsyncIterator[OutsideCalendar]:
    async with OutsideCalendar() as server:
        yield server


@pytest.fixture
def subs(services: Services) -> Services:
    services.subscriptions.allow_private = True  # the outside calendar is on 127.0.0.1
    return services


FIRST = [
    VEvent("1", "ICANN 49", at(3, 23), at(3, 23, 17)),
    VEvent("2", "IGF MAG", at(2, 19, 10)),
    VEvent("3", "WSIS Forum", at(5, 13)),
    VEvent("4", "CSTD 17", at(5, 12)),
    VEvent("5", "An old meeting", at(1, 1, year=2013)),
]
SECOND = [
    VEvent("1", "ICANN 49", at(3, 24), at(3, 24, 17)),  # moved a day
    VEvent("2", "IGF MAG", at(2, 19, 10), concord_status="postponed"),
    VEvent("3", "WSIS Forum", at(5, 13), status="CANCELLED"),
    # 4 is gone
    VEvent("5", "An old meeting", at(1, 2, year=2013)),  # moved, but long past: not announced
    VEvent("6", "NETmundial", at(4, 23)),
]


async def announcements(services: Services) -> list[str]:
    return [body for _state, body in await services.subscriptions.repo.announcements(GUILD)]


async def test_changes_are_applied_announced_and_reminders_follow(
    subs: Services, outside: OutsideCalendar
) -> None:
    outside.body = calendar(FIRST)
    first = await subs.subscriptions.subscribe(GUILD, COORD, outside.url())
    sub = first.subscription
    assert first.counts["new"] == 5 and sub.event_count == 5 and sub.name == "ITU events"
    stored = await subs.subscriptions.repo.events(subs.db, GUILD, sub.id)
    assert sorted(stored) == [f"sub{sub.id}:{n}" for n in "12345"]
    icann = stored[f"sub{sub.id}:1"]
    reminders = await subs.reminder_repo.for_event(icann.id)
    assert len(reminders) == 3 and not any(r.rescheduled for r in reminders)
    assert (await announcements(subs)) == [
        f"Now following the calendar **ITU events** (subscription #{sub.id}): 5 events added;"
        " changes will be announced here."
    ]

    outside.body = calendar(SECOND)
    result = await subs.subscriptions.check(sub)
    assert result.outcome == "changed"
    assert dict(result.counts) == {"moved": 2, "postponed": 1, "cancelled": 1, "removed": 1,
                                   "new": 1}
    message = (await announcements(subs))[-1]
    lines = message.splitlines()
    assert lines[0] == f"Changes in the calendar **ITU events** (subscription #{sub.id}):"
    assert lines[1:] == [
        f"New: **NETmundial** {t(at(4, 23))} ({t(at(4, 23), 'R')})",
        f"Moved: **ICANN 49** from {t(at(3, 23))} – {t(at(3, 23, 17), 't')}"
        f" ({t(at(3, 23), 'R')}) to {t(at(3, 24))} – {t(at(3, 24, 17), 't')}"
        f" ({t(at(3, 24), 'R')})",
        f"Postponed: **IGF MAG** (was {t(at(2, 19, 10))} ({t(at(2, 19, 10), 'R')}))",
        f"Cancelled: **WSIS Forum** (was {t(at(5, 13))} ({t(at(5, 13), 'R')}))",
        f"Removed from the calendar: **CSTD 17** (was {t(at(5, 12))} ({t(at(5, 12), 'R')}))"
        "",
    ]
    # The reminders moved with the meeting (marked rescheduled, as /event edit does); the
    # postponed, cancelled and removed events have none left.
    moved = await subs.reminder_repo.for_event(icann.id)
    assert len(moved) == 3 and all(r.rescheduled for r in moved)
    assert min(r.due_at for r in moved) == at(3, 24) - timedelta(days=7)
    after = await subs.subscriptions.repo.events(subs.db, GUILD, sub.id)
    assert after[f"sub{sub.id}:2"].status is EventStatus.POSTPONED
    assert after[f"sub{sub.id}:3"].status is EventStatus.CANCELLED
    assert f"sub{sub.id}:4" not in after
    for n in "23":
        assert await subs.reminder_repo.for_event(after[f"sub{sub.id}:{n}"].id) == []
    assert await subs.reminder_repo.for_event(stored[f"sub{sub.id}:4"].id) == []

    # Unchanged since: a conditional request (If-None-Match) answered 304, nothing announced.
    count = len(await announcements(subs))
    again = await subs.subscriptions.check(result.subscription)
    assert again.outcome == "unchanged" and outside.not_modified == 1
    assert outside.requests[-1][1] is not None
    assert len(await announcements(subs)) == count

    # Back on: the postponed meeting is scheduled again.
    outside.body = calendar([*SECOND[:1], VEvent("2", "IGF MAG", at(2, 20, 10)), *SECOND[2:]])
    back = await subs.subscriptions.check(again.subscription)
    assert dict(back.counts) == {"moved": 1}
    assert f"Moved: **IGF MAG** from {t(at(2, 19, 10))}" in (await announcements(subs))[-1]


async def test_two_feeds_with_the_same_uids_do_not_collide(
    subs: Services, outside: OutsideCalendar
) -> None:
    outside.body = calendar([VEvent("1", "ICANN 49", at(3, 23))])
    outside.other = calendar([VEvent("1", "IETF 89", at(3, 2))], name=None)
    one = (await subs.subscriptions.subscribe(GUILD, COORD, outside.url())).subscription
    two = (await subs.subscriptions.subscribe(GUILD, COORD, outside.url("/other.ics"))).subscription
    assert two.label == "127.0.0.1"  # no X-WR-CALNAME: the host names it
    titles = {e.title for e in await subs.calendar.repo.all(GUILD)}
    assert titles == {"ICANN 49", "IETF 89"}
    with pytest.raises(UserError, match=f"already follows that calendar as subscription #{one.id}"):
        await subs.subscriptions.subscribe(GUILD, COORD, outside.url())

    sub, removed = await subs.subscriptions.unsubscribe(GUILD, COORD, f"#{one.id}")
    assert removed == 1 and sub.id == one.id
    assert [e.title for e in await subs.calendar.repo.all(GUILD)] == ["IETF 89"]
    assert [s.id for s in await subs.subscriptions.for_guild(GUILD)] == [two.id]
    with pytest.raises(UserError, match="no subscription"):
        await subs.subscriptions.unsubscribe(GUILD, COORD, str(one.id))


async def test_a_failing_feed_keeps_its_events_and_says_why(
    subs: Services, outside: OutsideCalendar, clock: FakeClock
) -> None:
    outside.body = calendar(FIRST[:2])
    sub = (await subs.subscriptions.subscribe(GUILD, COORD, outside.url())).subscription
    outside.fail = True
    clock.advance(hours=1)
    failed = await subs.subscriptions.check(sub)
    assert failed.outcome == "failed" and failed.error == "it answered HTTP 500 Internal Server Error"
    stored = failed.subscription
    assert stored.error == failed.error and stored.checked_at == clock.now
    assert stored.ok_at == clock.now - timedelta(hours=1) and stored.event_count == 2
    assert len(await subs.calendar.repo.all(GUILD)) == 2

    outside.fail = False
    outside.body = b"<html>maintenance</html>"
    failed = await subs.subscriptions.check(stored)
    assert failed.outcome == "failed" and "web page (HTML)" in (failed.error or "")
    assert len(await subs.calendar.repo.all(GUILD)) == 2

    outside.body = calendar(FIRST[:1])
    recovered = await subs.subscriptions.check(failed.subscription)
    assert recovered.outcome == "changed" and recovered.subscription.error is None
    assert dict(recovered.counts) == {"removed": 1}


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/big.ics", "larger than 1 MB"),
        ("/big-chunked.ics", "larger than 1 MB"),
        ("/loop-a", "redirects in a loop"),
        ("/hop/7", "redirects more than 5 times"),
        ("/page", "a web page (HTML), not an iCalendar file"),
        ("/broken.ics", "couldn't read"),
    ],
)
async def test_bad_feeds_are_refused_with_a_reason(
    subs: Services, outside: OutsideCalendar, path: str, reason: str
) -> None:
    with pytest.raises(UserError, match=re.escape(reason)):
        await subs.subscriptions.subscribe(GUILD, COORD, outside.url(path))
    assert await subs.subscriptions.for_guild(GUILD) == []
    assert await subs.calendar.repo.all(GUILD) == []


async def test_redirects_within_the_limit_are_followed(
    subs: Services, outside: OutsideCalendar
) -> None:
    outside.body = calendar(FIRST[:1])
    result = await subs.subscriptions.subscribe(GUILD, COORD, outside.url("/hop/5"))
    assert result.subscription.event_count == 1


async def test_private_addresses_are_refused_unless_allowed(
    services: Services, outside: OutsideCalendar
) -> None:
    outside.body = calendar(FIRST[:1])
    assert services.subscriptions.allow_private is False
    for url in (outside.url(), outside.url(host="localhost"), outside.url(host="[::1]"),
                "http://10.1.2.3/cal.ics", "http://169.254.169.254/latest/meta-data",
                "http://[::ffff:127.0.0.1]/cal.ics"):
        with pytest.raises(UserError, match=r"private or local network|is this machine"):
            await services.subscriptions.subscribe(GUILD, COORD, url)
    assert outside.requests == []  # nothing was even asked
    for url in ("ftp://example.org/cal.ics", "file:///etc/passwd", "example.org/cal.ics"):
        with pytest.raises(UserError, match="starting with http:// or https://"):
            await services.subscriptions.subscribe(GUILD, COORD, url)
    assert await services.subscriptions.for_guild(GUILD) == []


async def test_names_are_checked_by_every_address_they_resolve_to() -> None:
    resolver = GuardedResolver()
    try:
        with pytest.raises(FetchRefused, match="private or local network"):
            await resolver.resolve("localhost", 80)
    finally:
        await resolver.close()


async def test_every_redirect_hop_is_checked(outside: OutsideCalendar) -> None:
    """A public calendar that redirects to a private address is refused at that hop. Here
    127.0.0.1 plays the public address (the test's only server), ::1 and 10.0.0.1 the private
    ones."""
    outside.body = calendar(FIRST[:1])

    def public(address: str) -> bool:
        return address == "127.0.0.1"

    fetched = await fetch_calendar(outside.url("/hop/2"), is_allowed=public)
    assert fetched.data == outside.body
    for target in (f"http://[::1]:{outside.port}/cal.ics", "http://10.0.0.1/cal.ics",
                   f"http://localhost:{outside.port}/cal.ics"):
        with pytest.raises(FetchRefused, match=r"private or local network|is this machine"):
            await fetch_calendar(outside.url(f"/away?to={target}"), is_allowed=public)
    with pytest.raises(FetchRefused, match="not an http"):
        await fetch_calendar(outside.url("/away?to=file:///etc/passwd"), is_allowed=public)


async def test_the_runner_checks_due_subscriptions_and_sends_each_announcement_once(
    subs: Services, outside: OutsideCalendar, clock: FakeClock
) -> None:
    sent: list[tuple[tuple[str, int], str, str]] = []

    class Recording:
        async def prepare(self, target: tuple[str, int]) -> None:
            return None  # announcements go to a channel: nothing to open

        async def send(
            self, target: tuple[str, int], content: str, nonce: str, *,
            mention_role: int | None = None,
        ) -> int:
            sent.append((target, content, nonce))
            return 1000 + len(sent)

    outside.body = calendar(FIRST[:1])
    sub = (await subs.subscriptions.subscribe(GUILD, COORD, outside.url())).subscription
    mine = SubscriptionRunner(subs.subscriptions, subs.settings, Recording(), clock,
                              shards=ShardFilter(count=2, ids=(1,)))
    other = SubscriptionRunner(subs.subscriptions, subs.settings, Recording(), clock,
                               shards=ShardFilter(count=2, ids=(0,)))
    # No reminder channel: the announcement is skipped, not kept forever.
    assert await mine.deliver() == 0
    assert [s for s, _ in await subs.subscriptions.repo.announcements(GUILD)] == ["skipped"]
    await subs.settings.set_reminder_channel(GUILD, COORD, 555)

    outside.body = calendar([VEvent("1", "ICANN 49", at(3, 25), at(3, 25, 17))])
    assert await mine.run_once() == 0  # not due yet (checked every 60 minutes)
    clock.advance(minutes=61)
    assert await other.run_once() == 0  # another process's shard
    assert await mine.run_once() == 1
    assert len(sent) == 1
    target, content, nonce = sent[0]
    assert target == ("channel", 555) and "Moved: **ICANN 49**" in content
    assert nonce.startswith("feed-") and len(nonce) <= 25
    assert await mine.deliver() == 0 and len(sent) == 1
    states = [s for s, _ in await subs.subscriptions.repo.announcements(GUILD)]
    assert states == ["skipped", "sent"]
    assert (await subs.subscriptions.repo.get(GUILD, sub.id)) is not None


async def test_a_check_has_a_total_time_limit(outside: OutsideCalendar) -> None:
    with pytest.raises(FetchRefused, match=r"did not answer completely within 0\.5 seconds"):
        await fetch_calendar(outside.url("/slow.ics"), allow_private=True, seconds=0.5)


async def test_two_checks_at_once_announce_once(subs: Services, outside: OutsideCalendar) -> None:
    outside.body = calendar(FIRST[:2])
    sub = (await subs.subscriptions.subscribe(GUILD, COORD, outside.url())).subscription
    outside.body = calendar([VEvent("1", "ICANN 49", at(3, 26)), FIRST[1]])
    results = await asyncio.gather(subs.subscriptions.check(sub), subs.subscriptions.check(sub))
    assert sorted(r.outcome for r in results) == ["changed", "unchanged"]
    bodies = await announcements(subs)
    assert len(bodies) == 2 and sum("Moved: **ICANN 49**" in b for b in bodies) == 1
    reminders = await subs.reminder_repo.for_event(
        (await subs.subscriptions.repo.events(subs.db, GUILD, sub.id))[f"sub{sub.id}:1"].id
    )
    assert len(reminders) == 3 and all(r.rescheduled for r in reminders)


class ChangingDns(AbstractResolver):
    """A DNS server that answers `calendar.example` with each of `answers` in turn (a
    rebinding attacker answers a public address first, then a private one)."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked = 0

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        address = self.answers[min(self.asked, len(self.answers) - 1)]
        self.asked += 1
        return [ResolveResult(hostname=host, host=address, port=port, family=socket.AF_INET,
                              proto=0, flags=0)]

    async def close(self) -> None:
        pass


async def test_the_connection_goes_to_the_address_that_was_checked(
    outside: OutsideCalendar,
) -> None:
    """The name is resolved once, by the guard, and the connection is made to that checked
    address: 127.0.0.1 plays the public address here, 10.0.0.1 the private one."""
    outside.body = calendar(FIRST[:1])

    def public(address: str) -> bool:
        return address == "127.0.0.1"

    async def get(dns: ChangingDns) -> bytes:
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(public, inner=dns), use_dns_cache=False
        )
        async with aiohttp.ClientSession(connector=connector) as http, http.get(
            f"http://calendar.example:{outside.port}/cal.ics"
        ) as response:
            return await response.read()

    dns = ChangingDns("127.0.0.1", "10.0.0.1")
    assert await get(dns) == outside.body and dns.asked == 1  # connected where it checked
    with pytest.raises(FetchRefused, match="private or local network"):
        await get(dns)  # the second answer is private: refused before any connection


async def test_a_server_follows_at_most_twenty_calendars(
    subs: Services, outside: OutsideCalendar, clock: FakeClock
) -> None:
    async with subs.db.transaction() as tx:
        for n in range(20):
            await subs.subscriptions.repo.add(
                tx, guild_id=GUILD, url=f"https://example.org/{n}.ics", name=None,
                created_by=COORD, at=clock.now, next_check=clock.now,
            )
    outside.body = calendar(FIRST[:1])
    with pytest.raises(UserError, match="follows 20 calendars already"):
        await subs.subscriptions.subscribe(GUILD, COORD, outside.url())
    assert outside.requests == []  # refused before fetching anything


async def test_apscheduler_drives_the_rounds(
    subs: Services, outside: OutsideCalendar, clock: FakeClock
) -> None:
    """The runner's alarm is apscheduler (every `tick_seconds`; a minute in the bot); each
    round checks what the injected clock says is due."""
    outside.body = calendar(FIRST[:1])
    sub = (await subs.subscriptions.subscribe(GUILD, COORD, outside.url())).subscription
    runner = SubscriptionRunner(subs.subscriptions, subs.settings, Silent(), clock,
                                shards=ShardFilter(), tick_seconds=0.1)
    await runner.start()
    try:
        clock.advance(minutes=61)
        outside.body = calendar(FIRST[:2])
        async with asyncio.timeout(10):
            while await count(subs, sub.id) != 2:
                await asyncio.sleep(0.05)
    finally:
        await runner.stop()
    await asyncio.sleep(0.05)  # AsyncIOScheduler.shutdown takes effect on the loop's next turn
    assert not runner.scheduler.running


async def count(services: Services, subscription_id: int) -> int:
    found = await services.subscriptions.repo.get(GUILD, subscription_id)
    return found.event_count if found is not None else -1


class Silent:
    async def prepare(self, target: tuple[str, int]) -> None:
        return None  # nothing to open

    async def send(
        self, target: tuple[str, int], content: str, nonce: str, *, mention_role: int | None = None
    ) -> int:
        return 1
