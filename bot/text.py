"""Text cleaning shared by every input and output path. Pure.

Text pasted from PDFs and word processors carries C0 control characters (form feeds, vertical
tabs, NULs). XML 1.0 forbids them, so a DOCX holding one cannot be written, and PostgreSQL
refuses NUL in text; they never mean anything to a reader, so they are removed.
"""

from __future__ import annotations

import re

# C0 controls except tab, line feed and carriage return; DEL; and what XML and UTF-8 cannot
# hold either: lone surrogates (JSON may carry them) and the noncharacters U+FFFE, U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})


def clean_control(text: str) -> str:
    """`text` without control characters other than tab, line feed and carriage return; a
    vertical tab or form feed (a PDF's line or page break) becomes a line break."""
    return _CONTROL.sub("", text.translate(_BREAKS))


def has_control(text: str) -> bool:
    """True when `text` holds a character `clean_control` would remove."""
    return _CONTROL.search(text) is not None


# Bidirectional embeddings, overrides and isolates: they can make "ISOC" display as "COSI" or
# reorder a title around a link. Titles and organization names lose them at input.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def strip_bidi(text: str) -> str:
    """`text` without bidirectional-override characters (U+202A-U+202E, U+2066-U+2069)."""
    return _BIDI.sub("", text)
