"""Stakeholder profiles, coordinators, settings, timezones and offsets (no Discord)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.clock import FakeClock
from bot.domain.models import GuildSettings, StakeholderGroup
from bot.domain.offsets import format_offsets, parse_offsets
from bot.domain.stakeholders import clean_organization, is_coordinator
from bot.domain.when import zones as timezones
from bot.errors import UserError
from bot.services import Services


async def test_register_then_update(services: Services, clock: FakeClock) -> None:
    profile, new = await services.stakeholders.register(1, 10, "Ann", "  ISOC ", "civil society")
    assert new and profile.attribution == "ISOC, Civil Society"
    clock.advance(days=1)
    profile, new = await services.stakeholders.register(1, 10, "Ann", "Internet Society", "Civil Society")
    assert not new and profile.organization == "Internet Society"
    assert profile.updated_at > profile.created_at
    actions = [r["action"] for r in await services.db.fetch("SELECT action FROM audit ORDER BY id")]
    assert actions == ["stakeholder.register", "stakeholder.update"]


async def test_profiles_are_per_server_and_listed_by_group(services: Services) -> None:
    await services.stakeholders.register(1, 10, "Ann", "ISOC", "Civil Society")
    await services.stakeholders.register(1, 11, "Bo", "Brazil", "Government")
    await services.stakeholders.register(2, 10, "Ann", "ICANN", "Technical Community")
    assert [p.organization for p in await services.stakeholders.list(1)] == ["ISOC", "Brazil"] or {
        p.organization for p in await services.stakeholders.list(1)
    } == {"ISOC", "Brazil"}
    gov = await services.stakeholders.list(1, "Government")
    assert [p.user_id for p in gov] == [11]
    assert (await services.stakeholders.get(2, 10)).group == StakeholderGroup.TECHNICAL_COMMUNITY  # type: ignore[union-attr]


async def test_require_tells_how_to_register(services: Services) -> None:
    with pytest.raises(UserError, match="/stakeholder register"):
        await services.stakeholders.require(1, 99)


@pytest.mark.parametrize("text", ["", "   ", "x" * 300])
def test_bad_organizations(text: str) -> None:
    with pytest.raises(UserError):
        clean_organization(text)


def test_organization_message_says_the_limit() -> None:
    with pytest.raises(UserError, match="100"):
        clean_organization("x" * 300)


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Government", StakeholderGroup.GOVERNMENT),
        ("governments", StakeholderGroup.GOVERNMENT),
        ("private-sector", StakeholderGroup.PRIVATE_SECTOR),
        ("Business", StakeholderGroup.PRIVATE_SECTOR),
        ("civil society", StakeholderGroup.CIVIL_SOCIETY),
        ("International Organizations", StakeholderGroup.INTERNATIONAL_ORGANIZATION),
        ("technical community", StakeholderGroup.TECHNICAL_COMMUNITY),
    ],
)
def test_group_parsing(text: str, group: StakeholderGroup) -> None:
    assert StakeholderGroup.parse(text) is group


def test_coordinators() -> None:
    plain = GuildSettings(guild_id=1)
    with_role = GuildSettings(guild_id=1, coordinator_role_id=7)
    assert is_coordinator(manage_guild=True, role_ids=[], settings=plain)
    assert not is_coordinator(manage_guild=False, role_ids=[7], settings=plain)
    assert is_coordinator(manage_guild=False, role_ids=[3, 7], settings=with_role)
    assert not is_coordinator(manage_guild=False, role_ids=[3], settings=with_role)


async def test_timezones_member_over_server(services: Services) -> None:
    assert await services.settings.effective_timezone(1, 10) == "UTC"
    await services.settings.set_timezone(1, 99, "europe/geneva")  # Geneva keeps Zurich's time
    assert await services.settings.effective_timezone(1, 10) == "Europe/Zurich"
    assert await services.settings.set_member_timezone(10, "Tokyo") == "Asia/Tokyo"
    assert await services.settings.effective_timezone(1, 10) == "Asia/Tokyo"


def test_unknown_zone_suggests_close_names() -> None:
    with pytest.raises(UserError) as err:
        timezones.validate_zone("Europe/Zurik")
    assert "Europe/Zurich" in str(err.value)
    with pytest.raises(UserError, match="IANA"):
        timezones.validate_zone("qqqqqqqqqq")


def test_zone_search_for_autocomplete() -> None:
    assert timezones.search("zur")[0] == "Europe/Zurich"
    assert "America/Sao_Paulo" in timezones.search("sao")
    assert len(timezones.search("")) <= 25
    assert len(timezones.search("a")) == 25


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7d,1d,1h", "7d,1d,1h"), ("1h, 7d ,1d", "7d,1d,1h"), ("1w,90m", "7d,90m"), ("2w", "14d"), ("60m", "1h")],
)
def test_offsets(text: str, expected: str) -> None:
    assert format_offsets(parse_offsets(text)) == expected


@pytest.mark.parametrize("text", ["", "7x", "0m", "30s", "1d,,", "1000w"])
def test_bad_offsets(text: str) -> None:
    if text == "1d,,":
        assert parse_offsets(text) == [timedelta(days=1)]
        return
    with pytest.raises(UserError):
        parse_offsets(text)


async def test_reminder_offsets_are_stored_normalized(services: Services) -> None:
    settings = await services.settings.set_reminder_offsets(1, 9, "1h 7d")
    assert settings.reminder_offsets == "7d,1h"
