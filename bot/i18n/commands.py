"""Command, option and choice names and descriptions in the six languages (SPEC section 12).

`CatalogTranslator` is discord.py's `app_commands.Translator` over our catalogs: names are
looked up with the message context "name" (so "list" the command and "list" the word may
differ), choice names with "choice", descriptions with none. A translated name that Discord
would refuse (upper case, a space, over 32 characters) is not sent, so the English stays.

Arabic: Discord's API has an `ar` locale, but discord.py 2.7's `Locale` enum has no member for
it, so its per-locale loop never asks for one. `add_arabic` walks the payload discord.py built
and adds `ar` to every `name_localizations` / `description_localizations`, from the same
catalog; `ConcordTree.sync` sends that payload.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.i18n import DISCORD_LOCALES, translations

NAME, CHOICE = "name", "choice"
_NAME_OK = re.compile(r"^[-_'\w\u0900-\u097f\u0e00-\u0e7f]{1,32}$")

_CONTEXTS = {
    Where.command_name: NAME,
    Where.group_name: NAME,
    Where.parameter_name: NAME,
    Where.choice_name: CHOICE,
}


def valid_name(name: str) -> bool:
    """Discord's rule for command and option names: 1-32 characters, no spaces, lowercase
    where the script has case."""
    return bool(_NAME_OK.match(name)) and name == name.lower()


def lookup(lang: str, context: str | None, message: str) -> str | None:
    """The translation of `message` in `lang`, or None when the catalog has none."""
    catalog = translations(lang)
    found = catalog.pgettext(context, message) if context else catalog.gettext(message)
    if found == message:
        return None
    if context == NAME and not valid_name(found):
        return None
    if context != NAME and not 1 <= len(found) <= 100:
        return None
    return found


class CatalogTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext[Any, Any],
    ) -> str | None:
        lang = DISCORD_LOCALES.get(locale.value)
        if lang is None or lang == "en":
            return None
        return lookup(lang, _CONTEXTS.get(context.location), string.message)


def add_arabic(payload: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the `ar` localizations that discord.py cannot ask for, in place; returns `payload`."""

    def visit(item: dict[str, Any], context: str) -> None:
        name = lookup("ar", context, item["name"])
        if name is not None:
            item.setdefault("name_localizations", {})["ar"] = name
        if item.get("description"):
            text = lookup("ar", None, item["description"])
            if text is not None:
                item.setdefault("description_localizations", {})["ar"] = text
        for option in item.get("options") or ():
            visit(option, NAME)
        for choice in item.get("choices") or ():
            if isinstance(choice.get("name"), str):
                visit(choice, CHOICE)

    for command in payload:
        visit(command, NAME)
    return payload


def _commands_of_cogs() -> Iterator[app_commands.Command[Any, ..., Any] | app_commands.Group]:
    import cogs

    for module in pkgutil.iter_modules(cogs.__path__):
        if module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"cogs.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, type) and issubclass(value, discord.ext.commands.Cog):
                yield from value.__cog_app_commands__


def command_messages() -> Iterator[tuple[str | None, str]]:
    """(context, message) of every name, description and choice of every cog's commands."""

    def of(item: Any) -> Iterator[tuple[str | None, str]]:
        yield NAME, item.name
        if item.description:
            yield None, item.description
        if isinstance(item, app_commands.Group):
            for child in item.commands:
                yield from of(child)
            return
        for param in item.parameters:
            yield NAME, param.display_name
            if param.description and param.description != "…":
                yield None, param.description
            for choice in param.choices:
                yield CHOICE, choice.name

    for command in _commands_of_cogs():
        yield from of(command)
