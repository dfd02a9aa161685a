"""Time zones: IANA names checked and searched, stored names turned into tzinfo, and the zones
people write inside a date.

The first half is about zone *names*: `validate_zone` (with suggestions), `search` (autocomplete),
`zone`/`zone_or_utc` (the one place a stored name becomes a tzinfo). The second half reads zones
out of typed text for `parse_when`: abbreviations ("CET" is its literal offset), UTC offsets,
IANA names and city names, found at the end of a phrase by `strip_zone`."""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from bot.errors import UserError
from bot.i18n import Msg


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
    "gmt": "UTC",
    "utc": "UTC",
    "z": "UTC",
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
    """The canonical IANA name for `text`, or a UserError that suggests close names. An
    abbreviation or an offset as people type them ("CET", "EST", "UTC+2", "GMT+3") is refused
    with the zones of places that have it: a fixed offset ignores daylight saving time."""
    cleaned = text.strip()
    if not cleaned:
        raise UserError(Msg('Give a timezone such as "Europe/Zurich" or "America/New_York".'))
    exact = ALIASES.get(_simple(cleaned))
    if exact:
        return exact
    offered = offset_offer(cleaned)
    if offered is not None:
        raise UserError(offered)
    exact = _by_lower().get(_simple(cleaned)) or zone_index()[0].get(_simple(cleaned))
    if exact:
        return exact  # zone_index also knows the fixed "Etc/GMT-2" that offers name
    # A bare city: "geneva" -> Europe/Geneva.
    for zone in all_zones():
        if zone.rsplit("/", 1)[-1].lower() == _simple(cleaned):
            return zone
    hints = suggest(cleaned)
    shown = cleaned if len(cleaned) <= 60 else cleaned[:57] + "..."
    if hints:
        raise UserError(Msg(
            'I don\'t know the timezone "{zone}". Did you mean {zones}?', zone=shown,
            zones=", ".join(f"`{h}`" for h in hints),
        ))
    raise UserError(Msg(
        'I don\'t know the timezone "{zone}". Use an IANA name such as "Europe/Zurich" or'
        ' "America/New_York".', zone=shown,
    ))


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
    offered = offset_places(text)  # "UTC+2", "CET": the places, not "UTC" or "CET"
    if offered is not None:
        return offered[:limit]
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


# --------------------------------------------------------------------------- zones in typed text


@dataclass(frozen=True, slots=True)
class Zone:
    name: str  # IANA name kept with the event
    tz: tzinfo  # what local times are read in (a fixed offset for "CET", "UTC+2", "+02:00")
    fixed: bool = False


