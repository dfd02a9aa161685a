"""The mirror of Discord's own events (SPEC 11): keeps each server's Discord scheduled events in
step with its Concord meetings, outside any interaction.

A Concord command never waits for Discord here: the calendar commits, the mirror is poked, and
it reconciles each server of its shards: what the database says should exist
(DiscordEventsService.desired) against what it recorded Discord has (the mirror rows), step
by step (bot.domain.discord_events.plan_mirror). Exactly-once thinking:

- The intent is stored before the call: a "creating" row. If the process dies between
  Discord's answer and recording it, the next pass finds the row still "creating" and first
  looks for the Discord event on Discord (its description ends with "Concord #<id>") before
  creating one.
- discord.py retries a 500 by itself, which can create twice: after each create the server's
  events are listed and any other live copy of the same Concord event is deleted.
- A failed call (Discord down, 429 beyond discord.py's retries, a refusal) leaves the row as it
  was with a retry time (30 s, doubling, at most an hour): the next pass tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

import aiohttp
import discord

from bot.db.discord_events import DiscordEventRepository
from bot.db.shards import ShardFilter
from bot.domain.clock import Clock
from bot.domain.discord_events import (
    ACTIVE,
    CANCELED,
    CREATING,
    SCHEDULED,
    MirrorSpec,
    MirrorStep,
    Step,
    marked_event_id,
    plan_mirror,
    retry_delay,
)
from bot.services.discord_events import DiscordEventsService

log = logging.getLogger(__name__)


#: Discord's "Cannot update a finished event" (completed or cancelled).
FINISHED = 180000


class Gone(Exception):
    """Discord no longer has that scheduled event (10070 Unknown Guild Scheduled Event), or it
    is finished (180000) and cannot change."""


class ScheduledEventsAPI(Protocol):
    """The guild scheduled-event routes the mirror uses."""

    async def list(self, guild_id: int) -> list[dict[str, Any]]: ...
    async def create(self, guild_id: int, payload: dict[str, Any]) -> dict[str, Any]: ...
    async def edit(self, guild_id: int, event_id: int, payload: dict[str, Any]) -> None: ...
    async def delete(self, guild_id: int, event_id: int) -> None: ...
    async def interested(self, guild_id: int, event_id: int) -> set[int]: ...


class DiscordScheduledEvents:
    """The routes through discord.py's HTTP client (its rate-limit handling and retries)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def list(self, guild_id: int) -> list[dict[str, Any]]:
        data: Any = await self.client.http.get_scheduled_events(guild_id, False)
        return list(data)

    async def create(self, guild_id: int, payload: dict[str, Any]) -> dict[str, Any]:
        data: Any = await self.client.http.create_guild_scheduled_event(guild_id, **payload)
        return dict(data)

    async def edit(self, guild_id: int, event_id: int, payload: dict[str, Any]) -> None:
        try:
            await self.client.http.edit_scheduled_event(guild_id, event_id, **payload)
        except discord.NotFound as exc:
            raise Gone from exc
        except discord.HTTPException as exc:
            if exc.code == FINISHED:  # ended or cancelled on Discord: it cannot change again
                raise Gone from exc
            raise

    async def delete(self, guild_id: int, event_id: int) -> None:
        try:
            await self.client.http.delete_scheduled_event(guild_id, event_id)
        except discord.NotFound as exc:
            raise Gone from exc

    async def interested(self, guild_id: int, event_id: int) -> set[int]:
        """Every member who marked the event Interested (pages of 100)."""
        found: set[int] = set()
        after: int | None = None
        while True:
            try:
                page: Any = await self.client.http.get_scheduled_event_users(
                    guild_id, event_id, 100, False, after=after
                )
            except discord.NotFound as exc:
                raise Gone from exc
            ids = [int(item["user"]["id"]) for item in page]
            found.update(ids)
            if len(ids) < 100:
                return found
            after = max(ids)


_FAILURES = (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError)


