"""How comments read in Discord: the public "Recorded #12" message in every state of its
comment (recorded, edited, withdrawn, hidden), listed items, `/comments show` and the
moderation answers. Attributions carry their status mark ("ISOC, Civil Society (unverified)")
and user text is shown inert (SPEC section 8)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.comments import STATUS_PHRASES, CommentView
from bot.domain.diff import LEGEND, render_diff_lines
from bot.domain.models import AttributionStatus, Comment, CommentKind
from bot.domain.sections import section_label
from bot.domain.timefmt import ts
from bot.i18n import N_, Translator, attribution_in, number, tr
from bot.ui import MESSAGE_LIMIT, PAGE_BUDGET, chunk_lines, inert, truncate

PREVIEW = 150
DIFF_WIDTH = PAGE_BUDGET - 10  # a quoted line of a diff fits a page whole


def quoted(text: str) -> str:
    """`text` as a Markdown block quote, line by line."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))


def quote_within(
    head: str, text: str, limit: int = MESSAGE_LIMIT, recorded: int | None = None,
    lang: str = "en",
) -> str:
    """`head`, then `text` quoted; a text too long for one message is shortened, with a note
    saying the whole text (`recorded` characters, default its length) was recorded (never cut
    silently)."""
    message = f"{head}\n{quoted(text)}"
    if len(message) <= limit:
        return message
    note = "\n-# " + tr(
        lang,
        "Shortened for Discord; all {count} characters were recorded (`/draft export` has the"
        " full text).",
        count=number(lang, recorded or len(text)),
    )
    room = limit - len(head) - len(note) - 1
    shown = text[:room]
    while shown and len(quoted(shown.rstrip() + "…")) > room:
        shown = shown[: len(shown) - (len(quoted(shown.rstrip() + "…")) - room)]
    return f"{head}\n{quoted(shown.rstrip() + '…')}{note}"


def attribution(comment: Comment, lang: str = "en") -> str:
    """ "ISOC, Civil Society (unverified)", inert: how a comment is attributed in Discord, its
    group and mark in `lang`."""
    mark = _MARKS.get(comment.status)
    marked = attribution_in(comment.attribution, lang) + (f" ({tr(lang, mark)})" if mark else "")
    return inert(marked)


#: STATUS_MARKS in the reader's language.
_MARKS = {
    AttributionStatus.UNVERIFIED: N_("unverified"),
    AttributionStatus.IMPORTED: N_("imported"),
}


#: The kinds of comment, in the reader's language.
KIND_NAMES = {
    CommentKind.COMMENT: N_("comment"),
    CommentKind.AMENDMENT: N_("amendment"),
    CommentKind.DELETION: N_("deletion"),
}


def kind_name(kind: CommentKind, lang: str = "en") -> str:
    return tr(lang, KIND_NAMES[kind])


def where(comment: Comment, draft_code: str) -> str:
    return f"{inert(draft_code)} · {section_label(comment.section_key)}"


def announcement(
    comment: Comment, draft_code: str, limit: int = MESSAGE_LIMIT, current: int | None = None,
    lang: str = "en",
) -> str:
    """The public message that announced a comment, as the record now stands: the comment
    (edited or not; "on revision 1; the text has changed since" when its section's `current`
    revision is later), or one line saying it was withdrawn or hidden (its text no longer
    shown)."""
    t = Translator(lang)
    place = dict(id=f"**#{comment.id}**", place=f"**{where(comment, draft_code)}**")
    if comment.withdrawn_at is not None:
        return t("{id} on {place} was withdrawn by its author.", **place)
    if comment.hidden_at is not None:
        return t("{id} on {place} was hidden by the secretariat.", **place)
    edited = (
        " · " + t("edited {when}", when=ts(comment.edited_at, "R")) if comment.edited_at else ""
    )
    revision = stale(comment, current, lang) or t("revision {n}", n=comment.revision)
    head = t(
        "Recorded {id} on {place} ({revision}) as {attribution}", **place, revision=revision,
        attribution=f"**{attribution(comment, lang)}**",
    ) + f" · {kind_name(comment.kind, lang)}{edited}:"
    return quote_within(head, inert(comment.text), limit, recorded=len(comment.text), lang=lang)


def edited_answer(
    comment: Comment, current: int | None = None, lang: str = "en", *, unchanged: bool = False
) -> str:
    """The confirmation of /comments edit; it says so when the comment was made on an earlier
    revision than its section's `current` one, and when the text was the same already."""
    earlier = stale(comment, current, lang)
    lead = (
        tr(lang, "Nothing changed: {id}", id=f"**#{comment.id}**")
        if unchanged
        else tr(lang, "Edited {id}", id=f"**#{comment.id}**")
    )
    head = (
        lead
        + f" · {section_label(comment.section_key)} ·"
        f" {attribution(comment, lang)}{f' · {earlier}' if earlier else ''}"
        + (" " + tr(lang, "already reads") if unchanged else "")
        + ":"
    )
    return quote_within(head, inert(comment.text), recorded=len(comment.text), lang=lang)


