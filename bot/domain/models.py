"""Typed models returned by the repositories and the domain services.

Every datetime here is timezone-aware UTC; the database stores epoch milliseconds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta


class StakeholderGroup(enum.StrEnum):
    """The five WSIS stakeholder groups, in the order the consolidated text lists them."""

    GOVERNMENT = "Government"
    PRIVATE_SECTOR = "Private Sector"
    CIVIL_SOCIETY = "Civil Society"
    INTERNATIONAL_ORGANIZATION = "International Organization"
    TECHNICAL_COMMUNITY = "Technical Community"

    @classmethod
    def parse(cls, text: str) -> StakeholderGroup:
        """Forgiving lookup: case, spaces, dashes and a trailing 's' do not matter."""
        wanted = _norm_group(text)
        for group in cls:
            if _norm_group(group.value) == wanted:
                return group
        aliases = {
            "gov": cls.GOVERNMENT,
            "governments": cls.GOVERNMENT,
            "business": cls.PRIVATE_SECTOR,
            "privatesector": cls.PRIVATE_SECTOR,
            "cs": cls.CIVIL_SOCIETY,
            "io": cls.INTERNATIONAL_ORGANIZATION,
            "intergovernmentalorganization": cls.INTERNATIONAL_ORGANIZATION,
            "tech": cls.TECHNICAL_COMMUNITY,
            "technical": cls.TECHNICAL_COMMUNITY,
            "technicalandacademiccommunity": cls.TECHNICAL_COMMUNITY,
        }
        if wanted in aliases:
            return aliases[wanted]
        raise ValueError(text)


#: The five WSIS groups every server has, in the consolidated text's order. A profile's or a
#: comment's group is a plain string: one of these, or one a server added (SPEC section 8).
DEFAULT_GROUPS: tuple[str, ...] = tuple(g.value for g in StakeholderGroup)


def _norm_group(text: str) -> str:
    out = "".join(ch for ch in text.lower() if ch.isalnum())
    return out[:-1] if out.endswith("s") and not out.endswith("ss") else out


class EventKind(enum.StrEnum):
    MEETING = "meeting"
    DEADLINE = "deadline"
    WINDOW = "window"


class EventStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class CommentKind(enum.StrEnum):
    COMMENT = "comment"
    AMENDMENT = "amendment"
    DELETION = "deletion"


class AttributionStatus(enum.StrEnum):
    """How a comment's attribution stood when it was made (SPEC section 8)."""

    VERIFIED = "verified"  # its author's profile was verified by a coordinator
    UNVERIFIED = "unverified"  # typed by its author, nobody vouched for it
    IMPORTED = "imported"  # from a file: nobody verified it in Discord


class VerificationMode(enum.StrEnum):
    """Who may comment: anyone registered (unverified attributions marked), or verified only."""

    OPEN = "open"
    REQUIRED = "required"


class ReminderState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    MISSED = "missed"
    FAILED = "failed"
    CANCELLED = "cancelled"  # a member's own reminder they cancelled (/reminders cancel)


class Moment(enum.StrEnum):
    """What a reminder is for: an event's start, deadline, opening or closing, or a member's
    own reminder (/remind). The values are the ones stored in `reminders.moment`."""

    START = "start"
    DEADLINE = "deadline"
    OPENS = "opens"
    CLOSES = "closes"
    PERSONAL = "personal"


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    timezone: str = "UTC"
    reminder_channel_id: int | None = None
    reminder_offsets: str = "7d,1d,1h"
    coordinator_role_id: int | None = None
    verification_mode: VerificationMode = VerificationMode.OPEN
    reminder_role_id: int | None = None  # pinged by event reminders in the reminder channel
    language: str = "en"  # what the bot posts on its own in the server's channels (SPEC 12)


@dataclass(frozen=True, slots=True)
class Stakeholder:
    guild_id: int
    user_id: int
    display_name: str
    organization: str
    group: str  # the canonical name of one of the server's groups
    created_at: datetime
    updated_at: datetime
    verified: bool = False
    verified_by: int | None = None
    verified_at: datetime | None = None

    @property
    def attribution(self) -> str:
        """How the consolidated text names this stakeholder: "ISOC, Civil Society"."""
        return f"{self.organization}, {self.group}"


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    guild_id: int
    title: str
    kind: EventKind
    start: datetime
    end: datetime | None
    all_day: bool
    timezone: str
    location: str | None = None
    url: str | None = None
    description: str | None = None
    tentative: bool = False
    status: EventStatus = EventStatus.SCHEDULED
    uid: str | None = None
    draft_id: int | None = None
    created_by: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    #: A recurring event (a series): its RFC 5545 rule without DTSTART (start/end are the first
    #: occurrence), expanded on the wall clock of `timezone` (bot.domain.recurrence).
    rrule: str | None = None
    #: The start of a series' last occurrence; None when it has no end (or is not a series).
    series_end: datetime | None = None
    #: On one occurrence of a series (listings): its original start, the RECURRENCE-ID.
    occurrence_of: datetime | None = None


@dataclass(frozen=True, slots=True)
class OccurrenceChange:
    """One occurrence of a series changed or cancelled, keyed by its original start; None
    fields follow the series."""

    occurrence_at: datetime
    cancelled: bool = False
    start: datetime | None = None
    end: datetime | None = None
    title: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    id: int
    guild_id: int
    code: str
    title: str
    version: str | None
    window_opens: datetime | None = None
    window_closes: datetime | None = None
    window_event_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    #: The paragraphs before the first part of the imported document, joined by blank lines.
    notes: str | None = None
    #: The language its consolidated text is exported in (SPEC 12), one of bot.i18n.LANGUAGES.
    language: str = "en"


