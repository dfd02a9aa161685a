"""Issue 19, "the first hour": what a new secretariat types, read the way it meant it."""

from __future__ import annotations

import pytest

from bot.domain.when import validate_zone
from bot.errors import UserError


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("UTC+2", ["Europe/Athens", "Africa/Johannesburg", "Etc/GMT-2"]),
        ("GMT+3", ["Africa/Nairobi", "Etc/GMT-3"]),
        ("CET", ["Europe/Paris", "Europe/Zurich", "Etc/GMT-1"]),
        ("EST", ["America/New_York", "Etc/GMT+5"]),
        ("utc+5:30", ["Asia/Kolkata"]),
    ],
)
def test_a_zone_typed_as_an_offset_is_offered_the_zones_of_places(
    typed: str, offered: list[str]
) -> None:
    with pytest.raises(UserError) as err:
        validate_zone(typed)
    text = str(err.value)
    assert "daylight saving" in text
    for name in offered:
        assert f"`{name}`" in text
    assert "`UTC`" not in text


def test_the_offered_fixed_zone_is_accepted_and_utc_stays_utc() -> None:
    assert validate_zone("Etc/GMT-2") == "Etc/GMT-2"
    assert validate_zone("UTC") == "UTC"
    assert validate_zone("gmt") == "UTC"
    with pytest.raises(UserError, match="America/Los_Angeles"):
        validate_zone("PT")


def test_no_error_calls_geneva_an_iana_name() -> None:
    for typed in ("", "qqqqqqqqqq"):
        with pytest.raises(UserError) as err:
            validate_zone(typed)
        assert "Geneva" not in str(err.value)
    assert validate_zone("Europe/Geneva") == "Europe/Zurich"
