"""`python -m bot.i18n.extract`: gather every message of the code and bring the catalogs up to
date (new messages added untranslated, translations kept, vanished ones dropped).

Messages are the string literals given to `Msg(...)`, `Msg.plural(...)`, `tr(lang, ...)`,
`ntr(lang, ...)`, a `Translator` (`t(...)`, `t.plural(...)`) and `N_(...)`; command names and
descriptions come from `bot.i18n.commands`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import TRANSLATED, catalog_path

KEYWORDS = {
    "Msg": None,
    "N_": None,
    "t": None,
    "tr": (2,),
    "ntr": (2, 3),
    "plural": (1, 2),
}
ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "cogs")


def template() -> Catalog:
    """Every message the code uses, as a catalog with no translations."""
    catalog = Catalog(domain="concord", project="Concord", charset="utf-8")
    for folder in SOURCES:
        found = extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
        )
        for filename, lineno, message, comments, context in found:
            location = (f"{folder}/{filename}", lineno)
            catalog.add(message, locations=[location], auto_comments=comments, context=context)
    from bot.i18n.commands import command_messages

    for context, message in command_messages():
        catalog.add(message, context=context)
    return catalog


def update(lang: str, base: Catalog) -> Catalog:
    path = Path(str(catalog_path(lang)))
    if path.exists():
        with path.open("rb") as source:
            catalog = read_po(source, locale=lang, domain="concord")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=lang, domain="concord", project="Concord", charset="utf-8")
    catalog.update(base, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    with path.open("wb") as out:
        write_po(out, catalog, width=100, omit_header=False, sort_output=False)
    return catalog


def main(argv: list[str]) -> int:
    base = template()
    for lang in argv or TRANSLATED:
        catalog = update(lang, base)
        missing = sum(1 for m in catalog if m.id and not m.string)
        print(f"{lang}: {len(base)} messages, {missing} untranslated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
