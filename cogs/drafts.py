"""/draft create|edit|section|window|import|show|list|export: the texts stakeholders comment on."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import datetime
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering import defer
from bot.db.drafts import ImportCounts
from bot.domain.diff import LEGEND, render_diff_lines
from bot.domain.draftdoc import render_docx, render_docx_review, render_markdown
from bot.domain.drafts import (
    MAX_IMPORT_BYTES,
    DraftEdit,
    Outline,
    SectionView,
    import_too_big,
    normalize_code,
)
from bot.domain.models import Draft, Section, SectionRevision
from bot.domain.sections import section_label
from bot.domain.timefmt import ts
from bot.errors import NotCoordinator, UserError
from bot.forms import FORM_TEXT_LIMIT, form, install, open_form
from bot.i18n import N_, Msg, Translator, tr
from bot.paging import Page, fits_custom_id, pager, send_listing
from bot.services.windows import is_clear
from bot.ui import PAGE_BUDGET, chunk_lines, inert, lang_of, reply, send_pages, truncate
from cogs._autocomplete import draft_autocomplete, section_autocomplete
from cogs._common import (
    Interaction,
    check_coordinator,
    coordinator_only,
    guild_id,
    month_first,
    read_capped,
    services,
    warn_if_no_reminder_channel,
)
from cogs._windows import window_cleared_text, window_set_text, window_text
from cogs.languages import LANGUAGE_CHOICES

IMPORT_SUFFIXES = (".md", ".markdown", ".txt", ".docx")
PREVIEW = 70


# ------------------------------------------------------------------ formatting


def draft_heading(draft: Draft) -> str:
    """`**C11** Title · V1.2`: the title and version are user text, shown inert."""
    version = f" · {inert(draft.version)}" if draft.version else ""
    return f"**{inert(draft.code)}** {inert(draft.title)}{version}"


def edit_text(edited: DraftEdit, lang: str = "en") -> str:
    """The answer to /draft edit: each change as before → after, in `lang`."""
    t = Translator(lang)
    code = inert(edited.after.code)
    if not edited.changes:
        return t("Nothing changed: {draft} already reads like that.",
                 draft=draft_heading(edited.after))
    lines = [t.plural("Changed {n} detail of {code}:", "Changed {n} details of {code}:",
                      len(edited.changes), code=f"**{code}**")]
    for name in edited.changes:
        old, new = getattr(edited.before, name), getattr(edited.after, name)
        lines.append(f"- {t(_DETAILS[name])}: {_shown(old, lang)} → {_shown(new, lang)}")
    lines.append(t("Now: {draft}", draft=draft_heading(edited.after)))
    return "\n".join(lines)


#: The details /draft edit changes, as its answer names them.
_DETAILS = {"title": N_("title"), "version": N_("version"), "language": N_("language")}


def _shown(value: str | None, lang: str = "en") -> str:
    return f"“{inert(value)}”" if value else tr(lang, "(none)")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def outline_pages(outline: Outline, now: datetime, lang: str = "en") -> list[str]:
    t = Translator(lang)
    lines = []
    for section in outline.sections:
        n = outline.comments.get(section.id, 0)
        preview = inert(truncate(" ".join(section.text.split()), PREVIEW))
        lines.append(
            f"`{section.key}` {section_label(section.key)} · "
            + t("rev {n}", n=section.revision) + " · "
            + t.plural("{n} comment", "{n} comments", n) + f" — {preview}"
        )
    if not lines:
        lines.append(t("No sections yet: a coordinator adds them with `/draft section`."))
    else:
        lines.append("-# " + t("`/draft show` with a section shows its whole text."))
    header = f"{draft_heading(outline.draft)}\n{window_text(outline.draft, now, lang)}"
    return chunk_lines(lines, header=header)


def section_pages(view: SectionView, lang: str = "en") -> list[str]:
    t = Translator(lang)
    header = (
        f"**{inert(view.draft.code)} · {section_label(view.section.key)}** — "
        + t("revision {n}", n=view.section.revision) + " · "
        + t.plural("{n} comment", "{n} comments", view.comments)
    )
    return chunk_lines([inert(line) for line in view.section.text.split("\n")], header=header)


def import_line(counts: ImportCounts, lang: str = "en") -> str:
    t = Translator(lang)
    sections = counts.sections_new + counts.sections_revised + counts.sections_unchanged
    changed = counts.sections_new or counts.sections_revised or counts.comments_added
    how = t("created") if counts.created else t("updated") if changed else t("unchanged")
    return f"**{inert(counts.code)}** ({how}): " + t.plural(
        "{n} section ({new} new, {revised} revised, {unchanged} unchanged), {comments} added,"
        " {known} already there.",
        "{n} sections ({new} new, {revised} revised, {unchanged} unchanged), {comments} added,"
        " {known} already there.",
        sections, new=counts.sections_new, revised=counts.sections_revised,
        unchanged=counts.sections_unchanged, known=counts.comments_known,
        comments=t.plural("{n} comment", "{n} comments", counts.comments_added),
    )


def export_filename(draft: Draft, suffix: str) -> str:
    stem = draft.code + (f"-{draft.version}" if draft.version else "")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem) + suffix


# ------------------------------------------------------------------ commands


@app_commands.guild_only()
async def draft_list_pages(interaction: Interaction) -> list[str] | None:
    svc = services(interaction)
    summaries = await svc.drafts.summaries(guild_id(interaction))
    if not summaries:
        return None
    now = svc.clock()
    t = Translator(lang_of(interaction))
    # TRANSLATORS: the separator between two counts ("4 sections, 12 comments")
    separator = t(", ")
    lines = [
        f"{draft_heading(s.draft)} — "
        + t.plural("{n} section", "{n} sections", s.sections) + separator
        + t.plural("{n} comment", "{n} comments", s.comments)
        + f". {window_text(s.draft, now, t.lang)}"
        for s in summaries
    ]
    title = t("Drafts")
    return chunk_lines(lines, header=f"**{title}** ({len(summaries)})")


@pager("draft-list")
async def draft_list_page(interaction: Interaction, _: str, index: int) -> Page:
    """Page `index` of /draft list, rendered again (its buttons outlive a restart)."""
    gone = tr(lang_of(interaction), "No drafts any more.")
    return Page.of(await draft_list_pages(interaction) or [gone], index)


@pager("draft-show")
async def draft_show_page(interaction: Interaction, args: str, index: int) -> Page:
    """Page `index` of /draft show CODE [SECTION], rendered again."""
    svc = services(interaction)
    gid = guild_id(interaction)
    code, _, section = args.partition(" ")
    if section:
        pages = section_pages(await svc.drafts.show_section(gid, code, section), lang_of(interaction))
    else:
        pages = outline_pages(
            await svc.drafts.outline(gid, code), svc.clock(), lang_of(interaction)
        )
    return Page.of(pages, index)


def history_pages(
    draft: Draft, section: Section, revisions: list[SectionRevision], lang: str = "en"
) -> list[str]:
    """/draft history: each revision of a section, newest first, with when and by whom."""
    t = Translator(lang)
    header = f"**{inert(draft.code)} · {section_label(section.key)}**: " + t.plural(
        "{n} revision, newest first", "{n} revisions, newest first", len(revisions)
    )
    lines = []
    for r in reversed(revisions):
        who = f"<@{r.created_by}>" if r.created_by is not None else t("someone unknown")
        lines.append(
            t("**Revision {n}** · {when} · by {who}", n=r.revision, who=who,
              when=f"{ts(r.created_at, 'F')} ({ts(r.created_at, 'R')})")
        )
    lines.append("-# " + t(
        "`/draft diff {code} {section}` shows what changed; `/draft show` gives the current"
        " text.", code=draft.code, section=section.key,
    ))
    return chunk_lines(lines, header=header)


def diff_pages(
    draft: Draft, section: Section, first: SectionRevision, second: SectionRevision,
    lang: str = "en",
) -> list[str]:
    """/draft diff: a word diff of two revisions, deletions struck, insertions bold."""
    header = f"**{inert(draft.code)} · {section_label(section.key)}**: " + tr(
        lang, "revision {first} → {second} ({legend})", first=first.revision,
        second=second.revision, legend=tr(lang, LEGEND),
    )
    width = PAGE_BUDGET - len(header) - 1  # a long paragraph is broken between words
    lines = render_diff_lines(first.text, second.text, width=width, escape=inert)
    return chunk_lines(lines, header=header)


@pager("draft-history")
async def draft_history_page(interaction: Interaction, args: str, index: int) -> Page:
    """Page `index` of /draft history CODE SECTION, read again."""
    code, _, section = args.partition(" ")
    found = await services(interaction).drafts.history(guild_id(interaction), code, section)
    return Page.of(history_pages(*found, lang=lang_of(interaction)), index)


@pager("draft-diff")
async def draft_diff_page(interaction: Interaction, args: str, index: int) -> Page:
    """Page `index` of /draft diff CODE SECTION FROM TO, compared again."""
    code, section, first, second = args.split(" ")
    found = await services(interaction).drafts.revision_pair(
        guild_id(interaction), code, section, int(first), int(second)
    )
    return Page.of(diff_pages(*found, lang=lang_of(interaction)), index)


async def send_lasting(interaction: Interaction, name: str, args: str, pages: list[str]) -> None:
    """Pages whose buttons outlive a restart when `args` fit a button's id, else kept."""
    if fits_custom_id(name, args, interaction.user.id):
        await send_listing(interaction, name, args, pages)
    else:
        await send_pages(interaction, pages)


