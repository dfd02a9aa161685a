"""Exports put comments made on an earlier revision of their section under a sub-heading that
names the revision (SPEC section 9); the Markdown reader takes such an export back."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.draftdoc import parse_draft_markdown, render_markdown
from bot.domain.draftdoc.layout import comments_by_revision, revision_heading
from bot.domain.draftdoc.models import ConsolidatedComment, ConsolidatedDraft, ConsolidatedSection
from bot.domain.models import CommentKind

NOW = datetime(2014, 1, 10, tzinfo=UTC)


def _comment(n: int, text: str, revision: int) -> ConsolidatedComment:
    return ConsolidatedComment(
        n, "ISOC", "Civil Society", CommentKind.COMMENT, text, NOW, revision=revision
    )


def _section() -> ConsolidatedSection:
    comments = [_comment(1, "on two", 2), _comment(2, "on three", 3), _comment(3, "on one", 1)]
    return ConsolidatedSection("pillar-b", "The text now", 3, comments)


def test_current_comments_first_then_each_earlier_revision_oldest_first() -> None:
    groups = comments_by_revision(_section())
    assert [(n, [c.text for c in cs]) for n, cs in groups] == [
        (None, ["on three"]),
        (1, ["on one"]),
        (2, ["on two"]),
    ]
    unknown = ConsolidatedSection("vision", "x", 2, [_comment(4, "imported", 0)])
    assert comments_by_revision(unknown) == [(None, unknown.comments)]


def test_the_markdown_export_names_the_revision_and_reads_back() -> None:
    draft = ConsolidatedDraft("C11", "Cooperation", None, NOW, None, None, [_section()])
    text = render_markdown(draft)
    heading = f"### {revision_heading(1)}"
    assert heading == "### Comments on revision 1 (the text has changed since)"
    assert text.index("on three") < text.index(heading) < text.index("on one")
    assert text.index("### Comments on revision 2") < text.index("on two")
    parsed = parse_draft_markdown(text)
    assert sorted(c.text for c in parsed[0].sections[0].comments) == ["on one", "on three", "on two"]
