"""The consolidated draft: what both exports render (a draft's sections in their current text,
each with its comments), and `to_consolidated`, which turns a freshly read file into one to
preview an import. The parsed drafts (what the Markdown reader makes of a file) live in
`bot.domain.models`, as `bot.db.drafts` stores them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from bot.domain.models import AttributionStatus, CommentKind, ParsedDraft


@dataclass(slots=True)
class ConsolidatedComment:
    id: int
    organization: str
    group: str
    kind: CommentKind
    text: str
    created_at: datetime
    edited: bool = False
    #: How the attribution stood when the comment was made; all but verified are marked.
    status: AttributionStatus = AttributionStatus.VERIFIED
    #: The revision of its section the comment was made on (0: unknown, taken as current).
    revision: int = 0
    #: Imported without a date: shown as "imported", not as the day of the import.
    undated: bool = False


@dataclass(slots=True)
class ConsolidatedSection:
    key: str
    text: str
    revision: int
    comments: list[ConsolidatedComment] = field(default_factory=list)
    #: Comments on this section the secretariat hid: counted, never shown.
    hidden: int = 0
    #: The part's heading and the item's label as written (see `bot.domain.models.Section`);
    #: None where unknown, and the writers derive them from the key.
    part: str | None = None
    label: str | None = None


@dataclass(slots=True)
class ConsolidatedDraft:
    code: str
    title: str
    version: str | None
    generated_at: datetime
    window_opens: datetime | None
    window_closes: datetime | None
    sections: list[ConsolidatedSection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The language of the DOCX export's headings, labels and group names (SPEC 12).
    language: str = "en"
    #: The zone the window was set in: its days are shown as typed ("19 December 2013 -
    #: 24 January 2014"); None shows its ends in UTC.
    window_timezone: str | None = None


def to_consolidated(
    draft: ParsedDraft, *, generated_at: datetime, created_at: datetime | None = None
) -> ConsolidatedDraft:
    """A parsed draft as a consolidated one (ids in file order), e.g. to preview an import.

    Each comment's date is the one the file carried, else ``created_at`` (else ``generated_at``).
    """
    default = created_at or generated_at
    next_id = 0
    sections: list[ConsolidatedSection] = []
    for section in draft.sections:
        comments: list[ConsolidatedComment] = []
        for comment in section.comments:
            next_id += 1
            moment = (
                datetime.combine(comment.created_on, time(), tzinfo=UTC)
                if comment.created_on
                else default
            )
            comments.append(
                ConsolidatedComment(
                    id=next_id,
                    organization=comment.organization,
                    group=comment.group,
                    kind=comment.kind,
                    text=comment.text,
                    created_at=moment,
                    status=comment.status,
                )
            )
        sections.append(
            ConsolidatedSection(
                section.key, section.text, 1, comments, part=section.part, label=section.label
            )
        )
    return ConsolidatedDraft(
        code=draft.code,
        title=draft.title,
        version=draft.version,
        generated_at=generated_at,
        window_opens=None,
        window_closes=None,
        sections=sections,
        notes=list(draft.notes),
    )