async def open_section_form(interaction: Interaction, code: str, section: str) -> None:
    """/draft section without text: a form that starts as the section's current text."""
    draft, key, found = await services(interaction).drafts.section_text(
        guild_id(interaction), code, section
    )
    current = found.text if found is not None else None
    if current is not None and len(current) > FORM_TEXT_LIMIT:
        raise UserError(Msg(
            "{section} is {length} characters, more than a form holds ({limit}); give the new"
            " text with the `text` option or `/draft import`.", section=section_label(key),
            length=f"{len(current):,}", limit=f"{FORM_TEXT_LIMIT:,}",
        ))
    await open_form(
        interaction, "section", f"{draft.id}:{key}",
        title=Msg("Text of {place}", place=f"{draft.code} · {section_label(key)}"),
        label=Msg("The section's full text"), value=current,
    )


@form("section")
async def section_form(interaction: Interaction, args: str, text: str) -> None:
    """The submit of a /draft section form: "draft id:section key"; coordinators only, checked
    again at the submit."""
    draft_id, _, key = args.partition(":")
    draft = await services(interaction).drafts.by_id(int(draft_id)) if draft_id.isdigit() else None
    if draft is None or draft.guild_id != interaction.guild_id or not key:
        raise UserError(
            Msg("That form no longer fits what it was opened on; run the command again.")
        )
    if not await check_coordinator(interaction):
        raise NotCoordinator()
    await save_section(interaction, draft.code, key, text)


