"""Discord's limits on what a bot sends: message payloads, autocomplete choices; snowflakes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any


def validate_message(payload: dict[str, Any], *, partial: bool = False) -> str | None:
    """Discord's message limits; returns an error text (400 Invalid Form Body) or None."""
    content = payload.get("content")
    if content is not None and len(str(content)) > 2000:
        return f"content: Must be 2000 or fewer in length (got {len(str(content))})."
    embeds = payload.get("embeds")
    if embeds:
        if len(embeds) > 10:
            return f"embeds: Must be 10 or fewer in length (got {len(embeds)})."
        total = 0
        for i, e in enumerate(embeds):
            if not isinstance(e, dict):
                return f"embeds.{i}: must be an object"
            checks: list[tuple[str, Any, int]] = [
                ("title", e.get("title"), 256),
                ("description", e.get("description"), 4096),
                ("footer.text", (e.get("footer") or {}).get("text"), 2048),
                ("author.name", (e.get("author") or {}).get("name"), 256),
            ]
            fields = e.get("fields") or []
            if len(fields) > 25:
                return f"embeds.{i}.fields: Must be 25 or fewer in length."
            for j, f in enumerate(fields):
                checks.append((f"fields.{j}.name", f.get("name"), 256))
                checks.append((f"fields.{j}.value", f.get("value"), 1024))
                if not f.get("name") or not f.get("value"):
                    return f"embeds.{i}.fields.{j}: name and value are required."
            for name, value, limit in checks:
                if value is None:
                    continue
                n = len(str(value))
                total += n
                if n > limit:
                    return f"embeds.{i}.{name}: Must be {limit} or fewer in length (got {n})."
        if total > 6000:
            return f"embeds: Embed size exceeds maximum size of 6000 (got {total})."
    components = payload.get("components")
    if components and len(components) > 5 and not int(payload.get("flags") or 0) & (1 << 15):
        return "components: Must be 5 or fewer in length."
    return None


def _length(name: str, value: Any, low: int, high: int) -> str | None:
    if not isinstance(value, str) or not low <= len(value) <= high:
        got = len(value) if isinstance(value, str) else type(value).__name__
        return f"{name}: Must be between {low} and {high} in length (got {got})."
    return None


