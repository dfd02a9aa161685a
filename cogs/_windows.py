"""How a draft's comment window reads in answers: the line in /draft list and /draft show, and
the answer to /draft window (set, open now, or cleared with `when:none`)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.drafts import WindowSet, WindowState, window_state
from bot.domain.models import Draft
from bot.domain.timefmt import format_event_time, ts
from bot.ui import inert


def window_text(draft: Draft, now: datetime) -> str:
    """One line about a draft's comment window and whether it is open now."""
    state = window_state(draft, now)
    if state is WindowState.NONE:
        return "No comment window: comments are accepted at any time."
    assert draft.window_opens is not None and draft.window_closes is not None
    # The close is an instant (midnight after the last day for a date range), so it is named
    # as "closes ..." rather than as the end of a span, which would read as an included day.
    opens, closes = draft.window_opens, draft.window_closes
    if state is WindowState.BEFORE:
        return (
            f"Comment window: opens {ts(opens, 'f')} ({ts(opens, 'R')}),"
            f" closes {ts(closes, 'f')}."
        )
    if state is WindowState.OPEN:
        return (
            f"Comment window **open**: closes {ts(closes, 'f')} ({ts(closes, 'R')});"
            f" opened {ts(opens, 'f')}."
        )
    return f"Comment window closed {ts(closes, 'f')} ({ts(closes, 'R')}); it opened {ts(opens, 'f')}."


def window_set_text(result: WindowSet, now: datetime) -> str:
    """The answer to /draft window with a range: the window as read, when comments are
    accepted (from now, when it opened already), its calendar event and how it was read."""
    w = result.when
    code = inert(result.draft.code)
    span = format_event_time(w.start, w.end, w.all_day, False, w.timezone)
    closes = result.draft.window_closes
    assert closes is not None
    # A range of days closes at the midnight after its last day: say so, or "until Saturday
    # 00:00" reads as if Saturday were included.
    end = ", the end of its last day" if w.all_day else ""
    if w.start <= now:
        accepted = (
            f"It is open now: comments are accepted until {ts(closes, 'F')}{end}"
            f" ({ts(closes, 'R')})."
        )
    else:
        accepted = f"Comments are accepted from {ts(w.start, 'F')} until {ts(closes, 'F')}{end}."
    lines = [f"The comment window for **{code}**: {span}.", accepted]
    if result.event is not None:
        lines.append(f"It is in the calendar as event #{result.event.id}.")
    lines.extend(f"-# {note}" for note in result.notes)
    return "\n".join(lines)


def window_cleared_text(draft: Draft, had: bool) -> str:
    """The answer to /draft window with `when:none`."""
    code = inert(draft.code)
    if not had:
        return f"**{code}** has no comment window; comments are accepted at any time."
    return (
        f"Removed the comment window of **{code}**, with its calendar event and reminders:"
        " comments are accepted at any time."
    )
