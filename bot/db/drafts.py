"""Drafts, their sections and the sections' revisions.

Writes take the caller's transaction (`tx`): the draft service writes the draft, its sections
and the audit row together. Reads use the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.database import Database, Executor, Row, from_ms, opt_dt, to_ms
from bot.domain.models import Draft, Section, SectionRevision
from bot.domain.sections import PARTS, split_section_key
from bot.domain.structure import Placement

_DRAFT = (
    "SELECT id, guild_id, code, title, version, window_opens, window_closes, window_event_id,"
    " created_at, updated_at, notes, language FROM drafts"
)
_SECTION = (
    "SELECT id, draft_id, key, position, revision, body, updated_at, part, label FROM sections"
)


def draft_model(row: Row) -> Draft:
    return Draft(
        id=row["id"],
        guild_id=row["guild_id"],
        code=row["code"],
        title=row["title"],
        version=row["version"],
        window_opens=opt_dt(row["window_opens"]),
        window_closes=opt_dt(row["window_closes"]),
        window_event_id=row["window_event_id"],
        created_at=opt_dt(row["created_at"]),
        updated_at=opt_dt(row["updated_at"]),
        notes=row["notes"],
        language=row["language"],
    )


def section_model(row: Row, prefix: str = "") -> Section:
    """A sections row as the model; `prefix`: its columns' prefix in a join ("s_")."""
    return Section(
        id=row[f"{prefix}id"],
        draft_id=row[f"{prefix}draft_id"],
        key=row[f"{prefix}key"],
        position=row[f"{prefix}position"],
        revision=row[f"{prefix}revision"],
        text=row[f"{prefix}body"],
        updated_at=opt_dt(row[f"{prefix}updated_at"]),
        part=row[f"{prefix}part"],
        label=row[f"{prefix}label"],
    )


def section_position(key: str) -> int:
    """A sortable integer for a key: part order x 100 + the item's letter (0 for the part)."""
    part, letter = split_section_key(key)
    order = list(PARTS)
    index = order.index(part) if part in order else len(order)
    return index * 100 + (ord(letter) - ord("a") + 1 if letter else 0)


def _row_lock(tx: Executor) -> str:
    """What makes a SELECT lock the rows it reads until the transaction ends, on PostgreSQL
    (NO KEY UPDATE: comments' foreign-key checks need not wait). SQLite's transactions are
    exclusive, so it needs none."""
    return " FOR NO KEY UPDATE" if tx.dialect == "postgresql" else ""


@dataclass(frozen=True, slots=True)
class DraftSummary:
    draft: Draft
    sections: int
    comments: int


@dataclass(slots=True)
class ImportCounts:
    """What one import did to one draft."""

    code: str
    created: bool = False
    sections_new: int = 0
    sections_revised: int = 0
    sections_unchanged: int = 0
    comments_added: int = 0
    comments_known: int = 0


class DraftRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---------------------------------------------------------------- reading

    async def get(self, guild_id: int, code: str) -> Draft | None:
        row = await self.db.quick.fetchrow(_DRAFT + " WHERE guild_id = $1 AND code = $2", guild_id, code)
        return None if row is None else draft_model(row)

    async def get_with_sections(
        self, guild_id: int, code: str
    ) -> tuple[Draft, list[Section]] | None:
        """The draft and its sections in document order, in one statement (a draft with no
        sections comes as one row whose section columns are NULL)."""
        rows = await self.db.quick.fetch(
            "SELECT d.id, d.guild_id, d.code, d.title, d.version, d.window_opens,"
            " d.window_closes, d.window_event_id, d.created_at, d.updated_at, d.notes,"
            " d.language, s.id AS s_id, s.draft_id AS s_draft_id, s.key AS s_key,"
            " s.position AS s_position,"
            " s.revision AS s_revision, s.body AS s_body, s.updated_at AS s_updated_at,"
            " s.part AS s_part, s.label AS s_label"
            " FROM drafts d LEFT JOIN sections s ON s.draft_id = d.id"
            " WHERE d.guild_id = $1 AND d.code = $2 ORDER BY s.position, s.key",
            guild_id, code,
        )
        if not rows:
            return None
        draft = draft_model(rows[0])
        return draft, [section_model(r, "s_") for r in rows if r["s_id"] is not None]

    async def get_by_id(self, draft_id: int) -> Draft | None:
        row = await self.db.quick.fetchrow(_DRAFT + " WHERE id = $1", draft_id)
        return None if row is None else draft_model(row)

    async def all(self, guild_id: int) -> list[Draft]:
        rows = await self.db.quick.fetch(_DRAFT + " WHERE guild_id = $1 ORDER BY code", guild_id)
        return [draft_model(r) for r in rows]

    async def summaries(self, guild_id: int) -> list[DraftSummary]:
        """Every draft of the server with its section and (live) comment counts: three queries."""
        drafts = await self.all(guild_id)
        sections = await self.db.fetch(
            "SELECT s.draft_id, COUNT(*) AS n FROM sections s JOIN drafts d ON d.id = s.draft_id"
            " WHERE d.guild_id = $1 GROUP BY s.draft_id",
            guild_id,
        )
        comments = await self.db.fetch(
            "SELECT draft_id, COUNT(*) AS n FROM comments WHERE guild_id = $1"
            " AND withdrawn_at IS NULL AND hidden_at IS NULL GROUP BY draft_id",
            guild_id,
        )
        n_sections = {r["draft_id"]: int(r["n"]) for r in sections}
        n_comments = {r["draft_id"]: int(r["n"]) for r in comments}
        return [
            DraftSummary(d, n_sections.get(d.id, 0), n_comments.get(d.id, 0)) for d in drafts
        ]

    async def codes(self, guild_id: int) -> list[str]:
        rows = await self.db.quick.fetch(
            "SELECT code FROM drafts WHERE guild_id = $1 ORDER BY code", guild_id
        )
        return [r["code"] for r in rows]

    async def sections(self, draft_id: int) -> list[Section]:
        rows = await self.db.quick.fetch(
            _SECTION + " WHERE draft_id = $1 ORDER BY position, key", draft_id
        )
        return [section_model(r) for r in rows]

    async def section_revisions(self, draft_ids: list[int]) -> dict[int, int]:
        """The current revision of every section of these drafts, by section id: one query
        that reads two columns (a listing needs nothing else of the sections)."""
        if not draft_ids:
            return {}
        marks = ", ".join(f"${n}" for n in range(1, len(draft_ids) + 1))
        rows = await self.db.quick.fetch(
            f"SELECT id, revision FROM sections WHERE draft_id IN ({marks})", *draft_ids
        )
        return {r["id"]: r["revision"] for r in rows}

    async def section(self, draft_id: int, key: str) -> Section | None:
        row = await self.db.quick.fetchrow(_SECTION + " WHERE draft_id = $1 AND key = $2", draft_id, key)
        return None if row is None else section_model(row)

    async def revision(self, section_id: int, revision: int) -> SectionRevision | None:
        """One revision of a section (None when it is not kept)."""
        for found in await self.revisions(section_id, revision):
            return found
        return None

    async def revisions(self, section_id: int, only: int | None = None) -> list[SectionRevision]:
        """A section's revisions, oldest first (only revision `only`, when given)."""
        query = (
            "SELECT section_id, revision, body, created_by, created_at FROM section_revisions"
            " WHERE section_id = $1"
        )
        args: list[int] = [section_id]
        if only is not None:
            query += " AND revision = $2"
            args.append(only)
        rows = await self.db.fetch(query + " ORDER BY revision", *args)
        return [
            SectionRevision(
                section_id=r["section_id"],
                revision=r["revision"],
                text=r["body"],
                created_by=r["created_by"],
                created_at=from_ms(r["created_at"]),
            )
            for r in rows
        ]

    async def comment_counts(self, draft_id: int) -> dict[int, int]:
        """Live (neither withdrawn nor hidden) comments per section id."""
        rows = await self.db.fetch(
            "SELECT section_id, COUNT(*) AS n FROM comments WHERE draft_id = $1"
            " AND withdrawn_at IS NULL AND hidden_at IS NULL GROUP BY section_id",
            draft_id,
        )
        return {r["section_id"]: int(r["n"]) for r in rows}

    # ---------------------------------------------------------------- writing

    @staticmethod
    async def create(
        tx: Executor,
        guild_id: int,
        code: str,
        title: str,
        version: str | None,
        *,
        actor_id: int | None,
        at: datetime,
    ) -> Draft | None:
        """Insert a new draft; None when the server already has one with `code` (also one a
        concurrent transaction created: PostgreSQL's insert waits for it, then does nothing)."""
        created = await tx.fetchval(
            "INSERT INTO drafts (guild_id, code, title, version, created_by, created_at,"
            " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)"
            " ON CONFLICT (guild_id, code) DO NOTHING RETURNING id",
            guild_id,
            code,
            title,
            version,
            actor_id,
            to_ms(at),
        )
        if created is None:
            return None
        return await DraftRepository.get_in(tx, created)

    @staticmethod
    async def locked(tx: Executor, guild_id: int, code: str) -> Draft | None:
        """The draft `code`, its row locked until the transaction ends (PostgreSQL; SQLite's
        transactions are exclusive), so a change computed from it is not lost."""
        find = _DRAFT + " WHERE guild_id = $1 AND code = $2" + _row_lock(tx)
        row = await tx.fetchrow(find, guild_id, code)
        return None if row is None else draft_model(row)

    @staticmethod
    async def rename(
        tx: Executor, draft: Draft, title: str, version: str | None, *, at: datetime,
        language: str | None = None,
    ) -> Draft:
        """Set the draft's title and version label (and its language, when given)."""
        await tx.execute(
            "UPDATE drafts SET title = $1, version = $2, updated_at = $3,"
            " language = COALESCE($5, language) WHERE id = $4",
            title,
            version,
            to_ms(at),
            draft.id,
            language,
        )
        return await DraftRepository.get_in(tx, draft.id)

    @staticmethod
    async def upsert(
        tx: Executor,
        guild_id: int,
        code: str,
        title: str,
        version: str | None,
        *,
        actor_id: int | None,
        at: datetime,
    ) -> tuple[Draft, str]:
        """Create the draft, or update its title and version (what an import does; /draft
        create only creates); returns it and ``"created"``, ``"updated"`` or ``"unchanged"``."""
        current = await DraftRepository.locked(tx, guild_id, code)
        if current is None:
            created = await DraftRepository.create(
                tx, guild_id, code, title, version, actor_id=actor_id, at=at
            )
            if created is not None:
                return created, "created"
            # Created by a concurrent transaction (PostgreSQL) since the look-up, which waited
            # for it to commit: update that draft, as SQLite's order would have.
            current = await DraftRepository.locked(tx, guild_id, code)
            assert current is not None
        if (current.title, current.version) == (title, version):
            return current, "unchanged"
        return await DraftRepository.rename(tx, current, title, version, at=at), "updated"

    @staticmethod
    async def sections_in(tx: Executor, draft_id: int) -> list[Section]:
        """The draft's sections in document order, read in the caller's transaction."""
        rows = await tx.fetch(_SECTION + " WHERE draft_id = $1 ORDER BY position, key", draft_id)
        return [section_model(r) for r in rows]

    @staticmethod
    async def section_in(tx: Executor, draft_id: int, key: str) -> Section | None:
        row = await tx.fetchrow(_SECTION + " WHERE draft_id = $1 AND key = $2", draft_id, key)
        return None if row is None else section_model(row)

    @staticmethod
    async def set_notes(tx: Executor, draft: Draft, notes: str | None) -> None:
        """Store the draft's notes (the paragraphs before its first part)."""
        await tx.execute("UPDATE drafts SET notes = $1 WHERE id = $2", notes, draft.id)

    @staticmethod
    async def place(tx: Executor, section: Section, placement: Placement) -> Section:
        """Give an existing section the part heading, label and position a file has for it
        (what a re-import does; the text and revision do not change)."""
        if (section.part, section.label, section.position) == placement:
            return section
        await tx.execute(
            "UPDATE sections SET part = $1, label = $2, position = $3 WHERE id = $4",
            placement.part, placement.label, placement.position, section.id,
        )
        row = await tx.fetchrow(_SECTION + " WHERE id = $1", section.id)
        assert row is not None
        return section_model(row)

    @staticmethod
    async def make_room(tx: Executor, draft: Draft, position: int) -> None:
        """Move every section at `position` or after one place down, so a new section can
        take `position`."""
        await tx.execute(
            "UPDATE sections SET position = position + 1 WHERE draft_id = $1 AND position >= $2",
            draft.id, position,
        )

    @staticmethod
    async def set_section(
        tx: Executor,
        draft: Draft,
        key: str,
        text: str,
        *,
        actor_id: int | None,
        at: datetime,
        placement: Placement | None = None,
    ) -> tuple[Section, str]:
        """Set a section's text: ``"new"``, ``"revised"`` (a new revision) or ``"unchanged"``.
        A new section takes `placement` (its part heading, label and position), else a
        position from its key alone."""
        # Writers of one draft's sections take turns on the draft's row (PostgreSQL; SQLite's
        # transactions already do), so two at once give two revisions instead of a
        # unique violation or one revision lost.
        if lock := _row_lock(tx):
            await tx.execute("SELECT id FROM drafts WHERE id = $1" + lock, draft.id)
        row = await tx.fetchrow(_SECTION + " WHERE draft_id = $1 AND key = $2", draft.id, key)
        if row is not None and row["body"] == text:
            return section_model(row), "unchanged"
        if row is None:
            where = placement or Placement(None, None, section_position(key))
            await tx.execute(
                "INSERT INTO sections (draft_id, key, position, revision, body, updated_at,"
                " part, label) VALUES ($1, $2, $3, 1, $4, $5, $6, $7)",
                draft.id,
                key,
                where.position,
                text,
                to_ms(at),
                where.part,
                where.label,
            )
            outcome, revision = "new", 1
        else:
            revision = int(row["revision"]) + 1
            await tx.execute(
                "UPDATE sections SET revision = $1, body = $2, updated_at = $3 WHERE id = $4",
                revision,
                text,
                to_ms(at),
                row["id"],
            )
            outcome = "revised"
        new = await tx.fetchrow(_SECTION + " WHERE draft_id = $1 AND key = $2", draft.id, key)
        assert new is not None
        await tx.execute(
            "INSERT INTO section_revisions (section_id, revision, body, created_by, created_at)"
            " VALUES ($1, $2, $3, $4, $5)",
            new["id"],
            revision,
            text,
            actor_id,
            to_ms(at),
        )
        await tx.execute("UPDATE drafts SET updated_at = $1 WHERE id = $2", to_ms(at), draft.id)
        return section_model(new), outcome

    @staticmethod
    async def set_window(
        tx: Executor, draft: Draft, opens: datetime, closes: datetime, event_id: int | None,
        at: datetime,
    ) -> Draft:
        """Store the draft's comment window (and its window event, when given)."""
        await tx.execute(
            "UPDATE drafts SET window_opens = $1, window_closes = $2,"
            " window_event_id = COALESCE($3, window_event_id), updated_at = $4 WHERE id = $5",
            to_ms(opens),
            to_ms(closes),
            event_id,
            to_ms(at),
            draft.id,
        )
        return await DraftRepository.get_in(tx, draft.id)

    async def window_timezone(self, draft: Draft) -> str | None:
        """The zone of the draft's window event (the zone its window was set in)."""
        if draft.window_event_id is None:
            return None
        value = await self.db.fetchval(
            "SELECT timezone FROM events WHERE id = $1", draft.window_event_id
        )
        return value if isinstance(value, str) else None

    @staticmethod
    async def clear_window(tx: Executor, draft: Draft, at: datetime) -> Draft:
        """Remove the draft's comment window: comments are accepted at any time again."""
        await tx.execute(
            "UPDATE drafts SET window_opens = NULL, window_closes = NULL,"
            " window_event_id = NULL, updated_at = $1 WHERE id = $2",
            to_ms(at),
            draft.id,
        )
        return await DraftRepository.get_in(tx, draft.id)

    @staticmethod
    async def get_in(tx: Executor, draft_id: int) -> Draft:
        row = await tx.fetchrow(_DRAFT + " WHERE id = $1", draft_id)
        assert row is not None
        return draft_model(row)

    @staticmethod
    async def version_of(tx: Executor, guild_id: int, code: str) -> str | None:
        """The stored version of the draft `code` (None when there is no such draft)."""
        value = await tx.fetchval(
            "SELECT version FROM drafts WHERE guild_id = $1 AND code = $2", guild_id, code
        )
        return value if isinstance(value, str) else None
