"""Drafts as documents: Markdown in, consolidated text (Markdown or DOCX) out. Pure.

The Markdown format
-------------------

::

    <!-- an HTML comment, anywhere: ignored -->
    # C11 International and regional cooperation
    Version: V1.2

    A paragraph here, before the first part, is a document note.

    ## Vision
    The vision's text: one or more paragraphs.

    · Brazil, Government [amendment]: the proposed replacement text ...
    · ICANN, Technical Community: a comment.

    ## Pillars
    a) The text of pillar a.
    · Egypt, Government: Internet is part of the ICTs

    ## Targets
    a) The text of target a.
    · Canada, Government: Deleted 3

The rules:

- ``# <code> <title>`` starts a draft; a file may hold several. Between it and the first part
  heading: ``Version: V1.2``, and paragraphs that become the draft's notes. ``Generated:`` and
  ``Comment window:`` lines (written by :func:`render_markdown`) are ignored.
- ``## Vision``, ``## Pillars``, ``## Targets`` (numbering such as ``## 2. Pillars`` is allowed)
  start a part (see :data:`bot.domain.sections.PARTS`). ``### Government``-style headings that
  name a stakeholder group are ignored (they only group comments).
- ``a) text`` (or ``(a) text``) starts the item ``pillar-a``. Text under a part heading before any
  item is the part's own text: for ``## Vision`` that is the section ``vision``.
- A comment is a line ``· Organization, Group: text``; ``•``, ``- ·`` and ``* ·`` work too, and a
  plain Markdown bullet ``- Organization, Group: text`` does when the group is a real one. The
  group is after the last comma before the first colon. ``[amendment]``, ``[deletion]`` or
  ``[comment]`` after the group gives the kind; without one, a text that is just "Deleted",
  "Delete" or "Deletion" plus at most two short words (the seed's "Deleted 3") is a deletion,
  anything else a comment.
- A comment goes on until a blank line or the next item, comment or heading: the lines right
  after it, and a bullet without an "Organization, Group:" attribution (the seed's
  "· For example: ..."), continue it, one line each. After a blank line, lines indented by two
  spaces or more continue it with a new paragraph (as in Markdown lists). A trailing
  ``_(2014-01-20)_`` (what :func:`render_markdown` writes) is the comment's date, not its text.
- Text lines continue the item or part text in the same way as long as no comment followed it;
  unindented text after a section's comments is an error. A line starting with a backslash is
  always text (the backslash is dropped): that is how the export escapes text lines that would
  otherwise read as structure.

Text is normalized: each line stripped, lines joined with ``\\n``, paragraphs with ``\\n\\n``.
Errors are :class:`~bot.errors.UserError` sentences that start with the line number.

The package: `models` (the consolidated draft), `syntax` (what reader and writer share),
`markdown_reader`, `markdown_writer`, `layout` (what both writers lay out alike),
`docx_writer` (the consolidated text), `docx_review` (Word comments and tracked changes) and
`docx_reader` (a .docx in the same shape, read through the Markdown reader).
"""

from __future__ import annotations

from bot.domain.draftdoc.docx_reader import parse_draft_docx
from bot.domain.draftdoc.docx_review import accept_all_changes, render_docx_review
from bot.domain.draftdoc.docx_writer import render_docx
from bot.domain.draftdoc.markdown_reader import parse_draft_markdown
from bot.domain.draftdoc.markdown_writer import render_markdown
from bot.domain.draftdoc.models import (
    ConsolidatedComment,
    ConsolidatedDraft,
    ConsolidatedSection,
    to_consolidated,
)
from bot.domain.draftdoc.syntax import normalize_text, one_line
from bot.domain.models import ParsedComment, ParsedDraft, ParsedSection
from bot.domain.sections import KEY_EXAMPLES

__all__ = [
    "KEY_EXAMPLES",
    "ConsolidatedComment",
    "ConsolidatedDraft",
    "ConsolidatedSection",
    "ParsedComment",
    "ParsedDraft",
    "ParsedSection",
    "accept_all_changes",
    "normalize_text",
    "one_line",
    "parse_draft_docx",
    "parse_draft_markdown",
    "render_docx",
    "render_docx_review",
    "render_markdown",
    "to_consolidated",
]
