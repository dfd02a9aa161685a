"""Discord's limits on what a bot sends: message payloads, autocomplete choices; snowflakes."""

from __future__ import annotations

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
