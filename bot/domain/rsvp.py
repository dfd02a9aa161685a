"""RSVP (SPEC 10): a member's answer to a meeting, what it means for their reminders, and how
answers are counted and worded. Pure: no database, no Discord, no clock (times are passed in).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.models import Event, EventKind, EventStatus
from bot.errors import UserError
from bot.i18n import N_, Msg


class RsvpStatus(enum.StrEnum):
    """The values stored in `event_rsvps.status` and typed in `/event rsvp status`."""

    GOING = "going"
    MAYBE = "maybe"
    NOT_GOING = "not-going"

    @property
    def label(self) -> Msg:
        """The button's label: "Going", "Maybe", "Not going" (a message: in the reader's
        language once rendered)."""
        return Msg(_LABELS[self])

    @property
    def gets_dms(self) -> bool:
        """Going and Maybe get the event's reminders by DM as well."""
        return self is not RsvpStatus.NOT_GOING


_LABELS = {
    RsvpStatus.GOING: N_("Going"),
    RsvpStatus.MAYBE: N_("Maybe"),
    RsvpStatus.NOT_GOING: N_("Not going"),
}
#: The statuses whose members get DMs, as stored (for SQL `IN` lists).
DM_STATUSES = tuple(s.value for s in RsvpStatus if s.gets_dms)


def parse_status(text: str) -> RsvpStatus:
    """`going`, `maybe` or `not-going` (also "Not going", "not_going", "no", "yes")."""
    key = "-".join(text.strip().lower().replace("_", " ").split())
    key = {"yes": "going", "no": "not-going", "notgoing": "not-going"}.get(key, key)
    try:
        return RsvpStatus(key)
    except ValueError:
        if not text.strip():
            raise UserError(Msg(
                "That is not an answer I know; type `going`, `maybe` or `not-going`."
            )) from None
        raise UserError(Msg(
            "{text} is not an answer I know; type `going`, `maybe` or `not-going`.",
            text=text.strip()[:40],
        )) from None


def takes_rsvp(event: Event) -> bool:
    """Meetings take RSVPs (a deadline or a window has nobody to attend it)."""
    return event.kind is EventKind.MEETING


def require_meeting(event: Event) -> None:
    """Refuse RSVP business about anything but a meeting."""
    if not takes_rsvp(event):
        if event.kind is EventKind.DEADLINE:
            raise UserError(Msg(
                "#{id} is a deadline, not a meeting; only meetings take RSVPs (see `/upcoming"
                " kind:meeting`).", id=event.id,
            ))
        raise UserError(Msg(
            "#{id} is a window, not a meeting; only meetings take RSVPs (see `/upcoming"
            " kind:meeting`).", id=event.id,
        ))


def check_rsvp(event: Event, now: datetime) -> None:
    """Refuse an answer to an event that cannot take one: not a meeting, cancelled, or over."""
    require_meeting(event)
    if event.status is EventStatus.CANCELLED:
        raise UserError(Msg("#{id} was cancelled, so it takes no RSVPs; see `/upcoming`.",
                            id=event.id))
    # A series is answered once for all its occurrences: over only after its last one.
    last = event.series_end if event.rrule is not None else (event.end or event.start)
    if last is not None and last < now:
        raise UserError(Msg("#{id} is over, so it takes no RSVPs; see `/upcoming`.", id=event.id))


@dataclass(frozen=True, slots=True)
class Rsvp:
    event_id: int
    user_id: int
    guild_id: int
    status: RsvpStatus
    updated_at: datetime
    #: "concord" (a button or /event rsvp) or "discord" (Interested on the Discord event).
    source: str = "concord"


@dataclass(frozen=True, slots=True)
class RsvpCounts:
    going: int = 0
    maybe: int = 0
    not_going: int = 0

    @classmethod
    def of(cls, statuses: Iterable[RsvpStatus]) -> RsvpCounts:
        found = list(statuses)
        return cls(
            going=found.count(RsvpStatus.GOING),
            maybe=found.count(RsvpStatus.MAYBE),
            not_going=found.count(RsvpStatus.NOT_GOING),
        )

    def line(self) -> Msg:
        """"RSVP: 3 going · 1 maybe · 0 not going"."""
        return Msg(
            "RSVP: {going} going · {maybe} maybe · {not_going} not going",
            going=self.going, maybe=self.maybe, not_going=self.not_going,
        )


def answer_text(
    event_id: int, title: str, when: str, status: RsvpStatus, dms_ahead: int
) -> Msg:
    """The private confirmation of an answer; `title` already inert, `when` the meeting's time
    as Discord timestamps, `dms_ahead` the number of its reminders still to come by DM."""
    head = Msg("You answered **{status}** for **#{id} {title}** ({when}).",
               status=status.label, id=event_id, title=title, when=when)
    if not status.gets_dms:
        tail = Msg("You will get no reminders of it by DM.")
    elif dms_ahead == 0:
        tail = Msg("It has no reminders left to send, so none will come by DM.")
    else:
        tail = Msg.plural("Its {n} reminder still to come will reach you by DM as well.",
                          "Its {n} reminders still to come will reach you by DM as well.",
                          dms_ahead)
    # TRANSLATORS: two sentences: the answer recorded, then what it means for the DMs.
    return Msg("{answer} {reminders}", answer=head, reminders=tail)
