"""Comments on both backends: attribution, windows, author-only changes, listing, coverage."""

from __future__ import annotations

import json

import pytest

from bot.db.comments import CommentFilter, page_query
from bot.domain.clock import FakeClock
from bot.domain.comments import COMMENTS_PER_PAGE, MAX_LISTED, clean_comment_text, parse_kind
from bot.domain.models import CommentKind, StakeholderGroup
from bot.errors import Forbidden, NotFound, UserError, WindowClosed
from bot.services import Services

G = 1
COORD = 100
ANN, BO, CY = 7, 8, 9


async def _setup(services: Services) -> None:
    await services.drafts.create(G, COORD, "C11", "International and regional cooperation", "V1.2")
    for key in ("vision", "pillar-a", "pillar-b", "target-a"):
        await services.drafts.set_section(G, COORD, "C11", key, f"Text of {key}")
    await services.stakeholders.register(G, ANN, "Ann", "ISOC", "Civil Society")
    await services.stakeholders.register(G, BO, "Bo", "Brazil", "Government")


def test_text_limits() -> None:
    assert clean_comment_text("  hi \n") == "hi"
    assert len(clean_comment_text("x" * 4000)) == 4000
    with pytest.raises(UserError, match=r"4,001 characters; the limit is 4,000"):
        clean_comment_text("x" * 4001)
    with pytest.raises(UserError, match="empty"):
        clean_comment_text("   ")
    assert parse_kind(None) is CommentKind.COMMENT and parse_kind("Amendment") is CommentKind.AMENDMENT
    with pytest.raises(UserError, match="comment, amendment, deletion"):
        parse_kind("rant")


async def test_comment_records_attribution_revision_and_kind(services: Services) -> None:
    await _setup(services)
    posted = await services.comments.add(G, ANN, "c11", "Pillar B", "Add privacy", "amendment")
    c = posted.comment
    assert (c.section_key, c.revision, c.kind, c.attribution) == (
        "pillar-b", 1, CommentKind.AMENDMENT, "ISOC, Civil Society"
    )
    assert posted.draft.code == "C11" and c.author_id == ANN
    again = await services.comments.get(G, c.id)
    assert again == c
    audit = await services.db.fetchrow("SELECT action, target FROM audit ORDER BY id DESC LIMIT 1")
    assert audit is not None and (audit["action"], audit["target"]) == ("comment.add", f"comment:{c.id}")
    # A later revision of the section: new comments are on revision 2, old ones keep 1.
    await services.drafts.set_section(G, COORD, "C11", "pillar-b", "Revised")
    later = await services.comments.add(G, BO, "C11", "pillar-b", "OK")
    assert later.comment.revision == 2
    assert (await services.comments.get(G, c.id)).revision == 1  # type: ignore[union-attr]


async def test_attribution_is_frozen_at_comment_time(services: Services) -> None:
    await _setup(services)
    old = (await services.comments.add(G, ANN, "C11", "vision", "Before")).comment
    await services.stakeholders.register(G, ANN, "Ann", "ICANN", "Technical Community")
    new = (await services.comments.add(G, ANN, "C11", "vision", "After")).comment
    assert (await services.comments.get(G, old.id)).attribution == "ISOC, Civil Society"  # type: ignore[union-attr]
    assert new.attribution == "ICANN, Technical Community"


async def test_refusals(services: Services) -> None:
    await _setup(services)
    with pytest.raises(UserError, match="/stakeholder register"):
        await services.comments.add(G, CY, "C11", "vision", "Hello")
    with pytest.raises(NotFound, match="drafts here: C11"):
        await services.comments.add(G, ANN, "C12", "vision", "Hello")
    with pytest.raises(NotFound, match="its sections are vision, pillar-a, pillar-b, target-a"):
        await services.comments.add(G, ANN, "C11", "pillar e", "Hello")
    with pytest.raises(UserError, match="4,000"):
        await services.comments.add(G, ANN, "C11", "vision", "x" * 4001)
    assert await services.db.fetchval("SELECT COUNT(*) FROM comments") == 0


