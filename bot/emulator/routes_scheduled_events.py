"""Guild scheduled events: REST (list, create, get, modify, delete, users), their gateway events
(GUILD_SCHEDULED_EVENT_CREATE / UPDATE / DELETE / USER_ADD / USER_REMOVE, sent to sessions
with the GUILD_SCHEDULED_EVENTS intent), and the member side: `mark_interested`.

Checked as Discord does: the bot needs Manage Events (403 50013), the body is validated by
`validation.validate_scheduled_event` (400 50035), a finished or cancelled event cannot be
changed (400 180000), and status moves only scheduled -> active or cancelled, active ->
completed. "The future" is `emu.now()`, which tests set to the bot's clock.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .models import Guild, User
from .rest import HTTPError, json_response
from .routes_guilds import GuildRoutes
from .validation import parse_iso, validate_scheduled_event

MANAGE_EVENTS = 1 << 33
GUILD_SCHEDULED_EVENTS_INTENT = 1 << 16
#: status -> the statuses it may become
_MOVES = {1: {1, 2, 4}, 2: {2, 3}, 3: set(), 4: set()}
_FIELDS = (
    "name", "description", "privacy_level", "scheduled_start_time", "scheduled_end_time",
    "entity_type", "entity_metadata", "channel_id", "status", "image",
)


class ScheduledEventRoutes(GuildRoutes):
    """``/guilds/{guild_id}/scheduled-events[/{event_id}[/users]]``."""

    # ------------------------------------------------------------------ tests' side

    def guild_scheduled_events(self, guild: Guild | int) -> list[dict[str, Any]]:
        """Every scheduled event of the guild, cancelled and completed ones included."""
        gid = self._guild(guild).id
        return [dict(e) for e in self.scheduled_events.values() if e["guild_id"] == str(gid)]

    def interested_users(self, event_id: int) -> set[int]:
        return set(self._interested.get(int(event_id), set()))

    def mark_interested(self, user: User | int, event_id: int, interested: bool = True) -> None:
        """`user` clicks Interested on the event (or, with False, clicks it again to leave)."""
        event = self.scheduled_events.get(int(event_id))
        if event is None:
            raise ValueError(f"no scheduled event {event_id}")
        u = self._user(user)
        gid = int(event["guild_id"])
        if u.id not in self.guilds[gid].members:
            raise ValueError(f"user {u.name!r} is not a member of the event's guild")
        if event["status"] not in (1, 2):
            raise ValueError("only a scheduled or active event can be marked Interested")
        users = self._interested.setdefault(int(event_id), set())
        if interested == (u.id in users):
            return
        (users.add if interested else users.discard)(u.id)
        event["user_count"] = len(users)
        self._dispatch_event_gateway(
            gid,
            "GUILD_SCHEDULED_EVENT_USER_ADD" if interested else "GUILD_SCHEDULED_EVENT_USER_REMOVE",
            {"guild_scheduled_event_id": str(event_id), "user_id": str(u.id), "guild_id": str(gid)},
        )

    # ------------------------------------------------------------------ REST

    async def _list_scheduled_events(self, request: web.Request) -> web.StreamResponse:
        g = self._guild_or_404(request)
        with_count = request.query.get("with_user_count") in ("1", "true", "True")
        found = [
            self._event_json(e, with_count)
            for e in self.scheduled_events.values()
            if e["guild_id"] == str(g.id) and e["status"] in (1, 2)
        ]
        return json_response(found)

    async def _create_scheduled_event(self, request: web.Request) -> web.StreamResponse:
        g = self._guild_or_404(request)
        self._require_manage_events(g)
        body = await _json_body(request)
        error = validate_scheduled_event(body, self.now())
        if error is not None:
            raise HTTPError(400, f"Invalid Form Body: {error}", 50035)
        if body.get("channel_id") is not None:
            self._channel_or_404(int(body["channel_id"]))
        eid = self._ids.next()
        event: dict[str, Any] = {
            "id": str(eid),
            "guild_id": str(g.id),
            "channel_id": None,
            "creator_id": str(self.bot_user_id),
            "creator": self.bot_user.to_json(),
            "name": body["name"],
            "description": body.get("description"),
            "scheduled_start_time": _iso(body["scheduled_start_time"]),
            "scheduled_end_time": _iso(body.get("scheduled_end_time")),
            "privacy_level": 2,
            "status": 1,
            "entity_type": body["entity_type"],
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata"),
            "image": None,
            "recurrence_rule": None,
            "guild_scheduled_event_exceptions": [],
            "user_count": 0,
        }
        if body.get("channel_id") is not None:
            event["channel_id"] = str(body["channel_id"])
        self.scheduled_events[eid] = event
        self._dispatch_event_gateway(g.id, "GUILD_SCHEDULED_EVENT_CREATE", self._event_json(event))
        return json_response(self._event_json(event))

    async def _get_scheduled_event(self, request: web.Request) -> web.StreamResponse:
        _, event = self._event_or_404(request)
        with_count = request.query.get("with_user_count") in ("1", "true", "True")
        return json_response(self._event_json(event, with_count))

    async def _modify_scheduled_event(self, request: web.Request) -> web.StreamResponse:
        g, event = self._event_or_404(request)
        self._require_manage_events(g)
        body = await _json_body(request)
        if isinstance(body, dict):
            # The patch schema allows null for `status` and `entity_type`: unchanged.
            body = {k: v for k, v in body.items()
                    if not (k in ("status", "entity_type") and v is None)}
        if event["status"] in (3, 4):
            raise HTTPError(400, "Cannot update a finished event", 180000)
        error = validate_scheduled_event(body, self.now(), current=event)
        if error is not None:
            raise HTTPError(400, f"Invalid Form Body: {error}", 50035)
        status = body.get("status")
        if status is not None and status not in _MOVES[int(event["status"])]:
            raise HTTPError(
                400,
                f"Invalid Form Body: status: Cannot change status from {event['status']} to"
                f" {status}.",
                50035,
            )
        for key in _FIELDS:
            if key in body:
                value = body[key]
                if key in ("scheduled_start_time", "scheduled_end_time"):
                    value = _iso(value)
                event[key] = value
        if event["entity_type"] == 3:
            event["channel_id"] = None
        self._dispatch_event_gateway(g.id, "GUILD_SCHEDULED_EVENT_UPDATE", self._event_json(event))
        return json_response(self._event_json(event))

    async def _delete_scheduled_event(self, request: web.Request) -> web.StreamResponse:
        g, event = self._event_or_404(request)
        self._require_manage_events(g)
        del self.scheduled_events[int(event["id"])]
        self._interested.pop(int(event["id"]), None)
        self._dispatch_event_gateway(g.id, "GUILD_SCHEDULED_EVENT_DELETE", self._event_json(event))
        return web.Response(status=204)

    async def _scheduled_event_users(self, request: web.Request) -> web.StreamResponse:
        _, event = self._event_or_404(request)
        try:
            limit = int(request.query.get("limit", "100"))
        except ValueError:
            raise HTTPError(400, "Invalid Form Body: limit: Value is not int.", 50035) from None
        if not 1 <= limit <= 100:
            raise HTTPError(400, "Invalid Form Body: limit: Must be between 1 and 100.", 50035)
        after = int(request.query.get("after", "0") or 0)
        before = int(request.query.get("before", "0") or 0) or None
        ids = sorted(
            u for u in self._interested.get(int(event["id"]), set())
            if u > after and (before is None or u < before)
        )
        page = ids[-limit:] if before is not None and not after else ids[:limit]
        return json_response(
            [
                {"guild_scheduled_event_id": event["id"], "user_id": str(u),
                 "user": self.users[u].to_json()}
                for u in page
            ]
        )

    # ------------------------------------------------------------------ helpers

    def _require_manage_events(self, g: Guild) -> None:
        if not g.permissions_for(self.bot_user_id) & MANAGE_EVENTS:
            raise HTTPError(403, "Missing Permissions", 50013)

    def _event_or_404(self, request: web.Request) -> tuple[Guild, dict[str, Any]]:
        g = self._guild_or_404(request)
        raw = request.match_info["event_id"]
        event = self.scheduled_events.get(int(raw)) if raw.isdigit() else None
        if event is None or event["guild_id"] != str(g.id):
            raise HTTPError(404, "Unknown Guild Scheduled Event", 10070)
        return g, event

    def _event_json(self, event: dict[str, Any], with_count: bool = True) -> dict[str, Any]:
        data = dict(event)
        if not with_count:
            data.pop("user_count", None)
        return data

    def _dispatch_event_gateway(self, guild_id: int, name: str, data: dict[str, Any]) -> None:
        for s in self._sessions_for(guild_id):
            if s.intents & GUILD_SCHEDULED_EVENTS_INTENT:
                s.dispatch(name, data)


async def _json_body(request: web.Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise HTTPError(400, "The request body contains invalid JSON.", 50109) from None


def _iso(value: Any) -> str | None:
    parsed = parse_iso(value)
    return None if parsed is None else parsed.isoformat()
