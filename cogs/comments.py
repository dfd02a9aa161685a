"""/comment, /comments list|edit|withdraw and /coverage: stakeholders' input on the drafts."""

from __future__ import annotations

from typing import Literal

from discord import app_commands
from discord.ext import commands

from bot.domain.comments import Coverage, Listing, Posted
from bot.domain.models import Comment
from bot.domain.sections import section_label
from bot.domain.stakeholders import abbreviation
from bot.domain.timefmt import ts
from bot.errors import UserError
from bot.paging import GONE, Page, pager, send_listing
from bot.ui import MESSAGE_LIMIT, PAGE_BUDGET, chunk_lines, inert, reply, truncate
from cogs._autocomplete import draft_autocomplete, group_autocomplete, section_autocomplete
from cogs._common import Interaction, guild_id, services

PREVIEW = 150
GAP = "-"
_LABEL_MAX = 16
_TABLE_BUDGET = 1400


# ------------------------------------------------------------------ formatting


def quoted(text: str) -> str:
    """`text` as a Markdown block quote, line by line."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))


def quote_within(head: str, text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`head`, then `text` quoted; a text too long for one message is shortened, with a note
    saying the whole text was recorded (never cut silently)."""
    message = f"{head}\n{quoted(text)}"
    if len(message) <= limit:
        return message
    note = (
        f"\n-# Shortened for Discord; all {len(text):,} characters were recorded"
        " (`/draft export` has the full text)."
    )
    room = limit - len(head) - len(note) - 1
    shown = text[:room]
    while shown and len(quoted(shown.rstrip() + "…")) > room:
        shown = shown[: len(shown) - (len(quoted(shown.rstrip() + "…")) - room)]
    return f"{head}\n{quoted(shown.rstrip() + '…')}{note}"


def posted_message(posted: Posted, limit: int = MESSAGE_LIMIT) -> str:
    """The confirmation of /comment: number, draft, section, attribution, kind and the text."""
    c = posted.comment
    head = (
        f"Recorded **#{c.id}** on **{posted.draft.code} · {section_label(c.section_key)}**"
        f" (revision {c.revision}) as **{c.attribution}** · {c.kind.value}:"
    )
    return quote_within(head, c.text, limit)


def comment_item(comment: Comment, draft_code: str | None) -> str:
    """One listed comment: its line of facts, then a one-line preview of its text."""
    where = section_label(comment.section_key)
    if draft_code:
        where = f"{draft_code} {where}"
    edited = " · edited" if comment.edited_at else ""
    preview = truncate(" ".join(comment.text.split()), PREVIEW)
    return (
        f"**#{comment.id}** · {where} · {comment.attribution} · {comment.kind.value} ·"
        f" {ts(comment.created_at, 'R')}{edited}\n> {preview}"
    )


def listing_pages(listing: Listing) -> list[str]:
    scope = []
    if listing.draft is not None:
        scope.append(listing.draft.code)
    if listing.section is not None:
        scope.append(section_label(listing.section.key))
    what = "Comments" + (f" on {' · '.join(scope)}" if scope else "")
    if listing.group is not None:
        what += f" by {listing.group}"
    if not listing.comments:
        return [f"No {what[0].lower()}{what[1:]} yet."]
    shown = len(listing.comments)
    if listing.total > shown or listing.capped:
        total = f"more than {listing.total:,}" if listing.capped else f"{listing.total:,}"
        header = (
            f"**{what}**: the latest {shown:,} of {total};"
            " narrow it with the draft, section and group options."
        )
    else:
        header = f"**{what}** ({shown:,})"
    one_draft = listing.draft is not None
    items = [
        comment_item(c, None if one_draft else listing.drafts.get(c.draft_id, "?"))
        for c in listing.comments
    ]
    return chunk_lines(items, header=header)


def coverage_pages(coverage: Coverage) -> list[str]:
    """Sections x stakeholder groups as monospace tables, a legend, and the gaps; each page
    under Discord's limit."""
    draft = coverage.draft
    header = f"**Coverage of {draft.code}** {draft.title} · {coverage.total:,} comments"
    if not coverage.sections:
        return [f"{header}\n{draft.code} has no sections yet."]
    labels = {s.id: truncate(section_label(s.key), _LABEL_MAX) for s in coverage.sections}
    width = max(len("Section"), *(len(v) for v in labels.values()))
    short = column_names(coverage.groups)
    columns = [short[g] for g in coverage.groups]
    head = "Section".ljust(width) + "".join(f" {c:>4}" for c in columns) + "  All"
    rows = []
    for section in coverage.sections:
        cells = [coverage.count(section, g) for g in coverage.groups]
        rows.append(
            labels[section.id].ljust(width)
            + "".join(f" {(str(n) if n else GAP):>4}" for n in cells)
            + f" {sum(cells):>4}"
        )
    blocks: list[str] = []
    current: list[str] = []
    for row in rows:
        if current and len("\n".join([head, *current, row])) + 8 > _TABLE_BUDGET:
            blocks.append("```\n" + "\n".join([head, *current]) + "\n```")
            current = []
        current.append(row)
    blocks.append("```\n" + "\n".join([head, *current]) + "\n```")
    legend = (
        "-# "
        + ", ".join(f"{short[g]} = {inert(g)}" for g in coverage.groups)
        + f"; {GAP} = a gap (no comments from that group)."
    )
    gaps = coverage.gaps()
    if gaps:
        n = sum(len(groups) for _, groups in gaps)
        gap_lines = [f"**Gaps** ({n}):"] + [
            f"- {section_label(s.key)}: {', '.join(short[g] for g in groups)}"
            for s, groups in gaps
        ]
    else:
        gap_lines = ["No gaps: every stakeholder group has commented on every section."]
    return chunk_lines([*blocks, legend, *gap_lines], limit=PAGE_BUDGET, header=header)