async def test_window_gates_comment_edit_and_withdraw(services: Services, clock: FakeClock) -> None:
    await _setup(services)
    early = (await services.comments.add(G, ANN, "C11", "vision", "No window yet")).comment
    await services.windows.set_window(G, COORD, "C11", "19 December 2013 - 24 January 2014", "UTC")
    with pytest.raises(WindowClosed, match="The comment window for C11 opens <t:1387411200:F>"):
        await services.comments.add(G, ANN, "C11", "vision", "Too early")
    with pytest.raises(WindowClosed, match="opens"):
        await services.comments.edit(G, ANN, early.id, "Too early")
    clock.advance(days=50)  # 21 December 2013
    inside = (await services.comments.add(G, ANN, "C11", "vision", "Inside")).comment
    clock.advance(days=40)  # 30 January 2014
    with pytest.raises(WindowClosed, match=r"The comment window for C11 closed <t:1390608000:F>\."):
        await services.comments.add(G, ANN, "C11", "vision", "Too late")
    with pytest.raises(WindowClosed, match="closed"):
        await services.comments.withdraw(G, ANN, inside.id)
    with pytest.raises(WindowClosed, match="closed"):
        await services.comments.edit(G, ANN, inside.id, "Too late")


async def test_only_the_author_edits_and_withdraws(services: Services, clock: FakeClock) -> None:
    await _setup(services)
    c = (await services.comments.add(G, ANN, "C11", "pillar-a", "First")).comment
    with pytest.raises(Forbidden, match=f"Only the author of #{c.id}"):
        await services.comments.edit(G, BO, c.id, "Hijack")
    with pytest.raises(Forbidden):
        await services.comments.withdraw(G, BO, c.id)
    with pytest.raises(NotFound, match="no comment #999"):
        await services.comments.edit(G, ANN, 999, "x")
    with pytest.raises(NotFound):  # another server's comment is not found
        await services.comments.edit(2, ANN, c.id, "x")
    clock.advance(hours=1)
    edited = (await services.comments.edit(G, ANN, c.id, "Second")).comment
    assert edited.text == "Second" and edited.edited_at == clock()
    row = await services.db.fetchrow(
        "SELECT detail FROM audit WHERE action = 'comment.edit' ORDER BY id DESC LIMIT 1"
    )
    assert row is not None and json.loads(row["detail"])["previous"] == "First"
    withdrawn = (await services.comments.withdraw(G, ANN, c.id)).comment
    assert withdrawn.withdrawn_at == clock()
    with pytest.raises(UserError, match="withdrawn"):
        await services.comments.edit(G, ANN, c.id, "Third")
    with pytest.raises(UserError, match="already withdrawn"):
        await services.comments.withdraw(G, ANN, c.id)
    assert (await services.comments.listing(G)).comments == []


async def test_list_filters_newest_first(services: Services) -> None:
    await _setup(services)
    a = (await services.comments.add(G, ANN, "C11", "pillar-a", "one")).comment
    b = (await services.comments.add(G, BO, "C11", "pillar-b", "two")).comment
    c = (await services.comments.add(G, ANN, "C11", "pillar-b", "three")).comment
    await services.drafts.create(G, COORD, "C7", "E-business", None)
    await services.drafts.set_section(G, COORD, "C7", "vision", "v")
    d = (await services.comments.add(G, BO, "C7", "vision", "four")).comment
    everything = await services.comments.listing(G)
    assert [x.id for x in everything.comments] == [d.id, c.id, b.id, a.id]
    assert everything.drafts == {a.draft_id: "C11", d.draft_id: "C7"} and everything.total == 4
    assert [x.id for x in (await services.comments.listing(G, "c11")).comments] == [c.id, b.id, a.id]
    assert [x.id for x in (await services.comments.listing(G, "C11", "pillar b")).comments] == [c.id, b.id]
    gov = await services.comments.listing(G, group="government")
    assert [x.id for x in gov.comments] == [d.id, b.id] and gov.group == StakeholderGroup.GOVERNMENT
    assert [x.id for x in (await services.comments.listing(G, "C11", "pillar-b", "Civil Society")).comments] == [c.id]
    with pytest.raises(UserError, match="Name the draft"):
        await services.comments.listing(G, section="pillar-b")
    assert (await services.comments.listing(2)).comments == []


