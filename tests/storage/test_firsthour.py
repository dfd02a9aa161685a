"""Issue 19, "the first hour", on both backends: times say the zone they were read in, new
events and windows in the past are refused unless meant, windows clear and keep a stable UID,
and the first coordinator command on a server without a timezone suggests one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.clock import FakeClock
from bot.domain.draftdoc import render_markdown
from bot.domain.models import EventKind
from bot.errors import UserError
from bot.services import Services

G, OTHER = 1, 2
COORD = 100


# ------------------------------------------------------------------ point 1: the zone of a time


async def test_a_time_says_it_was_read_as_utc_when_no_timezone_is_set(services: Services) -> None:
    added = await services.calendar.add_or_find(
        G, COORD, title="First meeting", when="13 January 2014 10:00"
    )
    [note] = added.notes
    assert note.startswith("Read as 10:00 UTC; no timezone is set")
    assert "`/timezone`" in note and "`/settings timezone`" in note


async def test_a_time_names_the_zone_and_where_it_came_from(services: Services) -> None:
    await services.settings.set_timezone(G, COORD, "Europe/Geneva")
    added = await services.calendar.add_or_find(G, COORD, title="A", when="13 January 2014 10:00")
    assert added.notes == (
        "Read as 10:00 Europe/Zurich (the server's timezone; set your own with `/timezone`).",
    )
    await services.settings.set_member_timezone(COORD, "America/Sao_Paulo")
    added = await services.calendar.add_or_find(G, COORD, title="B", when="13 January 2014 10:00")
    assert added.notes[0].startswith("Read as 10:00 America/Sao_Paulo (your timezone")
    # A zone in the text, or a date without a time, needs no note.
    added = await services.calendar.add_or_find(G, COORD, title="C", when="13 January 2014 10:00 CET")
    assert added.notes == ()
    added = await services.calendar.add_or_find(G, COORD, title="D", when="13 January 2014")
    assert added.notes == ()


async def test_the_timezone_hint_comes_once_and_not_after_a_timezone_is_set(
    services: Services,
) -> None:
    assert await services.settings.timezone_hint_due(G)
    assert not await services.settings.timezone_hint_due(G)
    await services.settings.set_timezone(OTHER, COORD, "UTC")  # chosen, even if UTC
    assert not await services.settings.timezone_hint_due(OTHER)


# ------------------------------------------------------------------ point 2: the past


async def test_a_new_event_in_the_past_is_refused_unless_meant(services: Services) -> None:
    # The clock reads 1 November 2013 12:00 UTC.
    for when in ("yesterday", "31 October 2013", "1 November 2013 11:00"):
        with pytest.raises(UserError, match="past:true"):
            await services.calendar.add_or_find(G, COORD, title="Slip", when=when)
    added = await services.calendar.add_or_find(
        G, COORD, title="Record", when="31 October 2013", past=True
    )
    assert added.event.all_day
    # Today, and a range that has not ended, are not past.
    await services.calendar.add_or_find(G, COORD, title="Today", when="today")
    await services.calendar.add_or_find(G, COORD, title="Running", when="30 October - 3 November")


async def test_numeric_dates_say_how_they_were_read(services: Services) -> None:
    added = await services.calendar.add_or_find(G, COORD, title="A", when="03/04/2014")
    assert added.event.all_day and added.notes[0].startswith('Read "03/04/2014" as 3 April 2014')
    added = await services.calendar.add_or_find(
        G, COORD, title="B", when="03/04/2014", month_first=True
    )
    assert "as 4 March 2014 (month first" in added.notes[0]


# ------------------------------------------------------------------ point 4: windows


async def _draft(services: Services, code: str = "C11") -> None:
    await services.drafts.create(G, COORD, code, "Cooperation", "V1.2")


async def test_a_window_in_the_past_is_refused_unless_meant(
    services: Services, clock: FakeClock
) -> None:
    await _draft(services)
    with pytest.raises(UserError, match="past:true"):
        await services.windows.set_window(G, COORD, "C11", "1-20 October 2013", "UTC")
    done = await services.windows.set_window(
        G, COORD, "C11", "1-20 October 2013", "UTC", past=True
    )
    assert done.draft.window_closes == datetime(2013, 10, 21, tzinfo=UTC)
    # One that opened already is open now.
    open_now = await services.windows.set_window(G, COORD, "C11", "1-30 November 2013", "UTC")
    assert open_now.draft.window_opens is not None and open_now.draft.window_opens < clock()


async def test_when_none_clears_a_window(services: Services) -> None:
    await _draft(services)
    set_ = await services.windows.set_window(
        G, COORD, "C11", "19 December 2013 - 24 January 2014", "UTC"
    )
    assert set_.event is not None
    draft, had = await services.windows.clear_window(G, COORD, "C11")
    assert had and draft.window_opens is None and draft.window_closes is None
    assert await services.calendar.repo.get(G, set_.event.id) is None
    assert await services.reminder_repo.for_event(set_.event.id) == []
    _, had = await services.windows.clear_window(G, COORD, "C11")
    assert not had
    # And it can be set again.
    again = await services.windows.set_window(
        G, COORD, "C11", "19 December 2013 - 24 January 2014", "UTC"
    )
    assert again.draft.window_event_id is not None


async def test_the_export_shows_the_window_as_typed(services: Services) -> None:
    await _draft(services)
    await services.windows.set_window(
        G, COORD, "C11", "19 December 2013 - 24 January 2014", "Europe/Zurich"
    )
    text = render_markdown(await services.drafts.consolidated(G, "C11"))
    assert "Comment window: 19 December 2013 - 24 January 2014" in text
    assert "23:00 UTC" not in text


# ------------------------------------------------------------------ point 5: a stable UID


async def test_another_servers_export_does_not_make_a_second_window(services: Services) -> None:
    for guild in (G, OTHER):
        await services.drafts.create(guild, COORD, "C11", "Cooperation", "V1.2")
        await services.windows.set_window(
            guild, COORD, "C11", "19 December 2013 - 24 January 2014", "UTC"
        )
    exported = await services.calendar.export_ics(OTHER)
    result = await services.calendar.import_ics(G, COORD, exported.data)
    assert result.created == 0 and result.skipped == 1
    windows = [e for e in await services.calendar.repo.all(G) if e.kind is EventKind.WINDOW]
    assert [w.title for w in windows] == ["C11 comment window"]
    # Into a server whose C11 has no window yet, it comes in as an event, and `/draft window`
    # then makes that event the draft's window instead of adding another.
    third = 3
    await services.calendar.import_ics(third, COORD, exported.data)
    await services.drafts.create(third, COORD, "C11", "Cooperation", "V1.2")
    await services.windows.set_window(
        third, COORD, "C11", "19 December 2013 - 25 January 2014", "UTC"
    )
    windows = [e for e in await services.calendar.repo.all(third) if e.kind is EventKind.WINDOW]
    assert len(windows) == 1 and windows[0].draft_id is not None


# ------------------------------------------------------------------ point 6: imported dates

DATED_AND_UNDATED = b"""# C11 Cooperation

## Vision

Text of the vision.

\xc2\xb7 ISOC, Civil Society: Dated in the file. _(2014-01-20)_

\xc2\xb7 Uruguay, Government: No date given.
"""


async def test_imported_comments_keep_their_date_or_say_imported(
    services: Services, clock: FakeClock
) -> None:
    clock.advance(days=400)  # loaded long after the comments were made
    await services.drafts.import_markdown(G, COORD, DATED_AND_UNDATED, filename="C11.md")
    comments = {c.organization: c for c in await services.comments.repo.for_draft(
        (await services.drafts.require(G, "C11")).id
    )}
    assert comments["ISOC"].created_at == datetime(2014, 1, 20, tzinfo=UTC)
    assert not comments["ISOC"].undated and comments["Uruguay"].undated
    text = render_markdown(await services.drafts.consolidated(G, "C11"))
    assert "Dated in the file. _(2014-01-20)_" in text
    assert "No date given. _(imported)_" in text
    # The export imports back as it was: still dated, still undated, nothing added.
    [again] = await services.drafts.import_markdown(G, COORD, text.encode(), filename="C11.md")
    assert again.comments_added == 0 and again.comments_known == 2
