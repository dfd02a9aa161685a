"""Options of an invoked command as the user would fill them in: checked against the synced
schema, coerced to their types, and users, roles, channels and attachments resolved."""

from __future__ import annotations

from typing import Any

from .messages import MessageStore
from .models import Guild, Role, StoredAttachment, User
from .validation import snowflake

# Option types
SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
NUMBER = 10
ATTACHMENT = 11

OPTION_TYPE_NAMES = {
    STRING: "string",
    INTEGER: "integer",
    BOOLEAN: "boolean",
    USER: "user",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "mentionable",
    NUMBER: "number",
    ATTACHMENT: "attachment",
}


class RangeRefused(ValueError):
    """A value Discord's client would not send: outside the option's range or length."""


class OptionCoercion(MessageStore):
    """Builds the ``options`` and ``resolved`` of an interaction's data from Python values."""

    #: Discord's client refuses a number outside an option's ``min_value``/``max_value`` and a
    #: string outside its ``min_length``/``max_length`` before sending anything; so does the
    #: emulator. False sends such values on, as a client that does not check would.
    check_option_ranges: bool = True

    def _build_options(
        self,
        leaf: dict[str, Any],
        values: dict[str, Any],
        guild: Guild | None,
        actor: User,
        full: str,
        *,
        focused: str | None = None,
        check_required: bool = True,
    ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        schema = {o["name"]: o for o in leaf.get("options") or []}
        unknown = [k for k in values if k not in schema]
        if unknown:
            valid = ", ".join(
                f"{o['name']}({OPTION_TYPE_NAMES.get(int(o['type']), o['type'])}"
                f"{', required' if o.get('required') else ''})"
                for o in schema.values()
            )
            raise ValueError(
                f"{full!r}: unknown option(s) {', '.join(unknown)}; valid: {valid or '(none)'}"
            )
        if focused is not None and focused not in schema:
            raise ValueError(f"{full!r}: focused option {focused!r} does not exist")
        if check_required:
            missing = [n for n, o in schema.items() if o.get("required") and n not in values]
            if missing:
                raise ValueError(f"{full!r}: missing required option(s) {', '.join(missing)}")
        resolved: dict[str, dict[str, Any]] = {}
        options: list[dict[str, Any]] = []
        for name, value in values.items():
            opt = schema[name]
            is_focused = name == focused
            entry: dict[str, Any] = {
                "name": name,
                "type": int(opt["type"]),
                "value": self._coerce_option(
                    opt, value, guild, resolved, actor, focused=is_focused
                ),
            }
            if is_focused:
                entry["focused"] = True
            options.append(entry)
        if focused is not None and focused not in values:
            options.append(
                {
                    "name": focused,
                    "type": int(schema[focused]["type"]),
                    "value": "",
                    "focused": True,
                }
            )
        return options, resolved

    def _coerce_option(
        self,
        opt: dict[str, Any],
        value: Any,
        guild: Guild | None,
        resolved: dict[str, dict[str, Any]],
        actor: User,
        *,
        focused: bool = False,
    ) -> Any:
        otype = int(opt["type"])
        name = opt["name"]
        if focused:
            return "" if value is None else str(value)
        choices = opt.get("choices") or []
        if choices:
            for ch in choices:
                if value == ch.get("value") or (isinstance(value, str) and value == ch.get("name")):
                    value = ch["value"]
                    break
            else:
                # Allow "2" for an integer choice 2.
                str_values = {str(c.get("value")): c.get("value") for c in choices}
                if str(value) in str_values:
                    value = str_values[str(value)]
                else:
                    valid = ", ".join(f"{c.get('name')}={c.get('value')!r}" for c in choices)
                    raise ValueError(f"option {name!r}: {value!r} is not a choice; valid: {valid}")
        try:
            if otype == STRING:
                return self._in_range(opt, str(value))
            if otype == INTEGER:
                if isinstance(value, bool):
                    raise ValueError
                return self._in_range(opt, int(value))
            if otype == NUMBER:
                return self._in_range(opt, float(value))
            if otype == BOOLEAN:
                if isinstance(value, str):
                    low = value.lower()
                    if low in ("true", "yes", "1", "on"):
                        return True
                    if low in ("false", "no", "0", "off"):
                        return False
                    raise ValueError
                return bool(value)
        except RangeRefused:
            raise
        except (TypeError, ValueError):
            raise ValueError(
                f"option {name!r} expects {OPTION_TYPE_NAMES.get(otype, otype)}, got {value!r}"
            ) from None
        if otype == USER:
            return self._resolve_member_or_user(value, guild, resolved)
        if otype == ROLE:
            return self._resolve_role(value, guild, resolved)
        if otype == MENTIONABLE:
            rid = snowflake(value)
            if isinstance(value, Role) or (guild is not None and guild.role(rid) is not None):
                return self._resolve_role(value, guild, resolved)
            return self._resolve_member_or_user(value, guild, resolved)
        if otype == CHANNEL:
            cid = snowflake(value)
            ch = self.channels.get(cid)
            if ch is None:
                raise ValueError(f"option {name!r}: unknown channel {cid}")
            resolved.setdefault("channels", {})[str(cid)] = self._channel_json(
                ch, for_user=actor.id
            )
            return str(cid)
        if otype == ATTACHMENT:
            if isinstance(value, StoredAttachment):
                att = value
            elif isinstance(value, tuple) and len(value) in (2, 3):
                ct = value[2] if len(value) == 3 else None
                att = self._store_attachment(str(value[0]), bytes(value[1]), ct)
            elif isinstance(value, bytes | bytearray):
                att = self._store_attachment(f"{name}.bin", bytes(value), None)
            else:
                raise ValueError(
                    f"option {name!r} expects an attachment: (filename, bytes) or bytes"
                )
            resolved.setdefault("attachments", {})[str(att.id)] = {
                **self._attachment_json(att),
                "ephemeral": True,
            }
            return str(att.id)
        return value

    def _in_range(self, opt: dict[str, Any], value: Any) -> Any:
        """`value`, or Discord's client-side refusal when it is outside the option's range."""
        if not self.check_option_ranges:
            return value
        if isinstance(value, str):
            low, high, size = opt.get("min_length"), opt.get("max_length"), len(value)
            what = f"{size} characters"
        else:
            low, high, size = opt.get("min_value"), opt.get("max_value"), value
            what = repr(value)
        if low is not None and size < low:
            raise RangeRefused(f"option {opt['name']!r}: {what}; it must be at least {low}")
        if high is not None and size > high:
            raise RangeRefused(f"option {opt['name']!r}: {what}; it must be at most {high}")
        return value

    def _resolve_member_or_user(
        self, value: Any, guild: Guild | None, resolved: dict[str, dict[str, Any]]
    ) -> str:
        uid = snowflake(value)
        user = self.users.get(uid)
        if user is None:
            raise ValueError(f"unknown user {uid}")
        resolved.setdefault("users", {})[str(uid)] = user.to_json()
        if guild is not None and uid in guild.members:
            resolved.setdefault("members", {})[str(uid)] = guild.members[uid].to_json(
                include_user=False, permissions=guild.permissions_for(uid)
            )
        return str(uid)

    def _resolve_role(
        self, value: Any, guild: Guild | None, resolved: dict[str, dict[str, Any]]
    ) -> str:
        rid = snowflake(value)
        if guild is None or guild.role(rid) is None:
            raise ValueError(f"unknown role {rid} (roles need a guild)")
        role = guild.role(rid)
        assert role is not None
        resolved.setdefault("roles", {})[str(rid)] = role.to_json()
        return str(rid)