def _number(name: str, value: Any, low: int, high: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"{name}: Must be between {low} and {high} (got {value!r})."
    return None


def validate_text_input(field: Any, where: str) -> str | None:
    """A modal's text input (component type 4): custom_id 1-100, style 1 (short) or 2
    (paragraph), label 1-45, min_length 0-4000, max_length 1-4000, value up to 4000 and within
    min/max, placeholder up to 100, required a boolean."""
    if not isinstance(field, dict) or field.get("type") != 4:
        got = field.get("type") if isinstance(field, dict) else field
        return f"{where}.type: a modal's action row holds a text input (type 4), got {got!r}."
    problem = (
        _length(f"{where}.custom_id", field.get("custom_id"), 1, 100)
        or (None if field.get("style") in (1, 2) else f"{where}.style: Must be 1 or 2.")
        or _length(f"{where}.label", field.get("label"), 1, 45)
    )
    if problem:
        return problem
    low, high = field.get("min_length", 0), field.get("max_length", 4000)
    problem = _number(f"{where}.min_length", low, 0, 4000) or _number(
        f"{where}.max_length", high, 1, 4000
    )
    if problem:
        return problem
    if low > high:
        return f"{where}.min_length: Must be at most max_length ({high})."
    value = field.get("value")
    if value is not None:
        if not isinstance(value, str) or len(value) > 4000:
            return f"{where}.value: Must be 4000 or fewer in length."
        if value and not low <= len(value) <= high:
            return f"{where}.value: Must be between {low} and {high} in length (got {len(value)})."
    placeholder = field.get("placeholder")
    if placeholder is not None and (not isinstance(placeholder, str) or len(placeholder) > 100):
        return f"{where}.placeholder: Must be 100 or fewer in length."
    if "required" in field and not isinstance(field["required"], bool):
        return f"{where}.required: Must be a boolean."
    return None


def validate_modal(data: Any) -> str | None:
    """Discord's limits on a modal (interaction callback type 9): custom_id 1-100, title 1-45,
    1-5 action rows, each holding exactly one text input."""
    if not isinstance(data, dict):
        return "data: a modal is an object."
    problem = _length("custom_id", data.get("custom_id"), 1, 100) or _length(
        "title", data.get("title"), 1, 45
    )
    if problem:
        return problem
    rows = data.get("components")
    if not isinstance(rows, list) or not 1 <= len(rows) <= 5:
        n = len(rows) if isinstance(rows, list) else 0
        return f"components: Must be between 1 and 5 in length (got {n})."
    for i, row in enumerate(rows):
        inner = row.get("components") if isinstance(row, dict) else None
        if not isinstance(row, dict) or row.get("type") != 1 or not isinstance(inner, list):
            return f"components.{i}: Must be an action row (type 1)."
        if len(inner) != 1:
            return f"components.{i}.components: Must hold exactly one text input (got {len(inner)})."
        problem = validate_text_input(inner[0], f"components.{i}.components.0")
        if problem:
            return problem
    return None


def validate_choices(choices: Any) -> str | None:
    if not isinstance(choices, list):
        return "choices: must be a list"
    if len(choices) > 25:
        return f"choices: Must be 25 or fewer in length (got {len(choices)})."
    for i, c in enumerate(choices):
        name = str(c.get("name", "")) if isinstance(c, dict) else ""
        if not 1 <= len(name) <= 100:
            return f"choices.{i}.name: Must be between 1 and 100 in length."
        value = c.get("value")
        if isinstance(value, str) and len(value) > 100:
            return f"choices.{i}.value: Must be 100 or fewer in length."
    return None


def snowflake(value: Any) -> int:
    if isinstance(value, int):
        return value
    if hasattr(value, "id"):
        return int(value.id)
    return int(str(value))


# ------------------------------------------------------------------ application commands

#: Discord's locales (https://discord.com/developers/docs/reference#locales), with "ar".
LOCALES = frozenset(
    ["id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko", "ar"]
)
_COMMAND_NAME = re.compile(r"^[-_'\w\u0900-\u097f\u0e00-\u0e7f]{1,32}$")


def _name_problem(where: str, name: Any) -> str | None:
    """Discord's rule for command and option names: 1-32 letters, digits, - _ ', no spaces,
    lowercase where the script has case."""
    if not isinstance(name, str) or not _COMMAND_NAME.match(name) or name != name.lower():
        return f"{where}: Command name {name!r} is invalid (1-32 lowercase characters, no spaces)."
    return None


def _localizations(where: str, value: Any, check: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        return f"{where}: must be an object of locale -> string."
    for locale, text in value.items():
        if locale not in LOCALES:
            return f"{where}.{locale}: Invalid locale {locale!r}."
        problem = check(f"{where}.{locale}", text)
        if problem:
            return problem
    return None


def _described(where: str, item: dict[str, Any], *, description: bool) -> str | None:
    problem = _name_problem(f"{where}.name", item.get("name")) or _localizations(
        f"{where}.name_localizations", item.get("name_localizations"), _name_problem
    )
    if problem or not description:
        return problem
    return _length(f"{where}.description", item.get("description"), 1, 100) or _localizations(
        f"{where}.description_localizations",
        item.get("description_localizations"),
        lambda w, t: _length(w, t, 1, 100),
    )


def _unique_names(where: str, items: list[dict[str, Any]]) -> str | None:
    """Siblings may not share a name, in English or in any one locale."""
    seen: dict[str | None, set[str]] = {}
    for item in items:
        names = {None: item.get("name"), **(item.get("name_localizations") or {})}
        for locale, name in names.items():
            if name in seen.setdefault(locale, set()):
                return f"{where}: duplicate name {name!r}" + (f" in {locale}." if locale else ".")
            seen[locale].add(str(name))
    return None


def _validate_options(where: str, options: Any) -> str | None:
    if options is None:
        return None
    if not isinstance(options, list) or len(options) > 25:
        return f"{where}: Must be 25 or fewer in length."
    for i, option in enumerate(options):
        at = f"{where}.{i}"
        if not isinstance(option, dict):
            return f"{at}: must be an object."
        problem = _described(at, option, description=True)
        if problem:
            return problem
        for j, choice in enumerate(option.get("choices") or ()):
            problem = _localizations(
                f"{at}.choices.{j}.name_localizations",
                choice.get("name_localizations") if isinstance(choice, dict) else None,
                lambda w, t: _length(w, t, 1, 100),
            )
            if problem:
                return problem
        if option.get("choices") is not None:
            problem = validate_choices(option["choices"])
            if problem:
                return f"{at}.{problem}"
        problem = _validate_options(f"{at}.options", option.get("options"))
        if problem:
            return problem
    return _unique_names(where, options)


def validate_commands(commands: Any) -> str | None:
    """What Discord checks in a bulk overwrite of application commands: names (and their
    `name_localizations`) 1-32 lowercase characters without spaces, descriptions (and their
    `description_localizations`) 1-100 characters for slash commands, known locales only,
    at most 25 options, and no two siblings with one name in any locale."""
    if not isinstance(commands, list):
        return "commands: must be a list."
    for i, command in enumerate(commands):
        if not isinstance(command, dict):
            return f"{i}: must be an object."
        slash = int(command.get("type", 1)) == 1
        problem = _described(str(i), command, description=slash) or _validate_options(
            f"{i}.options", command.get("options")
        )
        if problem:
            return problem
    return _unique_names("commands", commands)


# Guild scheduled events (GuildScheduledEventCreateRequest / ...PatchRequest): entity types
# 1 stage instance, 2 voice, 3 external; privacy level 2 (guild only) is the one value.
SCHEDULED_EVENT_ENTITY_TYPES = (1, 2, 3)
EXTERNAL_ENTITY = 3


def parse_iso(value: Any) -> datetime | None:
    """An ISO8601 timestamp with its offset, as Discord accepts it; None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def validate_scheduled_event(
    body: Any, now: datetime, *, current: dict[str, Any] | None = None
) -> str | None:
    """Discord's checks on creating (`current` None) or modifying a guild scheduled event;
    returns an error text (400 Invalid Form Body, 50035) or None."""
    if not isinstance(body, dict):
        return "Must be an object."
    creating = current is None
    merged: dict[str, Any] = dict(current or {})
    merged.update(body)
    required = ("name", "privacy_level", "scheduled_start_time", "entity_type")
    for key in required if creating else ():
        if body.get(key) is None:
            return f"{key}: This field is required"
    if "name" in body and (err := _length("name", body["name"], 1, 100)):
        return err
    description = body.get("description")
    if description is not None and (err := _length("description", description, 0, 1000)):
        return err
    if "privacy_level" in body and body["privacy_level"] != 2:
        return f"privacy_level: Value must be one of (2,) (got {body['privacy_level']!r})."
    entity_type = merged.get("entity_type")
    if entity_type not in SCHEDULED_EVENT_ENTITY_TYPES:
        return f"entity_type: Value must be one of {SCHEDULED_EVENT_ENTITY_TYPES}."
    start = parse_iso(merged.get("scheduled_start_time"))
    if start is None:
        return "scheduled_start_time: Could not interpret the value as an ISO8601 timestamp."
    if "scheduled_start_time" in body and start <= now:
        return "scheduled_start_time: Cannot schedule event in the past."
    end_value = merged.get("scheduled_end_time")
    end = parse_iso(end_value)
    if end_value is not None and end is None:
        return "scheduled_end_time: Could not interpret the value as an ISO8601 timestamp."
    if end is not None and end <= start:
        return "scheduled_end_time: Cannot schedule event to end before starting."
    if entity_type == EXTERNAL_ENTITY:
        if merged.get("channel_id") is not None:
            return "channel_id: Must be null for an external event."
        metadata = merged.get("entity_metadata")
        location = metadata.get("location") if isinstance(metadata, dict) else None
        if location is None:
            return "entity_metadata.location: This field is required"
        if err := _length("entity_metadata.location", location, 1, 100):
            return err
        if end is None:
            return "scheduled_end_time: This field is required"
    elif merged.get("channel_id") is None:
        return "channel_id: This field is required"
    if "status" in body and body["status"] not in (1, 2, 3, 4):
        return f"status: Value must be one of (1, 2, 3, 4) (got {body['status']!r})."
    return None
