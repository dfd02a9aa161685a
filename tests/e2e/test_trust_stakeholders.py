"""Trust, end to end (SPEC section 8): verification of profiles, the verification mode, a
server's own groups, /settings show, and the coordinator role that may not be @everyone."""

from __future__ import annotations

import json

import pytest

from bot.harness import RunningBot, World

pytestmark = pytest.mark.e2e


async def _audit(bot: RunningBot, guild_id: int) -> list[tuple[str, dict[str, object]]]:
    rows = await bot.db.fetch(
        "SELECT action, detail FROM audit WHERE guild_id = $1 ORDER BY id", guild_id
    )
    return [(r["action"], json.loads(r["detail"]) if r["detail"] else {}) for r in rows]


async def test_verification_of_profiles(world: World, bot: RunningBot) -> None:
    coord, alice, bob = world.coordinator, world.alice, world.bob

    # A member's own profile starts unverified, and says so.
    res = await world.run(alice, "stakeholder register", organization="ISOC", group="civil society")
    assert res.ephemeral
    assert "Registered **ISOC**, Civil Society (unverified)" in res.content, res.content
    assert "/stakeholder verify" in res.content
    res = await world.run(bob, "stakeholder show", member=alice)
    assert "Verification: unverified" in res.content, res.content

    # Only coordinators verify; the coordinator role counts.
    await world.run(coord, "settings coordinator-role", role=world.coordinator_role)
    res = await world.run(bob, "stakeholder verify", member=alice)
    assert res.ephemeral and "Only coordinators" in res.content
    res = await world.run(world.carol, "stakeholder verify", member=alice)
    assert res.ephemeral and f"Verified <@{alice.id}>: **ISOC**, Civil Society" in res.content, res.content
    res = await world.run(coord, "stakeholder verify", member=alice)
    assert "already verified" in res.content
    res = await world.run(coord, "stakeholder verify", member=bob)
    assert res.ephemeral and "has no stakeholder profile" in res.content and "/stakeholder set" in res.content
    res = await world.run(bob, "stakeholder show", member=alice)
    assert f"Verification: verified by <@{world.carol.id}>" in res.content, res.content

    # A verified member cannot change their own organization or group; the same is no change.
    res = await world.run(alice, "stakeholder register", organization="Internet Society", group="Civil Society")
    assert res.ephemeral and "ask a coordinator" in res.content and "/stakeholder set" in res.content, res.content
    res = await world.run(alice, "stakeholder register", organization="ISOC", group="Technical Community")
    assert "ask a coordinator" in res.content
    res = await world.run(alice, "stakeholder register", organization="ISOC", group="Civil Society")
    assert "ISOC, Civil Society" in res.content and "(verified)" in res.content, res.content

    # A coordinator sets anyone's profile, verified at once.
    res = await world.run(bob, "stakeholder set", member=alice, organization="X", group="Government")
    assert res.ephemeral and "Only coordinators" in res.content
    res = await world.run(coord, "stakeholder set", member=bob, organization="Government of Brazil", group="gov")
    assert f"Set <@{bob.id}>'s profile: **Government of Brazil**, Government (verified)" in res.content, res.content
    bob_profile = await bot.services.stakeholders.get(world.guild.id, bob.id)
    assert bob_profile is not None and bob_profile.verified and bob_profile.verified_by == coord.id

    # Re-registering an unverified profile keeps it unverified; list filters by state.
    await world.run(world.carol, "stakeholder register", organization="APC", group="Civil Society")
    res = await world.run(bob, "stakeholder list", verified="unverified")
    assert "APC" in res.content and "ISOC" not in res.content and "Brazil" not in res.content, res.content
    res = await world.run(bob, "stakeholder list", verified="verified")
    assert "ISOC" in res.content and "Government of Brazil" in res.content and "APC" not in res.content
    res = await world.run(bob, "stakeholder list")
    assert "**Stakeholders** (3)" in res.content, res.content
    assert f"<@{world.carol.id}> — **APC**, Civil Society · unverified" in res.content, res.content
    assert f"<@{alice.id}> — **ISOC**, Civil Society · verified" in res.content
    res = await world.run(bob, "stakeholder list", group="civil society", verified="verified")
    assert "ISOC" in res.content and "APC" not in res.content and "Brazil" not in res.content

    # Removal: coordinators only; the member's comments keep their attribution.
    res = await world.run(bob, "stakeholder remove", member=alice)
    assert res.ephemeral and "Only coordinators" in res.content
    res = await world.run(coord, "stakeholder remove", member=world.carol)
    assert f"Removed <@{world.carol.id}>'s stakeholder profile (**APC**, Civil Society)" in res.content, res.content
    assert "keep the attribution" in res.content
    res = await world.run(coord, "stakeholder remove", member=world.carol)
    assert res.ephemeral and "has no stakeholder profile" in res.content
    assert await bot.services.stakeholders.get(world.guild.id, world.carol.id) is None

    actions = [a for a, _ in await _audit(bot, world.guild.id)]
    assert actions == [
        "stakeholder.register", "settings.update", "stakeholder.verify", "stakeholder.set",
        "stakeholder.register", "stakeholder.remove",
    ], actions


