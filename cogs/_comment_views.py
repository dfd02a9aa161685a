"""How comments read in Discord: the public "Recorded #12" message in every state of its
comment (recorded, edited, withdrawn, hidden), listed items, `/comments show` and the
moderation answers. Attributions carry their status mark ("ISOC, Civil Society (unverified)")
and user text is shown inert (SPEC section 8)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.comments import STATUS_PHRASES, CommentView, marked_attribution
from bot.domain.diff import LEGEND, render_diff_lines
from bot.domain.models import Comment, CommentKind
from bot.domain.sections import section_label
from bot.domain.timefmt import ts
from bot.ui import MESSAGE_LIMIT, PAGE_BUDGET, chunk_lines, inert, truncate

PREVIEW = 150
DIFF_WIDTH = PAGE_BUDGET - 10  # a quoted line of a diff fits a page whole


def quoted(text: str) -> str:
    """`text` as a Markdown block quote, line by line."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))


def quote_within(head: str, text: str, limit: int = MESSAGE_LIMIT, recorded: int | None = None) -> str:
    """`head`, then `text` quoted; a text too long for one message is shortened, with a note
    saying the whole text (`recorded` characters, default its length) was recorded (never cut
    silently)."""
    message = f"{head}\n{quoted(text)}"
    if len(message) <= limit:
        return message
    note = (
        f"\n-# Shortened for Discord; all {recorded or len(text):,} characters were recorded"
        " (`/draft export` has the full text)."
    )
    room = limit - len(head) - len(note) - 1
    shown = text[:room]
    while shown and len(quoted(shown.rstrip() + "…")) > room:
        shown = shown[: len(shown) - (len(quoted(shown.rstrip() + "…")) - room)]
    return f"{head}\n{quoted(shown.rstrip() + '…')}{note}"


def attribution(comment: Comment) -> str:
    """ "ISOC, Civil Society (unverified)", inert: how a comment is attributed in Discord."""
    return inert(marked_attribution(comment.attribution, comment.status))


def where(comment: Comment, draft_code: str) -> str:
    return f"{inert(draft_code)} · {section_label(comment.section_key)}"


def announcement(
    comment: Comment, draft_code: str, limit: int = MESSAGE_LIMIT, current: int | None = None
) -> str:
    """The public message that announced a comment, as the record now stands: the comment
    (edited or not; "on revision 1; the text has changed since" when its section's `current`
    revision is later), or one line saying it was withdrawn or hidden (its text no longer
    shown)."""
    place = f"**#{comment.id}** on **{where(comment, draft_code)}**"
    if comment.withdrawn_at is not None:
        return f"{place} was withdrawn by its author."
    if comment.hidden_at is not None:
        return f"{place} was hidden by the secretariat."
    edited = f" · edited {ts(comment.edited_at, 'R')}" if comment.edited_at else ""
    revision = stale(comment, current) or f"revision {comment.revision}"
    head = (
        f"Recorded {place} ({revision}) as **{attribution(comment)}** ·"
        f" {comment.kind.value}{edited}:"
    )
    return quote_within(head, inert(comment.text), limit, recorded=len(comment.text))


def edited_answer(comment: Comment, current: int | None = None, *, unchanged: bool = False) -> str:
    """The confirmation of /comments edit; it says so when the comment was made on an earlier
    revision than its section's `current` one, and when the text was the same already."""
    earlier = stale(comment, current)
    head = (
        f"{'Nothing changed: ' if unchanged else 'Edited '}**#{comment.id}** ·"
        f" {section_label(comment.section_key)} · {attribution(comment)}"
        f"{f' · {earlier}' if earlier else ''}{' already reads' if unchanged else ''}:"
    )
    return quote_within(head, inert(comment.text), recorded=len(comment.text))


def stale(comment: Comment, current: int | None) -> str:
    """ "on revision 1; the text has changed since" for a comment made on an earlier revision
    than the section's `current` one, else ""."""
    if current is None or comment.revision >= current:
        return ""
    return f"on revision {comment.revision}; the text has changed since"


def comment_item(comment: Comment, draft_code: str | None, current: int | None = None) -> str:
    """One listed comment: its line of facts (saying so when it was made on an earlier
    revision than the section's `current` one), then a one-line preview of its text."""
    place = section_label(comment.section_key)
    if draft_code:
        place = f"{inert(draft_code)} {place}"
    edited = " · edited" if comment.edited_at else ""
    earlier = stale(comment, current)
    if earlier:
        edited += f" · {earlier}"
    preview = inert(truncate(" ".join(comment.text.split()), PREVIEW))
    return (
        f"**#{comment.id}** · {place} · {attribution(comment)} · {comment.kind.value} ·"
        f" {_made(comment)}{edited}\n> {preview}"
    )


