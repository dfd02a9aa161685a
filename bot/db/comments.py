"""Stakeholder comments on draft sections: add, edit, withdraw, list, count.

The list queries are bounded (``LIMIT``) and walk the indexes ``comments (guild_id, id)`` and
``comments (draft_id, section_id, id)`` newest first, joined to their section in the same query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from typing import Any

from bot.db.database import Database, Executor, Row, from_ms, opt_dt, to_ms
from bot.domain.comments import Listed
from bot.domain.models import (
    AttributionStatus,
    Comment,
    CommentKind,
    Draft,
    ParsedComment,
    Section,
    Stakeholder,
)

_COLUMNS = (
    "SELECT c.id, c.guild_id, c.draft_id, c.section_id, s.key AS section_key, c.revision,"
    " c.author_id, c.organization, c.stakeholder_group, c.kind, {body} AS body, c.created_at,"
    " c.edited_at, c.withdrawn_at, c.attribution_status, c.hidden_at, c.hidden_by,"
    " c.hidden_reason, c.channel_id, c.message_id, c.undated"
    " FROM comments c JOIN sections s ON s.id = c.section_id"
)
_SELECT = _COLUMNS.format(body="c.body")
_SAME_COMMENT_LOCK = 727275  # advisory lock class: one author's comments on one section
#: Listings show a preview: they read at most this many characters of each text.
PREVIEW_CHARS = 400
_SELECT_PREVIEW = _COLUMNS.format(body=f"substr(c.body, 1, {PREVIEW_CHARS})")
#: A page of a listing: previews, with the draft's code and the section's current revision.
_SELECT_LISTED = _SELECT_PREVIEW.replace(
    " FROM comments c JOIN sections s ON s.id = c.section_id",
    ", d.code AS draft_code, s.revision AS current_revision FROM comments c"
    " JOIN sections s ON s.id = c.section_id LEFT JOIN drafts d ON d.id = c.draft_id",
)
assert _SELECT_LISTED != _SELECT_PREVIEW


_INSERT = (
    "INSERT INTO comments (guild_id, draft_id, section_id, revision, author_id,"
    " organization, stakeholder_group, kind, body, created_at, attribution_status)"
)


def same_comment_lock(user_id: int, section_id: int) -> tuple[int, int]:
    """The advisory lock under which one author's comment on one section is looked for and
    recorded (PostgreSQL): two retries of the same comment at once take turns."""
    return _SAME_COMMENT_LOCK, (user_id ^ section_id) & 0x7FFFFFFF


def _made(
    cid: int, draft: Draft, section: Section, author: Stakeholder, kind: CommentKind,
    text: str, at: datetime, status: AttributionStatus,
) -> Comment:
    """The comment just inserted as `cid`, without reading it back."""
    return Comment(
        id=cid,
        guild_id=draft.guild_id,
        draft_id=draft.id,
        section_id=section.id,
        section_key=section.key,
        revision=section.revision,
        author_id=author.user_id,
        organization=author.organization,
        group=author.group,
        kind=kind,
        text=text,
        created_at=from_ms(to_ms(at)),
        status=status,
    )


_KINDS = {k.value: k for k in CommentKind}
_STATUSES = {s.value: s for s in AttributionStatus}


def comment_model(row: Row) -> Comment:
    """A comments row as the model (enum members looked up by value in a dict: a listing
    builds a hundred of these per answer)."""
    return Comment(
        id=row["id"],
        guild_id=row["guild_id"],
        draft_id=row["draft_id"],
        section_id=row["section_id"],
        section_key=row["section_key"],
        revision=row["revision"],
        author_id=row["author_id"],
        organization=row["organization"],
        group=row["stakeholder_group"],
        kind=_KINDS[row["kind"]],
        text=row["body"],
        created_at=from_ms(row["created_at"]),
        edited_at=opt_dt(row["edited_at"]),
        withdrawn_at=opt_dt(row["withdrawn_at"]),
        status=_STATUSES[row["attribution_status"]],
        hidden_at=opt_dt(row["hidden_at"]),
        hidden_by=row["hidden_by"],
        hidden_reason=row["hidden_reason"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        undated=bool(row["undated"]),
    )


async def _checked(
    tx: Executor, guild_id: int, comment_id: int, check: Callable[[Comment | None], None]
) -> Comment:
    """The comment as it is inside the write's transaction (its row locked on PostgreSQL),
    after `check` (which raises to refuse) passed it."""
    lock = " FOR UPDATE OF c" if tx.dialect == "postgresql" else ""
    row = await tx.fetchrow(
        _SELECT + " WHERE c.id = $1 AND c.guild_id = $2" + lock, comment_id, guild_id
    )
    current = None if row is None else comment_model(row)
    check(current)
    assert current is not None
    return current


async def _reread(tx: Executor, comment_id: int) -> Comment:
    row = await tx.fetchrow(_SELECT + " WHERE c.id = $1", comment_id)
    assert row is not None
    return comment_model(row)


@dataclass(frozen=True, slots=True)
class CommentFilter:
    guild_id: int
    draft_id: int | None = None
    section_id: int | None = None
    group: str | None = None

    def where(self, dialect: str) -> tuple[str, list[Any]]:
        clauses = ["c.withdrawn_at IS NULL", "c.hidden_at IS NULL"]
        args: list[Any] = []
        if self.section_id is not None:
            args += [self.draft_id, self.section_id]
            clauses += [f"c.draft_id = ${len(args) - 1}", f"c.section_id = ${len(args)}"]
        else:
            args.append(self.guild_id)
            clauses.append(f"c.guild_id = ${len(args)}")
            if self.draft_id is not None:
                args.append(self.draft_id)
                clauses.append(f"c.draft_id = ${len(args)}")
        if self.group is not None:
            args.append(self.group)
            clauses.append(f"c.stakeholder_group = ${len(args)}")
        return " AND ".join(clauses), args

    def source(self, dialect: str) -> str:
        """`comments c`, on SQLite with the index that walks this filter's comments newest
        first (migration V15): without statistics for it (a database migrated and never
        analyzed) SQLite's planner may take another and sort the whole table, 120 ms for
        100,000 comments. PostgreSQL's planner keeps its own statistics."""
        if dialect != "sqlite":
            return "comments c"
        if self.section_id is not None:
            index = "comments_live_section"
        elif self.draft_id is not None:
            index = "comments_live_draft_group" if self.group is not None else "comments_live_draft"
        else:
            index = "comments_live_group" if self.group is not None else "comments_guild"
        return f"comments c INDEXED BY {index}"


