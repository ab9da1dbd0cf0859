"""S1 convergence (with its API-server baseline), S2 steady state, S3 change propagation.

* **S1**: N ExternalSecrets created at once (the benchmark's client, ``--create-concurrency``)
  → seconds until every one is Ready and its Secret holds the right data. Baseline, same
  run: N Secrets of the same size created directly with the same client and concurrency.
* **S2**: everything in sync, measured over ``--s2-cycles`` refresh intervals: provider
  calls per cycle by API against "one call per data entry" (2N), and per refresh (each
  refresh writes ``status.refreshTime`` once, so status writes count refreshes), Secret
  writes, status writes, and whether the operator kept up (refreshes per cycle / N).
* **S3**: 1 % of the remote secrets change at one instant → seconds until each Secret
  shows it, for each refreshInterval (the main group plus ``--s3-intervals`` groups).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from typing import Any

from bench.context import Bench, percentile
from bench.operator import Features
from bench.workload import Group
from eso.api.duration import parse_duration
from eso.api.resources import EXTERNAL_SECRET, SECRET

__all__ = ["baseline", "s1_convergence", "s2_steady", "s3_propagation"]


def _rounded(values: dict[str, float], digits: int = 2) -> dict[str, float]:
    return {k: round(v, digits) for k, v in values.items()}


def _spread(values: list[float]) -> dict[str, float]:
    return _rounded(
        {
            "p50": percentile(values, 50),
            "p90": percentile(values, 90),
            "p99": percentile(values, 99),
            "max": max(values, default=0.0),
        }
    )


async def baseline(bench: Bench) -> dict[str, Any]:
    """The API-server floor: N Secrets created directly with the benchmark's client."""
    p = bench.params
    group = Group(f"{bench.ns}-baseline", p.scale, p.refresh, "baseline")
    await bench.kube.ensure_namespace(group.namespace)
    objects = [group.plain_secret(name) for name in group.names()]
    result = await bench.kube.create_all(SECRET, objects, p.create_concurrency)
    cleanup_started = time.monotonic()
    gone = await bench.kube.delete_namespace(group.namespace, wait=max(120.0, p.scale * 0.05))
    out = {
        "objects": result.count,
        "concurrency": p.create_concurrency,
        "seconds": round(result.seconds, 2),
        "per_second": round(result.rate, 1),
        "errors": result.errors,
        "retries": result.retries,
        "request_latency": _spread(result.latencies),
        "cleanup_seconds": round(time.monotonic() - cleanup_started, 1),
        "cleanup_complete": gone,
    }
    bench.log(f"  baseline: {result.count} Secrets in {result.seconds:.1f} s ({result.rate:.0f}/s)")
    return out


async def s1_convergence(
    bench: Bench, features: Features, key: str, namespace: str, baseline_s: float
) -> dict[str, Any]:
    """Create N ExternalSecrets at once; time until all are Ready with correct Secrets."""
    p = bench.params
    group = Group(namespace, p.scale, p.refresh, f"bench/{key}")
    tracker = await bench.prepare(key, group)
    names = group.names()
    objects = group.external_secrets()
    window = await bench.window()
    created = await bench.kube.create_all(EXTERNAL_SECRET, objects, p.create_concurrency)
    bench.log(f"  S1[{features.label}]: {len(objects)} ExternalSecrets created in {created.seconds:.1f} s")
    converged = await tracker.wait(names, p.timeout())
    figures = await bench.close_window(window)
    t0 = window.t0
    ready = [tracker.ready_at[n] - t0 for n in names if n in tracker.ready_at]
    correct = [tracker.correct_at[n] - t0 for n in names if n in tracker.correct_at]
    done = [max(tracker.ready_at[n], tracker.correct_at[n]) - t0 for n in names if tracker.done([n])]
    seconds = max(done) if converged and done else float("nan")
    entries = 2 * p.scale
    calls = figures["provider_calls_total"]
    writes = figures["operator_writes"]
    out: dict[str, Any] = {
        "features": features.label,
        "n": p.scale,
        "data_entries": entries,
        "remote_secrets": group.remote_count,
        "converged": converged,
        "seconds": round(seconds, 2),
        "create_seconds": round(created.seconds, 2),
        "baseline_seconds": round(baseline_s, 2),
        "ratio_to_baseline": round(seconds / baseline_s, 2) if baseline_s and converged else None,
        "ready_after": _spread(ready),
        "secret_correct_after": _spread(correct),
        "provider_calls_per_data_entry": round(calls / entries, 3),
        "operator_writes_per_externalsecret": round(sum(writes.values()) / p.scale, 2),
        "refreshes_during_convergence": max(0, writes.get("externalsecrets/status", 0) - p.scale),
        "throughput_per_second": round(p.scale / seconds, 1) if converged and seconds else None,
        "not_done": tracker.not_done(names) if not converged else {},
        **figures,
    }
    verdict = (
        f"{seconds:.1f} s, {out['ratio_to_baseline']}x the baseline" if converged else "DID NOT CONVERGE"
    )
    bench.log(f"  S1[{features.label}]: {verdict}; {calls} provider calls")
    return out