async def _insert(services: Services, n: int, section: str = "vision", group: str = "Civil Society") -> None:
    draft = await services.drafts.require(G, "C11")
    found = await services.drafts.require_section(draft, section)
    now = int(services.clock().timestamp() * 1000)
    await services.db.executemany(
        "INSERT INTO comments (guild_id, draft_id, section_id, revision, author_id, organization,"
        " stakeholder_group, kind, body, created_at) VALUES ($1, $2, $3, 1, $4, 'ISOC',"
        " $5, 'comment', $6, $7)",
        [(G, draft.id, found.id, ANN, group, f"c{i}", now) for i in range(n)],
    )


async def test_list_is_bounded_and_counts(services: Services) -> None:
    await _setup(services)
    await _insert(services, 300)
    listing = await services.comments.listing(G, "C11")
    assert len(listing.comments) == COMMENTS_PER_PAGE and listing.total == 300 and not listing.capped
    assert listing.comments[0].text == "c299" and listing.pages == 17 and listing.listed == MAX_LISTED
    draft = await services.drafts.require(G, "C11")
    assert await services.comments.repo.count(CommentFilter(G, draft.id), 100) == 100


@pytest.mark.parametrize(
    ("n", "pages", "last"),
    [(0, 1, 0), (1, 1, 1), (6, 1, 6), (7, 2, 1), (100, 17, 4), (101, 17, 4), (1_500, 17, 4)],
)
async def test_list_pages(services: Services, n: int, pages: int, last: int) -> None:
    """Each page reads its own comments: the newest first, six a page, over the newest 100;
    a page past the end is the last page."""
    await _setup(services)
    await _insert(services, n)
    first = await services.comments.listing(G, "C11")
    assert first.page == 0 and first.pages == pages
    assert first.total == min(n, 1_000) and first.capped == (n > 1_000)
    assert [c.text for c in first.comments] == [f"c{n - 1 - i}" for i in range(min(n, 6))]
    end = await services.comments.listing(G, "C11", page=pages - 1)
    assert end.page == pages - 1 and end.pages == pages and len(end.comments) == last
    assert end.total == first.total and end.capped == first.capped
    if n:
        listed = min(n, MAX_LISTED)
        assert [c.text for c in end.comments][-1] == f"c{n - listed}"
    seen = []
    for page in range(pages):
        seen += [c.id for c in (await services.comments.listing(G, "C11", page=page)).comments]
    assert len(seen) == len(set(seen)) == min(n, MAX_LISTED) and seen == sorted(seen, reverse=True)
    past = await services.comments.listing(G, "C11", page=pages + 3)
    assert past.page == end.page and [c.id for c in past.comments] == [c.id for c in end.comments]
    assert (await services.comments.listing(G, "C11", page=10_000)).page == pages - 1


async def test_a_page_past_a_shrunken_listing_is_its_last(services: Services) -> None:
    """A click on page 3 after comments were withdrawn or hidden shows the last page left."""
    await _setup(services)
    ids = [(await services.comments.add(G, ANN, "C11", "vision", f"n{i}")).comment.id for i in range(20)]
    assert (await services.comments.listing(G, page=3)).page == 3
    for cid in ids[:8]:
        await services.comments.withdraw(G, ANN, cid)
    await services.comments.hide(G, COORD, ids[8], "Advertising")
    listing = await services.comments.listing(G, page=3)
    assert listing.page == 1 and listing.pages == 2 and listing.total == 11
    assert [c.id for c in listing.comments] == ids[9:14][::-1]
    assert listing.drafts == {listing.comments[0].draft_id: "C11"}
    for cid in ids[9:]:
        await services.comments.withdraw(G, ANN, cid)
    empty = await services.comments.listing(G, page=3)
    assert empty.comments == [] and empty.page == 0 and empty.pages == 1 and empty.total == 0


async def test_list_pages_keep_the_filters(services: Services) -> None:
    await _setup(services)
    await services.drafts.create(G, COORD, "C7", "E-business", None)
    await services.drafts.set_section(G, COORD, "C7", "vision", "v")
    await _insert(services, 10, "pillar-b", "Government")
    await _insert(services, 9, "vision")
    for i in range(4):
        await services.comments.add(G, BO, "C7", "vision", f"C7 {i}")
    section = await services.comments.listing(G, "C11", "pillar-b", page=1)
    assert section.total == 10 and section.pages == 2 and len(section.comments) == 4
    assert {c.section_key for c in section.comments} == {"pillar-b"}
    group = await services.comments.listing(G, group="Government", page=1)
    assert group.total == 14 and {c.group for c in group.comments} == {"Government"}
    assert set(group.drafts.values()) == {"C11"} and len(group.comments) == 6
    both = await services.comments.listing(G, "C11", group="Civil Society", page=1)
    assert both.total == 9 and len(both.comments) == 3 and {c.text for c in both.comments} == {"c2", "c1", "c0"}
    c7 = await services.comments.listing(G, "C7")
    assert c7.total == 4 and c7.drafts == {c7.comments[0].draft_id: "C7"}