def column_names(groups: list[str]) -> dict[str, str]:
    """Each group's column heading (at most four characters): the five's abbreviations, a
    short form for a server's own, numbered where two would look alike."""
    names: dict[str, str] = {}
    for group in groups:
        name = abbreviation(group)[:4]
        n = 1
        while name in names.values():
            n += 1
            name = abbreviation(group)[: 4 - len(str(n))] + str(n)
        names[group] = name
    return names


# ------------------------------------------------------------------ pages


def listing_args(listing: Listing) -> str:
    """The pager arguments of a listing, as resolved: "C11:pillar-b:Civil Society" (draft
    code, section key, group; each may be empty; a group name holds no colon)."""
    draft = listing.draft.code if listing.draft is not None else ""
    section = listing.section.key if listing.section is not None else ""
    return f"{draft}:{section}:{listing.group or ''}"


@pager("comments")
async def comments_page(interaction: Interaction, args: str, index: int) -> Page:
    """Page `index` of /comments list, listed again from the database."""
    try:
        draft, section, chosen = args.split(":")
    except ValueError:
        raise UserError(GONE) from None
    listing = await services(interaction).comments.listing(
        guild_id(interaction), draft or None, section or None, chosen or None
    )
    return Page.of(listing_pages(listing), index)


@pager("coverage")
async def coverage_page(interaction: Interaction, draft: str, index: int) -> Page:
    """Page `index` of /coverage, counted again from the database."""
    result = await services(interaction).comments.coverage(guild_id(interaction), draft)
    return Page.of(coverage_pages(result), index)


# ------------------------------------------------------------------ commands

Kind = Literal["comment", "amendment", "deletion"]


@app_commands.guild_only()
class CommentCommands(app_commands.Group, name="comments"):
    """Stakeholders' comments on the drafts."""

    @app_commands.command(name="list")
    @app_commands.describe(
        draft="Only this draft", section="Only this section (of the draft)", group="Only this group"
    )
    @app_commands.autocomplete(
        draft=draft_autocomplete, section=section_autocomplete, group=group_autocomplete
    )
    async def list_(
        self,
        interaction: Interaction,
        draft: str | None = None,
        section: str | None = None,
        group: str | None = None,
    ) -> None:
        """List comments, newest first."""
        listing = await services(interaction).comments.listing(
            guild_id(interaction), draft, section, group
        )
        await send_listing(interaction, "comments", listing_args(listing), listing_pages(listing))

    @app_commands.command(name="edit")
    @app_commands.describe(id="The comment's number (#12 is 12)", text="The new text")
    async def edit(
        self, interaction: Interaction, id: app_commands.Range[int, 1], text: str
    ) -> None:
        """Change the text of your comment while the comment window is open."""
        comment = await services(interaction).comments.edit(
            guild_id(interaction), interaction.user.id, id, text
        )
        head = (
            f"Edited **#{comment.id}** · {section_label(comment.section_key)} ·"
            f" {comment.attribution}:"
        )
        await reply(interaction, quote_within(head, comment.text), ephemeral=True)

    @app_commands.command(name="withdraw")
    @app_commands.describe(id="The comment's number (#12 is 12)")
    async def withdraw(self, interaction: Interaction, id: app_commands.Range[int, 1]) -> None:
        """Withdraw your comment while the comment window is open."""
        comment = await services(interaction).comments.withdraw(
            guild_id(interaction), interaction.user.id, id
        )
        await reply(
            interaction,
            f"Withdrew **#{comment.id}** on {section_label(comment.section_key)}; it no longer"
            " appears in lists, coverage or the consolidated text.",
            ephemeral=True,
        )


class CommentCog(commands.Cog):
    """The `/comments` group and the top-level commands of this area. The group is a class
    attribute, so loading, unloading and reloading the extension adds and removes it too."""

    comments = CommentCommands()

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="comment")
    @app_commands.guild_only()
    @app_commands.describe(
        draft="The draft, e.g. C11",
        section="The section: vision, pillar-a ... pillar-e, target-a",
        text="Your comment (at most 4,000 characters)",
        kind="comment (default), amendment (proposed replacement text) or deletion",
    )
    @app_commands.autocomplete(draft=draft_autocomplete, section=section_autocomplete)
    async def comment(
        self,
        interaction: Interaction,
        draft: str,
        section: str,
        text: str,
        kind: Kind = "comment",
    ) -> None:
        """Comment on a section of a draft, attributed to your organization and group."""
        posted = await services(interaction).comments.add(
            guild_id(interaction), interaction.user.id, draft, section, text, kind
        )
        if not posted.new:
            c = posted.comment
            await reply(
                interaction,
                f"Already recorded as **#{c.id}** ({ts(c.created_at, 'R')}): the same text on"
                f" {posted.draft.code} · {section_label(c.section_key)}; nothing was added."
                " To change it, use `/comments edit`.",
                ephemeral=True,
            )
            return
        await reply(interaction, posted_message(posted))

    @app_commands.command(name="coverage")
    @app_commands.guild_only()
    @app_commands.describe(draft="The draft")
    @app_commands.autocomplete(draft=draft_autocomplete)
    async def coverage(self, interaction: Interaction, draft: str) -> None:
        """Which stakeholder groups have commented on which sections, and the gaps."""
        result = await services(interaction).comments.coverage(guild_id(interaction), draft)
        await send_listing(interaction, "coverage", result.draft.code, coverage_pages(result))


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(CommentCog(bot))
