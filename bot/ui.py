"""Discord-side helpers shared by the cogs: ephemeral errors, paging, size limits."""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any

import discord

from bot.answering import ack_lock
from bot.i18n import from_discord, render
from bot.limits import MESSAGE_LIMIT
from bot.text import strip_bidi

log = logging.getLogger(__name__)


PAGE_BUDGET = 1900  # room for a "Page 2/7" footer
NO_PINGS = discord.AllowedMentions.none()


#: Every character escape_markdown or strip_bidi can act on: Markdown's `_ \ ~ | * ``, the
#: `[` of a masked link, the `>` of a quote, the `#` of a heading, the `-` of a list, and the
#: bidirectional overrides. Text without any of them comes out of `inert` unchanged.
_MAYBE_ACTIVE = re.compile("[_\\\\~|*`\\[>#\\-\u202a-\u202e\u2066-\u2069]")


def lang_of(interaction: discord.Interaction[Any]) -> str:
    """The language `interaction` is answered in: chosen by the tree before the command ran
    (the member's setting, their client's, the server's), else their client's, else English."""
    chosen = interaction.extras.get("lang")
    if isinstance(chosen, str):
        return chosen
    return from_discord(interaction.locale) or "en"


def inert(text: str) -> str:
    """User text made safe to show inside the bot's own formatting (SPEC section 8): Markdown
    escaped (discord.py's escape_markdown, which leaves bare links alone), so a masked link
    `[text](url)` shows its URL in plain sight, and bidirectional overrides removed. Pings are
    prevented separately, by NO_PINGS on every message."""
    if _MAYBE_ACTIVE.search(text) is None:
        return text  # nothing to escape or strip: the common case, at one scan
    if len(text) <= 200:
        return _inert_short(text)  # names and codes repeat in every listing
    return discord.utils.escape_markdown(strip_bidi(text))


@functools.lru_cache(maxsize=4096)
def _inert_short(text: str) -> str:
    return discord.utils.escape_markdown(strip_bidi(text))


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis, for one-line previews only."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def chunk_lines(lines: Iterable[str], limit: int = PAGE_BUDGET, header: str = "") -> list[str]:
    """Pack lines into pages of at most `limit` characters without splitting a line.

    A single line longer than a page is split at the limit (its continuation marked), so no
    item is ever silently dropped.
    """
    pages: list[str] = []
    current = header
    for line in lines:
        pieces = [line]
        room = limit - len(header) - 1
        if len(line) > room:
            pieces = [line[i : i + room - 2] for i in range(0, len(line), room - 2)]
            pieces = [p + " …" if i < len(pieces) - 1 else p for i, p in enumerate(pieces)]
        for piece in pieces:
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) > limit and current and current != header:
                pages.append(current)
                current = f"{header}\n{piece}" if header else piece
            else:
                current = candidate
    if current and (current != header or not pages):
        pages.append(current)
    return pages or [header or "Nothing to show."]


async def send_pages(
    interaction: discord.Interaction[Any], pages: Sequence[str], *, ephemeral: bool = False
) -> None:
    """Answer with one page, or the first page and buttons to turn the others.

    For answers that cannot be rendered again: the pages stay in memory, so their buttons stop
    after a restart. A listing registers a pager instead (`bot.paging`), whose buttons last.
    """
    from bot.paging import send_kept  # bot.paging builds on this module

    await send_kept(interaction, pages, ephemeral=ephemeral)


async def reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    ephemeral: bool = False,
    **kwargs: Any,
) -> discord.Message | None:
    """Answer an interaction whether or not it was deferred; never pings anyone. Holds the
    interaction's acknowledgement lock, so a deadline deferral never answers it twice.
    Returns the message that carries the answer, when Discord said which. A `Msg` is
    translated into the reader's language."""
    if content is not None:
        content = render(content, lang_of(interaction))
    if content is not None and len(content) > MESSAGE_LIMIT:
        raise ValueError(f"message of {len(content)} characters would exceed Discord's limit")
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    async with ack_lock(interaction):
        return await _answer(interaction, content, ephemeral, kwargs)


#: What the private placeholder says for the moment between a deferral and the public answer.
POSTED = "Done; the answer is in the channel."


async def _answer(
    interaction: discord.Interaction[Any], content: str | None, ephemeral: bool, kwargs: Any
) -> discord.Message | None:
    if not interaction.response.is_done():
        sent = await interaction.response.send_message(content, ephemeral=ephemeral, **kwargs)
        resource = sent.resource if sent is not None else None
        return resource if isinstance(resource, discord.Message) else None
    deferred = interaction.response.type == discord.InteractionResponseType.deferred_channel_message
    if deferred and not interaction.extras.get("answered"):
        interaction.extras["answered"] = True
        if not ephemeral and interaction.extras.get("deferred_ephemeral"):
            # A private "thinking..." and a public answer. Discord makes the first answer to a
            # deferral as private as the deferral, so: end the private loading state, post the
            # answer as a public follow-up, then remove the private placeholder.
            await interaction.edit_original_response(content=POSTED)
            posted = await interaction.followup.send(content or discord.utils.MISSING, **kwargs)
            with contextlib.suppress(discord.HTTPException):
                await interaction.delete_original_response()
            return posted
        # The answer to a deferred command replaces its "thinking..." message.
        files = list(kwargs.pop("files", []))
        if "file" in kwargs:
            files.append(kwargs.pop("file"))
        if files:
            kwargs["attachments"] = files
        return await interaction.edit_original_response(content=content, **kwargs)
    return await interaction.followup.send(
        content or discord.utils.MISSING, ephemeral=ephemeral, **kwargs
    )
