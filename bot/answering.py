"""Every command gets an answer within Discord's 3 seconds, and is executed once.

- The deadline guard: a command still working after `DEFER_AFTER` seconds (a slow or locked
  database, a big export) is deferred ("Concord is thinking..."), so its answer can follow for
  15 minutes. Every deferral is private (SPEC section 3): Discord makes the first answer to a
  deferral exactly as private as the deferral, so only a private one lets an error stay
  private; a public success is then posted as a public follow-up and the private placeholder
  removed (`bot.ui.reply`).
- One acknowledgement: the guard and the command's own answer take a per-interaction lock, so
  they never both answer (Discord refuses the second with "already acknowledged").
- Inert input: control characters (NUL, and the ones PDFs leave in pasted text) are removed
  from every text option before the command sees it; both databases then store the same.
- Once per interaction: the tree records each interaction id before running it; a repeat
  (a gateway replay, a second process) is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import discord

from bot.text import clean_control

log = logging.getLogger(__name__)

#: Discord waits 3 s for the first response; a deferral needs one HTTP round trip of that.
DEFER_AFTER = 1.5

def ack_lock(interaction: discord.Interaction[Any]) -> asyncio.Lock:
    """The lock held by whoever acknowledges `interaction` (created on first use)."""
    lock = interaction.extras.get("ack_lock")
    if lock is None:
        lock = interaction.extras["ack_lock"] = asyncio.Lock()
    return lock


async def defer(interaction: discord.Interaction[Any]) -> None:
    """Defer (privately) unless already acknowledged, by the guard or anyone else."""
    async with ack_lock(interaction):
        if interaction.response.is_done():
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        interaction.extras["deferred_ephemeral"] = True


def start_deadline_guard(interaction: discord.Interaction[Any]) -> None:
    """Defer `interaction` if it is not answered within DEFER_AFTER seconds.

    A timer, not a sleeping task: most commands answer well within the time, and cancelling a
    timer costs nothing, while a task costs two turns of the event loop to start and cancel."""
    loop = asyncio.get_running_loop()

    def fire() -> None:
        interaction.extras["deadline_guard"] = loop.create_task(
            _defer_late(interaction), name=f"deadline-{interaction.id}"
        )

    interaction.extras["deadline_guard"] = loop.call_later(DEFER_AFTER, fire)


async def _defer_late(interaction: discord.Interaction[Any]) -> None:
    try:
        await defer(interaction)
    except discord.HTTPException as exc:
        log.warning("could not defer interaction %s in time: %s", interaction.id, exc)


def stop_deadline_guard(interaction: discord.Interaction[Any]) -> None:
    guard = interaction.extras.pop("deadline_guard", None)
    if isinstance(guard, asyncio.TimerHandle):
        guard.cancel()
    elif guard is not None and not guard.done():
        guard.cancel()  # the deferral had started: as before, stop it


def clean_options(options: Any) -> None:
    """Remove control characters from the text options of an interaction's data, in place."""
    for option in options or ():
        if option.get("type") == 3 and isinstance(option.get("value"), str):
            option["value"] = clean_control(option["value"])
        clean_options(option.get("options"))


async def claim_once(db: Any, interaction_id: int, now_ms: int) -> bool:
    """Record `interaction_id`; False when it was recorded before (execute it only once).

    One statement, committed on its own (no BEGIN/COMMIT around it): the primary key makes
    the insert of a given id succeed once, in whichever process or replay comes first. It
    does not wait for the disk (PostgreSQL's flush took 4-13 ms here, more than the rest of
    /upcoming): every durable write the command then makes flushes the claim with it, so a
    server crash can only lose the claim of an interaction that changed nothing durable."""
    inserted = await db.fetchval_unflushed(
        "INSERT INTO interactions (id, created_at) VALUES ($1, $2)"
        " ON CONFLICT (id) DO NOTHING RETURNING id",
        interaction_id,
        now_ms,
    )
    return inserted is not None


async def forget_old(db: Any, before_ms: int) -> None:
    """Drop claims older than any replay (Discord tokens live 15 minutes)."""
    with contextlib.suppress(Exception):
        await db.execute("DELETE FROM interactions WHERE created_at < $1", before_ms)
