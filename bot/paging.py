"""Paged answers whose buttons keep working across restarts.

A *pager* is a named async function that renders one page of a listing from the services:
``(interaction, args, index) -> Page``. The Previous/Next buttons are one `DynamicItem` whose
custom id carries everything a click needs, ``pg:<pager>:<index>:<owner>:<args>`` (at most 100
characters), so a click on a message sent before a restart is answered by rendering that page
again: no state lives in the process. `ConcordBot.setup_hook` registers the buttons once.

Cogs register their pagers with `@pager("name")` and answer with `send_paged`. Answers that
cannot be rendered again (an import's summary) go through `bot.ui.send_pages`, which keeps their
pages in memory under the "kept" pager; after a restart those buttons say to run the command
again instead of failing.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import discord

from bot.errors import UserError
from bot.i18n import Msg, tr
from bot.limits import CUSTOM_ID_LIMIT
from bot.ui import NO_PINGS, lang_of, reply

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]

NOT_YOURS = Msg("These buttons belong to whoever ran the command; run it yourself to page.")
GONE = Msg("These pages are no longer kept (the bot has restarted since); run the command again.")
FAILED = Msg("Sorry, I couldn't turn the page. It has been logged; please run the command again.")
KEPT_ANSWERS = 500  # answers whose pages `send_pages` keeps in memory, newest first


@dataclass(frozen=True, slots=True)
class Page:
    """One rendered page: its text (without the footer), its index and how many pages there
    are; `more` when `count` is a lower bound (a capped count)."""

    text: str
    index: int = 0
    count: int = 1
    more: bool = False

    @classmethod
    def of(cls, pages: Sequence[str], index: int) -> Page:
        """Page `index` of pre-rendered `pages` (the nearest one if the listing shrank)."""
        if not pages:
            return cls("Nothing to show.")
        index = min(max(index, 0), len(pages) - 1)
        return cls(pages[index], index, len(pages))

    @property
    def single(self) -> bool:
        return self.count <= 1 and not self.more

    @property
    def has_next(self) -> bool:
        return self.more or self.index < self.count - 1

    def content(self, lang: str = "en") -> str:
        """The message: the text and, when there are several pages, "Page 2/7" (in `lang`)."""
        if self.single:
            return self.text
        page = tr(lang, "Page {page}/{count}", page=self.index + 1, count=self.count)
        return f"{self.text}\n-# {page}{'+' if self.more else ''}"


Pager = Callable[[Interaction, str, int], Awaitable[Page]]
PAGERS: dict[str, Pager] = {}
_NAME = re.compile(r"[a-z][a-z0-9-]{0,15}")


def pager(name: str) -> Callable[[Pager], Pager]:
    """Register the decorated function as the pager `name` (a stable name: it is in the custom
    ids of messages already sent)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"pager name {name!r} must be 1-16 lowercase letters, digits or dashes")

    def register(function: Pager) -> Pager:
        PAGERS[name] = function
        return function

    return register


async def render(name: str, interaction: Interaction, args: str, index: int) -> Page:
    function = PAGERS.get(name)
    if function is None:
        raise UserError(GONE)
    return await function(interaction, args, index)


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pg:(?P<pager>[a-z][a-z0-9-]*):(?P<index>\d{1,7}):(?P<owner>\d{1,20}):(?P<args>.*)",
):
    """Previous or Next: shows page `index` of `pager(args)`, for `owner` only."""

    def __init__(
        self, pager: str, index: int, owner: int, args: str, *, label: str, disabled: bool = False
    ) -> None:
        custom_id = f"pg:{pager}:{index}:{owner}:{args}"
        if len(custom_id) > CUSTOM_ID_LIMIT:
            raise ValueError(f"custom id {custom_id!r} is longer than {CUSTOM_ID_LIMIT}")
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id,
                disabled=disabled,
            )
        )
        self.pager = pager
        self.index = index
        self.owner = owner
        self.args = args

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        label = getattr(item, "label", None) or "Next ▶"
        return cls(
            match["pager"], int(match["index"]), int(match["owner"]), match["args"], label=label
        )

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        if interaction.user.id != self.owner:
            await reply(interaction, NOT_YOURS, ephemeral=True)
            return False
        return True

    async def callback(self, interaction: Interaction) -> None:
        from bot.app import choose_language  # bot.app builds on this module

        try:
            await choose_language(interaction)
            page = await render(self.pager, interaction, self.args, self.index)
        except UserError as exc:
            await reply(interaction, exc.message, ephemeral=True)
            return
        except Exception:
            log.exception(
                "page %s of %s(%r) failed for user %s in guild %s",
                self.index, self.pager, self.args, interaction.user.id, interaction.guild_id,
            )
            await reply(interaction, FAILED, ephemeral=True)
            return
        lang = lang_of(interaction)
        view = page_view(self.pager, self.args, self.owner, page, lang)
        await interaction.response.edit_message(
            content=page.content(lang), view=view, allowed_mentions=NO_PINGS
        )


class RetiredPageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"page:(prev|next)"):
    """The buttons of answers sent before lasting pages existed ("page:prev"/"page:next"):
    their pages were only in memory, so a click says to run the command again."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(custom_id=custom_id))

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RetiredPageButton:
        return cls(match.group(0))

    async def callback(self, interaction: Interaction) -> None:
        await reply(interaction, GONE, ephemeral=True)


#: What `ConcordBot.setup_hook` registers with `add_dynamic_items`.
DYNAMIC_ITEMS = (PageButton, RetiredPageButton)


def fits_custom_id(name: str, args: str, owner: int) -> bool:
    """Whether a lasting button of pager `name` can carry `args` (ids hold 100 characters)."""
    return len(f"pg:{name}:9999999:{owner}:{args}") <= CUSTOM_ID_LIMIT


def page_view(
    name: str, args: str, owner: int, page: Page, lang: str = "en"
) -> discord.ui.View | None:
    """Previous/Next buttons for `page`, or None when there is a single page. The view holds
    nothing but the buttons (timeout None: nothing to expire, the custom ids are the state)."""
    if page.single:
        return None
    view = discord.ui.View(timeout=None)
    first = page.index == 0
    view.add_item(
        PageButton(name, page.index if first else page.index - 1, owner, args,
                   label="◀ " + tr(lang, "Previous"), disabled=first)
    )
    last = not page.has_next
    view.add_item(
        PageButton(name, page.index if last else page.index + 1, owner, args,
                   label=tr(lang, "Next") + " ▶", disabled=last)
    )
    return view


async def send_paged(
    interaction: Interaction, name: str, args: str, first: Page, *, ephemeral: bool = False
) -> None:
    """Answer with `first` (page 0 of pager `name` for `args`) and, when there are more pages,
    buttons that render the others from the pager, for whoever ran the command."""
    lang = lang_of(interaction)
    view = page_view(name, args, interaction.user.id, first, lang)
    extra: dict[str, Any] = {} if view is None else {"view": view}
    await reply(interaction, first.content(lang), ephemeral=ephemeral, **extra)


async def send_listing(
    interaction: Interaction, name: str, args: str, pages: Sequence[str], *, ephemeral: bool = False
) -> None:
    """`send_paged` for a pager that renders its whole (bounded) listing and picks a page."""
    await send_paged(interaction, name, args, Page.of(pages, 0), ephemeral=ephemeral)


# ---------------------------------------------------------------- answers kept in memory

_kept: OrderedDict[str, list[str]] = OrderedDict()


@pager("kept")
async def kept_page(interaction: Interaction, token: str, index: int) -> Page:
    """A page of an answer `send_kept` keeps in memory (gone after a restart)."""
    pages = _kept.get(token)
    if pages is None:
        raise UserError(GONE)
    return Page.of(pages, index)


async def send_kept(
    interaction: Interaction, pages: Sequence[str], *, ephemeral: bool = False
) -> None:
    """Answer with pages that cannot be rendered again (an import's summary): the newest
    KEPT_ANSWERS answers keep them in memory for their buttons."""
    first = Page.of(pages, 0)
    token = ""
    if not first.single:
        token = secrets.token_urlsafe(9)
        _kept[token] = list(pages)
        while len(_kept) > KEPT_ANSWERS:
            _kept.popitem(last=False)
    await send_paged(interaction, "kept", token, first, ephemeral=ephemeral)
