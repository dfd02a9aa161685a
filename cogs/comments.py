"""/comment, /comments list|show|edit|withdraw|hide|restore and /coverage: stakeholders' input
on the drafts. The public message that announced a comment follows the record: it is edited
when the comment is edited, withdrawn, hidden or restored."""

from __future__ import annotations

import logging
from typing import Literal

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.domain.comments import Changed, Coverage, Listing, Posted
from bot.domain.models import CommentKind
from bot.domain.sections import section_label
from bot.domain.stakeholders import abbreviation
from bot.domain.timefmt import ts
from bot.errors import UserError
from bot.forms import FORM_TEXT_LIMIT, form, install, open_form
from bot.i18n import N_, Msg, Translator, group_name, number, tr
from bot.paging import GONE, Page, pager, send_listing, send_paged
from bot.ui import (
    MESSAGE_LIMIT,
    NO_PINGS,
    PAGE_BUDGET,
    chunk_lines,
    inert,
    lang_of,
    reply,
    send_pages,
    truncate,
)
from cogs._autocomplete import draft_autocomplete, group_autocomplete, section_autocomplete
from cogs._comment_views import (
    ItemWords,
    announcement,
    edited_answer,
    fit_items,
    hidden_answer,
    hidden_dm,
    item_facts,
    item_preview,
    regrouped_answer,
    restored_answer,
    restored_dm,
    show_pages,
)
from cogs._common import Interaction, check_coordinator, coordinator_only, guild_id, services

GONE_FORM = Msg("That form no longer fits what it was opened on; run the command again.")

log = logging.getLogger(__name__)

GAP = "-"
_LABEL_MAX = 16
_TABLE_BUDGET = 1400


# ------------------------------------------------------------------ formatting


def posted_message(posted: Posted, limit: int = MESSAGE_LIMIT, lang: str = "en") -> str:
    """The confirmation of /comment: number, draft, section, attribution, kind and the text."""
    return announcement(posted.comment, posted.draft.code, limit, lang=lang)


def listing_page(listing: Listing, lang: str = "en") -> Page:
    """The page of /comments list that `listing` holds: the header, then its comments (at
    most COMMENTS_PER_PAGE, rendered whole when they fit PAGE_BUDGET, else shortened)."""
    t = Translator(lang)
    scope = []
    if listing.draft is not None:
        scope.append(listing.draft.code)
    if listing.section is not None:
        scope.append(section_label(listing.section.key))
    on = " · ".join(scope)
    group = group_name(listing.group, lang) if listing.group is not None else None
    if scope and group:
        what = t("Comments on {scope} by {group}", scope=on, group=group)
        none = t("No comments on {scope} by {group} yet.", scope=on, group=group)
    elif scope:
        what = t("Comments on {scope}", scope=on)
        none = t("No comments on {scope} yet.", scope=on)
    elif group:
        what = t("Comments by {group}", group=group)
        none = t("No comments by {group} yet.", group=group)
    else:
        what = t("Comments")
        none = t("No comments yet.")
    if not listing.comments:
        return Page(none)
    listed = listing.listed
    if listing.total > listed or listing.capped:
        total = (
            t("more than {n}", n=number(lang, listing.total)) if listing.capped
            else number(lang, listing.total)
        )
        header = f"**{what}**: " + t(
            "the latest {shown} of {total}; narrow it with the draft, section and group options.",
            shown=number(lang, listed), total=total,
        )
    else:
        header = f"**{what}** ({number(lang, listed)})"
    words = ItemWords(lang)
    drafts = None if listing.draft is not None else listing.drafts
    facts = [
        item_facts(
            c,
            None if drafts is None else drafts.get(c.draft_id, "?"),
            listing.current.get(c.section_id),
            words,
        )
        for c in listing.comments
    ]
    previews = [item_preview(c) for c in listing.comments]
    text = fit_items(header, facts, previews, PAGE_BUDGET)
    return Page(text, listing.page, listing.pages)