_ABBREVIATIONS: dict[str, tuple[str, float | None]] = {
    # abbreviation: (representative IANA zone, fixed offset in hours or None = follow the zone)
    "utc": ("UTC", 0),
    "z": ("UTC", 0),
    "ut": ("UTC", 0),
    "gmt": ("UTC", 0),
    "wet": ("Europe/Lisbon", 0),
    "west": ("Europe/Lisbon", 1),
    "bst": ("Europe/London", 1),
    "cet": ("Europe/Paris", 1),
    "cest": ("Europe/Paris", 2),
    "met": ("Europe/Paris", 1),
    "mest": ("Europe/Paris", 2),
    "eet": ("Europe/Athens", 2),
    "eest": ("Europe/Athens", 3),
    "msk": ("Europe/Moscow", 3),
    "wat": ("Africa/Lagos", 1),
    "cat": ("Africa/Maputo", 2),
    "sast": ("Africa/Johannesburg", 2),
    "eat": ("Africa/Nairobi", 3),
    "gst": ("Asia/Dubai", 4),
    "pkt": ("Asia/Karachi", 5),
    "ist": ("Asia/Kolkata", 5.5),
    "ict": ("Asia/Bangkok", 7),
    "wib": ("Asia/Jakarta", 7),
    "sgt": ("Asia/Singapore", 8),
    "hkt": ("Asia/Hong_Kong", 8),
    "awst": ("Australia/Perth", 8),
    "jst": ("Asia/Tokyo", 9),
    "kst": ("Asia/Seoul", 9),
    "acst": ("Australia/Adelaide", 9.5),
    "acdt": ("Australia/Adelaide", 10.5),
    "aest": ("Australia/Sydney", 10),
    "aedt": ("Australia/Sydney", 11),
    "nzst": ("Pacific/Auckland", 12),
    "nzdt": ("Pacific/Auckland", 13),
    "brt": ("America/Sao_Paulo", -3),
    "brst": ("America/Sao_Paulo", -2),
    "art": ("America/Argentina/Buenos_Aires", -3),
    "ast": ("America/Halifax", -4),
    "adt": ("America/Halifax", -3),
    "est": ("America/New_York", -5),
    "edt": ("America/New_York", -4),
    "cst": ("America/Chicago", -6),
    "cdt": ("America/Chicago", -5),
    "mst": ("America/Denver", -7),
    "mdt": ("America/Denver", -6),
    "pst": ("America/Los_Angeles", -8),
    "pdt": ("America/Los_Angeles", -7),
    "akst": ("America/Anchorage", -9),
    "akdt": ("America/Anchorage", -8),
    "hst": ("Pacific/Honolulu", -10),
    "et": ("America/New_York", None),
    "ct": ("America/Chicago", None),
    "mt": ("America/Denver", None),
    "pt": ("America/Los_Angeles", None),
}

# Places people name that have no IANA zone of their own (besides ALIASES above).
_CITY_ALIASES = {
    "geneve": "Europe/Zurich",
    "bern": "Europe/Zurich",
    "rio de janeiro": "America/Sao_Paulo",
    "brasilia": "America/Sao_Paulo",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "the hague": "Europe/Amsterdam",
}

# City parts of IANA names that are also ordinary words: never read as a zone from free text.
_NOT_CITIES = {
    "christmas",
    "easter",
    "general",
    "central",
    "eastern",
    "western",
    "pacific",
    "mountain",
    "midway",
    "resolute",
    "troll",
    "universal",
    "zulu",
    "navajo",
    "south",
    "north",
    "east",
    "west",
    "current",
    "chatham",
    "casey",
    "davis",
    "macquarie",
    "factory",
    "localtime",
}

_CONTINENTS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@functools.cache
def zone_index() -> tuple[dict[str, str], dict[str, str]]:
    """(lower-case IANA name -> name, lower-case city with spaces -> name), built once."""
    names = set(all_zones()) | {z for z in zoneinfo.available_timezones() if z.startswith("Etc/")}
    by_lower = {z.lower(): z for z in names}
    cities: dict[str, str] = {}
    for z in sorted(names):
        if not z.startswith(_CONTINENTS):
            continue
        city = z.rsplit("/", 1)[-1].lower().replace("_", " ")
        if city not in _NOT_CITIES:
            cities.setdefault(city, z)
    for alias, zone in (ALIASES | _CITY_ALIASES).items():
        if "/" in alias or alias.replace("_", " ") not in _ABBREVIATIONS:
            cities[alias.replace("_", " ")] = zone
    return by_lower, cities


@functools.cache
def zone_tzinfo(name: str) -> tzinfo:
    """The tzinfo of a name already checked (`validate_zone`, `zone_index`): unlike `zone`, an
    unknown name raises, and "UTC" is `datetime.UTC` itself."""
    if name == "UTC":
        return UTC
    return zoneinfo.ZoneInfo(name)


def member_zone(tz: str) -> Zone:
    """The member's or server's zone; an unknown name is a UserError with suggestions."""
    name = zone_index()[0].get(tz.strip().lower()) or validate_zone(tz)
    return Zone(name, zone_tzinfo(name))