def stale(comment: Comment, current: int | None, lang: str = "en") -> str:
    """ "on revision 1; the text has changed since" for a comment made on an earlier revision
    than the section's `current` one, else ""."""
    if current is None or comment.revision >= current:
        return ""
    return tr(lang, "on revision {n}; the text has changed since", n=comment.revision)


def comment_item(
    comment: Comment, draft_code: str | None, current: int | None = None, lang: str = "en"
) -> str:
    """One listed comment: its line of facts (saying so when it was made on an earlier
    revision than the section's `current` one), then a one-line preview of its text."""
    return item(item_facts(comment, draft_code, current, ItemWords(lang)), item_preview(comment))


def item(facts: str, preview: str) -> str:
    """One listed item: its line of facts, then its preview quoted."""
    return f"{facts}\n> {preview}"


class ItemWords:
    """The words every listed item repeats, translated once per page."""

    __slots__ = ("edited", "kinds", "lang")

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.edited = " · " + tr(lang, "edited")
        self.kinds = {kind: tr(lang, name) for kind, name in KIND_NAMES.items()}


def item_facts(
    comment: Comment, draft_code: str | None, current: int | None, words: ItemWords
) -> str:
    """The line of facts of a listed comment: number, place, attribution, kind, when."""
    place = section_label(comment.section_key)
    if draft_code:
        place = f"{inert(draft_code)} {place}"
    edited = words.edited if comment.edited_at else ""
    earlier = stale(comment, current, words.lang)
    if earlier:
        edited += f" · {earlier}"
    return (
        f"**#{comment.id}** · {place} · {attribution(comment, words.lang)} ·"
        f" {words.kinds[comment.kind]} · {_made(comment, words.lang)}{edited}"
    )


def item_preview(comment: Comment) -> str:
    """The one-line preview of a listed comment's text, inert."""
    return inert(truncate(" ".join(comment.text.split()), PREVIEW))


#: A preview shortened to fit a page keeps at least this many characters before the items
#: themselves are cut.
MIN_PREVIEW = 24


