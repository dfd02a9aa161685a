"""One page of /comments list: its header, its count of pages, and items that always fit a
Discord message, whatever the names and texts hold."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest

from bot.domain.comments import COMMENTS_PER_PAGE, COUNT_CAP, MAX_LISTED, Listing
from bot.domain.models import AttributionStatus, Comment, CommentKind, Draft, Section
from bot.ui import PAGE_BUDGET
from cogs._comment_views import comment_item, cut, fit_items
from cogs.comments import listing_page

NOW = datetime(2014, 1, 10, 12, tzinfo=UTC)
ID_RE = re.compile(r"\*\*#(\d+)\*\*")


def comment(i: int, **changes: object) -> Comment:
    values: dict[str, object] = dict(
        id=i, guild_id=1, draft_id=1, section_id=1, section_key="pillar-b", revision=1,
        author_id=7, organization="ISOC", group="Civil Society", kind=CommentKind.COMMENT,
        text=f"Comment {i}", created_at=NOW,
    )
    values.update(changes)
    return Comment(**values)  # type: ignore[arg-type]


def listing(comments: list[Comment], total: int, page: int = 0, **changes: object) -> Listing:
    values: dict[str, object] = dict(
        comments=comments, total=min(total, COUNT_CAP), capped=total > COUNT_CAP,
        drafts={1: "C11"}, draft=None, section=None, group=None, current={1: 1}, page=page,
    )
    values.update(changes)
    return Listing(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("total", "pages", "header"),
    [
        (1, 1, "**Comments** (1)"),
        (6, 1, "**Comments** (6)"),
        (7, 2, "**Comments** (7)"),
        (100, 17, "**Comments** (100)"),
        (101, 17, "**Comments**: the latest 100 of 101; narrow it with"),
        (1_500, 17, "**Comments**: the latest 100 of more than 1,000; narrow it with"),
    ],
)
def test_the_header_and_the_count_of_pages(total: int, pages: int, header: str) -> None:
    shown = [comment(total - i) for i in range(min(total, COMMENTS_PER_PAGE))]
    page = listing_page(listing(shown, total))
    assert page.text.startswith(header) and (page.index, page.count) == (0, pages)
    assert [int(x) for x in ID_RE.findall(page.text)] == [c.id for c in shown]
    assert ("Page 1/" in page.content()) == (pages > 1)


def test_items_render_as_they_always_did_when_they_fit() -> None:
    shown = [comment(9, edited_at=NOW, revision=1), comment(8, section_id=2, draft_id=2)]
    page = listing_page(
        listing(shown, 9, page=1, drafts={1: "C11", 2: "C7"}, current={1: 2, 2: 1})
    )
    assert page.text == "\n".join([
        "**Comments** (9)",
        comment_item(shown[0], "C11", 2),
        comment_item(shown[1], "C7", 1),
    ])
    assert (page.index, page.count) == (1, 2)
    assert "on revision 1; the text has changed since" in page.text


def test_one_draft_leaves_out_its_code_and_an_empty_listing_says_so() -> None:
    draft = Draft(1, 1, "C11", "Cooperation", None)
    section = Section(1, 1, "pillar-b", 2, 1, "text")
    page = listing_page(listing([comment(1)], 1, draft=draft, section=section, group="Civil Society"))
    assert page.text.startswith("**Comments on C11 · Pillar b) by Civil Society** (1)\n**#1** · Pillar b)")
    empty = listing_page(listing([], 0, draft=draft))
    assert empty.text == "No comments on C11 yet." and empty.single


def test_cut_never_leaves_a_backslash() -> None:
    assert cut("abc", 3) == "abc"
    assert cut("ab\\*cd", 4) == "ab…"
    assert cut("a\\\\\\\\b", 5) == "a…"
    assert cut("x" * 10, 5) == "xxxx…"


NASTY = [
    "*", "_", "~", "|", "`", "\\", ">", "#", "-", "[", "]", "(", ")", "**", "__", "||", "```",
    "\u202e", "\u2066", "@everyone", "<@123>", "Ж", "ю", "ش", "ك", "中", "文", " ", "\n", "a",
]


def nasty(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(NASTY) for _ in range(n))


def hostile_comment(rng: random.Random, i: int) -> Comment:
    return comment(
        i,
        organization=nasty(rng, 120).replace(", ", ";"),
        group=nasty(rng, 40).replace(", ", ";"),
        section_key="-".join(rng.choice(["pillar", "b", "target", "para", "12", "x" * 20]) for _ in range(6)),
        text=nasty(rng, rng.randint(1, 400)),
        kind=rng.choice(list(CommentKind)),
        edited_at=rng.choice([None, NOW]),
        revision=1,
        status=rng.choice(list(AttributionStatus)),
        undated=rng.random() < 0.3,
    )


@pytest.mark.parametrize("lang", ["en", "ru", "ar", "zh", "fr", "es"])
def test_hostile_pages_fit_and_keep_every_item(lang: str) -> None:
    rng = random.Random(f"listing-{lang}")
    for _ in range(150):
        n = rng.randint(1, COMMENTS_PER_PAGE)
        shown = [hostile_comment(rng, 100_000 + i) for i in range(n)]
        code = nasty(rng, 20)
        draft = Draft(1, 1, code, "t", None) if rng.random() < 0.3 else None
        section = Section(1, 1, "target-" + "y" * 40, 1, 3, "t") if draft and rng.random() < 0.5 else None
        result = listing_page(listing(
            shown, rng.choice([n, MAX_LISTED, 5_000]), page=rng.randint(0, 16),
            drafts={1: code}, current={1: 3}, draft=draft, section=section,
            group=rng.choice([None, nasty(rng, 40)]),
        ), lang)
        assert len(result.text) <= PAGE_BUDGET
        assert len(result.content(lang)) <= 2000
        assert [int(x) for x in ID_RE.findall(result.text)] == [c.id for c in shown]
        # A backslash before an ellipsis escapes a backslash, never the cut's ellipsis.
        assert all(len(m.group(1)) % 2 == 0 for m in re.finditer(r"(\\*)…", result.text))


def test_long_previews_are_shortened_before_the_items() -> None:
    facts = [f"**#{i}** · facts" for i in range(6)]
    previews = ["short", "p" * 600, "q" * 600, "r" * 600, "s" * 10, "t" * 600]
    text = fit_items("**Comments** (6)", facts, previews, PAGE_BUDGET)
    assert len(text) <= PAGE_BUDGET and "> short\n" in text and "> ssssssssss\n" in text
    assert all(f in text for f in facts)
    assert len(text) > PAGE_BUDGET - 10  # the room left goes to the long ones


def test_items_are_cut_to_equal_shares_as_a_last_resort() -> None:
    facts = [f"**#{i}** · " + "f" * 400 for i in range(6)]
    text = fit_items("**Comments** (6)", facts, ["p" * 100] * 6, PAGE_BUDGET)
    assert len(text) <= PAGE_BUDGET
    assert [int(x) for x in ID_RE.findall(text)] == list(range(6))