def _fixed(hours: float, name: str | None = None) -> Zone:
    offset = timedelta(minutes=round(hours * 60))
    if name is None:
        whole = offset.total_seconds() / 3600
        if whole == 0:
            name = "UTC"
        elif whole.is_integer() and -12 <= whole <= 14:
            # IANA's Etc zones have the sign inverted: UTC+2 is Etc/GMT-2.
            name = f"Etc/GMT{-int(whole):+d}"
        else:
            name = "UTC"
    return Zone(name, UTC if offset == timedelta(0) else timezone(offset), fixed=True)


_OFFSET_RE = re.compile(r"(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?")


def offset_zone(text: str) -> Zone | None:
    if text == "z":
        return _fixed(0)
    m = _OFFSET_RE.fullmatch(text)
    if not m:
        return None
    hours = int(m.group(2)) + int(m.group(3) or 0) / 60
    if hours > 14:
        return None
    return _fixed(hours if m.group(1) == "+" else -hours)


def _zone_from_words(words: str) -> Zone | None:
    """A zone named by the last words of the text: abbreviation, UTC offset, IANA name, city."""
    if words in _ABBREVIATIONS:
        name, hours = _ABBREVIATIONS[words]
        if hours is None:
            return Zone(name, zone_tzinfo(name))
        return _fixed(hours, name)
    if words.startswith(("utc", "gmt")) and len(words) > 3:
        return offset_zone(words.replace(" ", ""))
    by_lower, cities = zone_index()
    # A city first: "singapore" is Asia/Singapore, not the legacy link "Singapore".
    found = cities.get(words.replace("_", " ")) or by_lower.get(words.replace(" ", "_"))
    if found is None:
        return None
    return Zone(found, zone_tzinfo(found))


def strip_zone(s: str) -> tuple[str, Zone | None]:
    """Take a trailing zone off `s`: "9 may 18:00 cet" -> ("9 may 18:00", CET)."""
    words = s.split(" ")
    if len(words) < 2:
        return s, None
    if words[-1] == "time" and len(words) > 2:
        stripped, zone = strip_zone(" ".join(words[:-1]))
        if zone is not None:
            return stripped, zone
    for n in (3, 2, 1):
        if len(words) <= n:
            continue
        candidate = " ".join(words[-n:])
        if n > 1 and not all(w.isalpha() for w in words[-n:]):
            continue
        zone = _zone_from_words(candidate)
        if zone is None:
            continue
        rest = words[:-n]
        if len(rest) > 1 and rest[-1] in ("in", "at") and not zone.fixed:
            rest = rest[:-1]
        return " ".join(rest), zone
    return s, None


# --------------------------------------------------------------------------- offsets as zones

# Zones of places people commonly mean, searched for an offset typed as a zone ("UTC+2").
_PLACES = (
    "America/Los_Angeles", "America/Denver", "America/Chicago", "America/Mexico_City",
    "America/New_York", "America/Toronto", "America/Halifax", "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires", "Atlantic/Azores", "Europe/London", "Europe/Lisbon",
    "Europe/Zurich", "Europe/Paris", "Europe/Berlin", "Africa/Lagos", "Africa/Cairo",
    "Africa/Johannesburg", "Europe/Athens", "Europe/Kyiv", "Africa/Nairobi", "Europe/Moscow",
    "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok",
    "Asia/Jakarta", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul",
    "Australia/Adelaide", "Australia/Sydney", "Pacific/Auckland", "Pacific/Honolulu",
    "America/Anchorage",
)
_WINTER = datetime(2014, 1, 15, 12, tzinfo=UTC)
_SUMMER = datetime(2014, 7, 15, 12, tzinfo=UTC)


def _places_at(offset: timedelta, first: str | None) -> list[str]:
    """Places whose clocks show `offset`: an abbreviation's own place (`first`) and others
    with that offset in the same season (CET in January, CEST in July); for a bare offset, three where it is winter time and three
    where it is summer time ("UTC+2" is Athens in January and Zurich in July)."""
    def at(moment: datetime) -> list[str]:
        return [n for n in _PLACES if zone_tzinfo(n).utcoffset(moment) == offset]

    if first is not None:  # the season in which the abbreviation's own place has it
        summer = zone_tzinfo(first).utcoffset(_WINTER) != offset
        return [first, *(n for n in at(_SUMMER if summer else _WINTER) if n != first)][:4]
    winter = at(_WINTER)[:3]
    return winter + [n for n in at(_SUMMER) if n not in winter][:3]