def page_query(
    flt: CommentFilter, dialect: str, limit: int, offset: int, cap: int | None = None
) -> tuple[str, list[Any]]:
    """The statement of `CommentRepository.page` and its arguments."""
    where, args = flt.where(dialect)
    source = flt.source(dialect)
    n = len(args)
    counted = ""
    if cap is not None:
        counted = (
            f", (SELECT COUNT(*) FROM (SELECT 1 FROM {source} WHERE {where}"
            f" LIMIT ${n + 3}) AS capped) AS total"
        )
    sql = (
        _SELECT_LISTED.replace(" FROM comments c", f"{counted} FROM {source}", 1)
        + f" WHERE {where} ORDER BY c.id DESC LIMIT ${n + 1} OFFSET ${n + 2}"
    )
    return sql, [*args, limit, offset, *(() if cap is None else (cap,))]


class CommentRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    async def add(
        tx: Executor,
        draft: Draft,
        section: Section,
        author: Stakeholder,
        kind: CommentKind,
        text: str,
        at: datetime,
        *,
        status: AttributionStatus = AttributionStatus.UNVERIFIED,
        same_since: datetime | None = None,
        locked: bool = False,
    ) -> tuple[Comment, bool]:
        """Record a comment with the author's attribution as it is now, and how it stands
        (`status`: verified or unverified); returns it and whether it is new. With
        `same_since`, the same author's live comment with the same text on the same section
        made since then is returned instead (a retry, not a second comment); `locked`: the
        transaction began with `same_comment_lock` (else it is taken here)."""
        values = (
            draft.guild_id, draft.id, section.id, section.revision, author.user_id,
            author.organization, author.group, kind.value, text, to_ms(at), status.value,
        )
        if same_since is not None and tx.dialect == "postgresql":
            # Two retries at once: the second waits for the first, then finds it.
            if not locked:
                await tx.execute(
                    "SELECT pg_advisory_xact_lock($1, $2)",
                    *same_comment_lock(author.user_id, section.id),
                )
            # Under the lock (taken by an earlier statement, so this one's snapshot sees what
            # the other retry committed): look for the same comment and insert only when there
            # is none, in one round trip.
            found = await tx.fetchrow(
                "WITH same AS (SELECT c.id FROM comments c WHERE c.author_id = $5"
                " AND c.section_id = $3 AND c.body = $9 AND c.created_at >= $12"
                " AND c.withdrawn_at IS NULL ORDER BY c.id DESC LIMIT 1),"
                f" made AS ({_INSERT} SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11"
                " WHERE NOT EXISTS (SELECT 1 FROM same) RETURNING id)"
                " SELECT (SELECT id FROM made) AS made, (SELECT id FROM same) AS same",
                *values, to_ms(same_since),
            )
            assert found is not None
            if found["same"] is not None:
                row = await tx.fetchrow(_SELECT + " WHERE c.id = $1", found["same"])
                assert row is not None
                return comment_model(row), False
            return _made(int(found["made"]), draft, section, author, kind, text, at, status), True
        if same_since is not None:
            row = await tx.fetchrow(
                _SELECT + " WHERE c.author_id = $1 AND c.section_id = $2 AND c.body = $3"
                " AND c.created_at >= $4 AND c.withdrawn_at IS NULL ORDER BY c.id DESC LIMIT 1",
                author.user_id,
                section.id,
                text,
                to_ms(same_since),
            )
            if row is not None:
                return comment_model(row), False
        cid = await tx.fetchval(
            f"{_INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            *values,
        )
        return _made(int(cid), draft, section, author, kind, text, at, status), True

    async def get(self, guild_id: int, comment_id: int) -> Comment | None:
        row = await self.db.fetchrow(
            _SELECT + " WHERE c.id = $1 AND c.guild_id = $2", comment_id, guild_id
        )
        return None if row is None else comment_model(row)

    @staticmethod
    async def change(
        tx: Executor,
        guild_id: int,
        comment_id: int,
        check: Callable[[Comment | None], None],
        *,
        text: str | None,
        at: datetime,
    ) -> tuple[Comment, Comment]:
        """Edit (`text`) or withdraw (`text` None) a comment: read, `check` (which raises to
        refuse) and write in the caller's transaction, the row locked on PostgreSQL, so two
        changes at once are applied one after the other. Returns it before and after."""
        current = await _checked(tx, guild_id, comment_id, check)
        if text is None:
            await tx.execute(
                "UPDATE comments SET withdrawn_at = $1 WHERE id = $2", to_ms(at), comment_id
            )
        else:
            await tx.execute(
                "UPDATE comments SET body = $1, edited_at = $2 WHERE id = $3",
                text,
                to_ms(at),
                comment_id,
            )
        return current, await _reread(tx, comment_id)

    @staticmethod
    async def set_hidden(
        tx: Executor,
        guild_id: int,
        comment_id: int,
        check: Callable[[Comment | None], None],
        *,
        by: int | None,
        reason: str | None,
        at: datetime | None,
    ) -> tuple[Comment, Comment]:
        """Hide a comment (`at`, `by` and `reason` given) or restore it (all None): read,
        `check` and write in the caller's transaction, the row locked on PostgreSQL. Returns
        it before and after."""
        current = await _checked(tx, guild_id, comment_id, check)
        await tx.execute(
            "UPDATE comments SET hidden_at = $1, hidden_by = $2, hidden_reason = $3 WHERE id = $4",
            None if at is None else to_ms(at),
            by,
            reason,
            comment_id,
        )
        return current, await _reread(tx, comment_id)

    @staticmethod
    async def set_group(
        tx: Executor,
        guild_id: int,
        comment_id: int,
        check: Callable[[Comment | None], None],
        group: str,
    ) -> tuple[Comment, Comment]:
        """Set the stakeholder group a comment is attributed to: read, `check` and write in
        the caller's transaction, the row locked on PostgreSQL. Returns it before and after."""
        current = await _checked(tx, guild_id, comment_id, check)
        await tx.execute(
            "UPDATE comments SET stakeholder_group = $1 WHERE id = $2", group, comment_id
        )
        return current, await _reread(tx, comment_id)

    async def remember_message(
        self, comment_id: int, channel_id: int, message_id: int
    ) -> bool | None:
        """Remember the public message that announced the comment (edited when it changes), as
        one statement committed on its own; returns whether the comment was edited, withdrawn
        or hidden by then (None when it no longer exists)."""
        row = await self.db.write_one(
            "UPDATE comments SET channel_id = $1, message_id = $2 WHERE id = $3"
            " RETURNING edited_at, withdrawn_at, hidden_at",
            channel_id,
            message_id,
            comment_id,
        )
        if row is None:
            return None
        return any(row[k] is not None for k in ("edited_at", "withdrawn_at", "hidden_at"))

    async def page(
        self, flt: CommentFilter, limit: int, offset: int = 0, *, cap: int | None = None
    ) -> tuple[list[Listed], int | None]:
        """The newest live comments matching `flt` after the first `offset`, at most `limit`,
        each with its draft's code and its section's current revision (read in the same
        query, for these comments only); each text cut to its first PREVIEW_CHARS
        characters (a listing shows previews). With `cap`, the same statement also counts
        the matching comments up to `cap` (None when the page is empty and carries no count).
        """
        sql, args = page_query(flt, self.db.dialect, limit, offset, cap)
        rows = await self.db.quick.fetch(sql, *args)
        listed = [Listed(comment_model(r), r["draft_code"], r["current_revision"]) for r in rows]
        return listed, (int(rows[0]["total"]) if rows and cap is not None else None)

    async def count(self, flt: CommentFilter, cap: int) -> int:
        """How many live comments match `flt`, counting at most `cap` (a bounded cost)."""
        where, args = flt.where(self.db.dialect)
        args.append(cap)
        value = await self.db.quick.fetchval(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {flt.source(self.db.dialect)} WHERE {where}"
            f" LIMIT ${len(args)}) AS capped",
            *args,
        )
        return int(value or 0)

    async def for_draft(self, draft_id: int) -> list[Comment]:
        """Every live comment of a draft, oldest first (the consolidated text): neither
        withdrawn nor hidden."""
        rows = await self.db.fetch(
            _SELECT + " WHERE c.draft_id = $1 AND c.withdrawn_at IS NULL AND c.hidden_at IS NULL"
            " ORDER BY c.id",
            draft_id,
        )
        return [comment_model(r) for r in rows]

    async def hidden_counts(self, draft_id: int) -> dict[int, int]:
        """Comments the secretariat hid (and their authors did not withdraw), per section id."""
        rows = await self.db.fetch(
            "SELECT section_id, COUNT(*) AS n FROM comments WHERE draft_id = $1"
            " AND hidden_at IS NOT NULL AND withdrawn_at IS NULL GROUP BY section_id",
            draft_id,
        )
        return {r["section_id"]: int(r["n"]) for r in rows}

    async def coverage(self, draft_id: int) -> dict[tuple[int, str], int]:
        """Live (neither withdrawn nor hidden) comments per (section id, stakeholder group)."""
        rows = await self.db.fetch(
            "SELECT section_id, stakeholder_group, COUNT(*) AS n FROM comments"
            " WHERE draft_id = $1 AND withdrawn_at IS NULL AND hidden_at IS NULL"
            " GROUP BY section_id, stakeholder_group",
            draft_id,
        )
        return {(r["section_id"], r["stakeholder_group"]): int(r["n"]) for r in rows}

    @staticmethod
    async def source_keys(tx: Executor, draft_id: int) -> set[str]:
        """The source keys of a draft's imported comments (an import adds each once)."""
        rows = await tx.fetch(
            "SELECT source_key FROM comments WHERE draft_id = $1 AND source_key IS NOT NULL",
            draft_id,
        )
        return {r["source_key"] for r in rows}

    @staticmethod
    async def add_imported(
        tx: Executor, draft: Draft, section: Section, comments: list[ParsedComment], at: datetime
    ) -> None:
        """Store comments read from a file: no author, attributed to the organization and
        group the file names, marked as the file says (imported, or unverified when an export
        marked it so), dated as the file says (else `at`, and marked undated: the day of the
        import is not the comment's)."""
        if not comments:
            return
        await tx.executemany(
            "INSERT INTO comments (guild_id, draft_id, section_id, revision, author_id,"
            " organization, stakeholder_group, kind, body, source_key, created_at,"
            " attribution_status, undated)"
            " VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9, $10, $11, $12)",
            [
                (
                    draft.guild_id, draft.id, section.id, section.revision, c.organization,
                    c.group, c.kind.value, c.text, c.source_key,
                    to_ms(datetime.combine(c.created_on, time(), tzinfo=UTC))
                    if c.created_on else to_ms(at),
                    c.status.value,
                    0 if c.created_on else 1,
                )
                for c in comments
            ],
        )

    async def all_for_draft(self, draft_id: int) -> list[Comment]:
        """Every comment of a draft, withdrawn ones too, oldest first, each with its source key
        (the export keeps everything)."""
        rows = await self.db.fetch(
            _SELECT.replace(" FROM comments c", ", c.source_key FROM comments c", 1)
            + " WHERE c.draft_id = $1 ORDER BY c.id",
            draft_id,
        )
        return [replace(comment_model(r), source_key=r["source_key"]) for r in rows]
