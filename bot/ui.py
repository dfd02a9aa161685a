"""Discord-side helpers shared by the cogs: ephemeral errors, paging, size limits."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import discord

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 2000
PAGE_BUDGET = 1900  # room for a "Page 2/7" footer
NO_PINGS = discord.AllowedMentions.none()


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


class PageView(discord.ui.View):
    """Previous/next buttons over pre-rendered pages; only the person who asked can turn them."""

    def __init__(self, pages: Sequence[str], owner_id: int, *, timeout: float = 600) -> None:
        super().__init__(timeout=timeout)
        self.pages = list(pages)
        self.owner_id = owner_id
        self.index = 0
        self._sync()

    def render(self) -> str:
        footer = f"\n-# Page {self.index + 1}/{len(self.pages)}"
        return self.pages[self.index] + footer

    def _sync(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "These buttons belong to whoever ran the command; run it yourself to page.",
                ephemeral=True,
            )
            return False
        return True

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary, custom_id="page:prev")
    async def previous(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        self.index = max(0, self.index - 1)
        self._sync()
        await interaction.response.edit_message(content=self.render(), view=self)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary, custom_id="page:next")
    async def next(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        self.index = min(len(self.pages) - 1, self.index + 1)
        self._sync()
        await interaction.response.edit_message(content=self.render(), view=self)


async def send_pages(
    interaction: discord.Interaction[Any], pages: Sequence[str], *, ephemeral: bool = False
) -> None:
    """Answer with one page, or the first page and buttons to turn the others."""
    if len(pages) <= 1:
        await reply(interaction, pages[0] if pages else "Nothing to show.", ephemeral=ephemeral)
        return
    view = PageView(pages, interaction.user.id)
    await reply(interaction, view.render(), ephemeral=ephemeral, view=view)


async def reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    ephemeral: bool = False,
    **kwargs: Any,
) -> None:
    """Answer an interaction whether or not it was deferred; never pings anyone."""
    if content is not None and len(content) > MESSAGE_LIMIT:
        raise ValueError(f"message of {len(content)} characters would exceed Discord's limit")
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    if not interaction.response.is_done():
        await interaction.response.send_message(content, ephemeral=ephemeral, **kwargs)
        return
    deferred = interaction.response.type == discord.InteractionResponseType.deferred_channel_message
    if deferred and not interaction.extras.get("answered"):
        # The answer to a deferred command replaces its "thinking..." message.
        interaction.extras["answered"] = True
        files = list(kwargs.pop("files", []))
        if "file" in kwargs:
            files.append(kwargs.pop("file"))
        if files:
            kwargs["attachments"] = files
        await interaction.edit_original_response(content=content, **kwargs)
        return
    await interaction.followup.send(content or discord.utils.MISSING, ephemeral=ephemeral, **kwargs)
