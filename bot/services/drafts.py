"""The draft service: codes, sections and their revisions, import and the consolidated
export. Comment windows are bot.services.windows.

No Discord here: the cog converts options and formats answers.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.db import audit
from bot.db.comments import CommentRepository
from bot.db.database import Database, Executor
from bot.db.drafts import DraftRepository, DraftSummary, ImportCounts
from bot.db.groups import GroupRepository
from bot.domain.clock import Clock
from bot.domain.draftdoc import (
    ConsolidatedComment,
    ConsolidatedDraft,
    ConsolidatedSection,
    normalize_text,
    parse_draft_docx,
    parse_draft_markdown,
)
from bot.domain.drafts import (
    MAX_IMPORT_BYTES,
    MAX_SECTION_TEXT,
    DraftEdit,
    Outline,
    SectionView,
    already_exists,
    checked_import,
    clean_title,
    clean_version,
    import_too_big,
    missing_draft,
    normalize_code,
    plan_edit,
)
from bot.domain.models import Draft, ParsedDraft, Section, SectionRevision
from bot.domain.sections import normalize_section_key, resolve_section_key, section_label
from bot.domain.structure import Placement, placement
from bot.errors import NotFound, UserError
from bot.i18n import Msg
from bot.services.settings import language_code

log = logging.getLogger(__name__)


class DraftService:
    def __init__(
        self,
        db: Database,
        repo: DraftRepository,
        comments: CommentRepository,
        clock: Clock,
    ) -> None:
        self.db = db
        self.repo = repo
        self.comments = comments
        self.clock = clock

    # ---------------------------------------------------------------- lookups

    async def require(self, guild_id: int, code: str) -> Draft:
        """The draft named `code`, or one sentence saying which drafts exist."""
        wanted = normalize_code(code)
        draft = await self.repo.get(guild_id, wanted)
        if draft is not None:
            return draft
        codes = await self.repo.codes(guild_id)
        if not codes:
            raise NotFound(
                Msg("There is no draft {code}: this server has no drafts yet; a coordinator adds"
                    " one with `/draft create` or `/draft import`.", code=wanted)
            )
        raise NotFound(missing_draft(wanted, codes))

    async def require_section(self, draft: Draft, text: str) -> Section:
        """The draft's section named by `text` (forgiving), or a sentence listing the sections."""
        return self._section_of(draft, await self.repo.sections(draft.id), text)

    async def require_place(self, guild_id: int, code: str, text: str) -> tuple[Draft, Section]:
        """`require` and `require_section` with one statement (the draft and its sections
        read together): where /comment records a comment."""
        found = await self.repo.get_with_sections(guild_id, normalize_code(code))
        if found is None:  # `require` refuses, saying which drafts there are
            draft = await self.require(guild_id, code)
            return draft, await self.require_section(draft, text)
        draft, sections = found
        return draft, self._section_of(draft, sections, text)

    @staticmethod
    def _section_of(draft: Draft, sections: list[Section], text: str) -> Section:
        keys = [s.key for s in sections]
        key = resolve_section_key(text, keys) or normalize_section_key(text)
        for section in sections:
            if section.key == key:
                return section
        if not keys:
            raise NotFound(
                Msg("{code} has no sections yet; a coordinator adds them with `/draft section`.",
                    code=draft.code)
            )
        raise NotFound(
            Msg("{code} has no section {label} ({key}); its sections are {keys}.",
                code=draft.code, label=section_label(key), key=key, keys=", ".join(keys))
        )

    async def by_id(self, draft_id: int) -> Draft | None:
        return await self.repo.get_by_id(draft_id)

    async def all(self, guild_id: int) -> list[Draft]:
        """The server's drafts, by code."""
        return await self.repo.all(guild_id)

    async def sections(self, draft: Draft) -> list[Section]:
        """The draft's sections in document order."""
        return await self.repo.sections(draft.id)

    async def codes(self, guild_id: int) -> list[str]:
        return await self.repo.codes(guild_id)

    async def section_keys(self, guild_id: int, code: str) -> list[Section]:
        """The sections of `code` for autocomplete; [] when the code names no draft."""
        try:
            wanted = normalize_code(code)
        except UserError:
            return []
        draft = await self.repo.get(guild_id, wanted)
        return [] if draft is None else await self.repo.sections(draft.id)

    async def summaries(self, guild_id: int) -> list[DraftSummary]:
        return await self.repo.summaries(guild_id)

    async def outline(self, guild_id: int, code: str) -> Outline:
        draft = await self.require(guild_id, code)
        sections = await self.repo.sections(draft.id)
        return Outline(draft, sections, await self.repo.comment_counts(draft.id))

    async def show_section(self, guild_id: int, code: str, section: str) -> SectionView:
        draft = await self.require(guild_id, code)
        found = await self.require_section(draft, section)
        counts = await self.repo.comment_counts(draft.id)
        return SectionView(draft, found, counts.get(found.id, 0), found.revision)

    async def history(
        self, guild_id: int, code: str, section: str
    ) -> tuple[Draft, Section, list[SectionRevision]]:
        """A section and its revisions, oldest first."""
        draft = await self.require(guild_id, code)
        found = await self.require_section(draft, section)
        return draft, found, await self.repo.revisions(found.id)

    async def revision_pair(
        self, guild_id: int, code: str, section: str, first: int | None, second: int | None
    ) -> tuple[Draft, Section, SectionRevision, SectionRevision]:
        """Two revisions of a section to compare: `first` and `second`, by default the
        previous and the current one."""
        draft, found, revisions = await self.history(guild_id, code, section)
        label = section_label(found.key)
        if len(revisions) < 2:
            raise UserError(Msg(
                "{code} · {section} has only one revision so far; there is nothing to compare.",
                code=draft.code, section=label,
            ))
        by_number = {r.revision: r for r in revisions}
        newest = revisions[-1].revision
        to = newest if second is None else second
        start = to - 1 if first is None else first
        if start not in by_number or to not in by_number:
            raise UserError(Msg(
                "{section} has revisions {first} to {last}; choose `from` and `to` among them"
                " (`/draft history` lists them).", section=label, first=revisions[0].revision,
                last=newest,
            ))
        if start == to:
            raise UserError(Msg("Choose two different revisions of {section} to compare.",
                                section=label))
        return draft, found, by_number[start], by_number[to]

    async def current_revisions(self, draft_ids: set[int]) -> dict[int, int]:
        """The current revision of every section of these drafts, by section id."""
        return await self.repo.section_revisions(sorted(draft_ids))

    async def revision_text(self, section_id: int, revision: int) -> str | None:
        """The text a section had at `revision` (None when that revision is not kept)."""
        found = await self.repo.revision(section_id, revision)
        return None if found is None else found.text

    async def section_text(
        self, guild_id: int, code: str, section: str
    ) -> tuple[Draft, str, Section | None]:
        """The draft, the section key `section` names and the section (None when the key is
        new): what a form for the section's text starts with."""
        draft = await self.require(guild_id, code)
        known = await self.repo.sections(draft.id)
        key = resolve_section_key(section, [s.key for s in known]) or normalize_section_key(
            section
        )
        return draft, key, next((s for s in known if s.key == key), None)

    # ---------------------------------------------------------------- changes

    async def create(
        self, guild_id: int, actor_id: int, code: str, title: str, version: str | None
    ) -> Draft:
        """Create a draft. A code already in use is refused (its title and version change only
        through `edit`): nothing is overwritten silently."""
        clean_code = normalize_code(code)
        new_title, new_version = clean_title(title), clean_version(version)
        at = self.clock()
        async with self.db.transaction() as tx:
            draft = await self.repo.create(
                tx, guild_id, clean_code, new_title, new_version, actor_id=actor_id, at=at
            )
            if draft is None:
                raise already_exists(clean_code)
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="draft.create",
                target=f"draft:{clean_code}", at=at,
                detail={"title": new_title, "version": new_version},
            )
        return draft

    async def edit(
        self,
        guild_id: int,
        actor_id: int,
        code: str,
        *,
        title: str | None = None,
        version: str | None = None,
        language: str | None = None,
    ) -> DraftEdit:
        """Change a draft's title, version label (`version` "-" removes it) and the language
        its consolidated text is exported in."""
        lang = language_code(language) if language is not None else None
        found = await self.require(guild_id, code)
        at = self.clock()
        async with self.db.transaction() as tx:
            before = await self.repo.locked(tx, guild_id, found.code)
            if before is None:  # removed since the look-up
                raise NotFound(missing_draft(found.code, await self.repo.codes(guild_id)))
            new_title, new_version, changes = plan_edit(before, title, version, lang)
            if not changes:
                return DraftEdit(before, before, ())
            after = await self.repo.rename(
                tx, before, new_title, new_version, at=at, language=lang
            )
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id, action="draft.edit",
                target=f"draft:{before.code}", at=at,
                detail={
                    "before": _edited(before, changes),
                    "after": _edited(after, changes),
                },
            )
        return DraftEdit(before, after, changes)

    async def _upsert(
        self,
        tx: Executor,
        guild_id: int,
        code: str,
        title: str,
        version: str | None,
        actor_id: int | None,
        at: datetime,
    ) -> tuple[Draft, str]:
        draft, outcome = await self.repo.upsert(
            tx, guild_id, code, title, version, actor_id=actor_id, at=at
        )
        if outcome != "unchanged":
            await audit.record(
                tx, guild_id=guild_id, actor_id=actor_id,
                action="draft.create" if outcome == "created" else "draft.update",
                target=f"draft:{code}", at=at, detail={"title": title, "version": version},
            )
        return draft, outcome

    async def _set_section(
        self,
        tx: Executor,
        draft: Draft,
        key: str,
        text: str,
        actor_id: int | None,
        at: datetime,
        where: Placement | None = None,
    ) -> tuple[Section, str]:
        saved, outcome = await self.repo.set_section(
            tx, draft, key, text, actor_id=actor_id, at=at, placement=where
        )
        if outcome != "unchanged":
            await audit.record(
                tx, guild_id=draft.guild_id, actor_id=actor_id,
                action="section.create" if outcome == "new" else "section.revise",
                target=f"draft:{draft.code}/{key}", at=at,
                detail={"revision": saved.revision, "chars": len(text)},
            )
        return saved, outcome

    async def set_section(
        self, guild_id: int, actor_id: int, code: str, section: str, text: str
    ) -> tuple[Draft, Section, str]:
        """Create the section or give it a new revision; the outcome is new/revised/unchanged.
        A key the draft lacks makes a new section at the end of its part (or a new part at the
        end of the draft); what was typed is first matched against the draft's own keys."""
        draft = await self.require(guild_id, code)
        known = await self.repo.sections(draft.id)
        key = resolve_section_key(section, [s.key for s in known]) or normalize_section_key(
            section
        )
        body = normalize_text(text)
        if not body:
            raise UserError(Msg("Give the text of {section}.", section=section_label(key)))
        if len(body) > MAX_SECTION_TEXT:
            raise UserError(Msg(
                "That text is {n} characters; a section holds at most {most}. Use `/draft"
                " import` with a .md file for longer texts.", n=f"{len(body):,}",
                most=f"{MAX_SECTION_TEXT:,}",
            ))
        async with self.db.transaction() as tx:
            where: Placement | None = None
            if await self.repo.section_in(tx, draft.id, key) is None:
                where = placement(key, await self.repo.sections_in(tx, draft.id))
                await self.repo.make_room(tx, draft, where.position)
            saved, outcome = await self._set_section(
                tx, draft, key, body, actor_id, self.clock(), where
            )
        return draft, saved, outcome

    async def import_markdown(
        self, guild_id: int, actor_id: int, data: bytes, *, filename: str = ""
    ) -> list[ImportCounts]:
        """Import every draft of a Markdown file, or of a Word document when `filename` ends in
        .docx (sections, new revisions, comments)."""
        if len(data) > MAX_IMPORT_BYTES:
            raise import_too_big(len(data))
        own_groups = await GroupRepository(self.db).names(guild_id)  # beside the five
        # Reading is CPU work: off the loop.
        parsed = await asyncio.to_thread(_read_drafts, data, filename, own_groups)
        if not parsed:
            raise UserError(Msg(
                'That file holds no draft; start it with a heading like "# C11 Title".'
            ))
        # Every draft of the file is checked before any is written, then all are written in
        # one transaction: a refusal or a crash half-way never leaves part of the file stored.
        checked = [checked_import(item) for item in parsed]
        at = self.clock()
        async with self.db.transaction() as tx:
            return [await self._import(tx, guild_id, item, actor_id, at) for item in checked]

    async def _import(
        self, tx: Executor, guild_id: int, parsed: ParsedDraft, actor_id: int | None, at: datetime
    ) -> ImportCounts:
        """Create or update one draft of a file. A section gets a new revision only when its
        text changed; comments are added unless the draft already holds one with the same
        source key (so importing a file twice adds nothing, and a withdrawn imported comment
        stays withdrawn). Imported comments have no author: they are attributed to the
        organization and group the file names."""
        code = parsed.code.upper()
        counts = ImportCounts(code=code)
        version = parsed.version
        if version is None:
            version = await self.repo.version_of(tx, guild_id, code)
        draft, outcome = await self._upsert(tx, guild_id, code, parsed.title, version, actor_id, at)
        counts.created = outcome == "created"
        notes = "\n\n".join(parsed.notes) or None
        if notes != draft.notes:
            await self.repo.set_notes(tx, draft, notes)
        known = await self.comments.source_keys(tx, draft.id)
        for position, parsed_section in enumerate(parsed.sections):
            where = Placement(parsed_section.part, parsed_section.label, position)
            section, written = await self._set_section(
                tx, draft, parsed_section.key, parsed_section.text, actor_id, at, where
            )
            section = await self.repo.place(tx, section, where)
            if written == "new":
                counts.sections_new += 1
            elif written == "revised":
                counts.sections_revised += 1
            else:
                counts.sections_unchanged += 1
            fresh = []
            for comment in parsed_section.comments:
                if comment.source_key in known:
                    counts.comments_known += 1
                    continue
                known.add(comment.source_key)
                fresh.append(comment)
            await self.comments.add_imported(tx, draft, section, fresh, at)
            counts.comments_added += len(fresh)
        await audit.record(
            tx, guild_id=guild_id, actor_id=actor_id, action="draft.import",
            target=f"draft:{code}", at=at,
            detail={
                "sections_new": counts.sections_new,
                "sections_revised": counts.sections_revised,
                "comments_added": counts.comments_added,
                "comments_known": counts.comments_known,
            },
        )
        return counts

    # ---------------------------------------------------------------- export

    async def consolidated(self, guild_id: int, code: str) -> ConsolidatedDraft:
        """The draft as the consolidated text: current section texts and live comments."""
        draft = await self.require(guild_id, code)
        sections = await self.repo.sections(draft.id)
        comments = await self.comments.for_draft(draft.id)
        hidden = await self.comments.hidden_counts(draft.id)
        by_section: dict[int, list[ConsolidatedComment]] = {s.id: [] for s in sections}
        for c in comments:
            by_section.setdefault(c.section_id, []).append(
                ConsolidatedComment(
                    id=c.id,
                    organization=c.organization,
                    group=c.group,
                    kind=c.kind,
                    text=c.text,
                    created_at=c.created_at,
                    edited=c.edited_at is not None,
                    status=c.status,
                    revision=c.revision,
                    undated=c.undated,
                )
            )
        return ConsolidatedDraft(
            code=draft.code,
            title=draft.title,
            version=draft.version,
            generated_at=self.clock(),
            window_opens=draft.window_opens,
            window_closes=draft.window_closes,
            window_timezone=await self.repo.window_timezone(draft),
            sections=[
                ConsolidatedSection(
                    s.key, s.text, s.revision, by_section[s.id], hidden.get(s.id, 0),
                    part=s.part, label=s.label,
                )
                for s in sections
            ],
            notes=[p for p in (draft.notes or "").split("\n\n") if p.strip()],
            language=draft.language,
        )


def _read_drafts(data: bytes, filename: str, groups: list[str]) -> list[ParsedDraft]:
    """The drafts of a file, read by the reader its name asks for (.docx: Word, else Markdown)."""
    if filename.lower().endswith(".docx"):
        return parse_draft_docx(data, groups)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(Msg(
            "That file is not UTF-8 text; save it as UTF-8 Markdown (.md)."
        )) from None
    return parse_draft_markdown(text, groups)


def _edited(draft: Draft, changes: tuple[str, ...]) -> dict[str, str | None]:
    """What the audit row of /draft edit keeps of `draft`: title and version, and its language
    when that changed."""
    kept = {"title": draft.title, "version": draft.version}
    if "language" in changes:
        kept["language"] = draft.language
    return kept
