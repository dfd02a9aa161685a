"""User text is inert where the bot shows it inside its own formatting (SPEC section 8): event
and draft titles, places, descriptions, version labels, section text and reminder lines have
their Markdown escaped, so a masked link shows its URL in plain sight and `**` makes nothing
bold; bidirectional overrides are removed from titles at input and from whatever is shown."""

from __future__ import annotations

import re

import pytest

from bot.domain.clock import FakeClock
from bot.emulator import InteractionResult
from bot.harness import RunningBot, World
from tests.e2e.test_calendar import event_id
from tests.e2e.test_reminders import poke_and_drain

pytestmark = pytest.mark.e2e

HOSTILE = "[Click me](https://evil.example) **urgent** \u202eISOC"
#: How the hostile title reads in a message: the link's brackets and the asterisks escaped.
SHOWN = r"\[Click me](https://evil.example) \*\*urgent\*\* ISOC"
MASKED_LINK = re.compile(r"(?<!\\)\[[^\[\]]*\]\(https?://")
BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]


def harmless(text: str) -> None:
    """No masked link, no bold made of user text, no bidirectional override in `text`."""
    assert not MASKED_LINK.search(text), text
    assert "**urgent**" not in text
    assert not any(ch in text for ch in BIDI), ascii(text)


def shows_hostile(res: InteractionResult) -> None:
    assert SHOWN in res.text(), res.text()
    harmless(res.text())


ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//inert//EN\r\n"
    "BEGIN:VEVENT\r\nUID:hostile@test\r\n"
    f"SUMMARY:{HOSTILE}\r\n"
    "DTSTART;VALUE=DATE:20140323\r\nDTEND;VALUE=DATE:20140328\r\n"
    "LOCATION:**Singapore**\u202e\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()


async def test_event_titles_places_and_details_are_inert(world: World, bot: RunningBot) -> None:
    coord, bob = world.coordinator, world.bob
    res = await world.run(
        coord, "event add", title=HOSTILE, when="23-27 March 2014",
        location="_Room_ [B](https://evil.example)",
        description="**Bring** your [badge](https://evil.example)\n# Not a heading",
    )
    assert not res.ephemeral
    shows_hostile(res)
    assert r"Location: \_Room\_ \[B](https://evil.example)" in res.content
    eid = event_id(res.content)
    stored = await bot.services.calendar.get(world.guild.id, str(eid))
    assert stored.title == "[Click me](https://evil.example) **urgent** ISOC"  # bidi gone at input

    res = await world.run(bob, "event show", id=str(eid))
    shows_hostile(res)
    assert r"\*\*Bring\*\* your \[badge](https://evil.example)" in res.content
    assert "\n\\# Not a heading" in res.content
    res = await world.run(bob, "upcoming", days=366)
    shows_hostile(res)
    assert f"**#{eid}** {SHOWN} · meeting" in res.content
    res = await world.run(coord, "event edit", id=str(eid), location="Sao Paulo")
    shows_hostile(res)
    choices = await world.complete(bob, "event show", "id", id="Click")
    assert choices and not any(ch in choices[0]["name"] for ch in BIDI)
    res = await world.run(coord, "event remove", id=str(eid))
    shows_hostile(res)
    assert res.content.startswith(f"Removed **#{eid} {SHOWN}**")

    res = await world.run(coord, "event import", attachments={"file": ("x_y_.ics", ICS)})
    shows_hostile(res)
    assert r"Imported **x\_y\_.ics**" in res.content and r"\*\*Singapore\*\*" in res.content


async def test_draft_titles_versions_and_sections_are_inert(world: World, bot: RunningBot) -> None:
    coord, bob = world.coordinator, world.bob
    res = await world.run(coord, "draft create", code="C11", title=HOSTILE, version="**V1**\u2066")
    assert not res.ephemeral
    shows_hostile(res)
    assert res.content.startswith(rf"Created **C11** {SHOWN} · \*\*V1\*\*.")
    draft = await bot.services.drafts.require(world.guild.id, "C11")
    assert (draft.title, draft.version) == ("[Click me](https://evil.example) **urgent** ISOC", "**V1**")
    await world.run(
        coord, "draft section", code="C11", section="vision",
        text="See [the annex](https://evil.example) and **act**\n- first",
    )
    for res in (
        await world.run(bob, "draft show", code="C11"),
        await world.run(bob, "draft list"),
    ):
        shows_hostile(res)
    res = await world.run(bob, "draft show", code="C11", section="vision")
    harmless(res.text())
    assert r"See \[the annex](https://evil.example) and \*\*act\*\*" in res.content
    assert "\n\\- first" in res.content
    res = await world.run(bob, "draft export", code="C11")
    assert res.answer is not None and not res.answer.ephemeral
    shows_hostile(res)


