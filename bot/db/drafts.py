"""Drafts, their sections and the sections' revisions; the import of parsed drafts.

Every change writes its audit row in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from bot.db import audit
from bot.db.database import Database, Executor, Row, from_ms, opt_dt, opt_ms, to_ms
from bot.domain.models import Draft, ParsedDraft, Section, SectionRevision
from bot.domain.sections import PARTS, split_section_key

_DRAFT = (
    "SELECT id, guild_id, code, title, version, window_opens, window_closes, window_event_id,"
    " created_at, updated_at FROM drafts"
)
_SECTION = "SELECT id, draft_id, key, position, revision, body, updated_at FROM sections"


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
    )


def section_model(row: Row) -> Section:
    return Section(
        id=row["id"],
        draft_id=row["draft_id"],
        key=row["key"],
        position=row["position"],
        revision=row["revision"],
        text=row["body"],
        updated_at=opt_dt(row["updated_at"]),
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
        row = await self.db.fetchrow(_DRAFT + " WHERE guild_id = $1 AND code = $2", guild_id, code)
        return None if row is None else draft_model(row)

    async def get_by_id(self, draft_id: int) -> Draft | None:
        row = await self.db.fetchrow(_DRAFT + " WHERE id = $1", draft_id)
        return None if row is None else draft_model(row)

    async def all(self, guild_id: int) -> list[Draft]:
        rows = await self.db.fetch(_DRAFT + " WHERE guild_id = $1 ORDER BY code", guild_id)
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
            " AND withdrawn_at IS NULL GROUP BY draft_id",
            guild_id,
        )
        n_sections = {r["draft_id"]: int(r["n"]) for r in sections}
        n_comments = {r["draft_id"]: int(r["n"]) for r in comments}
        return [
            DraftSummary(d, n_sections.get(d.id, 0), n_comments.get(d.id, 0)) for d in drafts
        ]

    async def codes(self, guild_id: int) -> list[str]:
        rows = await self.db.fetch(
            "SELECT code FROM drafts WHERE guild_id = $1 ORDER BY code", guild_id
        )
        return [r["code"] for r in rows]

    async def sections(self, draft_id: int) -> list[Section]:
        rows = await self.db.fetch(
            _SECTION + " WHERE draft_id = $1 ORDER BY position, key", draft_id
        )
        return [section_model(r) for r in rows]

    async def section(self, draft_id: int, key: str) -> Section | None:
        row = await self.db.fetchrow(_SECTION + " WHERE draft_id = $1 AND key = $2", draft_id, key)
        return None if row is None else section_model(row)

    async def revisions(self, section_id: int) -> list[SectionRevision]:
        rows = await self.db.fetch(
            "SELECT section_id, revision, body, created_by, created_at FROM section_revisions"
            " WHERE section_id = $1 ORDER BY revision",
            section_id,
        )
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
        """Live (not withdrawn) comments per section id."""
        rows = await self.db.fetch(
            "SELECT section_id, COUNT(*) AS n FROM comments WHERE draft_id = $1"
            " AND withdrawn_at IS NULL GROUP BY section_id",
            draft_id,
        )
        return {r["section_id"]: int(r["n"]) for r in rows}

    # ---------------------------------------------------------------- writing

    async def upsert(
        self,
        guild_id: int,
        code: str,
        title: str,
        version: str | None,
        *,
        actor_id: int | None,
        at: datetime,
    ) -> tuple[Draft, bool]:
        """Create the draft, or update its title and version; returns it and whether it is new."""
        async with self.db.transaction() as tx:
            draft, created = await self._upsert(
                tx, guild_id, code, title, version, actor_id=actor_id, at=at
            )
        return draft, created

    async def _upsert(
        self,
        tx: Executor,
        guild_id: int,
        code: str,
        title: str,
        version: str | None,
        *,
        actor_id: int | None,
        at: datetime,
    ) -> tuple[Draft, bool]:
        find = _DRAFT + " WHERE guild_id = $1 AND code = $2" + _row_lock(tx)
        row = await tx.fetchrow(find, guild_id, code)
        if row is None:
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
                # Created by a concurrent transaction (PostgreSQL) since the look-up, which
                # waited for it to commit: update that draft, as SQLite's order would have.
                row = await tx.fetchrow(find, guild_id, code)
                assert row is not None
        if row is None:
            action = "draft.create"
        elif (row["title"], row["version"]) != (title, version):
            await tx.execute(
                "UPDATE drafts SET title = $1, version = $2, updated_at = $3 WHERE id = $4",
                title,
                version,
                to_ms(at),
                row["id"],
            )
            action = "draft.update"
        else:
            return draft_model(row), False
        await audit.record(
            tx,
            guild_id=guild_id,
            actor_id=actor_id,
            action=action,
            target=f"draft:{code}",
            at=at,
            detail={"title": title, "version": version},
        )
        new = await tx.fetchrow(_DRAFT + " WHERE guild_id = $1 AND code = $2", guild_id, code)
        assert new is not None
        return draft_model(new), row is None

    async def set_section(
        self, draft: Draft, key: str, text: str, *, actor_id: int | None, at: datetime
    ) -> tuple[Section, str]:
        """Set a section's text: ``"new"``, ``"revised"`` (a new revision) or ``"unchanged"``."""
        async with self.db.transaction() as tx:
            return await self._set_section(tx, draft, key, text, actor_id=actor_id, at=at)

    async def _set_section(
        self,
        tx: Executor,
        draft: Draft,
        key: str,
        text: str,
        *,
        actor_id: int | None,
        at: datetime,
    ) -> tuple[Section, str]:
        # Writers of one draft's sections take turns on the draft's row (PostgreSQL; SQLite's
        # transactions already do), so two at once give two revisions instead of a
        # unique violation or one revision lost.
        if lock := _row_lock(tx):
            await tx.execute("SELECT id FROM drafts WHERE id = $1" + lock, draft.id)
        row = await tx.fetchrow(_SECTION + " WHERE draft_id = $1 AND key = $2", draft.id, key)
        if row is not None and row["body"] == text:
            return section_model(row), "unchanged"
        if row is None:
            await tx.execute(
                "INSERT INTO sections (draft_id, key, position, revision, body, updated_at)"
                " VALUES ($1, $2, $3, 1, $4, $5)",
                draft.id,
                key,
                section_position(key),
                text,
                to_ms(at),
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
        await audit.record(
            tx,
            guild_id=draft.guild_id,
            actor_id=actor_id,
            action="section.create" if outcome == "new" else "section.revise",
            target=f"draft:{draft.code}/{key}",
            at=at,
            detail={"revision": revision, "chars": len(text)},
        )
        return section_model(new), outcome

    async def set_window(
        self,
        draft: Draft,
        opens: datetime,
        closes: datetime,
        event_id: int | None,
        *,
        actor_id: int | None,
        at: datetime,
    ) -> Draft:
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE drafts SET window_opens = $1, window_closes = $2,"
                " window_event_id = COALESCE($3, window_event_id), updated_at = $4 WHERE id = $5",
                to_ms(opens),
                to_ms(closes),
                event_id,
                to_ms(at),
                draft.id,
            )
            await audit.record(
                tx,
                guild_id=draft.guild_id,
                actor_id=actor_id,
                action="draft.window",
                target=f"draft:{draft.code}",
                at=at,
                detail={
                    "opens": opens.isoformat(),
                    "closes": closes.isoformat(),
                    "previous_opens": opt_ms(draft.window_opens),
                    "previous_closes": opt_ms(draft.window_closes),
                    "event_id": event_id,
                },
            )
            row = await tx.fetchrow(_DRAFT + " WHERE id = $1", draft.id)
        assert row is not None
        return draft_model(row)

    async def import_drafts(
        self, guild_id: int, parsed: list[ParsedDraft], *, actor_id: int | None, at: datetime
    ) -> list[tuple[Draft, ImportCounts]]:
        """Create or update every draft of a parsed file, all in one transaction: a failure or
        a kill half-way leaves none of them changed.

        A section gets a new revision only when its text changed; comments are added unless the
        draft already holds one with the same source key (so importing a file twice adds
        nothing, and a withdrawn imported comment stays withdrawn). Imported comments have no
        author: they are attributed to the organization and group the file names.
        """
        async with self.db.transaction() as tx:
            return [
                await self._import_draft(tx, guild_id, item, actor_id=actor_id, at=at)
                for item in parsed
            ]

    async def _import_draft(
        self,
        tx: Executor,
        guild_id: int,
        parsed: ParsedDraft,
        *,
        actor_id: int | None,
        at: datetime,
    ) -> tuple[Draft, ImportCounts]:
        code = parsed.code.upper()
        counts = ImportCounts(code=code)
        existing = await tx.fetchrow(_DRAFT + " WHERE guild_id = $1 AND code = $2", guild_id, code)
        version = parsed.version if parsed.version is not None else (
            existing["version"] if existing is not None else None
        )
        draft, counts.created = await self._upsert(
            tx, guild_id, code, parsed.title, version, actor_id=actor_id, at=at
        )
        known = {
            r["source_key"]
            for r in await tx.fetch(
                "SELECT source_key FROM comments WHERE draft_id = $1 AND source_key IS NOT NULL",
                draft.id,
            )
        }
        rows: list[tuple[object, ...]] = []
        for parsed_section in parsed.sections:
            section, outcome = await self._set_section(
                tx, draft, parsed_section.key, parsed_section.text, actor_id=actor_id, at=at
            )
            if outcome == "new":
                counts.sections_new += 1
            elif outcome == "revised":
                counts.sections_revised += 1
            else:
                counts.sections_unchanged += 1
            for comment in parsed_section.comments:
                if comment.source_key in known:
                    counts.comments_known += 1
                    continue
                known.add(comment.source_key)
                created = (
                    datetime.combine(comment.created_on, time(), tzinfo=UTC)
                    if comment.created_on
                    else at
                )
                rows.append(
                    (
                        guild_id,
                        draft.id,
                        section.id,
                        section.revision,
                        comment.organization,
                        comment.group.value,
                        comment.kind.value,
                        comment.text,
                        comment.source_key,
                        to_ms(created),
                    )
                )
        if rows:
            await tx.executemany(
                "INSERT INTO comments (guild_id, draft_id, section_id, revision, author_id,"
                " organization, stakeholder_group, kind, body, source_key, created_at)"
                " VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9, $10)",
                rows,
            )
        counts.comments_added = len(rows)
        await audit.record(
            tx,
            guild_id=guild_id,
            actor_id=actor_id,
            action="draft.import",
            target=f"draft:{code}",
            at=at,
            detail={
                "sections_new": counts.sections_new,
                "sections_revised": counts.sections_revised,
                "comments_added": counts.comments_added,
                "comments_known": counts.comments_known,
            },
        )
        row = await tx.fetchrow(_DRAFT + " WHERE id = $1", draft.id)
        assert row is not None
        return draft_model(row), counts