def coverage_pages(coverage: Coverage, lang: str = "en") -> list[str]:
    """Sections x stakeholder groups as monospace tables, a legend, and the gaps; each page
    under Discord's limit."""
    t = Translator(lang)
    draft = coverage.draft
    title = t("Coverage of {code}", code=draft.code)
    count = t.plural("{n} comment", "{n} comments", coverage.total)
    header = f"**{title}** {draft.title} · {count}"
    if not coverage.sections:
        return [f"{header}\n" + t("{code} has no sections yet.", code=draft.code)]
    labels = {s.id: truncate(section_label(s.key), _LABEL_MAX) for s in coverage.sections}
    section_word = t("Section")
    width = max(len(section_word), *(len(v) for v in labels.values()))
    short = column_names(coverage.groups, lang)
    columns = [short[g] for g in coverage.groups]
    all_word = t("All")
    head = section_word.ljust(width) + "".join(f" {c:>4}" for c in columns) + f"  {all_word}"
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
        + ", ".join(f"{short[g]} = {inert(group_name(g, lang))}" for g in coverage.groups)
        + "; " + t("{gap} = a gap (no comments from that group).", gap=GAP)
    )
    gaps = coverage.gaps()
    if gaps:
        n = sum(len(groups) for _, groups in gaps)
        gap_lines = [t("**Gaps** ({n}):", n=n)] + [
            f"- {section_label(s.key)}: {', '.join(short[g] for g in groups)}"
            for s, groups in gaps
        ]
    else:
        gap_lines = [t("No gaps: every stakeholder group has commented on every section.")]
    return chunk_lines([*blocks, legend, *gap_lines], limit=PAGE_BUDGET, header=header)


#: The five groups' column headings, to translate (at most four characters each).
SHORT_GROUPS = {
    # TRANSLATORS: column heading of /coverage, at most 4 characters: Government
    "Government": N_("Gov"),
    # TRANSLATORS: column heading of /coverage, at most 4 characters: Private Sector
    "Private Sector": N_("Priv"),
    # TRANSLATORS: column heading of /coverage, at most 4 characters: Civil Society
    "Civil Society": N_("CS"),
    # TRANSLATORS: column heading of /coverage, at most 4 characters: International Organization
    "International Organization": N_("IO"),
    # TRANSLATORS: column heading of /coverage, at most 4 characters: Technical Community
    "Technical Community": N_("Tech"),
}


def column_names(groups: list[str], lang: str = "en") -> dict[str, str]:
    """Each group's column heading (at most four characters): the five's abbreviations (in
    `lang`), a short form for a server's own, numbered where two would look alike."""
    names: dict[str, str] = {}
    for group in groups:
        short = tr(lang, SHORT_GROUPS[group]) if group in SHORT_GROUPS else abbreviation(group)
        name = short[:4]
        n = 1
        while name in names.values():
            n += 1
            name = short[: 4 - len(str(n))] + str(n)
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
    """Page `index` of /comments list, read from the database (the first answer is page 0)."""
    try:
        draft, section, chosen = args.split(":")
    except ValueError:
        raise UserError(GONE) from None
    listing = await services(interaction).comments.listing(
        guild_id(interaction), draft or None, section or None, chosen or None, page=index
    )
    return listing_page(listing, lang_of(interaction))


