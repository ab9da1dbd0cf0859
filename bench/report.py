"""Goals, the printed table and the results file.

Each figure that has a goal in the performance issue is checked here (``met``, ``MISSED``
or ``n/a`` when the run's scale cannot decide it); everything else is printed for reading.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

__all__ = ["goals", "table", "write_results"]

Row = tuple[str, str, str, str, str]


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every goal of the issue that the run measured, with the figure and the verdict."""
    out: list[dict[str, Any]] = []
    sc = results.get("scenarios", {})
    n = results.get("parameters", {}).get("scale", 0)

    def add(scenario: str, what: str, value: Any, goal: str, ok: bool | None) -> None:
        out.append(
            {"scenario": scenario, "figure": what, "value": value, "goal": goal, "verdict": _verdict(ok)}
        )

    for label, s2 in (sc.get("S2") or {}).items():
        add("S2", f"[{label}] Secret writes", s2["secret_writes"], "0", s2["secret_writes"] == 0)
        add("S2", f"[{label}] status writes", s2["status_writes"], "0", s2["status_writes"] == 0)
        frac = s2["fraction_of_one_call_per_entry"]
        add("S2", f"[{label}] calls per data entry refreshed", frac, "<= 0.1", frac <= 0.1)
        kept = s2["refreshes_per_cycle_over_n"]
        add("S2", f"[{label}] refreshes per cycle / N", kept, ">= 0.9 (keeps up)", kept >= 0.9)
    s4 = sc.get("S4")
    if s4:
        steady = s4.get("rss_with_unrelated_steady_mb") or s4.get("rss_without_unrelated_steady_mb")
        add("S4", f"RSS at N={n}", steady, "<= 150 MB at N=10,000", steady <= 150 if n >= 10_000 else None)
        growth = s4.get("growth_from_unrelated_mb")
        if growth is not None:
            add("S4", "RSS growth from unrelated Secrets", growth, "flat (<= 10 MB)", growth <= 10)
    for label, s5 in (sc.get("S5") or {}).items():
        add("S5", f"[{label}] Secret writes", s5["secret_writes"], "0", s5["secret_writes"] == 0)
        ratio = s5["peak_over_mean"]
        add("S5", f"[{label}] peak/mean calls per second", ratio, "<= 2", ratio is not None and ratio <= 2)
    s6 = sc.get("S6")
    if s6:
        add("S6", "p99 seconds to Ready", s6["ready_p99"], "< 5 s (reference target)", s6["ready_p99"] < 5)
    return out


def table(results: dict[str, Any]) -> str:
    """The human-readable summary."""
    rows: list[Row] = []

    def row(scenario: str, figure: str, value: Any, detail: Any = "") -> None:
        rows.append((scenario, figure, str(value), str(detail), ""))

    sc = results.get("scenarios", {})
    base = sc.get("baseline")
    if base:
        row("S1", "baseline: N Secrets created directly", f"{base['seconds']} s", f"{base['per_second']}/s")
    for label, s1 in (sc.get("S1") or {}).items():
        row(
            "S1",
            f"[{label}] converge N={s1['n']}",
            f"{s1['seconds']} s",
            f"x{s1['ratio_to_baseline']} baseline",
        )
        calls = s1["provider_calls_total"]
        row("S1", f"[{label}] provider calls", calls, f"{s1['provider_calls_per_data_entry']}/entry")
        rss = s1.get("operator_rss", {}).get("peak_mb")
        row(
            "S1",
            f"[{label}] operator writes/ES; RSS peak",
            s1["operator_writes_per_externalsecret"],
            f"{rss} MB",
        )
    for label, s2 in (sc.get("S2") or {}).items():
        by_api = ", ".join(
            f"{k.split('.')[-1]} {v}" for k, v in s2["provider_calls_per_cycle_by_api"].items()
        )
        frac = s2["fraction_of_one_call_per_entry_per_cycle"]
        row(
            "S2",
            f"[{label}] calls/cycle ({by_api or 'none'})",
            s2["provider_calls_per_cycle"],
            f"{frac} of 2N",
        )
        kept = s2["refreshes_per_cycle_over_n"]
        row("S2", f"[{label}] calls/refresh; refreshes/cycle/N", s2["provider_calls_per_refresh"], kept)
        writes = f"{s2['secret_writes']} / {s2['status_writes']}"
        row(
            "S2", f"[{label}] Secret / status writes", writes, f"{s2['status_writes_per_cycle']} status/cycle"
        )
    s3 = sc.get("S3")
    if s3:
        for interval, r in s3["by_refresh_interval"].items():
            sp = r["seconds"]
            what = f"refresh {interval}: {r['secrets_updated']}/{r['secrets_affected']} updated"
            row("S3", what, f"p50 {sp['p50']} s", f"max {sp['max']} s")
    s4 = sc.get("S4")
    if s4:
        row("S4", "RSS idle (0 ExternalSecrets)", f"{s4.get('rss_idle_mb')} MB")
        steady = f"{s4.get('rss_without_unrelated_steady_mb')} / {s4.get('rss_with_unrelated_steady_mb')} MB"
        row(
            "S4", "RSS steady without / with unrelated", steady, f"{s4.get('unrelated_secrets', 0)} unrelated"
        )
        peak = f"{s4.get('rss_without_unrelated_peak_mb')} / {s4.get('rss_with_unrelated_peak_mb')} MB"
        row(
            "S4",
            "RSS peak without / with unrelated",
            peak,
            f"<= {s4.get('rss_per_externalsecret_kb')} KB per ES",
        )
    for label, s5 in (sc.get("S5") or {}).items():
        writes = f"{s5['secret_writes']} / {s5['status_writes']}"
        row("S5", f"[{label}] Secret / status writes", writes, f"ready in {s5['startup_seconds']} s")
        rate = f"{s5['calls_per_second_peak']} / {s5['calls_per_second_mean']}"
        row("S5", f"[{label}] calls/s peak vs mean", rate, f"x{s5['peak_over_mean']}")
        steady = s5.get("steady_before_restart")
        if steady:
            before = f"{steady['calls_per_second_peak']} / {steady['calls_per_second_mean']}"
            row("S5", f"[{label}] same, steady state before", before, f"x{steady['peak_over_mean']}")
    s6 = sc.get("S6")
    if s6:
        row(
            "S6",
            f"{s6['new']} new with {s6['in_sync']} in sync: Ready",
            f"p50 {s6['ready_p50']} s",
            f"p99 {s6['ready_p99']} s",
        )
    lines = _format(rows, ("", "figure", "value", "detail", ""))
    checked = goals(results)
    if checked:
        lines.append("")
        lines += _format(
            [(g["scenario"], g["figure"], str(g["value"]), g["goal"], g["verdict"]) for g in checked],
            ("", "goal", "value", "target", "verdict"),
        )
    return "\n".join(lines)


def _format(rows: list[Row], header: Row) -> list[str]:
    all_rows = [header, *rows]
    widths = [max(len(r[i]) for r in all_rows) for i in range(5)]
    out = []
    for i, row in enumerate(all_rows):
        out.append("  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths).rstrip())
    return out


def write_results(results: dict[str, Any], directory: str) -> Path:
    """``<directory>/<timestamp>.json``."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    target = path / (time.strftime("%Y%m%dT%H%M%S") + ".json")
    results["goals"] = goals(results)
    target.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")
    return target
