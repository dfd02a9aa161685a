"""Languages (SPEC section 12): the six UN languages, gettext catalogs, and the reader's choice.

Messages are written in English in the code and looked up in the catalogs
``bot/locales/<lang>/LC_MESSAGES/concord.po``, compiled when first needed (Babel's `pofile` and
`mofile`, then the standard `gettext`), so the .po files are the only source of translations.

- `tr(lang, msgid, **params)` translates and fills `{name}` placeholders; `ntr` does plurals.
- `Msg(msgid, **params)` is a message kept for later: it *is* its English text (a `str`), so
  code and logs that do not care keep working, and `render(text, lang)` translates it at the
  edge, once the reader is known. Services and domain code raise and return `Msg`, so they
  need no language of their own; parameters that are `Msg` are translated too.
- `resolve(member=..., discord_locale=..., server=...)`: the member's own choice, else their
  Discord client's language when it is one of the six, else the server's, else English.

Babel formats numbers and lists in the reader's language (`number`, `join`).
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
import logging
import string
from collections.abc import Iterable, Mapping
from datetime import date as date_type
from importlib import resources
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.messages import mofile, pofile
from babel.numbers import format_decimal

log = logging.getLogger(__name__)

DEFAULT = "en"
#: The six UN languages, by their `/language` code; English is the source language.
LANGUAGES: tuple[str, ...] = ("ar", "zh", "en", "fr", "ru", "es")
TRANSLATED: tuple[str, ...] = ("ar", "zh", "fr", "ru", "es")

#: Each language's own name for itself, for /language's choices and answers.
NATIVE_NAMES: Mapping[str, str] = {
    "ar": "العربية",
    "zh": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}

#: Discord client locales (https://discord.com/developers/docs/reference#locales) -> language.
DISCORD_LOCALES: Mapping[str, str] = {
    "ar": "ar",
    "zh-CN": "zh",
    "zh-TW": "zh",
    "en-US": "en",
    "en-GB": "en",
    "fr": "fr",
    "ru": "ru",
    "es-ES": "es",
    "es-419": "es",
}

#: Babel's locale for each language, for numbers and lists.
_BABEL = {"ar": "ar", "zh": "zh_Hans", "en": "en", "fr": "fr", "ru": "ru", "es": "es"}


def from_discord(locale: object) -> str | None:
    """The language of a Discord locale (`discord.Locale` or its string, e.g. "es-419"), or
    None when it is not one of the six."""
    value = getattr(locale, "value", locale)
    return DISCORD_LOCALES.get(str(value)) if value is not None else None


@functools.lru_cache(maxsize=512)
def normalize(code: str | None) -> str | None:
    """A language code as typed ("FR", "zh-TW", "es-419", "Français") -> one of LANGUAGES, or
    None when it names none of them (remembered: every interaction asks it again)."""
    if not code:
        return None
    text = code.strip()
    for lang, name in NATIVE_NAMES.items():
        if text.casefold() in (lang, name.casefold()):
            return lang
    found = from_discord(text)
    if found is not None:
        return found
    base = text.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def resolve(
    *, member: str | None = None, discord_locale: object = None, server: str | None = None
) -> str:
    """The reader's language: their own choice, else their Discord client's language when it
    is one of the six, else the server's, else English."""
    for choice in (normalize(member), from_discord(discord_locale), normalize(server)):
        if choice is not None:
            return choice
    return DEFAULT


# ------------------------------------------------------------------ catalogs


def catalog_path(lang: str) -> Any:
    return resources.files("bot") / "locales" / lang / "LC_MESSAGES" / "concord.po"


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of `lang` (English, or a language without a catalog: the
    messages themselves)."""
    if lang not in TRANSLATED:
        return _gettext.NullTranslations()
    with catalog_path(lang).open("rb") as source:
        catalog = pofile.read_po(source, locale=lang, domain="concord")
    compiled = io.BytesIO()
    mofile.write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def N_(msgid: str) -> str:
    """Marks `msgid` as a message (for the catalogs) where it is not translated yet, e.g. a
    table of messages translated later with `tr`."""
    return msgid


def _fill(text: str, lang: str, params: Mapping[str, Any]) -> str:
    if not params:
        return text
    values = {k: render(v, lang) if isinstance(v, str) else v for k, v in params.items()}
    return text.format(**values)


def tr(lang: str, msgid: str, /, **params: Any) -> str:
    """`msgid` in `lang`, with its `{placeholders}` filled (a `Msg` parameter translated)."""
    return _fill(translations(lang).gettext(msgid), lang, params)


def ntr(lang: str, singular: str, plural: str, n: int, /, **params: Any) -> str:
    """The plural form of `lang` for `n`; `{n}` is the number written the reader's way."""
    text = translations(lang).ngettext(singular, plural, n)
    return _fill(text, lang, {"n": number(lang, n), **params})


