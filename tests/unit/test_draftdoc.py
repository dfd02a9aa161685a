"""Drafts as documents: the C11 seed imported, consolidated text out, and back again.

data/C11.md is seed 002 (C11 V1.2) written in the Markdown import format. Its header comment
records how the seed was read; in short:

- Word margin notes become comments: "Contribution by ICANN" -> ICANN, Technical Community on
  the vision; "Egypt: Internet is part of the ICTs" -> Egypt, Government on pillar a (each once,
  though Word anchored each twice).
- The vision is the seed's first (V1.2) paragraph; the "We work collectively ..." and
  "Therefore, we envision ..." paragraphs after Brazil's bullet are the rest of Brazil's proposed
  vision, so they are paragraphs of Brazil's amendment.
- Canada's "Deleted 3" is a deletion; rewrites of an item are amendments.
"""

from __future__ import annotations

import string
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.draftdoc import (
    ConsolidatedComment,
    ConsolidatedDraft,
    ConsolidatedSection,
    ParsedDraft,
    normalize_text,
    parse_draft_markdown,
    render_docx,
    render_markdown,
    to_consolidated,
)
from bot.domain.models import DEFAULT_GROUPS, CommentKind, StakeholderGroup
from bot.errors import UserError
from bot.text import clean_control

C11 = Path(__file__).resolve().parents[2] / "data" / "C11.md"
GEN = datetime(2014, 1, 24, 18, 0, tzinfo=UTC)
MADE = datetime(2014, 1, 20, 9, 30, tzinfo=UTC)

G = StakeholderGroup
K = CommentKind

# Every comment of the seed: section, organization, group, kind, a distinctive fragment.
SEED_COMMENTS = [
    ("vision", "Brazil", G.GOVERNMENT, K.AMENDMENT, "Our vision for beyond 2015 is of ICTs"),
    ("vision", "ICANN", G.TECHNICAL_COMMUNITY, K.COMMENT, "Contribution by ICANN"),
    ("pillar-a", "Brazil", G.GOVERNMENT, K.AMENDMENT, "(ICTs) including the Internet for"),
    ("pillar-a", "Egypt", G.GOVERNMENT, K.COMMENT, "Internet is part of the ICTs"),
    ("pillar-b", "ISOC", G.CIVIL_SOCIETY, K.AMENDMENT, "respectful of privacy standards"),
    ("pillar-b", "Uruguay", G.GOVERNMENT, K.COMMENT, "Indicators should be under the measurement"),
    ("pillar-d", "ISOC", G.CIVIL_SOCIETY, K.AMENDMENT, "Increase awareness and capacity building"),
    (
        "pillar-d",
        "UNESCWA",
        G.INTERNATIONAL_ORGANIZATION,
        K.COMMENT,
        "We suggest the expansion of this pillar.",
    ),
    ("pillar-e", "ISOC", G.CIVIL_SOCIETY, K.AMENDMENT, "model of cooperation, at the national"),
    ("target-a", "Canada", G.GOVERNMENT, K.DELETION, "Deleted 3"),
    ("target-a", "Uruguay", G.GOVERNMENT, K.COMMENT, "That is a target for the measurement issue."),
]


@pytest.fixture(scope="module")
def c11() -> ParsedDraft:
    drafts = parse_draft_markdown(C11.read_text(encoding="utf-8"))
    assert len(drafts) == 1
    return drafts[0]


def _comments(draft: ParsedDraft) -> list[tuple[str, str, str, CommentKind, str]]:
    return [
        (s.key, c.organization, c.group, c.kind, c.text) for s in draft.sections for c in s.comments
    ]


# --------------------------------------------------------------------------- the C11 seed


