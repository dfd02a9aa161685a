"""REST routes of the rest: ``users/@me`` and users, the application, gateway info, stored
attachments' downloads, and 404 for anything else."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .rest import HTTPError, json_response
from .world import World


class MiscRoutes(World):
    """Users, the application, ``/gateway[/bot]``, ``/attachments/...`` and the catch-all 404."""

    async def _get_me(self, request: web.Request) -> web.StreamResponse:
        return json_response(self._me_json())

    async def _get_user(self, request: web.Request) -> web.StreamResponse:
        user = self.users.get(int(request.match_info["user_id"]))
        if user is None:
            raise HTTPError(404, "Unknown User", 10013)
        return json_response(user.to_json())

    async def _get_application(self, request: web.Request) -> web.StreamResponse:
        return json_response(
            {
                "id": str(self.application_id),
                "name": self.application_name,
                "description": "Concord (local emulator)",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.app_owner.to_json(),
                "verify_key": "0" * 64,
                "flags": 0,
                "interactions_endpoint_url": None,
                "team": None,
                "summary": "",
                "tags": [],
                "redirect_uris": [],
                "rpc_origins": [],
                "bot": self.bot_user.to_json(),
            }
        )

    def _gateway_info(self, bot: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"url": f"ws://{self.host}:{self.port}/gateway"}
        if bot:
            data["shards"] = 1
            data["session_start_limit"] = {
                "total": 1000,
                "remaining": 1000,
                "reset_after": 0,
                "max_concurrency": 16,
            }
        return data

    async def _get_gateway(self, request: web.Request) -> web.StreamResponse:
        return json_response(self._gateway_info(False))

    async def _get_gateway_bot(self, request: web.Request) -> web.StreamResponse:
        return json_response(self._gateway_info(True))

    async def _get_attachment(self, request: web.Request) -> web.StreamResponse:
        try:
            att = self._attachments[int(request.match_info["attachment_id"])]
        except (KeyError, ValueError):
            return web.Response(status=404, text="not found")
        return web.Response(
            body=att.data, content_type=att.content_type or "application/octet-stream"
        )

    async def _not_found(self, request: web.Request) -> web.StreamResponse:
        return json_response({"message": "404: Not Found", "code": 0}, 404)
