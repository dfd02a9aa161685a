"""IANA timezone names: validation with suggestions, and autocomplete search."""

from __future__ import annotations

import difflib
import functools
import zoneinfo

from bot.errors import UserError


@functools.cache
def all_zones() -> tuple[str, ...]:
    """Every IANA zone name, sorted, without the legacy `posix/` and `right/` copies."""
    names = {
        z
        for z in zoneinfo.available_timezones()
        if not z.startswith(("posix/", "right/", "Etc/GMT")) and z not in {"Factory", "localtime"}
    }
    names.add("UTC")
    return tuple(sorted(names))


# Names people type that are not IANA zones (Geneva is a city of Europe/Zurich's zone).
ALIASES = {
    "europe/geneva": "Europe/Zurich",
    "geneva": "Europe/Zurich",
    "davos": "Europe/Zurich",
    "washington": "America/New_York",
    "san_francisco": "America/Los_Angeles",
    "busan": "Asia/Seoul",
    "bali": "Asia/Makassar",
    "cet": "CET",
    "gmt": "UTC",
}


@functools.cache
def _by_lower() -> dict[str, str]:
    return {z.lower(): z for z in all_zones()}


def _simple(name: str) -> str:
    return name.lower().replace(" ", "_")


def suggest(text: str, limit: int = 3) -> list[str]:
    """Zones whose name is close to `text` (the city part counts as much as the whole)."""
    wanted = _simple(text.strip())
    cities = {z.rsplit("/", 1)[-1].lower(): z for z in all_zones()}
    close = difflib.get_close_matches(wanted, list(cities), n=limit, cutoff=0.6)
    out = [cities[c] for c in close]
    for z in difflib.get_close_matches(wanted, list(_by_lower()), n=limit, cutoff=0.6):
        name = _by_lower()[z]
        if name not in out:
            out.append(name)
    return out[:limit]


def validate_zone(text: str) -> str:
    """The canonical IANA name for `text`, or a UserError that suggests close names."""
    cleaned = text.strip()
    if not cleaned:
        raise UserError('Give a timezone such as "Europe/Geneva" or "America/New_York".')
    exact = _by_lower().get(_simple(cleaned)) or ALIASES.get(_simple(cleaned))
    if exact:
        return exact
    # A bare city: "geneva" -> Europe/Geneva.
    for zone in all_zones():
        if zone.rsplit("/", 1)[-1].lower() == _simple(cleaned):
            return zone
    hints = suggest(cleaned)
    hint = (
        f" Did you mean {', '.join(f'`{h}`' for h in hints)}?"
        if hints
        else ' Use an IANA name such as "Europe/Geneva".'
    )
    shown = cleaned if len(cleaned) <= 60 else cleaned[:57] + "..."
    raise UserError(f"I don't know the timezone \"{shown}\".{hint}")


def search(text: str, limit: int = 25) -> list[str]:
    """Autocomplete: zones containing `text`, those starting with it (or its city) first."""
    wanted = _simple(text.strip())
    if not wanted:
        popular = [
            "UTC", "Europe/Zurich", "Europe/London", "America/New_York", "America/Sao_Paulo",
            "Africa/Nairobi", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
            "America/Los_Angeles", "Asia/Kolkata", "Asia/Dubai",
        ]
        return popular[:limit]
    starts, contains = [], []
    for zone in all_zones():
        low = zone.lower()
        city = low.rsplit("/", 1)[-1]
        if low.startswith(wanted) or city.startswith(wanted):
            starts.append(zone)
        elif wanted in low:
            contains.append(zone)
    found = starts + contains
    if not found:
        found = suggest(text, limit)
    return found[:limit]


@functools.cache
def zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The tzinfo of an IANA name, or None for an empty or unknown name. The one place that
    turns a stored zone name into a tzinfo; cached, as ZoneInfo's own cache is small."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def zone_or_utc(name: str | None) -> zoneinfo.ZoneInfo:
    """`zone(name)`, falling back to UTC for an empty or unknown name."""
    return zone(name) or zoneinfo.ZoneInfo("UTC")
