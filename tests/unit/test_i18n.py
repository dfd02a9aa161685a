"""The catalogs (SPEC section 12): every message of the code translated in every language, with
the same placeholders, the right number of plural forms, and command names Discord accepts."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from babel.messages.pofile import read_po

from bot.i18n import (
    TRANSLATED,
    Msg,
    catalog_path,
    from_discord,
    join,
    normalize,
    number,
    placeholders,
    render,
    resolve,
    tr,
)
from bot.i18n.commands import CHOICE, NAME, command_messages, valid_name
from bot.i18n.extract import template


@pytest.fixture(scope="module")
def messages() -> list[tuple[Any, str | None]]:
    return [(m.id, m.context) for m in template() if m.id]


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with catalog_path(lang).open("rb") as source:
        return read_po(source, locale=lang, domain="concord")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_translates_every_message_with_the_same_placeholders(
    lang: str, messages: list[tuple[Any, str | None]]
) -> None:
    catalog = _catalog(lang)
    missing: list[Any] = []
    mismatched: list[Any] = []
    fuzzy: list[Any] = []
    for msgid, context in messages:
        entry = catalog.get(msgid, context=context)
        strings = entry.string if entry is not None else ""
        forms = list(strings) if isinstance(strings, tuple) else [strings]
        if entry is None or not all(forms):
            missing.append(msgid)
            continue
        if entry.fuzzy:
            fuzzy.append(msgid)
        ids = list(msgid) if isinstance(msgid, tuple) else [msgid]
        expected = set().union(*(placeholders(i) for i in ids))
        if isinstance(msgid, tuple):
            if len(forms) != catalog.num_plurals:
                mismatched.append((msgid, f"{len(forms)} forms, {lang} has {catalog.num_plurals}"))
            # A language with one form may leave {n} out of none of them; each form names the rest.
            expected.discard("n")
        for form in forms:
            found = placeholders(form) - {"n"} if isinstance(msgid, tuple) else placeholders(form)
            if found != expected:
                mismatched.append((msgid, form))
    assert not missing, f"{lang}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert not mismatched, f"{lang}: placeholders differ: {mismatched[:5]}"
    assert not fuzzy, f"{lang}: fuzzy (unchecked) translations: {fuzzy[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_command_names_in_every_language_are_names_discord_accepts(lang: str) -> None:
    catalog = _catalog(lang)
    bad = [
        (m.id, m.string) for m in catalog
        if m.id and m.context == NAME and m.string and not valid_name(str(m.string))
    ]
    assert not bad
    choices = [m for m in catalog if m.context == CHOICE and m.string]
    assert all(1 <= len(str(m.string)) <= 100 for m in choices)
    descriptions = {str(m.string) for m in catalog if m.context is None and isinstance(m.string, str)}
    commands = {message for context, message in command_messages() if context is None}
    too_long = [
        catalog.get(d).string for d in commands if len(str(catalog.get(d).string)) > 100
    ]
    assert descriptions and not too_long


def test_the_stakeholder_groups_have_their_un_names() -> None:
    expected = {
        "fr": ["Gouvernements", "Secteur privé", "Société civile", "Organisations internationales", "Communauté technique"],
        "es": ["Gobiernos", "Sector privado", "Sociedad civil", "Organizaciones internacionales", "Comunidad técnica"],
    }
    english = ["Government", "Private Sector", "Civil Society", "International Organization", "Technical Community"]
    for lang, names in expected.items():
        assert [tr(lang, g) for g in english] == names


def test_the_language_is_the_members_then_the_clients_then_the_servers() -> None:
    assert resolve(member="ru", discord_locale="fr", server="es") == "ru"
    assert resolve(member=None, discord_locale="es-419", server="fr") == "es"
    assert resolve(member=None, discord_locale="zh-TW", server=None) == "zh"
    assert resolve(member=None, discord_locale="ar", server=None) == "ar"
    assert resolve(member=None, discord_locale="de", server="fr") == "fr"
    assert resolve() == "en"
    assert from_discord("pt-BR") is None
    assert [normalize(x) for x in ("FR", "zh-TW", "es-419", "Русский", "de", "")] == [
        "fr", "zh", "es", "ru", None, None,
    ]


def test_a_message_is_english_until_it_meets_its_reader() -> None:
    message = Msg("Reminder from {member}:", member="<@1>")
    assert message == "Reminder from <@1>:"
    assert render(message, "fr") == "Rappel de <@1> :"
    assert render(message, "zh") == "来自 <@1> 的提醒："
    again = pickle.loads(pickle.dumps(message))
    assert render(again, "fr") == render(message, "fr")
    group = Msg("Civil Society")
    assert render(Msg("{org}, {group}", org="ISOC", group=group), "fr") == "ISOC, Société civile"
    assert render("plain text", "fr") == "plain text"


def test_numbers_lists_and_plurals_follow_the_language() -> None:
    assert number("en", 12345) == "12,345"
    assert number("fr", 12345) == "12\u202f345"
    assert join("fr", ["a", "b", "c"]) == "a, b et c"
    assert join("es", ["a", "b"]) == "a y b"
    days = {n: render(Msg.plural("next {n} day", "next {n} days", n), "ru") for n in (1, 3, 5)}
    assert days == {1: "ближайший 1 день", 3: "ближайшие 3 дня", 5: "ближайшие 5 дней"}
    assert render(Msg.plural("next {n} day", "next {n} days", 2), "ar") == "اليومان القادمان"
    assert render(Msg.plural("next {n} day", "next {n} days", 30), "zh") == "未来 30 天"


def test_a_date_in_a_message_is_written_in_the_readers_language() -> None:
    """How a numeric date was read, and a day a month does not have: the dates in these
    answers are written the reader's way (CLDR), not left in English."""
    from datetime import UTC, datetime

    from bot.domain.when import parse_when
    from bot.domain.when.normalize import numeric_reading
    from bot.errors import UserError

    note = numeric_reading("03/04/2014", month_first=False)
    assert note is not None
    assert render(note, "en") == (
        'Read "03/04/2014" as 3 April 2014 (day first); for 4 March 2014, write "4 March 2014".'
    )
    assert render(note, "fr") == (
        "« 03/04/2014 » a été lu comme le 3 avril 2014 (le jour d'abord) ; pour le 4 mars 2014,"
        " écrivez « 4 mars 2014 »."
    )
    assert "2014年4月3日" in render(note, "zh") and "日在前" in render(note, "zh")
    no_year = numeric_reading("3/4", month_first=True)
    assert no_year is not None and "4 de marzo" in render(no_year, "es")
    with pytest.raises(UserError) as caught:
        parse_when("30 February 2014", datetime(2013, 11, 1, tzinfo=UTC), "UTC")
    assert render(caught.value.message, "en") == (
        'February 2014 has no day 30; check the date, e.g. "28 February 2014".'
    )
    assert render(caught.value.message, "fr").startswith("Il n'y a pas de jour 30 en février 2014")
    assert "«февраль 2014\u202fг.»" in render(caught.value.message, "ru")
