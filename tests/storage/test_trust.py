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