@pager("coverage")
async def coverage_page(interaction: Interaction, draft: str, index: int) -> Page:
    """Page `index` of /coverage, counted again from the database."""
    result = await services(interaction).comments.coverage(guild_id(interaction), draft)
    return Page.of(coverage_pages(result, lang_of(interaction)), index)


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
        await send_paged(
            interaction, "comments", listing_args(listing), listing_page(listing, lang_of(interaction))
        )

    @app_commands.command(name="edit")
    @app_commands.describe(
        id="The comment's number (#12 is 12)",
        text="The new text (leave it out to edit the text in a form)",
    )
    async def edit(
        self, interaction: Interaction, id: app_commands.Range[int, 1], text: str | None = None
    ) -> None:
        """Change the text of your comment while the comment window is open."""
        if text is None:
            comment = await services(interaction).comments.prepare_edit(
                guild_id(interaction), interaction.user.id, id
            )
            await open_form(
                interaction, "edit", str(comment.id),
                title=Msg("Edit comment #{id}", id=comment.id),
                label=Msg("The new text"), value=comment.text,
            )
            return
        await save_edit(interaction, id, text)

    @app_commands.command(name="withdraw")
    @app_commands.describe(id="The comment's number (#12 is 12)")
    async def withdraw(self, interaction: Interaction, id: app_commands.Range[int, 1]) -> None:
        """Withdraw your comment while the comment window is open."""
        changed = await services(interaction).comments.withdraw(
            guild_id(interaction), interaction.user.id, id
        )
        await follow_record(interaction.client, changed)
        comment = changed.comment
        await reply(
            interaction,
            Msg("Withdrew {id} on {place}; it no longer appears in lists, coverage or the"
                " consolidated text.", id=f"**#{comment.id}**",
                place=section_label(comment.section_key)),
            ephemeral=True,
        )

    @app_commands.command(name="show")
    @app_commands.describe(id="The comment's number (#12 is 12)")
    async def show(self, interaction: Interaction, id: app_commands.Range[int, 1]) -> None:
        """One comment whole: text, attribution, dates; its author and coordinators also see
        its edit history."""
        coordinator = await check_coordinator(interaction)
        view = await services(interaction).comments.show(
            guild_id(interaction), interaction.user.id, id, coordinator=coordinator
        )
        await send_pages(interaction, show_pages(view, lang_of(interaction)), ephemeral=True)

    @app_commands.command(name="hide")
    @app_commands.describe(
        id="The comment's number (#12 is 12)",
        reason="Why (its author is told by DM), e.g. Advertising",
    )
    @coordinator_only()
    async def hide(
        self, interaction: Interaction, id: app_commands.Range[int, 1], reason: str
    ) -> None:
        """Hide a comment from lists, coverage and exports; its author is told why."""
        changed = await services(interaction).comments.hide(
            guild_id(interaction), interaction.user.id, id, reason
        )
        await follow_record(interaction.client, changed)
        comment, code = changed.comment, changed.draft_code
        told = None
        if comment.author_id is not None:
            lang = await author_language(interaction, comment.author_id)
            told = await tell_author(
                interaction.client, comment.author_id, hidden_dm(comment, code, lang)
            )
        await reply(interaction, hidden_answer(comment, code, told, lang_of(interaction)), ephemeral=True)

    @app_commands.command(name="restore")
    @app_commands.describe(id="The comment's number (#12 is 12)")
    @coordinator_only()
    async def restore(self, interaction: Interaction, id: app_commands.Range[int, 1]) -> None:
        """Show a hidden comment again."""
        changed = await services(interaction).comments.restore(
            guild_id(interaction), interaction.user.id, id
        )
        await follow_record(interaction.client, changed)
        comment, code = changed.comment, changed.draft_code
        if comment.author_id is not None:
            lang = await author_language(interaction, comment.author_id)
            await tell_author(interaction.client, comment.author_id, restored_dm(comment, code, lang))
        await reply(interaction, restored_answer(comment, code, lang_of(interaction)), ephemeral=True)

    @app_commands.command(name="regroup")
    @app_commands.describe(
        id="The comment's number (#12 is 12)",
        group="The stakeholder group of its organization, e.g. Technical Community",
    )
    @app_commands.autocomplete(group=group_autocomplete)
    @coordinator_only()
    async def regroup(
        self, interaction: Interaction, id: app_commands.Range[int, 1], group: str
    ) -> None:
        """Set the group of a comment imported with the group Unknown (from a Word file)."""
        changed = await services(interaction).comments.regroup(
            guild_id(interaction), interaction.user.id, id, group
        )
        await follow_record(interaction.client, changed)
        await reply(
            interaction, regrouped_answer(changed.comment, changed.draft_code, lang_of(interaction)), ephemeral=True
        )


# ------------------------------------------------------------------ the record, in Discord

#: What a message edit or a DM may fail with; the command that caused it still succeeds.
_DELIVERY_ERRORS = (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError)


async def author_language(interaction: Interaction, author_id: int) -> str:
    """The language a DM to a comment's author is written in: theirs if they chose one, else
    the server's (a DM carries no client locale)."""
    return await services(interaction).settings.reader_language(guild_id(interaction), author_id)


async def follow_record(client: discord.Client, changed: Changed) -> None:
    """Edit the public message that announced the comment to say what it is now (its edited
    text, or that it was withdrawn or hidden), never pinging. A message that is gone, or an
    edit Discord refuses, is logged: the change itself is already recorded. The message is
    the bot's own in a channel now, so it reads in the server's language (SPEC 12)."""
    comment = changed.comment
    if comment.channel_id is None or comment.message_id is None:
        return
    lang = await client.services.settings.guild_language(comment.guild_id)  # type: ignore[attr-defined]
    message = client.get_partial_messageable(comment.channel_id).get_partial_message(
        comment.message_id
    )
    try:
        await message.edit(
            content=announcement(
                comment, changed.draft_code, current=changed.current_revision, lang=lang
            ),
            allowed_mentions=NO_PINGS,
        )
    except _DELIVERY_ERRORS as exc:
        log.warning(
            "could not edit message %s in channel %s announcing comment #%s: %s",
            comment.message_id, comment.channel_id, comment.id, exc,
        )


async def tell_author(client: discord.Client, user_id: int, content: str) -> bool:
    """DM a comment's author; False (logged) when Discord refuses, e.g. their DMs are closed."""
    try:
        channel = await client.create_dm(discord.Object(user_id))
        await channel.send(content, allowed_mentions=NO_PINGS)
    except _DELIVERY_ERRORS as exc:
        log.warning("could not DM user %s about their comment: %s", user_id, exc)
        return False
    return True


