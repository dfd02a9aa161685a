"""The benchmark at smoke sizes on SQLite: every measurement runs against the real bot process
and writes well-formed results made of measured numbers."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from benchmarks.__main__ import main
from benchmarks.burst import lower_bound
from benchmarks.common import SMOKE, percentile, target
from benchmarks.report import summary
from benchmarks.runner import NAMES, run_all

pytestmark = pytest.mark.e2e


def numbers(value: Any, path: str = "") -> list[tuple[str, float]]:
    """Every number in a JSON value, with where it is."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [(path, float(value))]
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in numbers(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in numbers(v, f"{path}[{i}]")]
    return []


def test_percentile_and_lower_bound() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile(list(range(1, 101)), 99) == 99
    assert percentile([7.0], 99) == 7.0
    # 1,600 messages, the busiest channel 40: the per-channel limit dominates (35 s)
    assert lower_bound(1600, 40) == 35
    assert lower_bound(120, 3) == 2
    assert lower_bound(30, 1) == 0


@pytest.mark.slow
async def test_smoke_run_writes_measured_results(tmp_path: Path) -> None:
    data = await run_all(SMOKE, ["sqlite"], list(NAMES), tmp_path, argv=["--smoke"])

    written = json.loads((tmp_path / "results.json").read_text())
    assert written["results"] == data["results"]
    meta = written["meta"]
    assert meta["mode"] == "smoke" and meta["date"]
    assert meta["machine"]["cpu_count"] >= 1 and meta["machine"]["cpu_model"]
    assert meta["machine"]["ram_bytes"] > 0
    assert meta["versions"]["discord.py"].startswith("2.7")

    for where, value in numbers(written):
        assert math.isfinite(value), (where, value)
        if "delta" not in where:  # differences between two runs may go either way
            assert value >= 0, (where, value)

    by = {(r["name"], r.get("case", "")): r for r in written["results"]}
    assert set(by) == {
        ("when", ""), ("interactions", ""), ("lateness", ""), ("burst", "same_second"),
        ("burst", "same_instant"), ("burst", "backlog"), ("scale", ""), ("first_event_add", ""),
    }
    for r in written["results"]:
        assert r["conditions"] and r["bot"] and r["targets"], r["name"]
        for t in r["targets"]:
            assert set(t) >= {"metric", "target", "value", "met", "miss_by", "unit"}
            assert (t["miss_by"] is None) == (t["met"] is not False)

    commands = by[("interactions", "")]["metrics"]["commands"]
    assert len(commands) == 6  # three commands, sequential and concurrent
    for stats in commands.values():
        assert stats["n"] == SMOKE.interactions and stats["bad_answers"] == 0
        assert 0 < stats["p50_ms"] <= stats["p99_ms"] <= stats["max_ms"]
        # the bare discord.py bot answered the same load in the same run
        bare = stats["bare"]
        assert bare["n"] == 2 * SMOKE.interactions and bare["bad_answers"] == 0  # before + after
        assert stats["p99_ratio"] == round(stats["p99_ms"] / bare["p99_ms"], 2)
    for t in by[("interactions", "")]["targets"]:
        # 50 samples make no p99: reported, neither met nor missed
        assert t["unit"] == "x" and t["met"] is None and "too few samples" in t["note"]

    lateness = by[("lateness", "")]["metrics"]
    assert lateness["delivered"] == SMOKE.lateness_reminders and lateness["complete"]
    assert lateness["lateness"]["n"] == SMOKE.lateness_reminders

    for case in ("same_second", "same_instant", "backlog"):
        m = by[("burst", case)]["metrics"]
        assert m["complete"] and m["delivered"] == SMOKE.burst_reminders
        assert 0 < m["messages"] <= SMOKE.burst_reminders
        assert m["status_429"] == 0
        assert m["global_window_max"] <= 50
        if m["lower_bound_s"] > 0:
            assert m["ratio"] > 0
        # RSVP DMs ride the same burst: one merged DM per member, one DM channel opened each,
        # and T counts both (SPEC 13).
        members = SMOKE.burst_dm_members
        assert m["dm_messages"] == m["dm_messages_with_both_meetings"] == members
        assert m["dm_channels_opened"] == members
        assert m["requests"] == m["messages"] + 2 * members
        assert m["lower_bound_s"] == lower_bound(m["requests"], m["busiest_channel_messages"])
    # everything due at one instant is claimed together, so it merges per channel
    assert by[("burst", "same_instant")]["metrics"]["messages"] == SMOKE.burst_channels

    scale = by[("scale", "")]["metrics"]
    for size in ("small", "big"):
        assert scale[size]["startup_s"] > 0 and scale[size]["rss_steady_mb"] > 10
        assert scale[size]["messages_sent"] == 0  # nothing was due

    warm = by[("when", "")]["metrics"]["warm"]
    assert warm["all"]["p50_ms"] > 0
    first = by[("first_event_add", "")]["metrics"]
    assert first["answers_ok"] and first["first_ms"] > 0

    md = (tmp_path / "results.md").read_text()
    assert "| measurement | backend | metric | target | measured | result |" in md
    for png in ("interactions.png", "lateness.png", "burst.png", "scale.png", "when.png"):
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png


def test_summary_is_one_line_per_target() -> None:
    data = {"results": [
        {"name": "interactions", "backend": "sqlite", "targets": [
            target("/upcoming sequential p99 / bare p99", 2.5, 3, "x", op="<=", samples=1000),
            target("/comment concurrent p99 / bare p99", 3.4, 3, "x", op="<=", samples=1000),
            target("/comments list concurrent p99 / bare p99", 9.0, 3, "x", op="<=", samples=50),
        ]},
    ]}
    lines = summary(data).splitlines()
    assert len(lines) == 2 + 3
    assert lines[2].endswith("met") and "missed by 0.4 x" in lines[3]
    assert "too few samples (50)" in lines[4]


def test_command_line_rejects_unknown_measurements(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--smoke", "--only", "nonsense"])
    assert "unknown measurement" in capsys.readouterr().err
