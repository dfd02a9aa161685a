"""REST routes of channel messages: create (rate limits, nonces, blocked DMs), get, edit,
delete, list, and typing."""

from __future__ import annotations

import time

from aiohttp import web

from .messages import MessageStore
from .models import SentMessage
from .ratelimits import RateLimiting
from .rest import HTTPError, json_response, read_payload
from .validation import validate_message


class MessageRoutes(RateLimiting, MessageStore):
    """``/channels/{channel_id}/messages...`` and ``/channels/{channel_id}/typing``."""

    async def _create_message(self, request: web.Request) -> web.StreamResponse:
        channel_id = int(request.match_info["channel_id"])
        ch = self._channel_or_404(channel_id)
        headers, blocked_for = self._ratelimit_headers(channel_id, time.monotonic())
        if blocked_for > 0:
            headers.update({"Via": "1.1 google", "Retry-After": str(max(1, round(blocked_for)))})
            self.stats.status_429 += 1
            return json_response(
                {
                    "message": "You are being rate limited.",
                    "retry_after": round(blocked_for, 3),
                    "global": False,
                    "code": 0,
                },
                429,
                headers,
            )
        if ch.type == 1 and not self._accepts_dms(ch.recipient_id):
            raise HTTPError(403, "Cannot send messages to this user", 50007, headers)
        payload, files = await read_payload(request)
        nonce = payload.get("nonce")
        if nonce is not None:
            key = str(nonce)
            self.stats.creates_per_nonce[key] = self.stats.creates_per_nonce.get(key, 0) + 1
            if payload.get("enforce_nonce"):
                seen = self._nonces.setdefault(channel_id, {})
                hit = seen.get(key)
                now = time.monotonic()
                if hit is not None and now - hit[1] <= self.nonce_window:
                    self.stats.nonce_duplicates += 1
                    return json_response(self.message_json(hit[0]), 200, headers)
        if not (
            payload.get("content")
            or payload.get("embeds")
            or files
            or payload.get("components")
            or payload.get("sticker_ids")
            or payload.get("poll")
        ):
            raise HTTPError(400, "Cannot send an empty message", 50006, headers)
        problem = validate_message(payload)
        if problem:
            raise HTTPError(400, f"Invalid Form Body: {problem}", 50035, headers)
        msg = self._new_message(
            payload, files, channel_id=channel_id, guild_id=ch.guild_id, webhook=False
        )
        if nonce is not None and payload.get("enforce_nonce"):
            seen = self._nonces.setdefault(channel_id, {})
            if len(seen) > 10000:
                cutoff = time.monotonic() - self.nonce_window
                for k in [k for k, v in seen.items() if v[1] < cutoff]:
                    del seen[k]
            seen[str(nonce)] = (msg, msg.created_at_monotonic)
        self._record_channel_message(msg)
        return json_response(self.message_json(msg), 200, headers)

    def _accepts_dms(self, user_id: int | None) -> bool:
        """Whether a bot may DM this user, as Discord decides: not a bot, sharing a server
        with the bot, and not refusing DMs from server members (`block_dms`)."""
        user = self.users.get(user_id) if user_id is not None else None
        if user is None or user.bot or user_id in self._blocked_dms:
            return False
        return any(user_id in g.members for g in self.guilds.values())

    def _message_in_channel(self, request: web.Request) -> SentMessage:
        channel_id = int(request.match_info["channel_id"])
        self._channel_or_404(channel_id)
        try:
            msg = self._messages_by_id[int(request.match_info["message_id"])]
        except (KeyError, ValueError):
            raise HTTPError(404, "Unknown Message", 10008) from None
        if msg.channel_id != channel_id or msg.deleted:
            raise HTTPError(404, "Unknown Message", 10008)
        return msg

    async def _channel_message(self, request: web.Request) -> web.StreamResponse:
        msg = self._message_in_channel(request)
        if request.method == "GET":
            return json_response(self.message_json(msg))
        if request.method == "PATCH":
            payload, files = await read_payload(request)
            self._apply_edit(msg, payload, files)
            return json_response(self.message_json(msg))
        if request.method == "DELETE":
            msg.deleted = True
            return web.Response(status=204)
        raise HTTPError(405, "405: Method Not Allowed")

    async def _list_messages(self, request: web.Request) -> web.StreamResponse:
        channel_id = int(request.match_info["channel_id"])
        self._channel_or_404(channel_id)
        limit = min(100, int(request.query.get("limit", "50")))
        msgs = [m for m in self._channel_messages.get(channel_id, [])[-limit:] if not m.deleted]
        return json_response([self.message_json(m) for m in reversed(msgs)])

    async def _typing(self, request: web.Request) -> web.StreamResponse:
        self._channel_or_404(int(request.match_info["channel_id"]))
        return web.Response(status=204)
