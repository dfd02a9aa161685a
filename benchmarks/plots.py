"""PNG plots of the results (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

COLORS = {"sqlite": "#1f77b4", "postgresql": "#d62728"}


def _interactions(out: Path, results: list[dict[str, Any]]) -> str | None:
    found = [r for r in results if r["name"] == "interactions"]
    if not found:
        return None
    keys = list(found[0]["metrics"]["commands"])
    fig, (ax, rx) = plt.subplots(1, 2, figsize=(13, 4.8))
    width = 0.8 / (2 * len(found))
    for b, r in enumerate(found):
        cmds = r["metrics"]["commands"]
        color = COLORS.get(r["backend"], "grey")
        xs = [i + 2 * b * width - 0.4 + width / 2 for i in range(len(keys))]
        ax.bar(xs, [cmds[k]["p99_ms"] for k in keys], width, color=color,
               label=f"{r['backend']} Concord p99")
        ax.bar([x + width for x in xs], [cmds[k].get("bare", {}).get("p99_ms", 0) for k in keys],
               width, color=color, alpha=0.35, label=f"{r['backend']} bare discord.py p99")
        rx.bar([i + b * 2 * width - 0.4 + width for i in range(len(keys))],
               [cmds[k].get("p99_ratio", 0) for k in keys], 2 * width, color=color,
               label=r["backend"])
    labels = [k.replace(" sequential", "\nsequential").replace(" concurrent", "\nconcurrent")
              for k in keys]
    for axis in (ax, rx):
        axis.set_xticks(range(len(keys)))
        axis.set_xticklabels(labels, fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("p99 ms (INTERACTION_CREATE to answer)")
    ax.set_title("Interaction p99: Concord and the bare bot")
    ax.legend(fontsize=7)
    rx.axhline(3, color="orange", linestyle="--", linewidth=1, label="target 3x")
    rx.set_ylabel("Concord p99 / bare p99")
    rx.set_title("Ratio to the bare discord.py bot (same run)")
    rx.legend(fontsize=7)
    fig.tight_layout()
    path = out / "interactions.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def _lateness(out: Path, samples: dict[str, Any]) -> str | None:
    found = {k: v for k, v in samples.items() if k.startswith("lateness/") and v}
    if not found:
        return None
    fig, ax = plt.subplots(figsize=(10, 4.5))
    for key, s in found.items():
        backend = key.split("/")[1]
        ax.scatter(s["due_offset_s"], s["lateness_ms"], s=2, alpha=0.5,
                   color=COLORS.get(backend, "grey"), label=backend)
    ax.axhline(200, color="orange", linestyle="--", linewidth=1, label="target p99 200 ms")
    ax.set_xlabel("due time (s after the first reminder)")
    ax.set_ylabel("lateness ms (sent - due)")
    ax.set_title("Reminder lateness, no rate limits")
    ax.legend(fontsize=8, markerscale=5)
    fig.tight_layout()
    path = out / "lateness.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def _burst(out: Path, results: list[dict[str, Any]], samples: dict[str, Any]) -> str | None:
    found = [r for r in results if r["name"] == "burst"
             and samples.get(f"burst/{r['backend']}/{r['case']}")]
    if not found:
        return None
    cases = sorted({r["case"] for r in found})
    fig, axes = plt.subplots(1, len(cases), figsize=(6 * len(cases), 4.5), squeeze=False)
    for ax, case in zip(axes[0], cases, strict=True):
        for r in (r for r in found if r["case"] == case):
            times = samples[f"burst/{r['backend']}/{case}"]["sent_offset_s"]
            ax.step(times, range(1, len(times) + 1), where="post",
                    color=COLORS.get(r["backend"], "grey"),
                    label=f"{r['backend']}: {r['metrics']['delivery_s']} s, ratio {r['metrics']['ratio']}")
            bound = r["metrics"]["lower_bound_s"]
            ax.axvline(bound, color="green", linestyle="--", linewidth=1)
        ax.set_title(f"{case}: messages delivered (T = {bound} s dashed)")
        ax.set_xlabel("s after the first message")
        ax.set_ylabel("messages")
        ax.legend(fontsize=8)
    fig.tight_layout()
    path = out / "burst.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def _scale(out: Path, results: list[dict[str, Any]]) -> str | None:
    found = [r for r in results if r["name"] == "scale"]
    if not found:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    labels, startup, rss, colors = [], [], [], []
    for r in found:
        for size in ("small", "big"):
            m = r["metrics"][size]
            labels.append(f"{r['backend']}\n{m['pending']:,}")
            startup.append(m["startup_s"])
            rss.append(m["rss_steady_mb"])
            colors.append(COLORS.get(r["backend"], "grey"))
    left.bar(labels, startup, color=colors)
    left.axhline(3, color="orange", linestyle="--", linewidth=1)
    left.set_title("start-up to IDENTIFY (s), target 3 s")
    right.bar(labels, rss, color=colors)
    right.axhline(250, color="orange", linestyle="--", linewidth=1)
    right.set_title("steady RSS (MB), target 250 MB")
    for ax in (left, right):
        ax.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    path = out / "scale.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def _when(out: Path, results: list[dict[str, Any]]) -> str | None:
    found = [r for r in results if r["name"] == "when"]
    if not found:
        return None
    per = found[0]["metrics"]["warm"]["per_input"]
    texts = list(per)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    # Bars at positions, labelled afterwards: given the texts themselves as categories,
    # matplotlib tries each with dateutil's parser, which warns about "CET"
    # (UnknownTimezoneWarning) in every benchmark and test run.
    ys = list(range(len(texts)))
    ax.barh(ys, [per[t]["p99_ms"] for t in texts], color="#9467bd", alpha=0.6, label="p99")
    ax.barh(ys, [per[t]["p50_ms"] for t in texts], color="#9467bd", label="p50")
    ax.set_yticks(ys, texts)
    ax.axvline(5, color="orange", linestyle="--", linewidth=1, label="target 5 ms")
    ax.set_xlabel("ms per parse_when call (warm)")
    ax.tick_params(axis="y", labelsize=7)
    ax.invert_yaxis()
    ax.legend(fontsize=8)
    ax.set_title("when parsing, warm")
    fig.tight_layout()
    path = out / "when.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def write_plots(out: Path, data: dict[str, Any], samples: dict[str, Any]) -> list[str]:
    results = data["results"]
    made = [
        _interactions(out, results),
        _lateness(out, samples),
        _burst(out, results, samples),
        _scale(out, results),
        _when(out, results),
    ]
    return [m for m in made if m]
