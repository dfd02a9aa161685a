"""Discord's own events on both backends (SPEC 11): the setting, the mirror rows, which
process owns a server's mirror, and Interested as a Maybe attributed to Discord."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.db import Database
from bot.db.discord_events import DiscordEventRepository
from bot.db.shards import ShardFilter
from bot.domain.clock import FakeClock
from bot.domain.rsvp import RsvpStatus
from bot.errors import UserError
from bot.services import Services
from tests.storage.test_rsvp import dm_rows, meeting

GUILD = 1 << 22  # shard 1 of 2
OTHER = 2 << 22  # shard 0 of 2
COORD, ALICE, BOB = 10, 11, 12
DISCORD_ID = 555


async def mirrored(services: Services, db: Database) -> int:
    """A meeting, the setting on, and its Discord event recorded as live."""
    eid = await meeting(services)
    await services.discord_events.set_enabled(GUILD, COORD, True, can_manage_events=True)
    async with db.transaction() as tx:
        await DiscordEventRepository.intend_create(tx, eid, GUILD, services.clock())
        await DiscordEventRepository.mark_live(tx, eid, DISCORD_ID, "fp", services.clock())
    return eid


async def test_the_setting_is_off_by_default_refused_without_manage_events(
    services: Services,
) -> None:
    svc = services.discord_events
    assert not await svc.enabled(GUILD)
    with pytest.raises(UserError, match="Manage Events"):
        await svc.set_enabled(GUILD, COORD, True, can_manage_events=False)
    assert not await svc.enabled(GUILD)
    await meeting(services)
    changed = await svc.set_enabled(GUILD, COORD, True, can_manage_events=True)
    assert changed.enabled and not changed.was and changed.meetings == 1
    assert await svc.enabled(GUILD)
    changed = await svc.set_enabled(GUILD, COORD, False, can_manage_events=False)
    assert not changed.enabled and changed.was


async def test_each_process_mirrors_the_servers_of_its_shards(
    services: Services, db: Database
) -> None:
    svc = services.discord_events
    for guild in (GUILD, OTHER):
        await svc.set_enabled(guild, COORD, True, can_manage_events=True)
    repo = svc.repo
    assert await repo.guilds_to_mirror(ShardFilter()) == [GUILD, OTHER]
    assert await repo.guilds_to_mirror(ShardFilter(count=2, ids=(1,))) == [GUILD]
    assert await repo.guilds_to_mirror(ShardFilter(count=2, ids=(0,))) == [OTHER]
    # Turned off, a server stays on the list while it has Discord events to remove.
    await svc.set_enabled(OTHER, COORD, False, can_manage_events=True)
    assert await repo.guilds_to_mirror(ShardFilter(count=2, ids=(0,))) == []
    async with db.transaction() as tx:
        await DiscordEventRepository.intend_create(tx, 7, OTHER, services.clock())
    assert await repo.guilds_to_mirror(ShardFilter(count=2, ids=(0,))) == [OTHER]


async def test_mirror_rows_record_intent_outcome_and_failure(
    services: Services, db: Database, clock: FakeClock
) -> None:
    repo = services.discord_events.repo
    at = clock()
    async with db.transaction() as tx:
        await DiscordEventRepository.intend_create(tx, 3, GUILD, at)
    row = await repo.mirror(3)
    assert row is not None and row.state == "creating" and row.discord_id is None
    async with db.transaction() as tx:
        await DiscordEventRepository.mark_failed(tx, 3, "503", datetime(2014, 1, 1, tzinfo=UTC), at)
    row = await repo.mirror(3)
    assert row is not None and row.attempts == 1 and row.error == "503"
    assert row.retry_at == datetime(2014, 1, 1, tzinfo=UTC)
    async with db.transaction() as tx:
        await DiscordEventRepository.mark_live(tx, 3, 2**62, "fp", at)
    row = await repo.by_discord_id(GUILD, 2**62)
    assert row is not None and row.state == "live" and row.attempts == 0 and row.error is None
    async with db.transaction() as tx:
        await DiscordEventRepository.mark_cancelled(tx, 3, at)
        await DiscordEventRepository.intend_create(tx, 3, GUILD, at)  # it came back
    row = await repo.mirror(3)
    assert row is not None and row.state == "creating" and row.discord_id is None
    async with db.transaction() as tx:
        await DiscordEventRepository.forget(tx, 3)
    assert await repo.mirror(3) is None


async def test_interested_is_a_maybe_from_discord_that_never_overrides_concord(
    services: Services, db: Database
) -> None:
    eid = await mirrored(services, db)
    svc = services.discord_events
    await services.rsvp.answer(GUILD, BOB, eid, "going")
    assert await svc.interested(GUILD, ALICE, DISCORD_ID) is RsvpStatus.MAYBE
    assert await svc.interested(GUILD, BOB, DISCORD_ID) is None  # Going stays Going
    assert await svc.interested(GUILD, ALICE, 999) is None  # not a mirrored event
    answers = {a.user_id: a for a in await services.rsvp.repo.for_event(eid)}
    assert answers[ALICE].status is RsvpStatus.MAYBE and answers[ALICE].source == "discord"
    assert answers[BOB].status is RsvpStatus.GOING and answers[BOB].source == "concord"
    assert len(await dm_rows(db, ALICE)) == 2  # the 1d and 1h reminders, by DM

    # Leaving Interested removes only Discord's answer, and its DMs.
    assert not await svc.not_interested(GUILD, BOB, DISCORD_ID)
    assert await svc.not_interested(GUILD, ALICE, DISCORD_ID)
    assert await services.rsvp.repo.get(eid, ALICE) is None
    assert await dm_rows(db, ALICE) == []

    # Answered in Concord after Interested: the answer is Concord's and stays.
    await svc.interested(GUILD, ALICE, DISCORD_ID)
    await services.rsvp.answer(GUILD, ALICE, eid, "maybe")
    assert not await svc.not_interested(GUILD, ALICE, DISCORD_ID)
    kept = await services.rsvp.repo.get(eid, ALICE)
    assert kept is not None and kept.source == "concord"


async def test_desired_follows_the_setting_and_the_calendar(
    services: Services, db: Database, clock: FakeClock
) -> None:
    eid = await meeting(services)
    svc = services.discord_events
    assert (await svc.desired(GUILD, clock())).wanted == {}
    await svc.set_enabled(GUILD, COORD, True, can_manage_events=True)
    assert list((await svc.desired(GUILD, clock())).wanted) == [eid]
    await services.calendar.edit(GUILD, COORD, eid, status="cancelled")
    desired = await svc.desired(GUILD, clock())
    assert desired.wanted == {} and desired.cancelled == {eid}


async def test_v14_is_applied_to_a_database_that_saw_a_higher_number_first(db: Database) -> None:
    """V14 reserved here may merge after a database has seen a higher migration: it is applied
    by its number, whatever came before."""
    from bot.db.migrations import apply_migrations

    await db.execute("DROP TABLE discord_event_mirrors")
    await db.execute("DROP TABLE discord_event_settings")
    await db.execute("ALTER TABLE event_rsvps DROP COLUMN source")
    await db.execute("DELETE FROM schema_version WHERE version = 14")
    await db.execute("INSERT INTO schema_version (version) VALUES (15)")
    assert await apply_migrations(db) == 15
    assert await db.fetchval("SELECT COUNT(*) FROM discord_event_mirrors") == 0
    assert await db.fetchval("SELECT enabled FROM discord_event_settings") is None
    assert await db.fetchval("SELECT COUNT(source) FROM event_rsvps") == 0