@dataclass(frozen=True, slots=True)
class Section:
    id: int
    draft_id: int
    key: str
    position: int
    revision: int
    text: str
    updated_at: datetime | None = None
    #: The heading of the section's part as written ("Operative paragraphs"); None when unknown
    #: (a section stored before drafts had any structure: the heading comes from the key).
    part: str | None = None
    #: The item's label as written ("12.", "(a)", "Article 3"); None for the part's own text.
    label: str | None = None


@dataclass(frozen=True, slots=True)
class SectionRevision:
    section_id: int
    revision: int
    text: str
    created_by: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    guild_id: int
    draft_id: int
    section_id: int
    section_key: str
    revision: int
    author_id: int | None
    organization: str
    group: str  # as it was when the comment was made
    kind: CommentKind
    text: str
    created_at: datetime
    edited_at: datetime | None = None
    withdrawn_at: datetime | None = None
    status: AttributionStatus = AttributionStatus.UNVERIFIED
    hidden_at: datetime | None = None
    hidden_by: int | None = None
    hidden_reason: str | None = None
    channel_id: int | None = None  # where the public message announcing it was posted
    message_id: int | None = None
    source_key: str | None = None  # an imported comment's (see ParsedComment)
    #: Imported from a file that gave no date: `created_at` is when it was imported.
    undated: bool = False

    @property
    def attribution(self) -> str:
        return f"{self.organization}, {self.group}"


@dataclass(frozen=True, slots=True)
class Reminder:
    id: int
    guild_id: int | None
    event_id: int | None
    moment: Moment
    offset_seconds: int | None
    due_at: datetime
    channel_id: int | None
    user_id: int | None
    text: str | None
    state: ReminderState
    rescheduled: bool = False
    late: bool = False
    attempts: int = 0
    batch_key: str | None = None
    sent_at: datetime | None = None
    error: str | None = None
    created_at: datetime | None = None
    # A personal reminder's number among its member's (1, 2, 3 ...; never reused); None for
    # event reminders and for personal ones set before numbering began.
    member_seq: int | None = None
    # A repeating personal reminder's rule ("weekly", "monthly:31" ...; see
    # bot.domain.reminders) and the member's timezone its local clock time is kept in.
    repeat: str | None = None
    timezone: str | None = None
    #: How the `when` that set it was read (bot.domain.when.reading), for the answer to /remind;
    #: not stored.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """A reminder an event should get: planned by bot.domain.reminders, stored by the
    reminder repository."""

    moment: Moment
    offset: timedelta
    due_at: datetime
    #: For a series: the occurrence it is for (its original start).
    occurrence: datetime | None = None
    #: This occurrence was moved by itself (its reminders say "rescheduled").
    rescheduled: bool = False


@dataclass(frozen=True, slots=True)
class Claimed:
    """A claimed reminder with what is needed to word and deliver it."""

    id: int
    guild_id: int | None
    event_id: int | None
    moment: Moment
    due_at: datetime
    channel_id: int | None  # where it goes: a channel, or None for a DM to user_id
    user_id: int | None
    body: str | None
    rescheduled: bool
    late: bool
    attempts: int
    batch_key: str
    created_at: datetime
    resumed: bool = False  # its key came from an earlier claim: it may already have been sent
    title: str | None = None
    event_start: datetime | None = None
    event_end: datetime | None = None
    all_day: bool = False
    location: str | None = None
    part: int | None = None  # which message of its batch it goes in, once the batch is split
    # The role its message mentions: an event reminder in the reminder channel of a server
    # that chose one (/reminders role). Never set on DMs or personal reminders.
    mention_role: int | None = None
    language: str = "en"  # what it is worded in (SPEC 12): its member's for a DM, else the server's

    @property
    def target(self) -> tuple[str, int]:
        return ("channel", self.channel_id) if self.channel_id else ("dm", self.user_id or 0)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    guild_id: int | None
    actor_id: int | None
    action: str
    target: str | None
    detail: str | None
    created_at: datetime


@dataclass(slots=True)
class Page:
    """One page of a longer list: the items and where it sits."""

    items: list[str] = field(default_factory=list)
    index: int = 0
    total: int = 1


# --------------------------------------------------------------------------- parsed drafts
# What the Markdown reader (bot.domain.draftdoc) makes of a file and bot.db.drafts stores.


@dataclass(slots=True)
class ParsedComment:
    organization: str
    group: str
    kind: CommentKind
    text: str
    #: Stable across re-imports of the same file: the section key and a hash of the attribution,
    #: kind and text (case and spacing ignored). Two identical comments on one section share it.
    source_key: str
    #: The date a re-imported export carried (``_(2014-01-20)_``), if any.
    created_on: date | None = None
    #: The line the comment starts on, for messages.
    line: int = 0
    #: Imported, or unverified when the file (an export) marked it " (unverified)": a file
    #: never makes an attribution verified.
    status: AttributionStatus = AttributionStatus.IMPORTED


@dataclass(slots=True)
class ParsedSection:
    key: str
    text: str
    comments: list[ParsedComment] = field(default_factory=list)
    line: int = 0
    #: The part's heading as written ("Operative paragraphs"), and the item's label as written
    #: ("12.", "(a)", "Article 3"; None for the part's own text).
    part: str | None = None
    label: str | None = None


@dataclass(slots=True)
class ParsedDraft:
    code: str
    title: str
    version: str | None
    sections: list[ParsedSection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line: int = 0