def test_c11_draft_header(c11: ParsedDraft) -> None:
    assert (c11.code, c11.title, c11.version) == (
        "C11",
        "International and regional cooperation",
        "V1.2",
    )
    assert c11.notes[0] == "Draft WSIS+10 Vision for WSIS Beyond 2015"
    assert "Document Number: V1.2/ C/ALC11" in c11.notes
    assert "Document Number: V1.1/ C/ALC11" in c11.notes
    joined = "\n".join(c11.notes)
    assert "between 19th December 2013 to 24th January 2014" in joined
    assert "(reference: purple documents)" in joined
    assert "input to the third physical meeting of the WSIS+10 MPP" in joined
    assert "Geneva Plan of Action still remain valid" in joined


def test_c11_sections_and_texts(c11: ParsedDraft) -> None:
    keys = [s.key for s in c11.sections]
    assert keys == ["vision", *(f"pillar-{x}" for x in "abcde"), "target-a"]
    text = {s.key: s.text for s in c11.sections}
    assert text["vision"].startswith("International and regional cooperation among all")
    assert "proven inclusive and open multistakeholder model" in text["vision"]
    assert text["vision"].endswith("clear and measurable metrics to quantify the success.")
    assert "\n" not in text["vision"]  # one paragraph: the V1.2 consolidation
    assert "Therefore, we envision" not in text["vision"]
    assert text["pillar-a"].startswith("Harness information and communications technologies")
    assert text["pillar-b"].startswith("Further develop international ICT indicators")
    assert "_GoBack" not in text["pillar-c"]
    assert text["pillar-c"].startswith("Encourage development aid in ICTs")
    assert (
        text["pillar-d"]
        == "Facilitate knowledge sharing and exchange among experts and stakeholders"
    )
    assert text["pillar-e"] == "Further promote the inclusive and open multistakeholder model"
    assert text["target-a"].startswith("To enhance the collection 100% of ICT related data")
    assert all("Comment by Author" not in t for t in text.values())


def test_c11_every_seed_comment(c11: ParsedDraft) -> None:
    found = _comments(c11)
    assert len(found) == len(SEED_COMMENTS)
    for (key, org, group, kind, fragment), got in zip(SEED_COMMENTS, found, strict=True):
        assert got[:4] == (key, org, group, kind), got
        assert fragment in got[4], (fragment, got[4])


def test_c11_pillar_c_has_no_comments(c11: ParsedDraft) -> None:
    assert next(s for s in c11.sections if s.key == "pillar-c").comments == []


def test_c11_brazil_vision_amendment_is_brazils_whole_vision(c11: ParsedDraft) -> None:
    brazil = c11.sections[0].comments[0]
    paragraphs = brazil.text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].endswith("to quantify the success.")
    assert paragraphs[1].startswith("We work collectively to advance")
    assert paragraphs[2].startswith("Therefore, we envision international collaboration")
    assert paragraphs[2].endswith("not as means of creating conflict and distrust.")
    # The struck-out fragment of the tracked change is not part of anything.
    assert "for supporting sustainable development beyond 2015." not in brazil.text


def test_c11_seed_style_continuations(c11: ParsedDraft) -> None:
    unescwa = next(c for s in c11.sections for c in s.comments if c.organization == "UNESCWA")
    assert unescwa.text == (
        "We suggest the expansion of this pillar.\n"
        "For example: Facilitate knowledge sharing among experts and stakeholders at local, "
        "national, regional and international levels in order to find coordinated approaches on "
        "issues of common concern."
    )
    uruguay = c11.sections[-1].comments[-1]
    assert uruguay.text == "That is a target for the measurement issue."
    canada = c11.sections[-1].comments[0]
    assert (canada.kind, canada.text) == (K.DELETION, "Deleted 3")


def test_c11_margin_notes_imported_once(c11: ParsedDraft) -> None:
    orgs = [c.organization for _, c in ((s, c) for s in c11.sections for c in s.comments)]
    assert orgs.count("ICANN") == 1
    assert orgs.count("Egypt") == 1


