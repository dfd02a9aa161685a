"""Application commands: the routes the bot syncs them with, and finding a synced command (or
subcommand) by its full name, as the user-side driver and the demo do."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from .models import Guild
from .options import SUB_COMMAND, SUB_COMMAND_GROUP
from .rest import HTTPError, json_response
from .validation import validate_commands
from .world import World


class CommandRoutes(World):
    """``/applications/{app_id}[/guilds/{guild_id}]/commands`` and the synced commands."""

    def _command_key(self, request: web.Request) -> Any:
        gid = request.match_info.get("guild_id")
        return "global" if gid is None else int(gid)

    async def _put_commands(self, request: web.Request) -> web.StreamResponse:
        if int(request.match_info["app_id"]) != self.application_id:
            raise HTTPError(403, "Missing Access", 50001)
        key = self._command_key(request)
        body = await request.json()
        problem = validate_commands(body)
        if problem is not None:
            raise HTTPError(400, f"Invalid Form Body: {problem}", 50035)
        previous = {c["name"]: c for c in self.commands.get(key, [])}
        stored: list[dict[str, Any]] = []
        for cmd in body:
            c = dict(cmd)
            old = previous.get(c.get("name", ""))
            c["id"] = old["id"] if old else str(self._ids.next())
            c["application_id"] = str(self.application_id)
            c["version"] = str(self._ids.next())
            c.setdefault("type", 1)
            c.setdefault("description", "")
            c.setdefault("options", [])
            c.setdefault("default_member_permissions", None)
            c.setdefault("nsfw", False)
            c.setdefault("contexts", None)
            c.setdefault("integration_types", [0])
            if key != "global":
                c["guild_id"] = str(key)
            stored.append(c)
        self.commands[key] = stored
        self.command_syncs += 1
        self._commands_event.set()
        return json_response(stored)

    async def _get_commands(self, request: web.Request) -> web.StreamResponse:
        return json_response(self.commands.get(self._command_key(request), []))

    async def wait_for_commands(self, timeout: float = 10) -> None:
        try:
            await asyncio.wait_for(self._commands_event.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"the bot did not sync its commands within {timeout}s") from None

    def _find_command(
        self, name: str, guild: Guild | None, cmd_type: int = 1
    ) -> tuple[dict[str, Any], list[str]]:
        parts = name.split()
        if not parts:
            raise ValueError("empty command name")
        pools: list[list[dict[str, Any]]] = []
        if guild is not None:
            pools.append(self.commands.get(guild.id, []))
        pools.append(self.commands.get("global", []))
        for pool in pools:
            for cmd in pool:
                if cmd.get("name") == parts[0] and int(cmd.get("type", 1)) == cmd_type:
                    return cmd, parts[1:]
        valid = sorted(self.command_names(guild))
        raise ValueError(
            f"unknown command {parts[0]!r}; valid commands: {', '.join(valid) or '(none synced)'}"
        )

    def command_names(self, guild: Guild | int | None = None) -> list[str]:
        """Full invocable names ("event add", "upcoming", "admin config set") of synced commands."""
        g = None if guild is None else self._guild(guild)
        cmds = list(self.commands.get("global", []))
        if g is not None:
            cmds += self.commands.get(g.id, [])
        names: list[str] = []

        def walk(prefix: str, options: list[dict[str, Any]]) -> bool:
            found = False
            for o in options:
                if o.get("type") == SUB_COMMAND:
                    names.append(f"{prefix} {o['name']}")
                    found = True
                elif o.get("type") == SUB_COMMAND_GROUP:
                    walk(f"{prefix} {o['name']}", o.get("options") or [])
                    found = True
            return found

        for c in cmds:
            if int(c.get("type", 1)) != 1:
                continue
            if not walk(c["name"], c.get("options") or []):
                names.append(c["name"])
        return names

    def command_schema(self, name: str, guild: Guild | int | None = None) -> dict[str, Any]:
        """The leaf (command or subcommand) schema for a full name."""
        g = None if guild is None else self._guild(guild)
        cmd, rest = self._find_command(name, g)
        leaf, _ = self._descend(cmd, rest, name)
        return leaf

    def _descend(
        self, cmd: dict[str, Any], rest: list[str], full: str
    ) -> tuple[dict[str, Any], list[tuple[str, int]]]:
        """Walk subcommand groups/subcommands; returns the leaf and the path of (name, type)."""
        node = cmd
        path: list[tuple[str, int]] = []
        for part in rest:
            subs = [
                o
                for o in node.get("options") or []
                if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)
            ]
            match = next((o for o in subs if o.get("name") == part), None)
            if match is None:
                valid = ", ".join(o["name"] for o in subs) or "(no subcommands)"
                raise ValueError(f"unknown subcommand {part!r} in {full!r}; valid: {valid}")
            path.append((part, int(match["type"])))
            node = match
        subs = [
            o
            for o in node.get("options") or []
            if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)
        ]
        if subs:
            valid = ", ".join(o["name"] for o in subs)
            raise ValueError(f"{full!r} needs a subcommand; valid: {valid}")
        return node, path
