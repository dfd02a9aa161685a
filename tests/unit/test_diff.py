"""The word diff of two revisions: deletions struck through, insertions in bold, user text
escaped so its own Markdown cannot break the marks."""

from __future__ import annotations

from bot.domain.diff import Change, render_diff, word_diff


def test_a_changed_word_is_struck_and_the_new_one_bold() -> None:
    assert render_diff("Further develop ICT indicators", "Further improve ICT indicators") == (
        "Further ~~develop~~ **improve** ICT indicators"
    )


def test_insertions_and_deletions_at_the_ends() -> None:
    assert render_diff("a b", "b c") == "~~a~~ b **c**"
    assert render_diff("", "new text") == "**new text**"
    assert render_diff("old text", "") == "~~old text~~"
    assert render_diff("keep this", "keep") == "keep ~~this~~"


def test_same_text_has_no_marks() -> None:
    assert render_diff("same text here", "same text here") == "same text here"
    assert [c.op for c in word_diff("x y", "x y")] == ["equal"]


def test_runs_are_merged_and_whitespace_stays_outside_the_marks() -> None:
    changes = word_diff("one two three four", "one five six four")
    assert changes == [
        Change("equal", "one "),
        Change("delete", "two three"),
        Change("equal", " "),
        Change("insert", "five six"),
        Change("equal", " four"),
    ]


def test_line_breaks_are_kept_and_marks_never_span_them() -> None:
    out = render_diff("first line\nsecond line", "first row\nthird row")
    assert out.split("\n") == ["first ~~line~~ **row**", "~~second line~~ **third row**"]


def test_user_markdown_is_escaped_by_the_escape_function() -> None:
    def escape(text: str) -> str:
        return text.replace("*", "\\*").replace("~", "\\~")

    out = render_diff("a **bold** ~~x~~", "a plain", escape=escape)
    assert out == "a ~~\\*\\*bold\\*\\* \\~\\~x\\~\\~~~ **plain**"