def cut(text: str, limit: int) -> str:
    """`text` (inert) cut to at most `limit` characters with an ellipsis, never leaving a
    backslash at the cut that would escape the ellipsis (or stand half of an escape)."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip("\\") + "…"


def _shares(lengths: list[int], room: int) -> list[int]:
    """`room` shared out among texts of `lengths`: each gets an equal share, and what a short
    one leaves goes to the longer ones."""
    shares = [0] * len(lengths)
    left = len(lengths)
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        shares[i] = min(lengths[i], room // left)
        room -= shares[i]
        left -= 1
    return shares


def fit_items(header: str, facts: list[str], previews: list[str], budget: int) -> str:
    """The header and the items (a line of facts, then a quoted preview) in at most `budget`
    characters: whole when they fit; else the previews shortened, sharing the room left;
    as a last resort each item cut to an equal share. No item is ever left out."""
    n = len(facts)
    room = budget - len(header) - sum(len(f) + 4 for f in facts)  # "\n" + facts + "\n> "
    if sum(len(p) for p in previews) > room:
        if room >= n * MIN_PREVIEW:
            shares = _shares([len(p) for p in previews], room)
            previews = [cut(p, share) for p, share in zip(previews, shares, strict=True)]
        else:
            share = (budget - len(header)) // n - 1
            items = [
                cut(item(f, cut(p, MIN_PREVIEW)), share)
                for f, p in zip(facts, previews, strict=True)
            ]
            return "\n".join([header, *items])
    return "\n".join([header, *(item(f, p) for f, p in zip(facts, previews, strict=True))])


def _made(comment: Comment, lang: str = "en") -> str:
    """When a comment was made, or "imported <when>" when its file gave no date."""
    made = ts(comment.created_at, "R")
    return tr(lang, "imported {when}, undated", when=made) if comment.undated else made


def _when(label: str, moment: datetime) -> str:
    return label.format(when=f"{ts(moment, 'F')} ({ts(moment, 'R')})")


#: How `/comments show` says how the attribution stood when the comment was made.
_STATUS_PHRASES = {
    AttributionStatus.VERIFIED: N_("verified when it was made"),
    AttributionStatus.UNVERIFIED: N_("unverified when it was made"),
    AttributionStatus.IMPORTED: N_("imported from a file (nobody verified it in Discord)"),
}
assert set(_STATUS_PHRASES) == set(STATUS_PHRASES)


def show_pages(view: CommentView, lang: str = "en") -> list[str]:
    """`/comments show`: one comment whole, paged under Discord's limit. The text of a hidden
    or withdrawn comment, the reason it was hidden and the edit history only for its author
    and coordinators (`view.privileged`). In `lang`."""
    t = Translator(lang)
    c = view.comment
    on_earlier = stale(c, view.current_revision, lang)
    made = (
        t("made {earlier} (now revision {current})", earlier=on_earlier,
          current=view.current_revision)
        if on_earlier
        else t("made on revision {n}", n=c.revision)
    )
    lines = [
        f"**#{c.id}** · {where(c, view.draft_code)} · {kind_name(c.kind, lang)} · {made}",
        t("Attribution: {attribution}",
          attribution=f"**{inert(attribution_in(c.attribution, lang))}**")
        + f" · {t(_STATUS_PHRASES[c.status])}",
    ]
    moments = [
        _when(t("Imported without a date {when}") if c.undated else t("Created {when}"),
              c.created_at)
    ]
    if c.edited_at is not None:
        moments.append(_when(t("Edited {when}"), c.edited_at))
    lines.append(" · ".join(moments))
    if c.withdrawn_at is not None:
        lines.append(_when(t("Withdrawn by its author {when}."), c.withdrawn_at))
    if c.hidden_at is not None:
        if view.privileged and c.hidden_reason:
            hidden = _when(
                t("Hidden by the secretariat {when}; reason: {reason}.",
                  reason=inert(c.hidden_reason.rstrip(".")).replace("{", "{{").replace("}", "}}"),
                  when="{when}"),
                c.hidden_at,
            )
        else:
            hidden = _when(t("Hidden by the secretariat {when}."), c.hidden_at)
        lines.append(hidden)
    if view.text_shown:
        lines.append(quoted(inert(c.text)))
        if c.kind is CommentKind.AMENDMENT and view.written_on is not None:
            lines.append(t("As changes to revision {n} ({legend}):", n=c.revision,
                           legend=t(LEGEND)))
            changes = render_diff_lines(view.written_on, c.text, width=DIFF_WIDTH, escape=inert)
            lines.append(quoted("\n".join(changes)))
    elif c.withdrawn_at is not None:
        lines.append("-# " + t("Its text is shown only to its author and coordinators, as it"
                               " was withdrawn."))
    else:
        lines.append("-# " + t("Its text is shown only to its author and coordinators, as it"
                               " was hidden."))
    if view.history:
        lines.append(t.plural("**Edit history** ({n} earlier text), oldest first:",
                              "**Edit history** ({n} earlier texts), oldest first:",
                              len(view.history)))
        for earlier in view.history:
            lines.append(t("Until {when}:", when=ts(earlier.replaced_at, "F")))
            lines.append(quoted(inert(earlier.text)))
    # Quoted texts go line by line, so a page break never splits a line silently.
    return chunk_lines("\n".join(lines).split("\n"), limit=PAGE_BUDGET)


def hidden_answer(comment: Comment, draft_code: str, told: bool | None, lang: str = "en") -> str:
    """What the coordinator who hid a comment is told; `told`: the author got the DM (None:
    an imported comment, which has no author in Discord)."""
    t = Translator(lang)
    answer = t(
        "Hid {id} on {place}: it no longer appears in lists, coverage or the consolidated text.",
        id=f"**#{comment.id}**", place=where(comment, draft_code),
    )
    if told is None:
        return answer + " " + t("It was imported from a file, so there is no author to tell.")
    if told:
        return answer + " " + t("Its author was told by DM, with the reason.")
    return answer + " " + t(
        "I could not tell its author by DM (they do not accept DMs from me);"
        " `/comments show {id}` shows them the reason.", id=comment.id,
    )


def hidden_dm(comment: Comment, draft_code: str, lang: str = "en") -> str:
    """The DM to a hidden comment's author, in their language."""
    return tr(
        lang,
        "A coordinator hid your comment {id} on {place}. Reason: {reason}\nIt no longer appears"
        " in lists, coverage or the consolidated text; `/comments show {number}` still shows it"
        " to you.",
        id=f"**#{comment.id}**", place=where(comment, draft_code),
        reason=inert(comment.hidden_reason or ""), number=comment.id,
    )


def restored_answer(comment: Comment, draft_code: str, lang: str = "en") -> str:
    return tr(
        lang,
        "Restored {id} on {place}: it appears in lists, coverage and the consolidated text"
        " again.", id=f"**#{comment.id}**", place=where(comment, draft_code),
    )


def restored_dm(comment: Comment, draft_code: str, lang: str = "en") -> str:
    """The DM to a restored comment's author, in their language."""
    return tr(
        lang,
        "A coordinator restored your comment {id} on {place}: it appears in lists, coverage and"
        " the consolidated text again.",
        id=f"**#{comment.id}**", place=where(comment, draft_code),
    )


def regrouped_answer(comment: Comment, draft_code: str, lang: str = "en") -> str:
    return tr(
        lang,
        "Set the group of {id} ({place}): it is attributed to {attribution} in lists, coverage"
        " and exports.", id=f"**#{comment.id}**", place=where(comment, draft_code),
        attribution=f"**{attribution(comment, lang)}**",
    )