async def open_comment_form(interaction: Interaction, draft: str, section: str, kind: str) -> None:
    """/comment without text: checked as a comment is, then a form; an amendment's starts as
    the section's current text, to be edited in place."""
    found_draft, found, chosen = await services(interaction).comments.prepare(
        guild_id(interaction), interaction.user.id, draft, section, kind
    )
    place = f"{found_draft.code} · {section_label(found.key)}"
    args = f"{found_draft.id}:{chosen.value[0]}:{found.revision}:{found.key}"
    if chosen is CommentKind.AMENDMENT:
        fits = len(found.text) <= FORM_TEXT_LIMIT
        await open_form(
            interaction, "comment", args, title=Msg("Amendment to {place}", place=place),
            label=Msg("The text as you propose it"), value=found.text if fits else None,
            placeholder=None if fits else Msg(
                "The section is too long to copy here: type the new text"
            ),
        )
    elif chosen is CommentKind.DELETION:
        await open_form(
            interaction, "comment", args, title=Msg("Deletion of {place}", place=place),
            label=Msg("Why"),
        )
    else:
        await open_form(
            interaction, "comment", args, title=Msg("Comment on {place}", place=place),
            label=Msg("Your comment"),
        )


_KINDS = {kind.value[0]: kind.value for kind in CommentKind}


@form("comment")
async def comment_form(interaction: Interaction, args: str, text: str) -> None:
    """The submit of a /comment form: "draft id:kind initial:revision shown:section key"."""
    try:
        draft_id, initial, revision, key = args.split(":", 3)
        kind = _KINDS[initial]
        draft = await services(interaction).drafts.by_id(int(draft_id))
    except (ValueError, KeyError):
        raise UserError(GONE_FORM) from None
    if draft is None or draft.guild_id != interaction.guild_id:
        raise UserError(GONE_FORM)
    await post_comment(interaction, draft.code, key, text, kind, written_on=int(revision))


@form("edit")
async def edit_form(interaction: Interaction, args: str, text: str) -> None:
    """The submit of a /comments edit form: the comment's number."""
    if not args.isdigit():
        raise UserError(GONE_FORM)
    await save_edit(interaction, int(args), text)


async def save_edit(interaction: Interaction, comment_id: int, text: str) -> None:
    changed = await services(interaction).comments.edit(
        guild_id(interaction), interaction.user.id, comment_id, text
    )
    if not changed.unchanged:
        await follow_record(interaction.client, changed)
    await reply(
        interaction,
        edited_answer(
            changed.comment, changed.current_revision, lang_of(interaction),
            unchanged=changed.unchanged,
        ),
        ephemeral=True,
    )


async def post_comment(
    interaction: Interaction,
    draft: str,
    section: str,
    text: str,
    kind: str,
    *,
    written_on: int | None = None,
) -> None:
    """Record a comment and announce it (the command's answer, or its form's)."""
    posted = await services(interaction).comments.add(
        guild_id(interaction), interaction.user.id, draft, section, text, kind,
        written_on=written_on,
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
    message = await reply(interaction, posted_message(posted, lang=lang_of(interaction)))
    if message is None:
        return
    try:
        now = await services(interaction).comments.record_message(
            posted, message.channel.id, message.id
        )
    except Exception:
        # The comment and its confirmation stand; only later edits of the message (when
        # the comment changes) are lost.
        log.exception("could not record the message announcing comment #%s", posted.comment.id)
        return
    c = now.comment
    if (c.edited_at, c.withdrawn_at, c.hidden_at) != (None, None, None):
        await follow_record(interaction.client, now)  # changed before it was remembered


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
        text="Your comment, at most 4,000 characters (leave it out to write it in a form)",
        kind="comment (default), amendment (proposed replacement text) or deletion",
    )
    @app_commands.autocomplete(draft=draft_autocomplete, section=section_autocomplete)
    async def comment(
        self,
        interaction: Interaction,
        draft: str,
        section: str,
        text: str | None = None,
        kind: Kind = "comment",
    ) -> None:
        """Comment on a section of a draft, attributed to your organization and group."""
        if text is None:
            await open_comment_form(interaction, draft, section, kind)
            return
        await post_comment(interaction, draft, section, text, kind)


    @app_commands.command(name="coverage")
    @app_commands.guild_only()
    @app_commands.describe(draft="The draft")
    @app_commands.autocomplete(draft=draft_autocomplete)
    async def coverage(self, interaction: Interaction, draft: str) -> None:
        """Which stakeholder groups have commented on which sections, and the gaps."""
        result = await services(interaction).comments.coverage(guild_id(interaction), draft)
        await send_listing(
            interaction, "coverage", result.draft.code, coverage_pages(result, lang_of(interaction))
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(CommentCog(bot))
    await install(bot)