async def test_the_paged_read_gives_codes_and_current_revisions(services: Services) -> None:
    await _setup(services)
    first = (await services.comments.add(G, ANN, "C11", "pillar-a", "on revision 1")).comment
    await services.drafts.set_section(G, COORD, "C11", "pillar-a", "A new text")
    draft = await services.drafts.require(G, "C11")
    rows, counted = await services.comments.repo.page(CommentFilter(G), 7, 0)
    assert [(r.comment.id, r.draft_code, r.current_revision) for r in rows] == [(first.id, "C11", 2)]
    assert counted is None  # not asked to count
    assert await services.comments.repo.page(CommentFilter(G, draft.id), 7, 1) == ([], None)
    await services.comments.add(G, ANN, "C11", "pillar-a", "on revision 2")
    rows, counted = await services.comments.repo.page(CommentFilter(G), 1, 1, cap=1_001)
    assert [r.comment.id for r in rows] == [first.id] and counted == 2  # counted in the read


async def test_coverage_counts_and_gaps(services: Services) -> None:
    await _setup(services)
    await services.stakeholders.register(G, CY, "Cy", "UNESCWA", "International Organization")
    await services.comments.add(G, ANN, "C11", "vision", "a")
    await services.comments.add(G, ANN, "C11", "vision", "b")
    await services.comments.add(G, BO, "C11", "vision", "c")
    withdrawn = (await services.comments.add(G, CY, "C11", "vision", "d")).comment
    await services.comments.withdraw(G, CY, withdrawn.id)
    await services.comments.add(G, CY, "C11", "pillar a", "e")
    coverage = await services.comments.coverage(G, "c11")
    vision = coverage.sections[0]
    assert coverage.count(vision, StakeholderGroup.CIVIL_SOCIETY) == 2
    assert coverage.count(vision, StakeholderGroup.GOVERNMENT) == 1
    assert coverage.count(vision, StakeholderGroup.INTERNATIONAL_ORGANIZATION) == 0
    assert coverage.total == 4
    gaps = dict((s.key, g) for s, g in coverage.gaps())
    assert gaps["vision"] == [
        StakeholderGroup.PRIVATE_SECTOR,
        StakeholderGroup.INTERNATIONAL_ORGANIZATION,
        StakeholderGroup.TECHNICAL_COMMUNITY,
    ]
    assert len(gaps["pillar-b"]) == 5 and len(gaps["target-a"]) == 5 and len(gaps["pillar-a"]) == 4


async def test_comment_and_list_work_with_many_comments(services: Services) -> None:
    """Listing and commenting at 20,000 comments (the benchmark measures them at 100,000)."""
    await _setup(services)
    draft = await services.drafts.require(G, "C11")
    sections = await services.drafts.repo.sections(draft.id)
    groups = [g.value for g in StakeholderGroup]
    now_ms = int(services.clock().timestamp() * 1000)
    await services.db.executemany(
        "INSERT INTO comments (guild_id, draft_id, section_id, revision, author_id, organization,"
        " stakeholder_group, kind, body, created_at) VALUES ($1, $2, $3, 1, $4, $5, $6,"
        " 'comment', $7, $8)",
        [
            (G, draft.id, sections[i % 4].id, 1000 + i % 500, f"Org {i % 500}", groups[i % 5],
             f"Comment {i} " + "text " * 20, now_ms)
            for i in range(20_000)
        ],
    )
    if services.db.dialect == "postgresql":
        await services.db.execute("ANALYZE comments")
    calls = [
        lambda: services.comments.listing(G, "C11"),
        lambda: services.comments.listing(G, "C11", "pillar-b"),
        lambda: services.comments.listing(G, group="Government"),
        lambda: services.comments.listing(G),
        lambda: services.comments.add(G, ANN, "C11", "pillar-b", "Fast"),
    ]
    # Their speed is measured by the benchmark (benchmarks/interactions.py), not here: this
    # checks they work on a table this size.
    for call in calls:
        assert await call() is not None