async def s2_steady(bench: Bench, features: Features, key: str) -> dict[str, Any]:
    """Steady state over ``s2_cycles`` refresh intervals."""
    p = bench.params
    group = bench.groups[key]
    interval = p.refresh_seconds
    length = interval * p.s2_cycles
    bench.log(f"  S2[{features.label}]: measuring {length:.0f} s ({p.s2_cycles:g} cycles of {p.refresh})")
    window = await bench.window()
    await asyncio.sleep(length)
    figures = await bench.close_window(window, timeline=True)
    cycles = figures["seconds"] / interval
    timeline = figures.pop("timeline")
    per_second = [sum(bucket.values()) for _, bucket in timeline]
    calls = figures["provider_calls_total"]
    entries = 2 * group.size
    writes = figures["operator_writes"]
    secret_writes = sum(v for k, v in writes.items() if k == "secrets")
    status_writes = sum(v for k, v in writes.items() if k == "externalsecrets/status")
    per_cycle = calls / cycles if cycles else 0.0
    # Each refresh that finds nothing changed writes status.refreshTime once: the status
    # writes count the refreshes. Calls per refresh do not depend on whether the operator
    # kept up with the interval; calls per cycle do.
    refreshes = status_writes
    per_entry = calls / (2 * refreshes) if refreshes else 0.0
    out: dict[str, Any] = {
        "features": features.label,
        "n": group.size,
        "refresh_interval": p.refresh,
        "cycles": round(cycles, 2),
        "provider_calls_per_cycle": round(per_cycle, 1),
        "provider_calls_per_cycle_by_api": {
            k: round(v / cycles, 1) for k, v in figures["provider_calls"].items()
        },
        "one_call_per_entry_per_cycle": entries,
        "fraction_of_one_call_per_entry_per_cycle": round(per_cycle / entries, 3),
        "refreshes": refreshes,
        "refreshes_per_cycle_over_n": round(refreshes / cycles / group.size, 3) if cycles else 0.0,
        "provider_calls_per_refresh": round(calls / refreshes, 3) if refreshes else None,
        "fraction_of_one_call_per_entry": round(per_entry, 3),
        "secret_writes": secret_writes,
        "status_writes": status_writes,
        "status_writes_per_cycle": round(status_writes / cycles, 1) if cycles else 0.0,
        "other_writes": {k: v for k, v in writes.items() if k not in ("secrets", "externalsecrets/status")},
        "calls_per_second_peak": max(per_second, default=0),
        "calls_per_second_mean": round(calls / figures["seconds"], 1) if figures["seconds"] else 0.0,
        **figures,
    }
    bench.log(
        f"  S2[{features.label}]: {per_cycle:.0f} calls/cycle "
        f"({out['fraction_of_one_call_per_entry']:.2f} per data entry refreshed), "
        f"{secret_writes} Secret writes, {status_writes} status writes"
    )
    return out


def _extra_size(n: int) -> int:
    return max(100, (n // 10) // 2 * 2)


async def s3_propagation(bench: Bench) -> dict[str, Any]:
    """Change 1 % of the remote secrets of each group; time until each Secret shows it."""
    p = bench.params
    groups: list[tuple[str, Group]] = [("main", bench.groups["main"])]
    for interval in p.s3_intervals:
        if parse_duration(interval) == p.refresh_seconds:
            continue
        key = f"s3-{interval}"
        ns = f"{bench.ns}-s3-{interval.replace('.', '-')}"
        group = Group(ns, _extra_size(p.scale), interval, f"bench/{key}")
        tracker = await bench.prepare(key, group)
        await bench.kube.create_all(EXTERNAL_SECRET, group.external_secrets(), p.create_concurrency)
        if not await tracker.wait(group.names(), p.timeout()):
            raise RuntimeError(f"S3 group {key} did not converge: {tracker.not_done(group.names())}")
        groups.append((key, group))
    bench.log(f"  S3: groups ready: {', '.join(f'{g.refresh} ({g.size} ES)' for _, g in groups)}")
    rng = random.Random(7)
    changes: list[tuple[str, Group, list[str]]] = []
    pushes: list[dict[str, Any]] = []
    for key, group in groups:
        first = group.start // 2
        count = max(1, math.ceil(p.s3_fraction * group.remote_count))
        chosen = sorted(rng.sample(range(first, first + group.remote_count), count))
        group.bump(chosen)
        pushes += group.remote_secrets(chosen)
        affected = [n for n in group.names() if group.remote_index(n) in set(chosen)]
        changes.append((key, group, affected))
    longest = max(parse_duration(g.refresh) for _, g in groups)
    await bench.stub.put_secrets(pushes)
    changed_at = time.monotonic()
    for _, group, affected in changes:
        bench.trackers[group.namespace].expect(affected)
    results: dict[str, Any] = {}
    deadline = longest * 1.2 + 30
    for key, group, affected in changes:
        tracker = bench.trackers[group.namespace]
        await tracker.wait(affected, max(1.0, changed_at + deadline - time.monotonic()), ready=False)
        delays = [tracker.correct_at[n] - changed_at for n in affected if n in tracker.correct_at]
        interval = parse_duration(group.refresh)
        results[group.refresh] = {
            "group": key,
            "externalsecrets": group.size,
            "remote_secrets_changed": len({group.remote_index(n) for n in affected}),
            "secrets_affected": len(affected),
            "secrets_updated": len(delays),
            "seconds": _spread(delays),
            "mean_seconds": round(sum(delays) / len(delays), 2) if delays else None,
            "max_over_interval": round(max(delays, default=0.0) / interval, 2),
            "waited_seconds": round(time.monotonic() - changed_at, 1),
        }
        spread = results[group.refresh]["seconds"]
        bench.log(
            f"  S3 {group.refresh}: {len(delays)}/{len(affected)} updated, "
            f"p50 {spread['p50']} s, max {spread['max']} s"
        )
    cleanup = [await bench.drop_group(key) for key, _ in groups if key != "main"]
    return {"by_refresh_interval": results, "cleanup": cleanup}
