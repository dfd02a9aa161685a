"""The local Discord emulator against the real discord.py client (loopback only)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import time
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands

from bot.emulator import DiscordEmulator, InteractionResult, RateLimits, SentMessage

TOKEN = "test-token"
MANAGE_GUILD = 1 << 5


class Recorder:
    def __init__(self) -> None:
        self.seen: dict[str, Any] = {}
        self.errors: list[BaseException] = []


class ButtonView(discord.ui.View):
    def __init__(self, rec: Recorder) -> None:
        super().__init__(timeout=60)
        self.rec = rec

    @discord.ui.button(label="Confirm", custom_id="confirm", style=discord.ButtonStyle.green)
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        self.rec.seen["clicked_by"] = interaction.user.id
        await interaction.response.edit_message(content="confirmed", view=None)


class NoteModal(discord.ui.Modal, title="Add a note"):
    note: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Note", custom_id="note")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"noted: {self.note.value}")


def make_bot(rec: Recorder) -> commands.Bot:
    bot = commands.Bot(
        command_prefix="!",
        intents=discord.Intents.default(),
        guild_ready_timeout=0.1,
    )
    event = app_commands.Group(name="event", description="Events")

    @event.command(name="add", description="Add an event")
    async def event_add(
        interaction: discord.Interaction,
        title: str,
        count: int,
        who: discord.Member,
        role: discord.Role,
        where: discord.TextChannel,
        file: discord.Attachment,
        kind: str = "meeting",
    ) -> None:
        data = await file.read()
        user = interaction.user
        assert isinstance(user, discord.Member)
        rec.seen["add"] = {
            "title": title,
            "count": count,
            "who": who,
            "who_roles": [r.id for r in who.roles],
            "role": role.id,
            "where": where.id,
            "file": (file.filename, data),
            "kind": kind,
            "user_roles": [r.id for r in user.roles],
            "perms_manage_guild": interaction.permissions.manage_guild,
            "guild_perms_manage_guild": user.guild_permissions.manage_guild,
        }
        await interaction.response.send_message(f"added {title}", ephemeral=True)

    @event.command(name="show", description="Show an event")
    async def event_show(interaction: discord.Interaction, id: str) -> None:
        await interaction.response.send_message(f"event {id}")

    @event_show.autocomplete("id")
    async def show_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["ICANN 49", "ICANN 50", "IGF 2014"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

    bot.tree.add_command(event)

    @bot.tree.command(name="slow", description="Defers then edits")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.05)
        await interaction.edit_original_response(content="slow done")

    @bot.tree.command(name="export", description="Followup with a file")
    async def export(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("exporting")
        await interaction.followup.send(
            "here", file=discord.File(io.BytesIO(b"BEGIN:VCALENDAR"), "cal.ics")
        )

    @bot.tree.command(name="announce", description="Channel message with nonce")
    async def announce(interaction: discord.Interaction, text: str) -> None:
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)
        await interaction.response.defer(ephemeral=True)
        m1 = await channel.send(text, nonce="n-1", allowed_mentions=discord.AllowedMentions.none())
        m2 = await channel.send(text, nonce="n-1", allowed_mentions=discord.AllowedMentions.none())
        rec.seen["announce_ids"] = (m1.id, m2.id)
        await interaction.followup.send("announced", ephemeral=True)

    @bot.tree.command(name="buttons", description="A button view")
    async def buttons(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("press", view=ButtonView(rec))

    @bot.tree.command(name="silent", description="Leaves the answer to the test")
    async def silent(interaction: discord.Interaction) -> None:
        rec.seen["silent"] = interaction.id

    @bot.tree.command(name="note", description="Opens a modal")
    async def note(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(NoteModal())

    @bot.tree.error
    async def on_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        rec.errors.append(error)

    async def setup_hook() -> None:
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


@contextlib.asynccontextmanager
async def pointed_at(emu: DiscordEmulator) -> AsyncIterator[None]:
    old_base = discord.http.Route.BASE
    old_gw = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = emu.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gw


class World:
    def __init__(self, emu: DiscordEmulator, bot: commands.Bot, rec: Recorder) -> None:
        self.emu = emu
        self.bot = bot
        self.rec = rec
        self.guild = emu.add_guild("ICANN")
        self.coord = emu.add_role(self.guild, "Coordinators", permissions=MANAGE_GUILD)
        self.general = emu.add_channel(self.guild, "general")
        self.other = emu.add_channel(self.guild, "other")
        self.alice = emu.add_user("alice")
        self.bob = emu.add_user("bob")
        emu.add_member(self.guild, self.alice, roles=[self.coord])
        emu.add_member(self.guild, self.bob)


@contextlib.asynccontextmanager
async def running(rate_limits: RateLimits | None = None) -> AsyncIterator[World]:
    async with DiscordEmulator(token=TOKEN, rate_limits=rate_limits) as emu, pointed_at(emu):
        rec = Recorder()
        bot = make_bot(rec)
        world = World(emu, bot, rec)
        task = asyncio.create_task(bot.start(TOKEN))
        try:
            await emu.wait_for_ready(timeout=10)
            await emu.wait_for_commands(timeout=10)
            await asyncio.wait_for(bot.wait_until_ready(), 10)
            yield world
        finally:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 5)


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with running() as w:
        yield w


# --------------------------------------------------------------------------------------------


async def test_login_ready_and_command_sync(world: World) -> None:
    emu, bot = world.emu, world.bot
    assert bot.user is not None and bot.user.id == emu.bot_user_id
    assert bot.application_id == emu.application_id
    guild = bot.get_guild(world.guild.id)
    assert guild is not None and guild.name == "ICANN"
    assert {c.name for c in guild.text_channels} == {"general", "other"}
    assert guild.me is not None and guild.owner_id == world.guild.owner.id
    assert emu.command_syncs == 1
    names = {c["name"] for c in emu.commands["global"]}
    assert names == {"event", "slow", "export", "announce", "buttons", "note", "silent"}
    assert all(int(c["id"]) >> 22 > 0 for c in emu.commands["global"])
    assert "event add" in emu.command_names()
    # snowflakes carry real time
    assert abs(discord.utils.snowflake_time(emu.bot_user_id).timestamp() - time.time()) < 60


async def test_invoke_with_every_option_type(world: World) -> None:
    emu = world.emu
    res = await emu.invoke(
        world.alice,
        "event add",
        {
            "title": "ICANN 49",
            "count": "3",
            "who": world.alice,
            "role": world.coord.id,
            "where": world.other,
        },
        attachments={"file": ("cal.ics", b"BEGIN:VCALENDAR")},
        guild=world.guild,
        channel=world.general,
    )
    assert isinstance(res, InteractionResult)
    assert res.callback_type == 4 and res.ephemeral
    assert res.content == "added ICANN 49"
    assert not world.rec.errors
    seen = world.rec.seen["add"]
    assert seen["title"] == "ICANN 49" and seen["count"] == 3 and seen["kind"] == "meeting"
    assert isinstance(seen["who"], discord.Member) and seen["who"].id == world.alice.id
    assert world.coord.id in seen["who_roles"]
    assert seen["role"] == world.coord.id and seen["where"] == world.other.id
    assert seen["file"] == ("cal.ics", b"BEGIN:VCALENDAR")
    assert world.coord.id in seen["user_roles"]
    assert seen["perms_manage_guild"] and seen["guild_perms_manage_guild"]

    # bob has no Manage Server
    await emu.invoke(
        world.bob,
        "event add",
        {
            "title": "x",
            "count": 1,
            "who": world.bob,
            "role": world.coord,
            "where": world.general,
            "file": ("a.txt", b"a"),
        },
        guild=world.guild,
    )
    assert not world.rec.seen["add"]["perms_manage_guild"]
    assert not world.rec.seen["add"]["guild_perms_manage_guild"]

    # an explicit permission override (added after the bot connected)
    carol = emu.add_user("carol")
    emu.add_member(world.guild, carol, permissions=MANAGE_GUILD | (1 << 11))
    await asyncio.sleep(0.05)
    await emu.invoke(
        carol,
        "event add",
        {
            "title": "y",
            "count": 2,
            "who": carol,
            "role": world.coord,
            "where": world.general,
            "file": ("b.txt", b"b"),
        },
        guild=world.guild,
    )
    assert world.rec.seen["add"]["perms_manage_guild"]
    assert world.rec.seen["add"]["guild_perms_manage_guild"]


async def test_unknown_names_raise_value_error(world: World) -> None:
    with pytest.raises(ValueError, match="valid commands"):
        await world.emu.invoke(world.alice, "nope", guild=world.guild)
    with pytest.raises(ValueError, match="unknown subcommand"):
        await world.emu.invoke(world.alice, "event nope", guild=world.guild)
    with pytest.raises(ValueError, match="unknown option"):
        await world.emu.invoke(world.alice, "slow", {"x": 1}, guild=world.guild)


async def test_defer_then_edit(world: World) -> None:
    res = await world.emu.invoke(world.alice, "slow", guild=world.guild)
    assert res.callback_type == 5
    assert res.original is not None and res.content == "slow done"
    assert res.edits == 1 and not res.ephemeral


async def test_followup_with_file(world: World) -> None:
    res = await world.emu.invoke(world.alice, "export", guild=world.guild)
    followups = await res.wait_for_followups(1)
    assert res.content == "exporting"
    assert followups[0].attachments == [("cal.ics", b"BEGIN:VCALENDAR")]
    assert followups[0].webhook and followups[0].content == "here"
    assert [m.content for m in res.messages] == ["exporting", "here"]


async def test_autocomplete(world: World) -> None:
    choices = await world.emu.autocomplete(
        world.alice, "event show", {"id": "IC"}, focused="id", guild=world.guild
    )
    assert [c["value"] for c in choices] == ["ICANN 49", "ICANN 50"]


async def test_button_click(world: World) -> None:
    res = await world.emu.invoke(world.alice, "buttons", guild=world.guild)
    msg = res.original
    assert isinstance(msg, SentMessage) and msg.custom_ids() == ["confirm"]
    click = await world.emu.click(world.bob, msg, "confirm", guild=world.guild)
    assert click.callback_type == 7
    assert world.rec.seen["clicked_by"] == world.bob.id
    assert msg.content == "confirmed" and msg.components == []


async def test_channel_message_nonce_dedup(world: World) -> None:
    emu = world.emu
    res = await emu.invoke(
        world.alice,
        "announce",
        {"text": "hello @everyone"},
        guild=world.guild,
        channel=world.general,
    )
    # The first followup to a deferral resolves it, as private as the deferral.
    assert res.ephemeral and res.content == "announced" and not res.followups
    msgs = emu.channel_messages(world.general)
    assert len(msgs) == 1 and msgs[0].nonce == "n-1"
    assert msgs[0].allowed_mentions == {"parse": []}
    a, b = world.rec.seen["announce_ids"]
    assert a == b == msgs[0].id
    assert emu.stats.nonce_duplicates == 1 and emu.stats.creates_per_nonce["n-1"] == 2
    assert emu.messages == msgs


async def test_dm_and_blocked_dm(world: World) -> None:
    emu, bot = world.emu, world.bot
    user = await bot.fetch_user(world.alice.id)
    await user.send("hi alice")
    assert [m.content for m in emu.dm_messages(world.alice)] == ["hi alice"]
    assert emu.dm_channel_id(world.alice) is not None
    emu.block_dms(world.bob)
    bob = await bot.fetch_user(world.bob.id)
    with pytest.raises(discord.Forbidden) as info:
        await bob.send("hi bob")
    assert info.value.code == 50007


async def test_dms_only_to_people_discord_lets_a_bot_reach(world: World) -> None:
    """As Discord: a DM to a bot or to someone who shares no server with the bot is refused
    (50007) when the message is sent, not when the channel is opened; the opening checks
    its body (a snowflake of a known user)."""
    emu, bot = world.emu, world.bot
    stranger = emu.add_user("stranger")
    other_bot = emu.add_user("helper", bot=True)
    emu.add_member(world.guild, other_bot)
    for target in (stranger, other_bot):
        user = await bot.fetch_user(target.id)
        with pytest.raises(discord.Forbidden) as info:
            await user.send("hello")
        assert info.value.code == 50007
        assert emu.dm_channel_id(target) is not None  # the channel itself was opened
    http = bot.http
    route = discord.http.Route("POST", "/users/@me/channels")
    with pytest.raises(discord.HTTPException) as bad:
        await http.request(route, json={"recipient_id": "alice"})
    assert bad.value.status == 400 and bad.value.code == 50035
    with pytest.raises(discord.HTTPException) as missing:
        await http.request(route, json={})
    assert missing.value.code == 50035
    with pytest.raises(discord.HTTPException) as unknown:
        await http.request(route, json={"recipient_id": "123"})
    assert unknown.value.code == 50033


async def test_unknown_channel_and_injected_failure(world: World) -> None:
    with pytest.raises(discord.NotFound):
        await world.bot.http.send_message(123, params=discord.http.handle_message_parameters("x"))
    world.emu.fail_next("/channels/", 403)
    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.Forbidden):
        await channel.send("x")
    await channel.send("y")
    assert [m.content for m in world.emu.channel_messages(world.general)] == ["y"]


async def test_hold_channel(world: World) -> None:
    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    world.emu.hold_channel(world.general.id, 0.6)
    start = time.monotonic()
    await channel.send("after hold")
    assert time.monotonic() - start >= 0.5
    assert len(world.emu.channel_messages(world.general)) == 1


async def test_wrong_token_is_401() -> None:
    async with DiscordEmulator(token=TOKEN) as emu, aiohttp.ClientSession() as s:
        async with s.get(emu.api_base + "/users/@me", headers={"Authorization": "Bot x"}) as r:
            assert r.status == 401 and r.headers["Content-Type"] == "application/json"
        async with s.get(
            emu.api_base + "/users/@me", headers={"Authorization": f"Bot {TOKEN}"}
        ) as r:
            assert r.status == 200 and r.headers["Content-Type"] == "application/json"
            assert (await r.json())["bot"] is True


async def test_raw_gateway_plain_and_zlib_with_shards() -> None:
    async with DiscordEmulator(token=TOKEN) as emu, aiohttp.ClientSession() as s:
        guilds = [emu.add_guild(f"g{i}") for i in range(6)]
        for g in guilds:
            emu.add_channel(g, "general")
        # plain TEXT frames, shard 0 of 2
        async with s.ws_connect(emu.gateway_url + "?v=10&encoding=json") as ws:
            hello = await ws.receive_json()
            assert hello["op"] == 10
            await ws.send_json({"op": 1, "d": None})
            assert (await ws.receive_json())["op"] == 11
            await ws.send_json({"op": 2, "d": {"token": TOKEN, "shard": [0, 2], "intents": 0}})
            ready = await ws.receive_json()
            assert ready["t"] == "READY" and ready["s"] == 1
            mine = {g.id for g in guilds if (g.id >> 22) % 2 == 0}
            assert {int(g["id"]) for g in ready["d"]["guilds"]} == mine
            for _ in mine:
                ev = await ws.receive_json()
                assert ev["t"] == "GUILD_CREATE" and int(ev["d"]["id"]) in mine
        # zlib-stream
        async with s.ws_connect(emu.gateway_url + "?v=10&encoding=json&compress=zlib-stream") as ws:
            d = zlib.decompressobj()
            frame = await ws.receive_bytes()
            assert frame.endswith(b"\x00\x00\xff\xff")
            assert json.loads(d.decompress(frame))["op"] == 10
            await ws.send_json({"op": 2, "d": {"token": TOKEN}})
            ready = json.loads(d.decompress(await ws.receive_bytes()))
            assert ready["t"] == "READY" and len(ready["d"]["guilds"]) == 6


@pytest.mark.slow
async def test_global_rate_limit_is_survived() -> None:
    async with running(RateLimits(per_channel=None, global_per_second=5)) as w:
        channel = w.bot.get_channel(w.general.id)
        other = w.bot.get_channel(w.other.id)
        assert isinstance(channel, discord.TextChannel) and isinstance(other, discord.TextChannel)
        await asyncio.gather(*(c.send(f"m{i}") for i in range(4) for c in (channel, other)))
        assert len(w.emu.messages) == 8
        assert w.emu.stats.global_window_max <= 5


@pytest.mark.slow
async def test_per_channel_rate_limit_headers_prevent_429() -> None:
    async with running(RateLimits(per_channel=(5, 5.0), global_per_second=None)) as w:
        channel = w.bot.get_channel(w.general.id)
        assert isinstance(channel, discord.TextChannel)
        start = time.monotonic()
        for i in range(7):
            await channel.send(f"reminder {i}")
        elapsed = time.monotonic() - start
        assert len(w.emu.channel_messages(w.general)) == 7
        assert w.emu.stats.status_429 == 0
        assert elapsed >= 4.5


async def test_invoke_in_dm_and_limits(world: World) -> None:
    res = await world.emu.invoke(world.alice, "slow")
    assert res.guild_id is None and res.content == "slow done"
    assert res.channel_id == world.emu.dm_channel_id(world.alice)
    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as info:
        await channel.send("x" * 2001)
    assert info.value.code == 50035
    with pytest.raises(discord.HTTPException):
        await channel.send(embed=discord.Embed(description="d" * 4097))
    assert world.emu.errors and world.emu.errors[-1][1] == 400


async def test_resume_after_disconnect(world: World) -> None:
    emu = world.emu
    await emu.disconnect_all(code=4000)
    deadline = time.monotonic() + 10
    while emu.resume_count == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert emu.resume_count == 1 and emu.identify_count == 1
    await emu.wait_for_ready()
    res = await emu.invoke(world.alice, "slow", guild=world.guild)
    assert res.content == "slow done"


async def test_interactions_routed_to_the_owning_shard() -> None:
    async with DiscordEmulator(token=TOKEN) as emu, pointed_at(emu):
        alice = emu.add_user("alice")
        guilds: list[Any] = []
        # snowflake timestamps decide the shard: create guilds until both shards own some
        while len({(g.id >> 22) % 2 for g in guilds}) < 2 or len(guilds) < 4:
            g = emu.add_guild(f"g{len(guilds)}")
            emu.add_channel(g, "general")
            emu.add_member(g, alice)
            guilds.append(g)
            await asyncio.sleep(0.002)
        handled: dict[int, int] = {}

        def make_bot_for(shard: int) -> commands.Bot:
            bot = commands.Bot(
                command_prefix="!",
                intents=discord.Intents.default(),
                shard_id=shard,
                shard_count=2,
                guild_ready_timeout=0.1,
            )

            @bot.tree.command(name="where", description="which shard")
            async def where(interaction: discord.Interaction) -> None:
                assert interaction.guild_id is not None
                handled[interaction.guild_id] = shard
                await interaction.response.send_message(f"shard {shard}")

            return bot

        bots = [make_bot_for(0), make_bot_for(1)]
        tasks = [asyncio.create_task(b.start(TOKEN)) for b in bots]
        try:
            await emu.wait_for_ready(sessions=2)
            await bots[0].tree.sync()
            for g in guilds:
                res = await emu.invoke(alice, "where", guild=g)
                expected = (g.id >> 22) % 2
                assert handled[g.id] == expected and res.content == f"shard {expected}"
            for shard, b in enumerate(bots):
                assert {g.id for g in b.guilds} == {
                    g.id for g in guilds if (g.id >> 22) % 2 == shard
                }
        finally:
            for b in bots:
                await b.close()
            for t in tasks:
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(t, 5)


async def test_modal_round_trip(world: World) -> None:
    res = await world.emu.invoke(world.alice, "note", guild=world.guild)
    assert res.callback_type == 9 and res.modal is not None
    assert res.modal["title"] == "Add a note"
    sub = await world.emu.submit_modal(
        world.alice, res.modal["custom_id"], {"note": "hello"}, guild=world.guild
    )
    assert sub.content == "noted: hello"



async def test_only_an_opened_modal_is_submitted_within_its_limits(world: World) -> None:
    res = await world.emu.invoke(world.alice, "note", guild=world.guild)
    assert res.modal is not None
    custom_id = res.modal["custom_id"]
    with pytest.raises(ValueError, match="never opened"):
        await world.emu.submit_modal(world.alice, "form:other", {"note": "x"}, guild=world.guild)
    with pytest.raises(ValueError, match="no field"):
        await world.emu.submit_modal(world.alice, custom_id, {"other": "x"}, guild=world.guild)
    with pytest.raises(ValueError, match="required"):
        await world.emu.submit_modal(world.alice, custom_id, {"note": ""}, guild=world.guild)
    with pytest.raises(ValueError, match="0-4000 characters, got 4001"):
        await world.emu.submit_modal(world.alice, custom_id, {"note": "x" * 4001}, guild=world.guild)


def _text_input(**overrides: Any) -> dict[str, Any]:
    field = {"type": 4, "custom_id": "text", "style": 2, "label": "Your comment",
             "max_length": 4000, "required": True}
    field.update(overrides)
    return {"type": 1, "components": [field]}


def _modal(**overrides: Any) -> dict[str, Any]:
    modal: dict[str, Any] = {"custom_id": "form:comment:1", "title": "Comment on C11",
                             "components": [_text_input()]}
    modal.update(overrides)
    return modal


BAD_MODALS: list[tuple[dict[str, Any], str]] = [
    (_modal(custom_id=""), "custom_id"),
    (_modal(custom_id="x" * 101), "custom_id"),
    (_modal(title=""), "title"),
    (_modal(title="t" * 46), "title"),
    (_modal(components=[]), "components"),
    (_modal(components=[_text_input(custom_id=f"t{i}") for i in range(6)]), "components"),
    (_modal(components=[{"type": 1, "components": []}]), "components.0"),
    (_modal(components=[{"type": 1, "components": [_text_input()["components"][0]] * 2}]),
     "components.0"),
    (_modal(components=[{"type": 1, "components": [{"type": 2, "custom_id": "b", "style": 1,
                                                     "label": "Button"}]}]), "type"),
    (_modal(components=[_text_input(custom_id="")]), "custom_id"),
    (_modal(components=[_text_input(custom_id="c" * 101)]), "custom_id"),
    (_modal(components=[_text_input(style=3)]), "style"),
    (_modal(components=[_text_input(label="")]), "label"),
    (_modal(components=[_text_input(label="l" * 46)]), "label"),
    (_modal(components=[_text_input(min_length=4001)]), "min_length"),
    (_modal(components=[_text_input(max_length=0)]), "max_length"),
    (_modal(components=[_text_input(max_length=4001)]), "max_length"),
    (_modal(components=[_text_input(value="v" * 4001)]), "value"),
    (_modal(components=[_text_input(value="v" * 11, max_length=10)]), "value"),
    (_modal(components=[_text_input(value="short", min_length=10)]), "value"),
    (_modal(components=[_text_input(placeholder="p" * 101)]), "placeholder"),
    (_modal(components=[_text_input(required="yes")]), "required"),
]


async def test_modal_callbacks_are_validated_as_discord_does(world: World) -> None:
    """Every limit Discord puts on a modal and its text inputs answers 400 (50035) and is
    recorded on the interaction; a modal within the limits opens."""
    res = await world.emu.invoke(world.alice, "silent", guild=world.guild, wait=False)
    await asyncio.sleep(0.2)
    url = f"{world.emu.api_base}/interactions/{res.id}/{res.token}/callback"
    async with aiohttp.ClientSession() as http:
        for modal, field in BAD_MODALS:
            async with http.post(url, json={"type": 9, "data": modal}) as response:
                body = await response.json()
                assert response.status == 400, (field, modal)
                assert body["code"] == 50035 and field in body["message"], (field, body)
            assert res.callback_type is None
        assert len(res.errors) == len(BAD_MODALS)
        longest = _modal(
            custom_id="c" * 100, title="t" * 45,
            components=[_text_input(custom_id=f"t{i}", label="l" * 45, value="v" * 4000,
                                    placeholder="p" * 100, min_length=0) for i in range(5)],
        )
        async with http.post(url, json={"type": 9, "data": longest}) as response:
            assert response.status == 200
    assert res.callback_type == 9 and res.modal is not None and res.modal["title"] == "t" * 45


async def test_lost_response_is_retried_and_deduplicated_by_nonce(world: World) -> None:
    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    world.emu.fail_next("/messages", 502, after_processing=True)
    msg = await channel.send("once", nonce="r-1")  # discord.py sleeps 1 s and retries
    stored = world.emu.channel_messages(world.general)
    assert [m.id for m in stored] == [msg.id]
    assert world.emu.stats.creates_per_nonce["r-1"] == 2
    assert world.emu.stats.nonce_duplicates == 1


async def test_interaction_deadline_and_token_lifetime(world: World) -> None:
    emu = world.emu
    assert emu.interaction_deadline == 3.0 and emu.interaction_token_lifetime == 900.0
    assert emu.enforce_interaction_deadline is False  # the default: late answers are counted

    # not enforced: a deferral 3.5 s after the interaction was created is accepted and counted
    res = await emu.invoke(world.alice, "slow", guild=world.guild, wait=False)
    res.created_at_monotonic -= 3.5  # before the bot has even seen it
    await res.wait_completed(5)
    assert res.content == "slow done" and emu.stats.late_responses == 1 and not res.errors

    # enforced, as on Discord: the late first response is 404 Unknown interaction (10062)
    emu.enforce_interaction_deadline = True
    res = await emu.invoke(world.alice, "slow", guild=world.guild, wait=False)
    res.created_at_monotonic -= 3.5
    deadline = time.monotonic() + 5
    while not world.rec.errors and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    [error] = world.rec.errors
    assert isinstance(error, app_commands.CommandInvokeError)
    assert isinstance(error.original, discord.NotFound) and error.original.code == 10062
    assert res.callback_type is None and res.errors == ["late response: Unknown interaction"]
    assert emu.stats.late_responses == 2
    assert any(st == 404 and f"/interactions/{res.id}/" in p for p, st, _ in emu.errors)

    # a deferred interaction's token works for 15 minutes: followups and edits 14 min later
    res = await emu.invoke(world.alice, "slow", guild=world.guild)
    assert res.callback_type == 5 and res.content == "slow done"
    res.created_at_monotonic -= 14 * 60
    hook = f"{emu.api_base}/webhooks/{emu.application_id}/{res.token}"
    async with aiohttp.ClientSession() as s:
        async with s.patch(hook + "/messages/@original", json={"content": "edited"}) as r:
            assert r.status == 200
        async with s.post(hook + "?wait=true", json={"content": "later"}) as r:
            assert r.status == 200
        assert res.content == "edited" and [m.content for m in res.followups] == ["later"]
        # and no longer: 401 Invalid Webhook Token (50027)
        res.created_at_monotonic -= 61
        async with s.patch(hook + "/messages/@original", json={"content": "x"}) as r:
            assert r.status == 401 and (await r.json())["code"] == 50027
        async with s.post(hook, json={"content": "too late"}) as r:
            assert r.status == 401 and (await r.json())["code"] == 50027
    assert res.content == "edited" and len(res.followups) == 1