def _made(comment: Comment) -> str:
    """When a comment was made, or "imported <when>" when its file gave no date."""
    made = ts(comment.created_at, "R")
    return f"imported {made}, undated" if comment.undated else made


def _when(label: str, moment: datetime) -> str:
    return f"{label} {ts(moment, 'F')} ({ts(moment, 'R')})"


def show_pages(view: CommentView) -> list[str]:
    """`/comments show`: one comment whole, paged under Discord's limit. The text of a hidden
    or withdrawn comment, the reason it was hidden and the edit history only for its author
    and coordinators (`view.privileged`)."""
    c = view.comment
    on_earlier = stale(c, view.current_revision)
    made = (
        f"made {on_earlier} (now revision {view.current_revision})"
        if on_earlier
        else f"made on revision {c.revision}"
    )
    lines = [
        f"**#{c.id}** · {where(c, view.draft_code)} · {c.kind.value} · {made}",
        f"Attribution: **{inert(c.attribution)}** · {STATUS_PHRASES[c.status]}",
    ]
    moments = [_when("Imported without a date" if c.undated else "Created", c.created_at)]
    if c.edited_at is not None:
        moments.append(_when("Edited", c.edited_at))
    lines.append(" · ".join(moments))
    if c.withdrawn_at is not None:
        lines.append(_when("Withdrawn by its author", c.withdrawn_at) + ".")
    if c.hidden_at is not None:
        hidden = _when("Hidden by the secretariat", c.hidden_at)
        if view.privileged and c.hidden_reason:
            hidden += f"; reason: {inert(c.hidden_reason.rstrip('.'))}"
        lines.append(hidden + ".")
    if view.text_shown:
        lines.append(quoted(inert(c.text)))
        if c.kind is CommentKind.AMENDMENT and view.written_on is not None:
            lines.append(f"As changes to revision {c.revision} ({LEGEND}):")
            changes = render_diff_lines(view.written_on, c.text, width=DIFF_WIDTH, escape=inert)
            lines.append(quoted("\n".join(changes)))
    else:
        lines.append(
            "-# Its text is shown only to its author and coordinators, as it was"
            f" {'withdrawn' if c.withdrawn_at is not None else 'hidden'}."
        )
    if view.history:
        n = len(view.history)
        lines.append(f"**Edit history** ({n} earlier text{'' if n == 1 else 's'}), oldest first:")
        for earlier in view.history:
            lines.append(f"Until {ts(earlier.replaced_at, 'F')}:")
            lines.append(quoted(inert(earlier.text)))
    # Quoted texts go line by line, so a page break never splits a line silently.
    return chunk_lines("\n".join(lines).split("\n"), limit=PAGE_BUDGET)


def hidden_answer(comment: Comment, draft_code: str, told: bool | None) -> str:
    """What the coordinator who hid a comment is told; `told`: the author got the DM (None:
    an imported comment, which has no author in Discord)."""
    answer = (
        f"Hid **#{comment.id}** on {where(comment, draft_code)}: it no longer appears in lists,"
        " coverage or the consolidated text."
    )
    if told is None:
        return answer + " It was imported from a file, so there is no author to tell."
    if told:
        return answer + " Its author was told by DM, with the reason."
    return (
        answer + " I could not tell its author by DM (they do not accept DMs from me);"
        f" `/comments show {comment.id}` shows them the reason."
    )


def hidden_dm(comment: Comment, draft_code: str) -> str:
    return (
        f"A coordinator hid your comment **#{comment.id}** on {where(comment, draft_code)}."
        f" Reason: {inert(comment.hidden_reason or '')}\n"
        "It no longer appears in lists, coverage or the consolidated text;"
        f" `/comments show {comment.id}` still shows it to you."
    )


def restored_answer(comment: Comment, draft_code: str) -> str:
    return (
        f"Restored **#{comment.id}** on {where(comment, draft_code)}: it appears in lists,"
        " coverage and the consolidated text again."
    )


def restored_dm(comment: Comment, draft_code: str) -> str:
    return (
        f"A coordinator restored your comment **#{comment.id}** on {where(comment, draft_code)}:"
        " it appears in lists, coverage and the consolidated text again."
    )


def regrouped_answer(comment: Comment, draft_code: str) -> str:
    return (
        f"Set the group of **#{comment.id}** ({where(comment, draft_code)}): it is attributed to"
        f" **{attribution(comment)}** in lists, coverage and exports."
    )
