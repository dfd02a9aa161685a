"""Calendar events: meetings, deadlines and windows of a server.

Writes take the caller's transaction (`tx`), so the calendar service can write the event, its
reminders and the audit row together (and, for a draft's window, the draft's window columns). Reads use the database unless given a transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.db.database import Database, Executor, Row, from_ms, opt_dt, opt_ms, to_ms
from bot.domain.models import Event, EventKind, EventStatus, OccurrenceChange

_COLUMNS = (
    "id, guild_id, title, kind, start_at, end_at, all_day, timezone, location, url, description,"
    " tentative, status, uid, draft_id, created_by, created_at, updated_at, rrule, series_end"
)
_SELECT = f"SELECT {_COLUMNS} FROM events"
_SAME_EVENT_LOCK = 727277  # advisory lock class: one member adding events to one server
_IMPORT_LOCK = 727276  # advisory lock class: the .ics imports of one guild (see comments.py)


@dataclass(frozen=True, slots=True)
class DraftWindow:
    """A draft's window as its row holds it (for the calendar, which writes it)."""

    code: str
    opens: datetime | None
    closes: datetime | None


_KINDS = {k.value: k for k in EventKind}
_STATUSES = {s.value: s for s in EventStatus}


def _model(r: Row) -> Event:
    """An events row as the model (enum members by dict look-up: a page builds eleven)."""
    return Event(
        id=r["id"],
        guild_id=r["guild_id"],
        title=r["title"],
        kind=_KINDS[r["kind"]],
        start=from_ms(r["start_at"]),
        end=opt_dt(r["end_at"]),
        all_day=bool(r["all_day"]),
        timezone=r["timezone"],
        location=r["location"],
        url=r["url"],
        description=r["description"],
        tentative=bool(r["tentative"]),
        status=_STATUSES[r["status"]],
        uid=r["uid"],
        draft_id=r["draft_id"],
        created_by=r["created_by"],
        created_at=opt_dt(r["created_at"]),
        updated_at=opt_dt(r["updated_at"]),
        rrule=r["rrule"],
        series_end=opt_dt(r["series_end"]),
    )


def _change(r: Row) -> OccurrenceChange:
    return OccurrenceChange(
        occurrence_at=from_ms(r["occurrence_at"]),
        cancelled=bool(r["cancelled"]),
        start=opt_dt(r["start_at"]),
        end=opt_dt(r["end_at"]),
        title=r["title"],
        location=r["location"],
    )


def _span(event: Event) -> int:
    return 0 if event.end is None else max(0, to_ms(event.end) - to_ms(event.start))


def _insert_args(event: Event, at: datetime) -> tuple[object, ...]:
    return (
        event.guild_id, event.title, event.kind.value, to_ms(event.start), opt_ms(event.end),
        int(event.all_day), event.timezone, event.location, event.url, event.description,
        int(event.tentative), event.status.value, event.uid, event.draft_id, event.created_by,
        to_ms(at), _span(event), event.rrule, opt_ms(event.series_end),
    )


