"""The benchmark's plots (issue 19, point 10): the `when` plot labels its bars with the typed
dates, and matplotlib must not hand them to dateutil's parser, which warned
"UnknownTimezoneWarning: tzname CET identified but not understood" into every run."""

from __future__ import annotations

import warnings
from pathlib import Path

from benchmarks.plots import _when


def test_the_when_plot_warns_about_no_timezone(tmp_path: Path) -> None:
    per = {
        "24 January 2014 18:00 CET": {"p50_ms": 0.1, "p99_ms": 0.2},
        "next friday 9am EST": {"p50_ms": 0.3, "p99_ms": 0.5},
    }
    results = [{"name": "when", "metrics": {"warm": {"per_input": per}}}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        name = _when(tmp_path, results)
    assert name == "when.png" and (tmp_path / "when.png").stat().st_size > 0