class Msg(str):
    """A message to translate once the reader is known; its `str` value is the English."""

    msgid: str
    plural_id: str | None
    n: int | None
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> Msg:
        self = super().__new__(cls, _fill(msgid, DEFAULT, params))
        self.msgid, self.plural_id, self.n, self.params = msgid, None, None, params
        return self

    @classmethod
    def plural(cls, singular: str, plural: str, n: int, /, **params: Any) -> Msg:
        english = singular if n == 1 else plural
        self = super().__new__(cls, _fill(english, DEFAULT, {"n": number(DEFAULT, n), **params}))
        self.msgid, self.plural_id, self.n, self.params = singular, plural, n, params
        return self

    def __reduce__(self) -> Any:  # keep the message when pickled (exceptions are)
        return (_rebuild, (self.msgid, self.plural_id, self.n, self.params))

    def in_(self, lang: str) -> str:
        if self.plural_id is not None and self.n is not None:
            return ntr(lang, self.msgid, self.plural_id, self.n, **self.params)
        return tr(lang, self.msgid, **self.params)


class Day(Msg):
    """A calendar day written the reader's way once the reader is known: "3 April 2014" in
    English (the house style), CLDR's long date elsewhere ("3 avril 2014", "2014年4月3日");
    `style` "day_month" leaves the year out, "month_year" the day ("April 2014")."""

    day: date_type
    style: str

    def __new__(cls, day: date_type, style: str = "full") -> Day:
        english = {
            "full": f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}",
            "day_month": f"{day.day} {_EN_MONTHS[day.month - 1]}",
            "month_year": f"{_EN_MONTHS[day.month - 1]} {day.year}",
        }[style]
        self = str.__new__(cls, english)
        self.msgid, self.plural_id, self.n, self.params = english, None, None, {}
        self.day, self.style = day, style
        return self

    def __reduce__(self) -> Any:
        return (Day, (self.day, self.style))

    def in_(self, lang: str) -> str:
        if lang == DEFAULT:
            return str(self)
        locale = _BABEL.get(lang, "en")
        if self.style == "full":
            return format_date(self.day, "long", locale=locale)
        skeleton = "MMMMd" if self.style == "day_month" else "yMMMM"
        return format_skeleton(skeleton, self.day, locale=locale)


_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)


def _rebuild(msgid: str, plural_id: str | None, count: int | None, params: dict[str, Any]) -> Msg:
    if plural_id is not None and count is not None:
        return Msg.plural(msgid, plural_id, count, **params)
    return Msg(msgid, **params)


def render(text: str, lang: str) -> str:
    """`text` for a reader of `lang`: a `Msg` translated, any other string as it is."""
    return text.in_(lang) if isinstance(text, Msg) else text


def babel_locale(lang: str) -> str:
    """Babel's (CLDR's) locale for `lang`, for dates and day names."""
    return _BABEL.get(lang, "en")


def number(lang: str, n: float) -> str:
    """`n` written the way `lang` writes numbers (1,000 / 1 000 / 1.000)."""
    if isinstance(n, int) and 0 <= n < 10_000:
        return _small_number(lang, n)
    return format_decimal(n, locale=_BABEL.get(lang, "en"))


@functools.lru_cache(maxsize=4096)
def _small_number(lang: str, n: int) -> str:
    """`number` of the counts answers show most (Babel takes tens of microseconds a call)."""
    return format_decimal(n, locale=_BABEL.get(lang, "en"))


def join(lang: str, items: Iterable[str]) -> str:
    """Items as a list in `lang` ("a, b and c", "a, b et c", "a、b和c")."""
    values = [render(i, lang) for i in items]
    return format_list(values, locale=_BABEL.get(lang, "en")) if values else ""


def language_name(code: str, lang: str) -> str:
    """The name of language `code` in `lang` ("French" in English, "français" in French)."""
    name = Locale.parse(_BABEL[code]).get_language_name(_BABEL.get(lang, "en"))
    return name or NATIVE_NAMES[code]


def placeholders(text: str) -> set[str]:
    """The `{names}` a message fills (for the catalog test)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


class Translator:
    """`tr` bound to one reader's language: `t = Translator("fr"); t("Hello {name}", name=..)`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, msgid: str, /, **params: Any) -> str:
        return tr(self.lang, msgid, **params)

    def plural(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        return ntr(self.lang, singular, plural, n, **params)

    def render(self, text: str) -> str:
        return render(text, self.lang)

    def join(self, items: Iterable[str]) -> str:
        return join(self.lang, items)


# ------------------------------------------------------------------ the stakeholder groups

#: The five WSIS stakeholder groups; their translations are the UN's own names (SPEC 12).
WSIS_GROUPS: tuple[str, ...] = (
    N_("Government"),
    N_("Private Sector"),
    N_("Civil Society"),
    N_("International Organization"),
    N_("Technical Community"),
)


def group_name(group: str, lang: str) -> str:
    """A stakeholder group's name in `lang`: the UN's name for the five, a server's own group
    as it was written."""
    return tr(lang, group) if group in WSIS_GROUPS else group


def attribution_in(attribution: str, lang: str) -> str:
    """"ISOC, Civil Society" with its group named in `lang` ("ISOC, Société civile"); an
    attribution splits into organization and group at its last ", " (SPEC 8)."""
    organization, sep, group = attribution.rpartition(", ")
    return f"{organization}{sep}{group_name(group, lang)}" if sep else attribution