def _like(text: str) -> str:
    """`text` as a LIKE pattern fragment with its wildcards escaped (ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class EventRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------- writing

    @staticmethod
    async def insert(tx: Executor, event: Event, at: datetime) -> Event:
        """Store `event` (its id, created_at and updated_at are ignored); returns it stored."""
        new_id = await tx.fetchval(
            "INSERT INTO events (guild_id, title, kind, start_at, end_at, all_day, timezone,"
            " location, url, description, tentative, status, uid, draft_id, created_by,"
            " created_at, updated_at, span_ms, rrule, series_end) VALUES ($1, $2, $3, $4, $5,"
            " $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $18, $19) RETURNING id",
            *_insert_args(event, at),
        )
        stored = await EventRepository.get_in(tx, event.guild_id, int(new_id))
        assert stored is not None
        return stored

    @staticmethod
    async def insert_new_uid(tx: Executor, event: Event, at: datetime) -> Event | None:
        """Store `event` unless its guild already has an event with its UID (committed by a
        concurrent writer); returns it stored, or None when the UID was taken."""
        new_id = await tx.fetchval(
            "INSERT INTO events (guild_id, title, kind, start_at, end_at, all_day, timezone,"
            " location, url, description, tentative, status, uid, draft_id, created_by,"
            " created_at, updated_at, span_ms, rrule, series_end) VALUES ($1, $2, $3, $4, $5,"
            " $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $18, $19)"
            " ON CONFLICT (guild_id, uid) DO NOTHING RETURNING id",
            *_insert_args(event, at),
        )
        if new_id is None:
            return None
        return await EventRepository.get_in(tx, event.guild_id, int(new_id))

    @staticmethod
    async def lock_imports(tx: Executor, guild_id: int) -> None:
        """Make the imports of one guild take turns until `tx` ends (PostgreSQL; SQLite's
        transactions already do), so the second reads what the first wrote."""
        if tx.dialect == "postgresql":
            await tx.execute(
                "SELECT pg_advisory_xact_lock($1, $2)", _IMPORT_LOCK, guild_id & 0x7FFFFFFF
            )

    @staticmethod
    async def update(tx: Executor, event: Event, at: datetime) -> Event:
        """Write every editable field of `event` (found by id); returns it stored."""
        await tx.execute(
            "UPDATE events SET title = $3, kind = $4, start_at = $5, end_at = $6, all_day = $7,"
            " timezone = $8, location = $9, url = $10, description = $11, tentative = $12,"
            " status = $13, uid = $14, updated_at = $15, span_ms = $16, rrule = $17,"
            " series_end = $18 WHERE guild_id = $1 AND id = $2",
            event.guild_id,
            event.id,
            event.title,
            event.kind.value,
            to_ms(event.start),
            opt_ms(event.end),
            int(event.all_day),
            event.timezone,
            event.location,
            event.url,
            event.description,
            int(event.tentative),
            event.status.value,
            event.uid,
            to_ms(at),
            _span(event),
            event.rrule,
            opt_ms(event.series_end),
        )
        stored = await EventRepository.get_in(tx, event.guild_id, event.id)
        assert stored is not None
        return stored

    @staticmethod
    async def lock_draft(tx: Executor, draft_id: int) -> DraftWindow | None:
        """Lock a draft's row until `tx` ends (PostgreSQL) and return its window as stored, so
        the window event and the draft are written together and one setter at a time."""
        lock = " FOR UPDATE" if tx.dialect == "postgresql" else ""
        row = await tx.fetchrow(
            "SELECT code, window_opens, window_closes FROM drafts WHERE id = $1" + lock, draft_id
        )
        if row is None:
            return None
        return DraftWindow(row["code"], opt_dt(row["window_opens"]), opt_dt(row["window_closes"]))

    @staticmethod
    async def set_draft_window(
        tx: Executor, draft_id: int, opens: datetime, closes: datetime, event_id: int, at: datetime
    ) -> None:
        """Point the draft at its window event and store the window's ends on it."""
        await tx.execute(
            "UPDATE drafts SET window_opens = $1, window_closes = $2, window_event_id = $3,"
            " updated_at = $4 WHERE id = $5",
            to_ms(opens),
            to_ms(closes),
            event_id,
            to_ms(at),
            draft_id,
        )

    @staticmethod
    async def link_draft(tx: Executor, event_id: int, draft_id: int) -> None:
        """Make an event (a window imported before its draft had one) the draft's window."""
        await tx.execute("UPDATE events SET draft_id = $1 WHERE id = $2", draft_id, event_id)

    @staticmethod
    async def clear_draft_window(tx: Executor, draft_id: int, at: datetime) -> None:
        """The draft has no window (nor window event) any more."""
        await tx.execute(
            "UPDATE drafts SET window_opens = NULL, window_closes = NULL,"
            " window_event_id = NULL, updated_at = $1 WHERE id = $2",
            to_ms(at),
            draft_id,
        )

    @staticmethod
    async def delete(tx: Executor, guild_id: int, event_id: int) -> None:
        await tx.execute("DELETE FROM event_occurrences WHERE event_id = $1", event_id)
        await tx.execute("DELETE FROM events WHERE guild_id = $1 AND id = $2", guild_id, event_id)

    # ------------------------------------------------------------------- series

    @staticmethod
    async def changes_of(tx: Executor, event_id: int) -> list[OccurrenceChange]:
        """The changed or cancelled occurrences of a series, by original start."""
        rows = await tx.fetch(
            "SELECT occurrence_at, cancelled, start_at, end_at, title, location"
            " FROM event_occurrences WHERE event_id = $1 ORDER BY occurrence_at",
            event_id,
        )
        return [_change(r) for r in rows]

    async def changes_of_many(self, event_ids: Sequence[int]) -> dict[int, list[OccurrenceChange]]:
        """`changes_of` for several series at once (listings)."""
        out: dict[int, list[OccurrenceChange]] = {i: [] for i in event_ids}
        ids = list(event_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ", ".join(f"${n}" for n in range(1, len(chunk) + 1))
            rows = await self.db.fetch(
                "SELECT event_id, occurrence_at, cancelled, start_at, end_at, title, location"
                f" FROM event_occurrences WHERE event_id IN ({marks}) ORDER BY occurrence_at",
                *chunk,
            )
            for r in rows:
                out[int(r["event_id"])].append(_change(r))
        return out

    @staticmethod
    async def set_change(tx: Executor, event_id: int, change: OccurrenceChange, at: datetime) -> None:
        """Store how one occurrence differs from its series (replacing what was stored)."""
        await tx.execute(
            "DELETE FROM event_occurrences WHERE event_id = $1 AND occurrence_at = $2",
            event_id, to_ms(change.occurrence_at),
        )
        await tx.execute(
            "INSERT INTO event_occurrences (event_id, occurrence_at, cancelled, start_at, end_at,"
            " title, location, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            event_id, to_ms(change.occurrence_at), int(change.cancelled), opt_ms(change.start),
            opt_ms(change.end), change.title, change.location, to_ms(at),
        )

    @staticmethod
    async def clear_change(tx: Executor, event_id: int, occurrence_at: datetime) -> None:
        await tx.execute(
            "DELETE FROM event_occurrences WHERE event_id = $1 AND occurrence_at = $2",
            event_id, to_ms(occurrence_at),
        )

    async def has_series(self, guild_id: int) -> bool:
        """Whether `guild_id` has any series (one index lookup; listings skip the merge
        otherwise)."""
        row = await self.db.quick.fetchrow(
            "SELECT 1 AS one FROM events WHERE guild_id = $1 AND rrule IS NOT NULL LIMIT 1",
            guild_id,
        )
        return row is not None

    async def series_overlapping(
        self, guild_id: int, start: datetime, end: datetime, kind: EventKind | None = None
    ) -> list[Event]:
        """The series of `guild_id` that may have an occurrence overlapping [start, end]: first
        occurrence by `end`, last one (plus its length) not before `start`."""
        sql = (
            _SELECT + " WHERE guild_id = $1 AND rrule IS NOT NULL AND start_at <= $3"
            " AND (series_end IS NULL OR series_end + span_ms >= $2)"
        )
        args: list[object] = [guild_id, to_ms(start), to_ms(end)]
        if kind is not None:
            sql += " AND kind = $4"
            args.append(kind.value)
        rows = await self.db.fetch(sql + " ORDER BY start_at, id", *args)
        return [_model(r) for r in rows]

    async def insert_many(self, events: Sequence[Event], at: datetime) -> None:
        """Bulk insert without reminders or audit: tests and the benchmark fill the table."""
        await self.db.executemany(
            "INSERT INTO events (guild_id, title, kind, start_at, end_at, all_day, timezone,"
            " location, url, description, tentative, status, uid, draft_id, created_by,"
            " created_at, updated_at, span_ms, rrule, series_end) VALUES ($1, $2, $3, $4, $5,"
            " $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $18, $19)",
            [
                (
                    e.guild_id, e.title, e.kind.value, to_ms(e.start), opt_ms(e.end),
                    int(e.all_day), e.timezone, e.location, e.url, e.description,
                    int(e.tentative), e.status.value, e.uid, e.draft_id, e.created_by,
                    to_ms(at), _span(e), e.rrule, opt_ms(e.series_end),
                )
                for e in events
            ],
        )

    # ------------------------------------------------------------------- reading

    @staticmethod
    async def get_in(
        tx: Executor, guild_id: int, event_id: int, *, for_update: bool = False
    ) -> Event | None:
        """The event; with `for_update`, its row stays locked until `tx` ends (PostgreSQL;
        SQLite's transactions take turns already), so a read-check-write cannot lose an
        update."""
        lock = " FOR UPDATE" if for_update and tx.dialect == "postgresql" else ""
        row = await tx.fetchrow(
            _SELECT + " WHERE guild_id = $1 AND id = $2" + lock, guild_id, event_id
        )
        return None if row is None else _model(row)

    async def get(self, guild_id: int, event_id: int) -> Event | None:
        return await self.get_in(self.db, guild_id, event_id)

    @staticmethod
    async def recent_same(tx: Executor, event: Event, since: datetime) -> Event | None:
        """An event `event.created_by` added since `since` with the same title and start: the
        same event added again (a retry after no answer came). On PostgreSQL, two such adds at
        once take turns on an advisory lock, so the second finds the first."""
        if tx.dialect == "postgresql":
            await tx.execute(
                "SELECT pg_advisory_xact_lock($1, $2)",
                _SAME_EVENT_LOCK,
                (event.guild_id ^ (event.created_by or 0)) & 0x7FFFFFFF,
            )
        row = await tx.fetchrow(
            _SELECT + " WHERE guild_id = $1 AND created_by = $2 AND title = $3 AND start_at = $4"
            " AND created_at >= $5 AND draft_id IS NULL ORDER BY id DESC LIMIT 1",
            event.guild_id,
            event.created_by,
            event.title,
            to_ms(event.start),
            to_ms(since),
        )
        return None if row is None else _model(row)

    @staticmethod
    async def by_uid(tx: Executor, guild_id: int, uid: str) -> Event | None:
        row = await tx.fetchrow(_SELECT + " WHERE guild_id = $1 AND uid = $2", guild_id, uid)
        return None if row is None else _model(row)

    @staticmethod
    async def by_uids(tx: Executor, guild_id: int, uids: Sequence[str]) -> dict[str, Event]:
        """The events of `guild_id` with these UIDs, by UID (for imports)."""
        found: dict[str, Event] = {}
        for i in range(0, len(uids), 500):
            chunk = list(uids[i : i + 500])
            marks = ", ".join(f"${n}" for n in range(2, len(chunk) + 2))
            rows = await tx.fetch(
                _SELECT + f" WHERE guild_id = $1 AND uid IN ({marks})", guild_id, *chunk
            )
            for r in rows:
                found[r["uid"]] = _model(r)
        return found

    @staticmethod
    async def by_draft(tx: Executor, guild_id: int, draft_id: int) -> Event | None:
        row = await tx.fetchrow(
            _SELECT + " WHERE guild_id = $1 AND draft_id = $2 ORDER BY id LIMIT 1",
            guild_id,
            draft_id,
        )
        return None if row is None else _model(row)

    @staticmethod
    def _overlap(
        guild_id: int, start: datetime, end: datetime, kind: EventKind | None
    ) -> tuple[str, list[object]]:
        """The WHERE clause (and its arguments) of events that overlap [start, end]."""
        where = (
            " WHERE guild_id = $1"
            " AND start_at >= $2 - (SELECT COALESCE(MAX(span_ms), 0) FROM events"
            " WHERE guild_id = $1)"
            " AND start_at <= $3 AND COALESCE(end_at, start_at + 1) > $2 AND rrule IS NULL"
        )
        args: list[object] = [guild_id, to_ms(start), to_ms(end)]
        if kind is not None:
            where += " AND kind = $4"
            args.append(kind.value)
        return where, args

    async def overlapping(
        self,
        guild_id: int,
        start: datetime,
        end: datetime,
        kind: EventKind | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Event]:
        """Events that overlap [start, end], by start; with `limit`, at most that many from the
        `offset`-th on (one page: the rows read follow the page, not the calendar).

        An event without an end counts when it starts inside the range; one with an end when it
        starts by `end` and ends after `start`. The start index range is bounded below by the
        guild's longest event (span_ms, one index lookup), so the cost follows the range, not
        the size of the calendar.
        """
        where, args = self._overlap(guild_id, start, end, kind)
        sql = _SELECT + where + " ORDER BY start_at, id"
        if limit is not None:
            sql += f" LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}"
            args += [limit, offset]
        rows = await self.db.quick.fetch(sql, *args)
        return [_model(r) for r in rows]

    async def overlapping_page(
        self,
        guild_id: int,
        start: datetime,
        end: datetime,
        kind: EventKind | None,
        *,
        limit: int,
        offset: int,
        cap: int,
    ) -> tuple[list[Event], int, bool] | None:
        """`overlapping` with `limit` and `offset`, with `count_overlapping_and_series` in the
        same statement (each row carries them: one round trip for /upcoming); None when the
        page has no rows, which then carry nothing."""
        where, args = self._overlap(guild_id, start, end, kind)
        n = len(args)
        rows = await self.db.quick.fetch(
            f"SELECT {_COLUMNS}, (SELECT COUNT(*) FROM (SELECT 1 FROM events{where}"
            f" LIMIT ${n + 3}) AS page) AS total, EXISTS (SELECT 1 FROM events"
            " WHERE guild_id = $1 AND rrule IS NOT NULL) AS series"
            f" FROM events{where} ORDER BY start_at, id LIMIT ${n + 1} OFFSET ${n + 2}",
            *args, limit, offset, cap + 1,
        )
        if not rows:
            return None
        return [_model(r) for r in rows], int(rows[0]["total"]), bool(rows[0]["series"])

    async def count_overlapping_and_series(
        self,
        guild_id: int,
        start: datetime,
        end: datetime,
        kind: EventKind | None = None,
        *,
        cap: int,
    ) -> tuple[int, bool]:
        """How many events overlap [start, end], counting at most `cap` + 1 rows (a result
        above `cap` means "more than `cap`"), and `has_series`: one statement, as /upcoming
        needs both."""
        where, args = self._overlap(guild_id, start, end, kind)
        row = await self.db.quick.fetchrow(
            f"SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM events{where}"
            f" LIMIT ${len(args) + 1}) AS page) AS total,"
            " EXISTS (SELECT 1 FROM events WHERE guild_id = $1 AND rrule IS NOT NULL) AS series",
            *args, cap + 1,
        )
        assert row is not None
        return int(row["total"]), bool(row["series"])

    async def all(self, guild_id: int) -> list[Event]:
        rows = await self.db.fetch(_SELECT + " WHERE guild_id = $1 ORDER BY start_at, id", guild_id)
        return [_model(r) for r in rows]

    @staticmethod
    async def future(tx: Executor, guild_id: int, now: datetime) -> list[Event]:
        """Scheduled events of `guild_id` with a moment still to come (start or end; for a
        series, its last occurrence's)."""
        rows = await tx.fetch(
            _SELECT + " WHERE guild_id = $1 AND status = 'scheduled' AND tentative = 0"
            " AND (COALESCE(end_at, start_at) > $2 OR (rrule IS NOT NULL"
            " AND (series_end IS NULL OR series_end + span_ms > $2))) ORDER BY start_at, id",
            guild_id,
            to_ms(now),
        )
        return [_model(r) for r in rows]

    async def search(
        self, guild_id: int, text: str, now: datetime, limit: int = 25
    ) -> list[Event]:
        """Autocomplete: events whose id starts with, or whose title contains, `text`;
        events still to come first (soonest first), then past ones (latest first)."""
        wanted = text.strip().lstrip("#").strip().lower()
        now_ms = to_ms(now)
        order = (
            " ORDER BY CASE WHEN COALESCE(end_at, start_at) >= $2 THEN 0 ELSE 1 END,"
            " CASE WHEN COALESCE(end_at, start_at) >= $2 THEN start_at ELSE -start_at END, id"
        )
        if not wanted:
            rows = await self.db.fetch(
                _SELECT + " WHERE guild_id = $1" + order + " LIMIT $3", guild_id, now_ms, limit
            )
        else:
            pattern = _like(wanted)
            rows = await self.db.fetch(
                _SELECT + " WHERE guild_id = $1 AND (CAST(id AS TEXT) LIKE $3 ESCAPE '\\'"
                " OR LOWER(title) LIKE $4 ESCAPE '\\')" + order + " LIMIT $5",
                guild_id,
                now_ms,
                pattern + "%",
                "%" + pattern + "%",
                limit,
            )
        return [_model(r) for r in rows]

    async def by_title(self, guild_id: int, title: str, limit: int = 2) -> list[Event]:
        """Events whose title is `title`, ignoring case (to resolve a typed title)."""
        rows = await self.db.fetch(
            _SELECT + " WHERE guild_id = $1 AND LOWER(title) = $2 ORDER BY start_at, id LIMIT $3",
            guild_id,
            title.strip().lower(),
            limit,
        )
        return [_model(r) for r in rows]

    async def count(self, guild_id: int) -> int:
        return int(await self.db.fetchval("SELECT COUNT(*) FROM events WHERE guild_id = $1", guild_id))

    @staticmethod
    async def rescheduled_event_ids(tx: Executor, guild_id: int) -> set[int]:
        """Events of `guild_id` whose pending reminders say "rescheduled" (kept on a replan)."""
        rows = await tx.fetch(
            "SELECT DISTINCT event_id FROM reminders WHERE guild_id = $1 AND state = 'pending'"
            " AND rescheduled = 1 AND event_id IS NOT NULL",
            guild_id,
        )
        return {int(r["event_id"]) for r in rows}
