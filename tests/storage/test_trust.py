"""Trust (SPEC section 8) in the services: verification, the verification mode, server groups."""

from __future__ import annotations

import pytest

from bot.domain.models import AttributionStatus, VerificationMode
from bot.errors import UserError
from bot.services import Services


async def _verify_by_sql(services: Services, guild_id: int, user_id: int) -> None:
    await services.db.execute(
        "UPDATE stakeholders SET verified = 1 WHERE guild_id = $1 AND user_id = $2", guild_id, user_id
    )


async def test_for_comment_says_how_the_attribution_stands(services: Services) -> None:
    await services.stakeholders.register(1, 10, "Ann", "ISOC", "Civil Society")
    profile, status = await services.stakeholders.for_comment(1, 10)
    assert profile.attribution == "ISOC, Civil Society" and status is AttributionStatus.UNVERIFIED
    await _verify_by_sql(services, 1, 10)
    assert (await services.stakeholders.for_comment(1, 10))[1] is AttributionStatus.VERIFIED


async def test_for_comment_in_required_mode_refuses_the_unverified(services: Services) -> None:
    await services.stakeholders.register(1, 10, "Ann", "ISOC", "Civil Society")
    await services.stakeholders.register(1, 11, "Bo", "Brazil", "Government")
    await _verify_by_sql(services, 1, 11)
    async with services.db.transaction() as tx:
        await services.settings.guilds.update(
            tx, 1, at=services.clock(), verification_mode=VerificationMode.REQUIRED.value
        )
    with pytest.raises(UserError, match="Only verified stakeholders can comment on this server"):
        await services.stakeholders.for_comment(1, 10)
    assert (await services.stakeholders.for_comment(1, 11))[1] is AttributionStatus.VERIFIED
    with pytest.raises(UserError, match="/stakeholder register"):
        await services.stakeholders.for_comment(1, 99)


async def test_server_groups_in_order_and_removal_rules(services: Services) -> None:
    assert await services.stakeholders.add_group(1, 5, "  Academia ") == "Academia"
    await services.stakeholders.add_group(1, 5, "Youth")
    await services.stakeholders.add_group(2, 5, "Parliaments")
    assert (await services.stakeholders.groups(1))[5:] == ["Academia", "Youth"]
    assert await services.stakeholders.parse_group(1, "ACADEMIA") == "Academia"
    assert await services.stakeholders.parse_group(1, "gov") == "Government"
    with pytest.raises(UserError, match="Academia, Youth"):
        await services.stakeholders.parse_group(1, "Parliaments")
    profile, _ = await services.stakeholders.register(1, 10, "Ann", "Uni", "youth")
    assert profile.attribution == "Uni, Youth"
    with pytest.raises(UserError, match="1 profile uses Youth"):
        await services.stakeholders.remove_group(1, 5, "Youth")
    assert await services.stakeholders.remove_group(1, 5, "academia") == "Academia"
    assert await services.stakeholders.groups(1) == [*(await services.stakeholders.groups(3))[:5], "Youth"]


async def test_list_by_verification(services: Services) -> None:
    await services.stakeholders.register(1, 10, "Ann", "ISOC", "Civil Society")
    await services.stakeholders.set(1, 5, 11, "Bo", "Brazil", "Government")
    assert [p.user_id for p in await services.stakeholders.list(1, verified=True)] == [11]
    assert [p.user_id for p in await services.stakeholders.list(1, verified=False)] == [10]
    assert await services.stakeholders.count_unverified(1) == 1


async def test_an_import_reads_comments_in_the_servers_own_groups(services: Services) -> None:
    await services.stakeholders.add_group(1, 5, "Academia")
    text = "# C11 Cooperation\n\n## Vision\n\nA vision.\n\n· Uni Geneva, Academia: We agree.\n"
    await services.drafts.import_markdown(1, 5, text.encode())
    draft = await services.drafts.require(1, "C11")
    comments = await services.comments.repo.for_draft(draft.id)
    assert [(c.organization, c.group) for c in comments] == [("Uni Geneva", "Academia")]
