"""How a draft's comment window reads in answers: the line in /draft list and /draft show, and
the answer to /draft window (set, open now, or cleared with `when:none`)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.drafts import WindowSet, WindowState, window_state
from bot.domain.models import Draft
from bot.domain.timefmt import format_event_time, ts
from bot.i18n import render, tr
from bot.ui import inert


def window_text(draft: Draft, now: datetime, lang: str = "en") -> str:
    """One line about a draft's comment window and whether it is open now, in `lang`."""
    state = window_state(draft, now)
    if state is WindowState.NONE:
        return tr(lang, "No comment window: comments are accepted at any time.")
    assert draft.window_opens is not None and draft.window_closes is not None
    # The close is an instant (midnight after the last day for a date range), so it is named
    # as "closes ..." rather than as the end of a span, which would read as an included day.
    opens, closes = draft.window_opens, draft.window_closes
    if state is WindowState.BEFORE:
        return tr(lang, "Comment window: opens {opens}, closes {closes}.",
                  opens=f"{ts(opens, 'f')} ({ts(opens, 'R')})", closes=ts(closes, "f"))
    if state is WindowState.OPEN:
        return tr(lang, "Comment window **open**: closes {closes}; opened {opens}.",
                  closes=f"{ts(closes, 'f')} ({ts(closes, 'R')})", opens=ts(opens, "f"))
    return tr(lang, "Comment window closed {closes}; it opened {opens}.",
              closes=f"{ts(closes, 'f')} ({ts(closes, 'R')})", opens=ts(opens, "f"))


def window_set_text(result: WindowSet, now: datetime, lang: str = "en") -> str:
    """The answer to /draft window with a range: the window as read, when comments are
    accepted (from now, when it opened already), its calendar event and how it was read."""
    w = result.when
    code = inert(result.draft.code)
    span = format_event_time(w.start, w.end, w.all_day, False, w.timezone)
    closes = result.draft.window_closes
    assert closes is not None
    # A range of days closes at the midnight after its last day: say so, or "until Saturday
    # 00:00" reads as if Saturday were included.
    if w.start <= now:
        accepted = (
            tr(lang, "It is open now: comments are accepted until {end}, the end of its last day"
               " ({relative}).", end=ts(closes, "F"), relative=ts(closes, "R"))
            if w.all_day
            else tr(lang, "It is open now: comments are accepted until {end} ({relative}).",
                    end=ts(closes, "F"), relative=ts(closes, "R"))
        )
    elif w.all_day:
        accepted = tr(lang, "Comments are accepted from {start} until {end}, the end of its last"
                      " day.", start=ts(w.start, "F"), end=ts(closes, "F"))
    else:
        accepted = tr(lang, "Comments are accepted from {start} until {end}.",
                      start=ts(w.start, "F"), end=ts(closes, "F"))
    lines = [tr(lang, "The comment window for {code}: {span}.", code=f"**{code}**", span=span),
             accepted]
    if result.event is not None:
        lines.append(tr(lang, "It is in the calendar as event #{id}.", id=result.event.id))
    lines.extend(f"-# {render(note, lang)}" for note in result.notes)
    return "\n".join(lines)


def window_cleared_text(draft: Draft, had: bool, lang: str = "en") -> str:
    """The answer to /draft window with `when:none`."""
    code = f"**{inert(draft.code)}**"
    if not had:
        return tr(lang, "{code} has no comment window; comments are accepted at any time.",
                  code=code)
    return tr(lang, "Removed the comment window of {code}, with its calendar event and"
              " reminders: comments are accepted at any time.", code=code)