async def test_a_removed_profile_leaves_its_comments_attributed(world: World, bot: RunningBot) -> None:
    coord, alice = world.coordinator, world.alice
    await world.run(coord, "draft create", code="C11", title="Cooperation", version="V1")
    await world.run(coord, "draft section", code="C11", section="vision", text="A vision")
    await world.run(coord, "stakeholder set", member=alice, organization="ISOC", group="Civil Society")
    res = await world.run(alice, "comment", draft="C11", section="vision", text="We agree")
    assert not res.ephemeral, res.content
    await world.run(coord, "stakeholder remove", member=alice)
    res = await world.run(world.bob, "comments list", draft="C11")
    assert "ISOC, Civil Society" in res.content, res.content


async def test_organization_names_lose_bidi_and_show_inert(world: World, bot: RunningBot) -> None:
    res = await world.run(
        world.alice, "stakeholder register", organization="\u202eCOSI\u202c *[x](https://evil.example)*",
        group="Civil Society",
    )
    assert "\u202e" not in res.content and "\u202c" not in res.content
    profile = await bot.services.stakeholders.get(world.guild.id, world.alice.id)
    assert profile is not None and profile.organization == "COSI *[x](https://evil.example)*"
    res = await world.run(world.bob, "stakeholder show", member=world.alice)
    assert "**COSI \\*\\[x](https://evil.example)\\***" in res.content, res.content
    res = await world.run(world.bob, "stakeholder list")
    assert "**COSI \\*\\[x](https://evil.example)\\***, Civil Society" in res.content, res.content


async def test_verification_mode(world: World, bot: RunningBot) -> None:
    coord, alice = world.coordinator, world.alice
    res = await world.run(alice, "settings verification", mode="required")
    assert res.ephemeral and "Only coordinators" in res.content
    await world.run(alice, "stakeholder register", organization="ISOC", group="Civil Society")
    res = await world.run(coord, "settings verification", mode="required")
    assert res.ephemeral and "Verification mode is now **required**" in res.content, res.content
    assert "1 registered profile is not verified yet" in res.content, res.content
    settings = await bot.services.settings.get(world.guild.id)
    assert settings.verification_mode == "required"
    with pytest.raises(Exception, match="Only verified stakeholders can comment on this server"):
        await bot.services.stakeholders.for_comment(world.guild.id, alice.id)
    res = await world.run(coord, "settings verification", mode="open")
    assert "Verification mode is now **open**" in res.content and "(unverified)" in res.content, res.content
    assert ("settings.update", {"verification_mode": "required"}) in await _audit(bot, world.guild.id)


