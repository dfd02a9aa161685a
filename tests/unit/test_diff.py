"""The word diff of two revisions: deletions struck through, insertions in bold, user text
escaped so its own Markdown cannot break the marks."""

from __future__ import annotations

from bot.domain.diff import Change, render_diff, render_diff_lines, word_diff


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


def test_long_diffs_break_into_lines_with_whole_marks() -> None:
    old = " ".join(f"word{i}" for i in range(1200))
    new = " ".join(f"word{i}" if i % 7 else f"new{i}" for i in range(1200))
    lines = render_diff_lines(old, new, width=500)
    assert len(lines) > 10 and all(len(line) <= 500 for line in lines)
    for line in lines:
        assert line.count("~~") % 2 == 0 and line.count("**") % 2 == 0
    assert lines[0].startswith("~~word0~~ **new0** word1 word2")
    joined = " ".join(lines)
    assert joined.replace("~~", "").replace("**", "").split() == [
        w for i in range(1200) for w in ((f"word{i}", f"new{i}") if i % 7 == 0 else (f"word{i}",))
    ]


def test_lines_of_a_short_diff_are_its_lines() -> None:
    assert render_diff_lines("a b\nc", "a x\nc", width=100) == ["a ~~b~~ **x**", "c"]
