"""REST plumbing shared by every route: Discord-style JSON errors and reading request bodies."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import BodyPartReader, web

API_PREFIX = "/api/v10"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# (index, filename, bytes, content type) of each ``files[n]`` part of a multipart request
Files = list[tuple[int, str, bytes, str | None]]


class HTTPError(Exception):
    """Raised inside a handler to answer with a Discord-style JSON error."""

    def __init__(
        self, status: int, message: str, code: int = 0, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """JSON with ``Content-Type: application/json`` exactly (discord.py needs no charset)."""
    h = {"Content-Type": "application/json"}
    if headers:
        h.update(headers)
    return web.Response(
        body=json.dumps(data, separators=(",", ":")).encode(), status=status, headers=h
    )


async def read_payload(
    request: web.Request,
) -> tuple[dict[str, Any], list[tuple[int, str, bytes, str | None]]]:
    """JSON body, or multipart with ``payload_json`` and ``files[n]`` parts."""
    ctype = request.headers.get("Content-Type", "")
    files: list[tuple[int, str, bytes, str | None]] = []
    if ctype.startswith("multipart/"):
        payload: dict[str, Any] = {}
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            raw = await part.read(decode=False)
            if name == "payload_json":
                payload = json.loads(bytes(raw).decode())
            elif name.startswith("files[") or name.startswith("file"):
                try:
                    index = int(name[name.index("[") + 1 : name.index("]")])
                except ValueError:
                    index = len(files)
                filename = part.filename or f"file{index}"
                ct = part.headers.get("Content-Type")
                files.append((index, filename, bytes(raw), ct))
        return payload, files
    if request.can_read_body:
        text = await request.text()
        if text:
            data = json.loads(text)
            if isinstance(data, dict):
                return data, files
    return {}, files