def test_coverage_of_a_big_draft_fits_discord() -> None:
    from datetime import UTC, datetime

    from bot.domain.comments import Coverage
    from bot.domain.models import Draft, Section
    from cogs.comments import coverage_pages

    keys = ["vision"] + [f"pillar-{c}" for c in "abcdefghijklmnopqrstuvwxyz"]
    keys += [f"target-{c}" for c in "abcdefghijklmnopqrstuvwxyz"]
    sections = [Section(i, 1, k, i, 1, "t") for i, k in enumerate(keys)]
    draft = Draft(1, G, "C11", "International and regional cooperation", "V1.2", created_at=datetime.now(UTC))
    counts: dict[tuple[int, str], int] = {(s.id, StakeholderGroup.GOVERNMENT): 3 for s in sections[::2]}
    pages = coverage_pages(Coverage(draft, sections, counts))
    assert len(pages) > 1
    text = "\n".join(pages)
    for page in pages:
        assert len(page) <= 1900 and page.count("```") % 2 == 0
    for key in ("Vision", "Pillar z)", "Target z)"):
        assert f"\n{key}" in text
    assert "Gov = Government" in text and "- Pillar a): Gov, Priv, CS, IO, Tech" in text


def test_long_texts_are_shortened_with_a_note_never_silently() -> None:
    from cogs._comment_views import quote_within

    text = "\n".join(["short line"] * 300 + ["x" * 900])
    message = quote_within("Head:", text)
    assert len(message) <= 2000 and "all 4,200 characters were recorded" in message
    assert quote_within("Head:", "fine") == "Head:\n> fine"


def test_long_section_pages_fit() -> None:
    from bot.domain.drafts import SectionView
    from bot.domain.models import Draft, Section
    from cogs.drafts import section_pages

    draft = Draft(1, G, "C11", "Cooperation", None)
    section = Section(1, 1, "vision", 0, 3, "word " * 1200 + "\n\n" + "end")
    pages = section_pages(SectionView(draft, section, 2, 3))
    assert len(pages) >= 4 and all(len(p) <= 1900 for p in pages)
    assert pages[0].startswith("**C11 · Vision** — revision 3 · 2 comments") and pages[-1].endswith("end")


async def test_listing_pages_never_sort_the_table_even_without_statistics(
    services: Services,
) -> None:
    """SQLite: each filter's page and count walk their index newest first (INDEXED BY). A
    database analyzed before migration V15 has statistics for the older indexes only, and
    SQLite's planner then took a V15 index for the guild and sorted every comment for each
    page (120 ms with 100,000 comments)."""
    db = services.db
    if db.dialect != "sqlite":
        pytest.skip("PostgreSQL's planner keeps its own statistics")
    await _setup(services)
    await services.comments.add(G, ANN, "C11", "vision", "first")
    await services.comments.add(G, BO, "C11", "pillar-b", "second")
    for _ in range(11):  # 4,096 comments
        await db.execute(
            "INSERT INTO comments (guild_id, draft_id, section_id, revision, author_id,"
            " organization, stakeholder_group, kind, body, created_at)"
            " SELECT guild_id, draft_id, section_id, revision, author_id, organization,"
            " stakeholder_group, kind, body, created_at FROM comments"
        )
    await db.execute("ANALYZE")
    await db.execute("DELETE FROM sqlite_stat1 WHERE idx LIKE 'comments_live%'")
    draft = await services.drafts.require(G, "C11")
    section = await services.drafts.require_section(draft, "vision")
    filters = [CommentFilter(G), CommentFilter(G, draft.id),
               CommentFilter(G, draft.id, section.id), CommentFilter(G, group="Government"),
               CommentFilter(G, draft.id, group="Government")]
    for flt in filters:
        sql, args = page_query(flt, "sqlite", 7, 42, cap=1_001)
        plan = " | ".join(r[3] for r in await db.fetch("EXPLAIN QUERY PLAN " + sql, *args))
        assert "TEMP B-TREE" not in plan, (flt, plan)