async def save_section(interaction: Interaction, code: str, section: str, text: str) -> None:
    """Set the section's text and say what happened (the command's answer, or its form's)."""
    draft, saved, outcome = await services(interaction).drafts.set_section(
        guild_id(interaction), interaction.user.id, code, section, text
    )
    label = f"**{inert(draft.code)} · {section_label(saved.key)}**"
    t = Translator(lang_of(interaction))
    if outcome == "new":
        what = t("Added {section} (revision 1).", section=label)
    elif outcome == "revised":
        what = t("{section} is now at revision {n}; earlier revisions are kept.", section=label,
                 n=saved.revision)
    else:
        what = t("{section} already has that text; it stays at revision {n}.", section=label,
                 n=saved.revision)
    await reply(interaction, f"{what}\n> {inert(truncate(' '.join(saved.text.split()), 300))}")


class DraftCommands(app_commands.Group, name="draft"):
    """Drafts: their sections, comment windows, import and consolidated text."""

    @app_commands.command(name="create")
    @app_commands.describe(
        code='The new draft\'s code, e.g. "C11"',
        title='Its title, e.g. "International and regional cooperation"',
        version='Its version label, e.g. "V1.2"',
    )
    @coordinator_only()
    async def create(
        self, interaction: Interaction, code: str, title: str, version: str | None = None
    ) -> None:
        """Create a draft (an existing one changes with /draft edit)."""
        draft = await services(interaction).drafts.create(
            guild_id(interaction), interaction.user.id, code, title, version
        )
        await reply(
            interaction,
            Msg("Created {draft}. Add its text with `/draft section` or `/draft import`.",
                draft=draft_heading(draft)),
        )

    @app_commands.command(name="edit")
    @app_commands.describe(
        code="The draft",
        title="Its new title",
        version='Its new version label, e.g. "V1.3" ("-" removes it)',
        language="The language of its consolidated text: headings, labels, group names",
    )
    @app_commands.autocomplete(code=draft_autocomplete)
    @app_commands.choices(language=LANGUAGE_CHOICES)
    @coordinator_only()
    async def edit(
        self,
        interaction: Interaction,
        code: str,
        title: str | None = None,
        version: str | None = None,
        language: str | None = None,
    ) -> None:
        """Change a draft's title, version label or language."""
        edited = await services(interaction).drafts.edit(
            guild_id(interaction), interaction.user.id, code, title=title, version=version,
            language=language,
        )
        await reply(
            interaction, edit_text(edited, lang_of(interaction)), ephemeral=not edited.changes
        )

    @app_commands.command(name="section")
    @app_commands.describe(
        code="The draft",
        section="vision, pillar-a ... pillar-e, target-a ...",
        text="The section's full text (replaces the current one; leave it out to edit it in a form)",
    )
    @app_commands.autocomplete(code=draft_autocomplete, section=section_autocomplete)
    @coordinator_only()
    async def section(
        self, interaction: Interaction, code: str, section: str, text: str | None = None
    ) -> None:
        """Set a section's text: a new section, or a new revision of it."""
        if text is None:
            await open_section_form(interaction, code, section)
            return
        await save_section(interaction, code, section, text)

    @app_commands.command(name="window")
    @app_commands.describe(
        code="The draft",
        when='The comment window, a range: "19 December 2013 - 24 January 2014"; none removes it',
        past="true: set a window that is already over (refused otherwise)",
    )
    @app_commands.autocomplete(code=draft_autocomplete)
    @coordinator_only()
    async def window(
        self, interaction: Interaction, code: str, when: str, past: bool = False
    ) -> None:
        """Set the draft's comment window: comments are accepted only while it is open."""
        svc = services(interaction)
        gid = guild_id(interaction)
        if is_clear(when):
            draft, had = await svc.windows.clear_window(gid, interaction.user.id, code)
            await reply(interaction, window_cleared_text(draft, had, lang_of(interaction)))
            return
        zone, source = await svc.settings.reading_zone(gid, interaction.user.id)
        result = await svc.windows.set_window(
            gid, interaction.user.id, code, when, zone,
            past=past, month_first=month_first(interaction), source=source,
        )
        await reply(interaction, window_set_text(result, svc.clock(), lang_of(interaction)))
        await warn_if_no_reminder_channel(interaction)

    @app_commands.command(name="import")
    @app_commands.describe(
        file="A .md or .docx file: # C11 Title, ## Vision, ## Pillars, a) ..., · Org, Group: comment"
    )
    @coordinator_only()
    async def import_(self, interaction: Interaction, file: discord.Attachment) -> None:
        """Import drafts, sections and stakeholder comments from a Markdown or Word file."""
        gid = guild_id(interaction)
        if not file.filename.lower().endswith(IMPORT_SUFFIXES):
            raise UserError(Msg(
                '"{name}" is not a Markdown file or a Word document; attach a .md or .docx file.',
                name=truncate(file.filename, 60),
            ))
        if file.size > MAX_IMPORT_BYTES:
            raise import_too_big(file.size)
        await defer(interaction)
        data = await read_capped(interaction.client, file, MAX_IMPORT_BYTES, import_too_big)
        results = await services(interaction).drafts.import_markdown(
            gid, interaction.user.id, data, filename=file.filename
        )
        lang = lang_of(interaction)
        lines = [tr(lang, "Imported {name}:", name=inert(truncate(file.filename, 60)))]
        lines += [import_line(c, lang) for c in results]
        await send_pages(interaction, chunk_lines(lines), ephemeral=True)

    @app_commands.command(name="show")
    @app_commands.describe(code="The draft", section="A section (default: the draft's outline)")
    @app_commands.autocomplete(code=draft_autocomplete, section=section_autocomplete)
    async def show(self, interaction: Interaction, code: str, section: str | None = None) -> None:
        """Show a draft's outline, or one section's current text."""
        svc = services(interaction)
        gid = guild_id(interaction)
        if section:
            view = await svc.drafts.show_section(gid, code, section)
            pages = section_pages(view, lang_of(interaction))
            args = f"{view.draft.code} {view.section.key}"
        else:
            outline = await svc.drafts.outline(gid, code)
            pages = outline_pages(outline, svc.clock(), lang_of(interaction))
            args = outline.draft.code
        if fits_custom_id("draft-show", args, interaction.user.id):
            await send_listing(interaction, "draft-show", args, pages)
        else:  # a code and key too long for a button's id: pages kept in memory
            await send_pages(interaction, pages)

    @app_commands.command(name="history")
    @app_commands.describe(code="The draft", section="The section")
    @app_commands.autocomplete(code=draft_autocomplete, section=section_autocomplete)
    async def history(self, interaction: Interaction, code: str, section: str) -> None:
        """A section's revisions: number, when and by whom."""
        draft, found, revisions = await services(interaction).drafts.history(
            guild_id(interaction), code, section
        )
        pages = history_pages(draft, found, revisions, lang_of(interaction))
        await send_lasting(interaction, "draft-history", f"{draft.code} {found.key}", pages)

    @app_commands.command(name="diff")
    @app_commands.describe(
        code="The draft",
        section="The section",
        from_="The earlier revision (default: the one before `to`)",
        to="The later revision (default: the current one)",
    )
    @app_commands.rename(from_="from")
    @app_commands.autocomplete(code=draft_autocomplete, section=section_autocomplete)
    async def diff(
        self,
        interaction: Interaction,
        code: str,
        section: str,
        from_: app_commands.Range[int, 1] | None = None,
        to: app_commands.Range[int, 1] | None = None,
    ) -> None:
        """What changed between two revisions of a section: deletions struck, insertions bold."""
        draft, found, first, second = await services(interaction).drafts.revision_pair(
            guild_id(interaction), code, section, from_, to
        )
        args = f"{draft.code} {found.key} {first.revision} {second.revision}"
        await send_lasting(
            interaction, "draft-diff", args,
            diff_pages(draft, found, first, second, lang_of(interaction)),
        )

    @app_commands.command(name="list")
    async def list_(self, interaction: Interaction) -> None:
        """List the drafts of this server."""
        pages = await draft_list_pages(interaction)
        if pages is None:
            await reply(
                interaction,
                Msg("No drafts yet; a coordinator adds one with `/draft create` or"
                    " `/draft import`."),
                ephemeral=True,
            )
            return
        await send_listing(interaction, "draft-list", "", pages)

    @app_commands.command(name="export")
    @app_commands.describe(
        code="The draft",
        format="markdown (default), docx (Word) or docx-review (Word comments, tracked changes)",
    )
    @app_commands.autocomplete(code=draft_autocomplete)
    async def export(
        self,
        interaction: Interaction,
        code: str,
        format: Literal["markdown", "docx", "docx-review"] = "markdown",
    ) -> None:
        """The consolidated text: each section's text and its comments, attributed."""
        svc = services(interaction)
        gid = guild_id(interaction)
        draft = await svc.drafts.require(gid, normalize_code(code))
        await defer(interaction)
        doc = await svc.drafts.consolidated(gid, draft.code)
        # Rendering is CPU work: in a thread, so other interactions do not wait behind it.
        if format == "docx":
            data, suffix = await asyncio.to_thread(render_docx, doc), ".docx"
        elif format == "docx-review":
            data, suffix = await asyncio.to_thread(render_docx_review, doc), "-review.docx"
        else:
            data, suffix = (await asyncio.to_thread(render_markdown, doc)).encode("utf-8"), ".md"
        comments = sum(len(s.comments) for s in doc.sections)
        hidden = sum(s.hidden for s in doc.sections)
        t = Translator(lang_of(interaction))
        counts = (
            t.plural("{n} section", "{n} sections", len(doc.sections)) + t(", ")
            + t.plural("{n} comment", "{n} comments", comments)
        )
        if hidden:
            content = t.plural(
                "Consolidated text of {draft}: {counts} (withdrawn ones and {n} hidden by the"
                " secretariat left out).",
                "Consolidated text of {draft}: {counts} (withdrawn ones and {n} hidden by the"
                " secretariat left out).",
                hidden, draft=draft_heading(draft), counts=counts,
            )
        else:
            content = t("Consolidated text of {draft}: {counts} (withdrawn ones left out).",
                        draft=draft_heading(draft), counts=counts)
        file = discord.File(io.BytesIO(data), filename=export_filename(draft, suffix))
        await reply(interaction, content, file=file)


class DraftCog(commands.Cog):
    """The `/draft` group. It is a class attribute, so loading, unloading and reloading the extension adds
    and removes it too."""

    draft = DraftCommands()

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(DraftCog(bot))
    await install(bot)