async def test_server_groups(world: World, bot: RunningBot) -> None:
    coord, alice, bob = world.coordinator, world.alice, world.bob

    # Unknown groups are refused, naming the valid ones.
    res = await world.run(alice, "stakeholder register", organization="Uni Geneva", group="Academia")
    assert res.ephemeral and '"Academia" is not a stakeholder group here' in res.content, res.content
    assert "Government, Private Sector, Civil Society, International Organization, Technical Community" in res.content

    # Coordinators add a group; names are checked.
    res = await world.run(alice, "settings groups add", name="Academia")
    assert res.ephemeral and "Only coordinators" in res.content
    res = await world.run(coord, "settings groups add", name="Academia")
    assert "Added the group **Academia**" in res.content, res.content
    for bad, why in [("Acad, emia", "comma"), ("Acad: emia", "colon"), ("x" * 41, "40"), ("academia", "already")]:
        res = await world.run(coord, "settings groups add", name=bad)
        assert res.ephemeral and why in res.content, (bad, res.content)
    res = await world.run(coord, "settings groups add", name="civil  SOCIETY")
    assert res.ephemeral and "already has the group Civil Society" in res.content, res.content

    # Group options autocomplete the server's groups and accept them case-insensitively.
    choices = await world.complete(alice, "stakeholder register", "group", group="ac")
    assert [c["value"] for c in choices] == ["Academia"]
    choices = await world.complete(alice, "stakeholder register", "group", group="")
    assert [c["value"] for c in choices][-1] == "Academia" and len(choices) == 6
    res = await world.run(alice, "stakeholder register", organization="Uni Geneva", group="ACADEMIA")
    assert "Registered **Uni Geneva**, Academia (unverified)" in res.content, res.content
    res = await world.run(bob, "stakeholder list", group="academia")
    assert "**Academia** (1)" in res.content and "Uni Geneva" in res.content, res.content

    # Coverage has a column per group of the server.
    await world.run(coord, "draft create", code="C11", title="Cooperation", version="V1")
    await world.run(coord, "draft section", code="C11", section="vision", text="A vision")
    await world.run(alice, "comment", draft="C11", section="vision", text="We agree")
    res = await world.run(bob, "coverage", draft="C11")
    assert "Gov Priv   CS   IO Tech Acad  All" in res.content, res.content
    assert "Acad = Academia" in res.content
    res = await world.run(bob, "comments list", group="academia")
    assert "by Academia" in res.content and "Uni Geneva, Academia" in res.content, res.content

    # A group in use cannot be removed; the five cannot be removed at all.
    res = await world.run(coord, "settings groups remove", name="Academia")
    assert res.ephemeral and "1 profile uses Academia" in res.content, res.content
    res = await world.run(coord, "settings groups remove", name="Government")
    assert res.ephemeral and "cannot be removed" in res.content
    await world.run(coord, "stakeholder set", member=alice, organization="Uni Geneva", group="Technical Community")
    res = await world.run(coord, "settings groups remove", name="academia")
    assert "Removed the group **Academia**" in res.content, res.content
    res = await world.run(alice, "stakeholder list", group="Academia")
    assert res.ephemeral and "not a stakeholder group here" in res.content
    actions = [a for a, _ in await _audit(bot, world.guild.id) if a.startswith("group.")]
    assert actions == ["group.add", "group.remove"]


async def test_settings_show_and_the_coordinator_role(world: World, bot: RunningBot) -> None:
    coord = world.coordinator
    res = await world.run(world.alice, "settings show")
    assert res.ephemeral
    assert "Timezone: **UTC**" in res.content, res.content
    assert "Coordinator role: none (members with Manage Server are coordinators)" in res.content
    assert "Reminder channel: none" in res.content
    assert "Reminder offsets: 7d, 1d, 1h" in res.content
    assert "Verification mode: **open**" in res.content
    assert (
        "Stakeholder groups: Government, Private Sector, Civil Society, International Organization,"
        " Technical Community" in res.content
    )

    # @everyone would make every member a coordinator.
    res = await world.run(coord, "settings coordinator-role", role=world.guild.everyone)
    assert res.ephemeral and "@everyone" in res.content and "every member" in res.content, res.content
    assert (await bot.services.settings.get(world.guild.id)).coordinator_role_id is None

    await world.run(coord, "settings coordinator-role", role=world.coordinator_role)
    await world.run(coord, "settings timezone", zone="Europe/Zurich")
    await world.run(coord, "reminders channel", channel=world.reminders)
    await world.run(coord, "settings groups add", name="Academia")
    await world.run(coord, "settings verification", mode="required")
    res = await world.run(world.alice, "settings show")
    assert "Timezone: **Europe/Zurich**" in res.content
    assert f"Coordinator role: <@&{world.coordinator_role.id}>" in res.content
    assert f"Reminder channel: <#{world.reminders.id}>" in res.content
    assert "Verification mode: **required**" in res.content
    assert "Technical Community, Academia" in res.content


async def test_the_demo_sample_members_start_verified(world: World, bot: RunningBot) -> None:
    from bot.demo import SAMPLE, SAMPLE_MEMBERS, load_sample

    await load_sample(bot.services, world, SAMPLE)
    for name, (org, group) in SAMPLE_MEMBERS.items():
        profile = await bot.services.stakeholders.get(world.guild.id, world.members[name].id)
        assert profile is not None and profile.verified, name
        assert (profile.organization, profile.group) == (org, group)
    res = await world.run(world.alice, "stakeholder show")
    assert f"Verification: verified by <@{world.coordinator.id}>" in res.content, res.content