def _hours(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h}" + (f":{m:02d}" if m else "")


_TYPED_OFFSET_RE = re.compile(r"(?:utc|gmt)\s*[+-]\s*\d{1,2}(?::?\d{2})?")


def _typed_zone(words: str) -> Zone | None:
    """The zone of an abbreviation or an offset as typed ("cet", "utc+2"); None for anything
    else, for an offset no place has, and for UTC itself."""
    found = _zone_from_words(words) if words in _ABBREVIATIONS else None
    if found is None and _TYPED_OFFSET_RE.fullmatch(words):
        found = offset_zone(words.replace(" ", ""))
    if found is None or (found.name == "UTC" and words in ("utc", "gmt", "z", "ut")):
        return None
    return found


def _fixed_name(offset: timedelta) -> str | None:
    """IANA's fixed zone for a whole-hour offset ("Etc/GMT-2" is UTC+2); None otherwise."""
    if offset.total_seconds() % 3600 or not offset:
        return None
    return f"Etc/GMT{-int(offset.total_seconds() // 3600):+d}"


def _offer(found: Zone) -> tuple[list[str], str | None]:
    """The places a fixed `found` zone is offered (its own place first), and its Etc zone."""
    offset = found.tz.utcoffset(None) or timedelta(0)
    representative = found.name if "/" in found.name and not found.name.startswith("Etc/") else None
    return _places_at(offset, representative), _fixed_name(offset)


def offset_places(text: str) -> list[str] | None:
    """Autocomplete for a zone typed as an abbreviation or an offset: the zones of places with
    it, then the fixed zone; None when `text` is no such thing."""
    found = _typed_zone(" ".join(text.strip().lower().split()))
    if found is None:
        return None
    if not found.fixed:
        return [found.name]
    places, fixed = _offer(found)
    return places + ([fixed] if fixed else [])


def offset_offer(text: str) -> str | None:
    """For a zone typed as an abbreviation or an offset ("CET", "EST", "UTC+2", "GMT+3"), the
    sentence that offers the IANA zones of places with that offset; None for anything else
    (UTC and GMT themselves are UTC)."""
    words = " ".join(text.strip().lower().split())
    found = _typed_zone(words)
    if found is None:
        if _TYPED_OFFSET_RE.fullmatch(words) and offset_zone(words.replace(" ", "")) is None:
            return Msg(
                '"{text}" is not an offset a place has (they run from UTC-12 to UTC+14); choose'
                ' the zone of a place, e.g. "Europe/Zurich".', text=text.strip(),
            )
        return None
    if not found.fixed:  # "ET", "PT": the US zones themselves
        return Msg(
            '"{text}" names a region\'s time; choose its zone, `{zone}`, which follows its'
            " daylight saving time.", text=text.strip(), zone=found.name,
        )
    offset = found.tz.utcoffset(None) or timedelta(0)
    places, fixed = _offer(found)
    offer = ", ".join(f"`{p}`" for p in places) if places else "`UTC`"
    if fixed:
        return Msg(
            '"{text}" reads as a fixed offset ({offset}), which ignores daylight saving time;'
            " choose the zone of your place instead, e.g. {zones}; for {offset} all year,"
            " `{fixed}`.", text=text.strip(), offset=_hours(offset), zones=offer, fixed=fixed,
        )
    return Msg(
        '"{text}" reads as a fixed offset ({offset}), which ignores daylight saving time;'
        " choose the zone of your place instead, e.g. {zones}.", text=text.strip(),
        offset=_hours(offset), zones=offer,
    )