def test_source_keys_stable_and_unique(c11: ParsedDraft) -> None:
    again = parse_draft_markdown(C11.read_text(encoding="utf-8"))[0]
    keys = [c.source_key for s in c11.sections for c in s.comments]
    assert keys == [c.source_key for s in again.sections for c in s.comments]
    assert len(set(keys)) == len(keys)
    assert all(
        k.startswith(s.key + ":") for s in c11.sections for k in (c.source_key for c in s.comments)
    )


# --------------------------------------------------------------------------- Markdown out


def _canonical(draft: ParsedDraft) -> list[tuple[str, str, list[tuple[str, str, str, str, str]]]]:
    """Sections with comments in consolidated order (by group, stable) for comparisons."""
    order = list(DEFAULT_GROUPS)
    return [
        (
            s.key,
            s.text,
            [
                (c.organization, c.group, c.kind.value, c.text, c.source_key)
                for c in sorted(s.comments, key=lambda c: order.index(c.group))
            ],
        )
        for s in draft.sections
    ]


def test_round_trip_c11(c11: ParsedDraft) -> None:
    rendered = render_markdown(to_consolidated(c11, generated_at=GEN, created_at=MADE))
    back = parse_draft_markdown(rendered)
    assert len(back) == 1
    assert (back[0].code, back[0].title, back[0].version) == (c11.code, c11.title, c11.version)
    assert back[0].notes == c11.notes
    assert _canonical(back[0]) == _canonical(c11)
    assert all(c.created_on == MADE.date() for s in back[0].sections for c in s.comments)
    # And rendering is a fixed point from there on.
    again = render_markdown(to_consolidated(back[0], generated_at=GEN))
    assert again == rendered


def test_markdown_layout(c11: ParsedDraft) -> None:
    consolidated = to_consolidated(c11, generated_at=GEN, created_at=MADE)
    consolidated.window_opens = datetime(2013, 12, 19, tzinfo=UTC)
    consolidated.window_closes = datetime(2014, 1, 24, 23, 59, tzinfo=UTC)
    md = render_markdown(consolidated)
    lines = md.splitlines()
    assert lines[0] == "# C11 International and regional cooperation"
    assert "Version: V1.2" in lines
    assert "Generated: 2014-01-24 18:00 UTC" in lines
    assert "Comment window: 2013-12-19 00:00 UTC to 2014-01-24 23:59 UTC" in lines
    assert [line for line in lines if line.startswith("## ")] == [
        "## Vision",
        "## Pillars",
        "## Targets",
    ]
    # Comments read from a file are marked imported (nobody verified them in Discord).
    assert "· Canada, Government (imported) [deletion]: Deleted 3 _(2014-01-20)_" in lines
    assert "· Egypt, Government (imported): Internet is part of the ICTs _(2014-01-20)_" in lines
    # Grouped by stakeholder group: Uruguay (Government) before ISOC (Civil Society) on b).
    b_start = lines.index(next(x for x in lines if x.startswith("b) ")))
    uruguay = next(i for i, x in enumerate(lines) if x.startswith("· Uruguay") and i > b_start)
    isoc = next(i for i, x in enumerate(lines) if x.startswith("· ISOC") and i > b_start)
    assert uruguay < isoc
    c_start = lines.index(next(x for x in lines if x.startswith("c) ")))
    assert lines[c_start + 2] == "_No comments._"
    # The window does not break the re-import.
    assert _canonical(parse_draft_markdown(md)[0]) == _canonical(c11)


def _draft(sections: list[ConsolidatedSection], **kw: object) -> ConsolidatedDraft:
    base: dict[str, object] = {
        "code": "C7",
        "title": "E-business",
        "version": None,
        "generated_at": GEN,
        "window_opens": None,
        "window_closes": None,
        "sections": sections,
    }
    base.update(kw)
    return ConsolidatedDraft(**base)  # type: ignore[arg-type]


def _comment(
    cid: int, org: str, group: StakeholderGroup, text: str, kind: CommentKind = K.COMMENT
) -> ConsolidatedComment:
    return ConsolidatedComment(cid, org, group, kind, text, MADE, edited=False)