class DiscordEventMirror:
    """Reconciles the servers of this process's shards; `run_once` is one pass."""

    def __init__(
        self,
        service: DiscordEventsService,
        api: ScheduledEventsAPI,
        clock: Clock,
        *,
        shards: ShardFilter | None = None,
        bot_user_id: int | None = None,
        poll_interval: float = 60.0,
    ) -> None:
        self.service = service
        self.repo: DiscordEventRepository = service.repo
        self.db = service.db
        self.api = api
        self.clock = clock
        self.shards = shards or ShardFilter()
        self.bot_user_id = bot_user_id
        self.poll_interval = poll_interval
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._pass_lock = asyncio.Lock()
        self.calls = 0  # Discord calls made, for tests and logs

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="discord-events-mirror")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    def poke(self) -> None:
        """Events or the setting changed: look again now."""
        self._wake.set()

    async def _loop(self) -> None:
        try:
            await self.catch_up_interested()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not read who is Interested in the mirrored Discord events")
        while not self._stopping:
            self._wake.clear()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the Discord events mirror failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    # ------------------------------------------------------------------ one pass

    async def run_once(self) -> int:
        """Reconcile every server of our shards; returns how many steps were taken."""
        async with self._pass_lock:
            done = 0
            for guild_id in await self.repo.guilds_to_mirror(self.shards):
                if self.shards.owns(guild_id):
                    done += await self.reconcile(guild_id)
            return done

    async def catch_up_interested(self) -> int:
        """At start-up: gateway events sent while no process listened are lost, so read who is
        Interested in each mirrored event and bring the Maybe answers from Discord in line.
        Returns how many answers changed."""
        changed = 0
        for guild_id in await self.repo.guilds_to_mirror(self.shards):
            if not self.shards.owns(guild_id):
                continue
            for row in await self.repo.mirrors(guild_id):
                if row.discord_id is None or row.state != "live":
                    continue
                try:
                    users = await self._call(self.api.interested(guild_id, row.discord_id))
                except Gone:
                    continue
                except _FAILURES as exc:
                    log.info("could not list Interested of %s: %s", row.discord_id, _describe(exc))
                    continue
                changed += await self.service.sync_interested(
                    guild_id, row.discord_id, users
                )
        return changed

    async def reconcile(self, guild_id: int) -> int:
        now = self.clock()
        desired = await self.service.desired(guild_id, now)
        steps = plan_mirror(desired.rows, desired.wanted, desired.cancelled, desired.started, now)
        for step in steps:
            try:
                await self._take(guild_id, step)
            except _FAILURES as exc:
                await self._failed(guild_id, step, exc)
        return len(steps)

    async def _take(self, guild_id: int, step: MirrorStep) -> None:
        row = step.row
        if step.step is Step.CREATE:
            assert step.spec is not None
            await self._create(guild_id, step.spec, resume=row is not None and row.state == CREATING)
        elif step.step is Step.UPDATE:
            assert step.spec is not None and row is not None and row.discord_id is not None
            try:
                await self._call(self.api.edit(guild_id, row.discord_id, step.spec.create_payload()))
            except Gone:
                # Deleted or cancelled on Discord by someone: make it again.
                await self._create(guild_id, step.spec, resume=False)
                return
            await self._record_live(step.event_id, row.discord_id, step.spec)
        elif step.step is Step.CANCEL:
            assert row is not None
            discord_id = row.discord_id or await self._find(guild_id, step.event_id)
            if discord_id is not None:
                with contextlib.suppress(Gone):
                    await self._call(self.api.edit(guild_id, discord_id, {"status": CANCELED}))
            async with self.db.transaction() as tx:
                await DiscordEventRepository.mark_cancelled(tx, step.event_id, self.clock())
        elif step.step is Step.DELETE:
            assert row is not None
            discord_id = row.discord_id or await self._find(guild_id, step.event_id)
            if discord_id is not None:
                with contextlib.suppress(Gone):
                    await self._call(self.api.delete(guild_id, discord_id))
            await self._forget(step.event_id)
        else:
            await self._forget(step.event_id)

    async def _create(self, guild_id: int, spec: MirrorSpec, *, resume: bool) -> None:
        """Create the Discord event, the intent recorded first; `resume`: the intent was
        recorded by an earlier pass whose outcome is unknown, so look for its result first."""
        found = await self._find(guild_id, spec.event_id) if resume else None
        if found is not None:
            with contextlib.suppress(Gone):
                await self._call(self.api.edit(guild_id, found, spec.create_payload()))
                await self._record_live(spec.event_id, found, spec)
                return
        async with self.db.transaction() as tx:
            await DiscordEventRepository.intend_create(tx, spec.event_id, guild_id, self.clock())
        created = await self._call(self.api.create(guild_id, spec.create_payload()))
        discord_id = int(created["id"])
        await self._record_live(spec.event_id, discord_id, spec)
        log.info("guild %s: meeting #%s is Discord event %s", guild_id, spec.event_id, discord_id)
        await self._drop_copies(guild_id, spec.event_id, keep=discord_id)

    async def _record_live(self, event_id: int, discord_id: int, spec: MirrorSpec) -> None:
        async with self.db.transaction() as tx:
            await DiscordEventRepository.mark_live(
                tx, event_id, discord_id, spec.fingerprint(), self.clock()
            )

    async def _forget(self, event_id: int) -> None:
        async with self.db.transaction() as tx:
            await DiscordEventRepository.forget(tx, event_id)

    async def _ours(self, guild_id: int, event_id: int) -> list[int]:
        """Live Discord events of the server that this bot made for Concord event `event_id`."""
        found = []
        for item in await self._call(self.api.list(guild_id)):
            if int(item.get("status") or 0) not in (SCHEDULED, ACTIVE):
                continue
            creator = item.get("creator_id")
            if self.bot_user_id is not None and creator is not None and int(creator) != self.bot_user_id:
                continue
            if marked_event_id(item.get("description")) == event_id:
                found.append(int(item["id"]))
        return found

    async def _find(self, guild_id: int, event_id: int) -> int | None:
        ours = await self._ours(guild_id, event_id)
        return ours[0] if ours else None

    async def _drop_copies(self, guild_id: int, event_id: int, *, keep: int) -> None:
        """Leave one Discord event for `event_id`: the oldest (the smallest snowflake), so two
        passes that raced settle on the same one; record it if it is not the one we made."""
        copies = set(await self._ours(guild_id, event_id)) | {keep}
        oldest = min(copies)
        for copy in sorted(copies - {oldest}):
            log.warning("deleting a second Discord event %s for Concord event #%s", copy, event_id)
            with contextlib.suppress(Gone):
                await self._call(self.api.delete(guild_id, copy))
        if oldest != keep:
            async with self.db.transaction() as tx:
                await DiscordEventRepository.mark_live(tx, event_id, oldest, "", self.clock())

    async def _call(self, call: Any) -> Any:
        self.calls += 1
        return await call

    async def _failed(self, guild_id: int, step: MirrorStep, exc: BaseException) -> None:
        row = await self.repo.mirror(step.event_id)
        if row is None:
            # It failed before any row existed (a create's look-up): record the intent, so
            # the retry time has a place and the next pass looks before creating.
            async with self.db.transaction() as tx:
                await DiscordEventRepository.intend_create(
                    tx, step.event_id, guild_id, self.clock()
                )
            attempts = 1
        else:
            attempts = row.attempts + 1
        now = self.clock()
        text = _describe(exc)
        level = logging.WARNING if isinstance(exc, discord.Forbidden) else logging.INFO
        log.log(level, "Discord event %s for #%s failed (%s); retrying", step.step, step.event_id, text)
        async with self.db.transaction() as tx:
            await DiscordEventRepository.mark_failed(
                tx, step.event_id, text, now + retry_delay(attempts), now
            )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, discord.HTTPException):
        return f"{exc.status} {exc.code}: {exc.text}"[:300]
    return f"{type(exc).__name__}: {exc}"[:300]

