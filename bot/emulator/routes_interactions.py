"""REST routes of interaction responses: the callback (reply, defer, update, choices, modal)
and the interaction webhook (followups, edits and deletes of ``@original``)."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from .messages import MessageStore
from .models import InteractionResult, SentMessage
from .rest import HTTPError, json_response, read_payload
from .validation import validate_choices, validate_message, validate_modal


class InteractionRoutes(MessageStore):
    """``/interactions/{id}/{token}/callback`` and ``/webhooks/{app_id}/{token}...``."""

    async def _interaction_callback(self, request: web.Request) -> web.StreamResponse:
        try:
            res = self.interactions[int(request.match_info["interaction_id"])]
        except (KeyError, ValueError):
            raise HTTPError(404, "Unknown interaction", 10062) from None
        if res.token != request.match_info["token"]:
            raise HTTPError(401, "Invalid Webhook Token", 50027)
        payload, files = await read_payload(request)
        if res.callback_type is not None:
            raise HTTPError(400, "Interaction has already been acknowledged.", 40060)
        late = time.monotonic() - res.created_at_monotonic > self.interaction_deadline
        if late:
            self.stats.late_responses += 1
            if self.enforce_interaction_deadline:
                res.errors.append("late response: Unknown interaction")
                raise HTTPError(404, "Unknown interaction", 10062)
        ctype = int(payload.get("type", 0))
        data = payload.get("data") or {}
        problem: str | None = None
        if ctype in (4, 7):
            problem = validate_message(data)
        elif ctype == 8:
            problem = validate_choices(data.get("choices") or [])
        elif ctype == 9:
            problem = validate_modal(data)
        if problem:
            res.errors.append(problem)
            raise HTTPError(400, f"Invalid Form Body: {problem}", 50035)
        res.callback_type = ctype
        res.callback_data = data
        message: SentMessage | None = None
        flags = int(data.get("flags") or 0)
        if ctype == 4:
            res.ephemeral = bool(flags & 64)
            message = self._new_message(
                data,
                files,
                channel_id=res.channel_id,
                guild_id=res.guild_id,
                webhook=False,
                interaction_id=res.id,
            )
            res.original = message
        elif ctype == 5:
            res.ephemeral = bool(flags & 64)
            message = self._new_message(
                {"flags": flags & 64},
                [],
                channel_id=res.channel_id,
                guild_id=res.guild_id,
                webhook=False,
                interaction_id=res.id,
                extra_flags=128,
            )
            res._placeholder = message
        elif ctype in (6, 7):
            source = res.source_message
            if source is not None:
                if ctype == 7:
                    self._apply_edit(source, data, files)
                    res.edits += 1
                res.original = source
                res.ephemeral = source.ephemeral
                message = source
        elif ctype == 8:
            res.choices = list(data.get("choices") or [])
        elif ctype == 9:
            res.modal = data
            self.opened_modals[str(data["custom_id"])] = data
        res._mark_responded()
        body: dict[str, Any] = {
            "interaction": {
                "id": str(res.id),
                "type": res.type,
                "activity_instance_id": None,
                "response_message_id": str(message.id) if message is not None else None,
                "response_message_loading": ctype == 5,
                "response_message_ephemeral": res.ephemeral,
            }
        }
        if message is not None:
            body["resource"] = {"type": ctype, "message": self.message_json(message)}
        elif ctype not in (1,):
            body["resource"] = {"type": ctype}
        return json_response(body)

    def _interaction_for_webhook(self, request: web.Request) -> InteractionResult:
        if int(request.match_info["app_id"]) != self.application_id:
            raise HTTPError(404, "Unknown Webhook", 10015)
        res = self._interactions_by_token.get(request.match_info["token"])
        if res is None:
            raise HTTPError(404, "Unknown Webhook", 10015)
        if time.monotonic() - res.created_at_monotonic > self.interaction_token_lifetime:
            res.errors.append("expired interaction token: Invalid Webhook Token")
            raise HTTPError(401, "Invalid Webhook Token", 50027)
        return res

    async def _webhook_execute(self, request: web.Request) -> web.StreamResponse:
        res = self._interaction_for_webhook(request)
        if res.callback_type is None:
            raise HTTPError(404, "Unknown Webhook", 10015)
        payload, files = await read_payload(request)
        problem = validate_message(payload)
        if problem:
            res.errors.append(problem)
            raise HTTPError(400, f"Invalid Form Body: {problem}", 50035)
        placeholder = res._placeholder
        if placeholder is not None and res.original is None:
            # Discord: the first followup to a deferral that is still loading resolves it: it
            # becomes the loading message, as ephemeral as the deferral whatever its own flags
            # say, and is the interaction's original response from then on.
            edit = {k: v for k, v in payload.items() if k != "flags"}
            self._apply_edit(placeholder, edit, files)
            res._placeholder = None
            res.original = msg = placeholder
            res.resolved_by_followup = True
        else:
            msg = self._new_message(
                payload,
                files,
                channel_id=res.channel_id,
                guild_id=res.guild_id,
                webhook=True,
                interaction_id=res.id,
            )
            res.followups.append(msg)
        res._mark_completed()
        res._notify()
        if request.query.get("wait", "").lower() in ("1", "true"):
            return json_response(self.message_json(msg))
        return web.Response(status=204)

    async def _webhook_message(self, request: web.Request) -> web.StreamResponse:
        res = self._interaction_for_webhook(request)
        mid = request.match_info["message_id"]
        msg: SentMessage | None
        if mid == "@original":
            msg = res.original or res._placeholder
            if msg is None and res.source_message is not None and res.type == 3:
                msg = res.source_message
        else:
            msg = next((m for m in res.followups if str(m.id) == mid), None)
            if msg is None and res.original is not None and str(res.original.id) == mid:
                msg = res.original
        if msg is None or msg.deleted:
            raise HTTPError(404, "Unknown Message", 10008)
        if request.method == "GET":
            return json_response(self.message_json(msg))
        if request.method == "PATCH":
            payload, files = await read_payload(request)
            self._apply_edit(msg, payload, files)
            res.edits += 1
            if mid == "@original" or msg is res._placeholder:
                res.original = msg
                res._placeholder = None
                res._mark_completed()
            res._notify()
            return json_response(self.message_json(msg))
        if request.method == "DELETE":
            msg.deleted = True
            if msg is res.original:
                res.original = None
            if msg in res.followups:
                res.followups.remove(msg)
            if msg is res._placeholder:
                res._placeholder = None
            res._mark_completed()
            res._notify()
            return web.Response(status=204)
        raise HTTPError(405, "405: Method Not Allowed")