async def test_draft_create_refuses_an_existing_code_and_edit_shows_before_and_after(
    world: World, bot: RunningBot
) -> None:
    """No silent overwrites (SPEC section 8): /draft create of a code in use is refused,
    privately, and names /draft edit; /draft edit changes the title or version."""
    coord = world.coordinator
    await world.run(coord, "draft create", code="C11", title="International cooperation", version="V1.1")
    res = await world.run(coord, "draft create", code="c11", title="Something else")
    assert res.ephemeral
    assert res.content == (
        "There is already a draft C11; nothing was changed. To change its title or version,"
        " use `/draft edit code title version`."
    )
    draft = await bot.services.drafts.require(world.guild.id, "C11")
    assert (draft.title, draft.version) == ("International cooperation", "V1.1")

    res = await world.run(world.alice, "draft edit", code="C11", version="V2")
    assert res.ephemeral and "Only coordinators" in res.content
    res = await world.run(coord, "draft edit", code="c11", title=HOSTILE, version="V1.2")
    assert res.answer is not None and not res.answer.ephemeral
    assert res.content == (
        "Changed 2 details of **C11**:\n"
        "- title: “International cooperation” → “" + SHOWN + "”\n"
        "- version: “V1.1” → “V1.2”\n"
        f"Now: **C11** {SHOWN} · V1.2"
    )
    res = await world.run(coord, "draft edit", code="C11", version="-")
    assert res.content.startswith("Changed 1 detail of **C11**:\n- version: “V1.2” → (none)\n")
    res = await world.run(coord, "draft edit", code="C11", version="-")
    assert res.ephemeral and res.content.startswith("Nothing changed: **C11**")
    res = await world.run(coord, "draft edit", code="C11")
    assert res.ephemeral and "Give a new `title`, `version` or `language`" in res.content
    res = await world.run(coord, "draft edit", code="C12", title="Other")
    assert res.ephemeral and "There is no draft C12" in res.content
    actions = [r["action"] for r in await bot.db.fetch("SELECT action FROM audit ORDER BY id")]
    assert actions == ["draft.create", "draft.edit", "draft.edit"]

    # The import's contract is unchanged: importing a file again updates the draft it names.
    md = b"# C11 Imported title\n## Vision\nThe vision.\n"
    res = await world.run(coord, "draft import", attachments={"file": ("C11.md", md)})
    assert "**C11** (updated)" in res.content
    assert (await bot.services.drafts.require(world.guild.id, "C11")).title == "Imported title"


async def test_reminder_lines_are_inert(world: World, bot: RunningBot, clock: FakeClock) -> None:
    coord, alice = world.coordinator, world.alice
    await world.run(coord, "reminders channel", channel=world.reminders)
    await world.run(coord, "reminders offsets", value="1h")
    await world.run(coord, "event add", title=HOSTILE, when="2 November 2013 12:00", location="**Geneva**")
    res = await world.run(alice, "remind", when="in 2 hours", text="**Send** [this](https://evil.example)\u202e")
    assert res.ephemeral and r"\*\*Send\*\* \[this](https://evil.example)" in res.content
    res = await world.run(alice, "reminders list")
    harmless(res.text())
    assert SHOWN in res.content and r"\*\*Send\*\* \[this](https://evil.example)" in res.content

    clock.advance(hours=2)
    await poke_and_drain(bot)
    [dm] = world.emu.dm_messages(alice)
    assert dm.content.startswith(r"Reminder: \*\*Send\*\* \[this](https://evil.example)")
    assert "\u202e" not in dm.content
    clock.advance(hours=24)
    await poke_and_drain(bot)
    [posted] = world.emu.channel_messages(world.reminders)
    assert posted.content.startswith(f"Reminder: **{SHOWN}** starts")
    assert r"· \*\*Geneva\*\*" in posted.content
    harmless(posted.content)