def test_markdown_escapes_text_that_looks_like_structure() -> None:
    tricky = "\n".join(
        [
            "# not a heading",
            "a) not an item",
            "· ISOC, Civil Society: not a comment",
            "- ICANN, Technical Community: not a comment either",
            "Version: not the version",
            "\\ a backslash",
            "<!-- not an HTML comment -->",
            "_No comments._",
        ]
    )
    draft = _draft(
        [
            ConsolidatedSection("vision", tricky, 3),
            ConsolidatedSection(
                "pillar-a",
                "first\n" + tricky,
                1,
                [_comment(1, "Org, with comma", G.PRIVATE_SECTOR, "first\n\n" + tricky)],
            ),
        ],
        notes=[tricky],
    )
    back = parse_draft_markdown(render_markdown(draft))[0]
    assert back.notes == [tricky]
    assert back.sections[0].text == tricky
    assert back.sections[1].text == "first\n" + tricky
    (comment,) = back.sections[1].comments
    assert (comment.organization, comment.group) == ("Org, with comma", G.PRIVATE_SECTOR)
    assert comment.text == "first\n\n" + tricky


def test_comment_that_reads_like_a_deletion_keeps_its_kind() -> None:
    draft = _draft(
        [ConsolidatedSection("target-a", "Target.", 1, [_comment(1, "X", G.GOVERNMENT, "Delete")])]
    )
    md = render_markdown(draft)
    assert "· X, Government [comment]: Delete" in md
    assert parse_draft_markdown(md)[0].sections[0].comments[0].kind is K.COMMENT


def test_edited_comment_marked() -> None:
    comment = _comment(1, "X", G.GOVERNMENT, "Hello")
    comment.edited = True
    md = render_markdown(_draft([ConsolidatedSection("vision", "V.", 1, [comment])]))
    assert "· X, Government: Hello _(2014-01-20, edited)_" in md
    assert parse_draft_markdown(md)[0].sections[0].comments[0].text == "Hello"


def test_render_sorts_sections_into_document_order() -> None:
    draft = _draft(
        [
            ConsolidatedSection("target-a", "T.", 1),
            ConsolidatedSection("pillar-b", "B.", 1),
            ConsolidatedSection("vision", "V.", 1),
            ConsolidatedSection("pillar-a", "A.", 1),
        ]
    )
    back = parse_draft_markdown(render_markdown(draft))[0]
    assert [s.key for s in back.sections] == ["vision", "pillar-a", "pillar-b", "target-a"]


