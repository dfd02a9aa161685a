"""results.json -> results.md: the targets table, then each measurement's numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Hand-written analysis of the misses (profiles, causes), kept next to the results.
NOTES_NAME = "analysis.md"


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _met(t: dict[str, Any]) -> str:
    if t["met"] is None:
        return t.get("note") or "n/a"
    if t["met"]:
        return "met"
    return f"**missed** by {_fmt(t['miss_by'])} {t['unit']}"


def _label(r: dict[str, Any]) -> str:
    return r["name"] + (f" ({r['case']})" if r.get("case") else "")


def targets_table(results: list[dict[str, Any]]) -> list[str]:
    lines = ["| measurement | backend | metric | target | measured | result |",
             "|---|---|---|---|---|---|"]
    for r in results:
        for t in r.get("targets", []):
            lines.append(f"| {_label(r)} | {r['backend']} | {t['metric']} | {t['target']} |"
                         f" {_fmt(t['value'])} {t['unit']} | {_met(t)} |")
    return lines


def _by(results: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [r for r in results if r["name"] == name]


def interactions_section(results: list[dict[str, Any]]) -> list[str]:
    found = _by(results, "interactions")
    if not found:
        return []
    out = ["## 1. Interactions", "", found[0]["conditions"], "",
           "| backend | command | mode | n | p50 ms | p99 ms | bare p50 ms | bare p99 ms |"
           " p50 ratio | p99 ratio | max ms | per s | bot CPU | driver CPU | bot CPU ms each |"
           " bare CPU ms each | bad answers |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in found:
        for key, m in r["metrics"]["commands"].items():
            command, mode = key.rsplit(" ", 1)
            bare = m.get("bare", {})
            out.append(f"| {r['backend']} | `{command}` | {mode} | {_fmt(m['n'])} |"
                       f" {_fmt(m['p50_ms'])} | {_fmt(m['p99_ms'])} | {_fmt(bare.get('p50_ms'))} |"
                       f" {_fmt(bare.get('p99_ms'))} | {_fmt(m.get('p50_ratio'))} |"
                       f" **{_fmt(m.get('p99_ratio'))}** | {_fmt(m['max_ms'])} |"
                       f" {_fmt(m['throughput_per_s'])} | {_fmt(m.get('bot_cpu_share'))} |"
                       f" {_fmt(m.get('driver_cpu_share'))} | {_fmt(m.get('bot_cpu_ms_per_interaction'))} |"
                       f" {_fmt(bare.get('bot_cpu_ms_per_interaction'))} |"
                       f" {m['bad_answers']} + {bare.get('bad_answers', 0)} bare |")
    out += ["", "CPU columns: CPU seconds per wall second of the bot process and of the benchmark"
            " process (emulator + load generator); 1.0 is one of the machine's cores kept busy."]
    out.append("")
    for r in found:
        seed = r["seed"]["seed_seconds"]
        out.append(f"- {r['backend']}: seeded in " + ", ".join(f"{k} {v} s" for k, v in seed.items())
                   + f"; answers later than 3 s: {r['metrics']['late_responses_over_3s']};"
                   f" bot start-up {r['metrics']['bot_startup_s']} s.")
    return [*out, ""]


def lateness_section(results: list[dict[str, Any]]) -> list[str]:
    found = _by(results, "lateness")
    if not found:
        return []
    out = ["## 2. Reminder lateness", "", found[0]["conditions"], "",
           "| backend | reminders | delivered | messages | p50 ms | p90 ms | p99 ms | max ms |"
           " bot CPU share | ready before first due |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in found:
        m = r["metrics"]
        s = m["lateness"]
        out.append(f"| {r['backend']} | {_fmt(m['reminders'])} | {_fmt(m['delivered'])} |"
                   f" {_fmt(m['messages'])} | {_fmt(s['p50_ms'])} | {_fmt(s['p90_ms'])} |"
                   f" {_fmt(s['p99_ms'])} | {_fmt(s['max_ms'])} | {_fmt(m['bot_cpu_share'])} |"
                   f" {_fmt(m['ready_before_first_due'])} |")
    return [*out, ""]


def burst_section(results: list[dict[str, Any]]) -> list[str]:
    found = _by(results, "burst")
    if not found:
        return []
    out = ["## 3. Burst under Discord's limits", ""]
    described = set()
    for r in found:
        if r["case"] not in described:
            described.add(r["case"])
            out.append(f"- **{r['case']}**: {r['conditions']}")
    out += ["",
            "| backend | case | reminders | messages | busiest channel | T (lower bound) s |"
            " delivery s | ratio | first message after s | 429s | max requests in 1 s |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in found:
        m = r["metrics"]
        out.append(f"| {r['backend']} | {r['case']} | {_fmt(m['reminders'])} | {_fmt(m['messages'])} |"
                   f" {_fmt(m['busiest_channel_messages'])} | {_fmt(m['lower_bound_s'])} |"
                   f" {_fmt(m['delivery_s'])} | {_fmt(m['ratio'])} |"
                   f" {_fmt(m['first_message_after_s'])} (from {m['measured_from']}) |"
                   f" {_fmt(m['status_429'])} | {_fmt(m['global_window_max'])} |")
    out.append("")
    for r in found:
        d = r["metrics"].get("window_restart_delay")
        if d:
            out.append(f"- {r['backend']} {r['case']}: a channel's next 5 s window began on average"
                       f" {_fmt(d['mean_s'])} s (p50 {_fmt(d['p50_s'])}, max {_fmt(d['max_s'])}) after"
                       f" the previous one ended, over {d['n']} window changes.")
    return [*out, ""]


def scale_section(results: list[dict[str, Any]]) -> list[str]:
    found = _by(results, "scale")
    if not found:
        return []
    out = ["## 4. Scale", "", found[0]["conditions"], "",
           "| backend | pending | fill s | start-up s | RSS at ready MB | steady RSS MB |"
           " messages sent |",
           "|---|---|---|---|---|---|---|"]
    for r in found:
        for size in ("small", "big"):
            m = r["metrics"][size]
            out.append(f"| {r['backend']} | {_fmt(m['pending'])} | {_fmt(m['fill_s'])} |"
                       f" {_fmt(m['startup_s'])} | {_fmt(m['rss_at_ready_mb'])} |"
                       f" {_fmt(m['rss_steady_mb'])} | {_fmt(m['messages_sent'])} |")
    return [*out, ""]


def when_section(results: list[dict[str, Any]]) -> list[str]:
    parse = _by(results, "when")
    first = _by(results, "first_event_add")
    if not parse and not first:
        return []
    out = ["## 5. `when` parsing", ""]
    if parse:
        r = parse[0]
        out += [r["conditions"], "", "| input | p50 ms | p99 ms | max ms |", "|---|---|---|---|"]
        for text, s in r["metrics"]["warm"]["per_input"].items():
            out.append(f"| `{text}` | {_fmt(s['p50_ms'])} | {_fmt(s['p99_ms'])} | {_fmt(s['max_ms'])} |")
        a = r["metrics"]["warm"]["all"]
        out += [f"| **all** | {_fmt(a['p50_ms'])} | {_fmt(a['p99_ms'])} | {_fmt(a['max_ms'])} |", ""]
        frozen = r["metrics"]["warm"].get("gc_frozen")
        if frozen:
            f = frozen["all"]
            out += [f"Garbage collections during those calls: {r['metrics']['warm']['gc_collections']}."
                    f" The same calls after `gc.collect(); gc.freeze()`: p50 {_fmt(f['p50_ms'])} ms,"
                    f" p99 {_fmt(f['p99_ms'])} ms, max {_fmt(f['max_ms'])} ms (slowest input's p99"
                    f" {_fmt(frozen['worst_input_p99_ms'])} ms; {frozen['gc_collections']} collections).", ""]
        out += [
                "First call in a fresh process:", "",
                "| input | import ms | first call, cold ms | warm_up() ms | first call after warm_up() ms |",
                "|---|---|---|---|---|"]
        for text, c in r["metrics"]["first_call"].items():
            cold, warm = c["fresh_process_ms"], c["after_warm_up_ms"]
            out.append(f"| `{text}` | {_fmt(cold['import_ms'])} | {_fmt(cold['first_call_ms'])} |"
                       f" {_fmt(warm['warm_up_ms'])} | {_fmt(warm['first_call_ms'])} |")
        out.append("")
    if first:
        out += [first[0]["conditions"], "",
                "| backend | first /event add ms | second ms | third ms | answered |",
                "|---|---|---|---|---|"]
        for r in first:
            m = r["metrics"]
            out.append(f"| {r['backend']} | {_fmt(m['first_ms'])} | {_fmt(m['second_ms'])} |"
                       f" {_fmt(m['third_ms'])} | {_fmt(m['answers_ok'])} |")
        out.append("")
    return out


def render(data: dict[str, Any], notes: Path | None = None) -> str:
    meta = data["meta"]
    mach = meta["machine"]
    ver = meta["versions"]
    results = data["results"]
    lines = [
        "# Concord benchmark results",
        "",
        f"Measured {meta['date']} with `{meta['command'].strip()}` ({meta['mode']} sizes, run took"
        f" {meta['run_seconds']} s)"
        + (f"; a partial re-run updating the set of {meta['partial_update_of']}"
           if meta.get("partial_update_of") else "") + ".",
        "",
        f"Machine: {mach['cpu_count']} × {mach['cpu_model']}, {mach['ram_gib']} GiB RAM,"
        f" {mach['platform']}."
        + (f" {meta['machine_note']}" if meta.get("machine_note") else "")
        + (
            f" Load average (1, 5, 15 min) at the start {meta['load_average_start']}, at the end"
            f" {meta['load_average_end']} (on {mach['cpu_count']} cores)."
            if meta.get("load_average_end")
            else ""
        ),
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in ver.items() if v) + ".",
        "",
        "Every number below was measured in that run, by `python -m benchmarks`, against the"
        " real bot process (`python -m bot`, started by `bot.harness.BotProcess`) talking to the"
        " local Discord emulator over loopback; the emulator and the load generator share the"
        " benchmark's process, so their cost is inside the latencies. `results.json` has all of"
        " it.",
        "",
        "## Targets",
        "",
        *targets_table(results),
        "",
        *interactions_section(results),
        *lateness_section(results),
        *burst_section(results),
        *scale_section(results),
        *when_section(results),
    ]
    misses = [(r, t) for r in results for t in r.get("targets", []) if t["met"] is False]
    lines += ["## Misses", ""]
    if misses:
        for r, t in misses:
            lines.append(f"- {_label(r)} on {r['backend']}: {t['metric']} = {_fmt(t['value'])}"
                         f" {t['unit']}, target {t['target']}: missed by {_fmt(t['miss_by'])}"
                         f" {t['unit']}.")
    else:
        lines.append("None: every target was met in this run.")
    lines.append("")
    if notes is not None and notes.exists() and meta["mode"] == "full":
        lines += [notes.read_text().strip(), ""]
    return "\n".join(lines)


def summary(data: dict[str, Any]) -> str:
    """One screen: every target with its measured value (a ratio where it is one) and result."""
    rows = [(f"{_label(r)} {r['backend']}", t["metric"], t["target"],
             "n/a" if t["value"] is None else f"{_fmt(t['value'])} {t['unit']}",
             _met(t).replace("**", ""))
            for r in data["results"] for t in r.get("targets", [])]
    head = ("measurement", "metric", "target", "measured", "result")
    widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in [head, tuple("-" * w for w in widths), *rows]]
    return "\n".join(lines)


def write_markdown(path: Path, data: dict[str, Any]) -> None:
    path.write_text(render(data, path.parent / NOTES_NAME))