_tricky_line = st.one_of(
    st.text(
        alphabet=string.ascii_letters + string.digits + " .,;:()[]-_*#·•\\<>!/'\"", max_size=40
    ),
    st.sampled_from(
        [
            "a) item-like",
            "(b) item-like",
            "# heading-like",
            "## Pillars",
            "### Government",
            "· ISOC, Civil Society: comment-like",
            "- Uruguay, Government [amendment]: x",
            "• For example: y",
            "Version: V9",
            "Generated: now",
            "_No comments._",
            "<!-- hidden? -->",
            "-->",
            "\\escaped?",
            "Deleted 3",
            "ends with a date _(2014-01-02)_",
        ]
    ),
)
_text = (
    st.lists(st.one_of(_tricky_line, st.just("")), min_size=1, max_size=6)
    .map(lambda lines: normalize_text("\n".join(lines)))
    .filter(bool)
)
_org = (
    st.text(alphabet=string.ascii_letters + " .&'-()", min_size=1, max_size=20)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
_key = st.sampled_from(["vision", "pillar", "pillar-a", "pillar-b", "pillar-z", "target-a"])


@st.composite
def _drafts(draw: st.DrawFn) -> ConsolidatedDraft:
    keys = draw(st.lists(_key, min_size=1, max_size=4, unique=True))
    sections = []
    next_id = 1
    for key in keys:
        comments = []
        for _ in range(draw(st.integers(0, 3))):
            comments.append(
                ConsolidatedComment(
                    next_id,
                    draw(_org),
                    draw(st.sampled_from(list(StakeholderGroup))),
                    draw(st.sampled_from(list(CommentKind))),
                    draw(_text),
                    MADE,
                    draw(st.booleans()),
                )
            )
            next_id += 1
        sections.append(ConsolidatedSection(key, draw(_text), 1, comments))
    return _draft(
        sections,
        version=draw(st.sampled_from([None, "V1.2"])),
        notes=draw(st.lists(_text, max_size=2)),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_drafts())
def test_round_trip_property(draft: ConsolidatedDraft) -> None:
    back = parse_draft_markdown(render_markdown(draft))[0]
    assert back.version == draft.version
    # A note is one paragraph: a note of several paragraphs comes back as several notes.
    assert back.notes == [p for note in draft.notes for p in note.split("\n\n")]
    order = list(DEFAULT_GROUPS)
    expected_sections = sorted(
        draft.sections,
        key=lambda s: (["vision", "pillar", "target"].index(s.key.split("-")[0]), s.key),
    )
    assert [(s.key, s.text) for s in back.sections] == [(s.key, s.text) for s in expected_sections]
    for got, want in zip(back.sections, expected_sections, strict=True):
        assert [(c.organization, c.group, c.kind, c.text) for c in got.comments] == [
            (c.organization, c.group, c.kind, c.text)
            for c in sorted(want.comments, key=lambda c: order.index(c.group))
        ]


# --------------------------------------------------------------------------- DOCX out


def test_docx_structure(c11: ParsedDraft) -> None:
    consolidated = to_consolidated(c11, generated_at=GEN, created_at=MADE)
    consolidated.sections[1].revision = 2
    data = render_docx(consolidated)
    assert isinstance(data, bytes)
    document = docx.Document(BytesIO(data))
    paragraphs = document.paragraphs
    styled = [(p.style.name if p.style is not None else "", p.text) for p in paragraphs]

    assert styled[0] == ("Title", "C11 International and regional cooperation")
    assert "Version V1.2" in styled[1][1]
    assert "2014-01-24 18:00 UTC" in styled[1][1]
    heading1 = [t for s, t in styled if s == "Heading 1"]
    assert heading1 == ["Vision", "Pillars", "Targets"]
    heading2 = [t for s, t in styled if s == "Heading 2"]
    # Items are headed by their labels as written, under their part's heading.
    assert heading2 == ["a)", "b)", "c)", "d)", "e)", "a)"]
    # Headings by depth: part 1, item 2, stakeholder group 3 (under the vision too).
    heading3 = [t for s, t in styled if s == "Heading 3"]
    assert "Technical Community (1)" in heading3
    assert "Government (2)" in heading3 and "Civil Society (1)" in heading3
    assert "International Organization (1)" in heading3

    items = [p for p in paragraphs if p.style is not None and p.style.name == "List Bullet"]
    assert len(items) == len(SEED_COMMENTS)
    bold = [" ".join(r.text for r in p.runs if r.bold) for p in items]
    for _, org, group, kind, fragment in SEED_COMMENTS:
        attribution = f"{org}, {group.value} (imported)"
        assert attribution in bold
        item = next(p.text for p in items if p.text.startswith(attribution) and fragment in p.text)
        assert f"{attribution} ({kind.value}, 2014-01-20): " in item
    assert any(t == "No comments." for _, t in styled)
    assert any(t == "Text revision 2." for _, t in styled)
    texts = [t for _, t in styled]
    assert any(t.startswith("International and regional cooperation among all") for t in texts)
    assert "Draft WSIS+10 Vision for WSIS Beyond 2015" in texts


def test_docx_keeps_multi_paragraph_comment_lines(c11: ParsedDraft) -> None:
    document = docx.Document(BytesIO(render_docx(to_consolidated(c11, generated_at=GEN))))
    brazil = next(p for p in document.paragraphs if p.text.startswith("Brazil, Government (imported) (amend"))
    assert "Therefore, we envision" in brazil.text
    assert "\n" in brazil.text


def test_docx_strips_control_characters_of_old_rows() -> None:
    """Text stored before input was cleaned (pasted from a PDF) still exports (issue 11.5)."""
    draft = ConsolidatedDraft(
        code="C11",
        title="Co\x00operation\x0bfor all",
        version="V1\x1f.2",
        generated_at=GEN,
        window_opens=None,
        window_closes=None,
        notes=["A note\x08 here"],
        sections=[
            ConsolidatedSection(
                "vision",
                "Page one ends\x0cPage two\x01 starts\nnext\x7f line",
                1,
                [
                    ConsolidatedComment(
                        1, "IS\x03OC", G.CIVIL_SOCIETY, K.COMMENT, "pasted\x0b text\x1b", MADE
                    )
                ],
            )
        ],
    )
    document = docx.Document(BytesIO(render_docx(draft)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert not any((ord(c) < 32 and c not in "\t\n\r") or c == "\x7f" for c in text)
    assert "Cooperation for all" in text and "V1.2" in text and "A note here" in text
    # A form feed or vertical tab is a line or page break: the words stay apart.
    assert "Page one ends\nPage two starts\nnext line" in text
    assert "ISOC, Civil Society" in text and "pasted\ntext" in text


def test_clean_control() -> None:
    # A vertical tab or form feed (a PDF's line or page break) is a line break.
    assert clean_control("a\x00b\x0bc\x0c\td\ne\rf\x1f\x7f\ufffe\ud800g é") == "ab\nc\n\td\ne\rfg é"


def test_markdown_import_drops_control_characters() -> None:
    md = "# C1 Ro\x00les\n## Vision\nA vi\x01sion\x0c\n\x0c\n· IS\x02OC, Civil Society: fi\x1fne\n"
    [draft] = parse_draft_markdown(md)
    assert draft.title == "Roles"
    assert draft.sections[0].text == "A vision"
    [comment] = draft.sections[0].comments
    assert (comment.organization, comment.text) == ("ISOC", "fine")


# --------------------------------------------------------------------------- forgiving input


def test_bullet_variants_and_group_headings() -> None:
    md = """# C9 Media
## 1. Vision
The vision.
### Government
• Kenya, Government: one
- · ISOC, Civil Society: two
* · ICC BASIS, Private Sector [Amendment]: three
- ICANN, Technical Community: four
- a plain bullet continues the comment above
· UNESCO, Intergovernmental Organization (deletion): five
"""
    (draft,) = parse_draft_markdown(md)
    got = [(c.organization, c.group, c.kind, c.text) for c in draft.sections[0].comments]
    assert got == [
        ("Kenya", G.GOVERNMENT, K.COMMENT, "one"),
        ("ISOC", G.CIVIL_SOCIETY, K.COMMENT, "two"),
        ("ICC BASIS", G.PRIVATE_SECTOR, K.AMENDMENT, "three"),
        (
            "ICANN",
            G.TECHNICAL_COMMUNITY,
            K.COMMENT,
            "four\n- a plain bullet continues the comment above",
        ),
        ("UNESCO", G.INTERNATIONAL_ORGANIZATION, K.DELETION, "five"),
    ]


def test_plain_bullets_in_text_are_text() -> None:
    md = "# C1 Roles\n## Vision\nWe want:\n- Note, however: this is text\n- more text\n"
    (draft,) = parse_draft_markdown(md)
    assert draft.sections[0].text == "We want:\n- Note, however: this is text\n- more text"
    assert draft.sections[0].comments == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Deleted 3", K.DELETION),
        ("Delete", K.DELETION),
        ("delete.", K.DELETION),
        ("Deletion target a)", K.DELETION),
        ("Deleted because it duplicates pillar b and more", K.COMMENT),
        ("We propose to delete this", K.COMMENT),
    ],
)
def test_deletion_inference(text: str, kind: CommentKind) -> None:
    md = f"# C1 Roles\n## Targets\na) A target.\n· Canada, Government: {text}\n"
    comment = parse_draft_markdown(md)[0].sections[0].comments[0]
    assert (comment.kind, comment.text) == (kind, text)


def test_several_drafts_crlf_bom_cyrillic_code_and_html_comments() -> None:
    md = (
        "\ufeff<!-- two drafts\n# not a heading inside a comment\n-->\r\n"
        "# С11 International and regional cooperation\r\nVersion: V1.1\r\n"
        "## Vision\r\nV.\r\n"
        "# C7 - E-business\r\n## Pillars\r\nIntro to the pillars.\r\n\r\na) A.\r\n"
        "   More of a.\r\n\r\n   Second paragraph of a.\r\n"
    )
    first, second = parse_draft_markdown(md)
    assert (first.code, first.version, first.sections[0].key) == ("C11", "V1.1", "vision")
    assert (second.code, second.title) == ("C7", "E-business")
    assert [(s.key, s.text) for s in second.sections] == [
        ("pillar", "Intro to the pillars."),
        ("pillar-a", "A.\nMore of a.\n\nSecond paragraph of a."),
    ]


def test_comment_paragraphs_need_indentation_after_a_blank_line() -> None:
    md = "# C1 R\n## Vision\nV.\n· X, Government: one\n\n  two\n"
    assert parse_draft_markdown(md)[0].sections[0].comments[0].text == "one\n\ntwo"


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("md", "line", "words"),
    [
        (
            "# C1 R\n## Vision\nV.\n· ISOC, Civil Socety: x\n",
            4,
            [
                "Civil Socety",
                "Government, Private Sector, Civil Society, International "
                "Organization or Technical Community",
            ],
        ),
        ("# C1 R\n## Vision\nV.\n· ISOC, Civil Society [amend]: x\n", 4, ["[amendment]"]),
        ("# C1 R\n## Vision\nV.\n· just a bullet\n", 4, ["attribution"]),
        ("# C1 R\n## Pillars\n· ISOC, Civil Society: x\n", 3, ["before any text"]),
        ("# C1 R\n## Pillars\na)\n", 3, ["Pillar a) has no text"]),
        ("# C1 R\n## Pillars\na) one\n\nb) two\n\na) again\n", 7, ["Pillar a)", "line 3"]),
        ("# C1 R\n\n## Articles\nArticle 3\n\n## Annexes\n", 4, ["Article 3 has no text"]),
        ("Some preamble\n# C1 R\n", 1, ["draft heading"]),
        ("# C1 R\n## Vision\nV.\n· X, Government: y\n\nstray text\n", 6, ["indent"]),
        ("# C1\n", 1, ["code and then the title"]),
        ("# C1 R\n## Vision\nV.\n\n· Uruguay, Government:\n\n## Targets\n", 5, ["no text"]),
        ("# C1 R\nVersion: V1\nVersion: V2\n", 3, ["already has a version"]),
        ("# C1 R\na) too early\n", 2, ["under a part heading"]),
        ("# C1 R\n## Vision\n### Not a group\n", 3, ["headings"]),
        ("# C1 R\n# C1 Again\n", 2, ["already holds a draft C1"]),
    ],
)
def test_malformed_input_says_which_line(md: str, line: int, words: list[str]) -> None:
    with pytest.raises(UserError) as caught:
        parse_draft_markdown(md)
    message = str(caught.value)
    assert message.startswith(f"Line {line}: "), message
    for word in words:
        assert word in message, (word, message)
    assert "\n" not in message


def test_empty_file_is_an_error() -> None:
    with pytest.raises(UserError, match="no draft"):
        parse_draft_markdown("\n\n<!-- nothing -->\n")
