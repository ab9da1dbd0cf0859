"""S4 memory, S5 restart, S6 first sync under load.

* **S5**: the operator is restarted with everything in sync; over ``max(1.5 x refresh, 30 s)``
  from the start: Secret writes (goal 0), status writes, provider calls by API, and the
  peak calls per second against the mean (goal <= 2x). Run twice: without and with the
  unrelated Secrets of S4.
* **S4**: RSS with N ExternalSecrets, then with ``--unrelated`` 4 KB Secrets nobody manages
  created in other namespaces (while the operator runs, and after a restart with them in
  the cluster). Goal: <= 150 MB at N = 10,000 and flat in the unrelated Secrets.
* **S6**: with N in sync, ``--s6-new`` new ExternalSecrets at once → p50/p99 seconds to Ready.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from bench.context import Bench, percentile
from bench.operator import Features
from bench.workload import Group, unrelated_secret
from eso.api.resources import EXTERNAL_SECRET, SECRET

__all__ = ["create_unrelated", "restart", "s6_first_sync"]

_PER_NAMESPACE = 5000


def _per_second(timeline: list[list[Any]], start: float, end: float) -> list[int]:
    """Calls in each whole second of [start, end) (epoch), zeros included."""
    buckets = {int(second): sum(counts.values()) for second, counts in timeline}
    first, last = math.ceil(start), math.floor(end)
    return [buckets.get(s, 0) for s in range(first, last)]


async def restart(bench: Bench, label: str) -> dict[str, Any]:
    """Restart the operator with everything in sync and watch what it does.

    The baseline is the same operator's steady state just before the restart, over a window
    of the same length: the refresh schedule has waves of its own (objects created together),
    so the restart's peak/mean is compared with the peak/mean without a restart.
    """
    p = bench.params
    length = max(1.5 * p.refresh_seconds, 30.0)
    steady = await _steady_rate(bench, length)
    previous = await bench.stop_operator()
    window = await bench.window()
    op = await bench.start_operator(Features())
    await asyncio.sleep(max(0.0, length - (time.monotonic() - window.t0)))
    figures = await bench.close_window(window, timeline=True)
    timeline = figures.pop("timeline")
    ready_epoch = window.epoch0 + (op.ready_at - window.t0)
    end_epoch = window.epoch0 + figures["seconds"]
    series = _per_second(timeline, ready_epoch, end_epoch)
    calls = sum(series)
    mean = calls / len(series) if series else 0.0
    peak = max(series, default=0)
    fives = [sum(series[i : i + 5]) / 5 for i in range(0, len(series) - 4, 5)]
    writes = figures["operator_writes"]
    tail = op.rss(since=window.t0 + 0.75 * figures["seconds"])
    out: dict[str, Any] = {
        "label": label,
        "previous_operator": previous,
        "startup_seconds": round(op.ready_at - op.started_at, 2),
        "window_seconds": round(figures["seconds"], 1),
        "secret_writes": writes.get("secrets", 0),
        "status_writes": writes.get("externalsecrets/status", 0),
        "calls_after_ready": calls,
        "calls_per_second_mean": round(mean, 2),
        "calls_per_second_peak": peak,
        "peak_over_mean": round(peak / mean, 2) if mean else None,
        "peak_over_mean_5s_buckets": round(max(fives) / mean, 2) if fives and mean else None,
        "calls_in_first_5s": sum(series[:5]),
        "calls_per_second_series": series,
        "steady_before_restart": steady,
        "peak_over_mean_vs_steady": (
            round((peak / mean) / steady["peak_over_mean"], 2) if mean and steady["peak_over_mean"] else None
        ),
        "rss_peak_mb": op.rss(since=window.t0)["peak_mb"],
        "rss_steady_mb": tail["mean_mb"],
        **figures,
    }
    bench.log(
        f"  S5 ({label}): ready in {out['startup_seconds']} s, {out['secret_writes']} Secret writes, "
        f"peak {peak}/s vs mean {mean:.1f}/s (steady before: {steady['peak_over_mean']}x), "
        f"RSS peak {out['rss_peak_mb']} MB steady {out['rss_steady_mb']} MB"
    )
    return out


async def _steady_rate(bench: Bench, length: float) -> dict[str, Any]:
    """Calls per second of the running operator over ``length`` seconds (the S5 baseline)."""
    window = await bench.window()
    await asyncio.sleep(length)
    figures = await bench.close_window(window, timeline=True)
    series = _per_second(figures["timeline"], window.epoch0, window.epoch0 + figures["seconds"])
    mean = sum(series) / len(series) if series else 0.0
    peak = max(series, default=0)
    fives = [sum(series[i : i + 5]) / 5 for i in range(0, len(series) - 4, 5)]
    return {
        "seconds": round(figures["seconds"], 1),
        "calls_per_second_mean": round(mean, 2),
        "calls_per_second_peak": peak,
        "peak_over_mean": round(peak / mean, 2) if mean else None,
        "peak_over_mean_5s_buckets": round(max(fives) / mean, 2) if fives and mean else None,
        "calls_per_second_series": series,
    }


async def create_unrelated(bench: Bench) -> dict[str, Any]:
    """Create the unrelated Secrets while the operator runs; its RSS meanwhile."""
    p = bench.params
    op = bench.operator
    assert op is not None
    started = time.monotonic()
    before = op.rss(since=started - 10)
    total, errors, created_seconds = 0, 0, 0.0
    namespaces = max(1, math.ceil(p.unrelated / _PER_NAMESPACE))
    for i in range(namespaces):
        ns = f"{bench.ns}-unrelated-{i:02d}"
        await bench.kube.ensure_namespace(ns)
        count = min(_PER_NAMESPACE, p.unrelated - total)
        objects = [unrelated_secret(ns, f"blob-{j:05d}", p.unrelated_size) for j in range(count)]
        result = await bench.kube.create_all(SECRET, objects, p.create_concurrency)
        total += count
        errors += result.errors
        created_seconds += result.seconds
        bench.log(f"  S4: {total}/{p.unrelated} unrelated Secrets ({result.rate:.0f}/s)")
    during = op.rss(since=started)
    await asyncio.sleep(5)
    return {
        "unrelated_secrets": total,
        "bytes_each": p.unrelated_size,
        "namespaces": namespaces,
        "create_seconds": round(created_seconds, 1),
        "create_errors": errors,
        "rss_before_mb": before,
        "rss_while_creating_mb": during,
        "rss_after_mb": op.rss(since=time.monotonic() - 4),
    }


async def s6_first_sync(bench: Bench) -> dict[str, Any]:
    """``--s6-new`` new ExternalSecrets while N are in sync: seconds to Ready each."""
    p = bench.params
    main = bench.groups["main"]
    group = Group(
        main.namespace,
        p.s6_new,
        p.refresh,
        main.prefix,
        start=main.start + main.size,
        remote_mod=main.remote_count,
        versions=main.versions,
    )
    bench.groups["s6"] = group
    tracker = bench.trackers[main.namespace]
    created_at: dict[str, float] = {}

    async def create(obj: dict[str, Any]) -> None:
        created_at[obj["metadata"]["name"]] = time.monotonic()
        await bench.kube.client.create(EXTERNAL_SECRET, obj, obj["metadata"]["namespace"])

    window = await bench.window()
    await bench.kube.bulk(group.external_secrets(), create, p.create_concurrency)
    names = group.names()
    converged = await tracker.wait(names, max(60.0, p.timeout() / 4))
    figures = await bench.close_window(window)
    ready = [tracker.ready_at[n] - created_at[n] for n in names if n in tracker.ready_at]
    correct = [tracker.correct_at[n] - created_at[n] for n in names if n in tracker.correct_at]
    out = {
        "in_sync": main.size,
        "new": len(names),
        "converged": converged,
        "ready_p50": round(percentile(ready, 50), 2),
        "ready_p99": round(percentile(ready, 99), 2),
        "ready_max": round(max(ready, default=0.0), 2),
        "secret_correct_p50": round(percentile(correct, 50), 2),
        "secret_correct_p99": round(percentile(correct, 99), 2),
        "not_done": tracker.not_done(names) if not converged else {},
        **figures,
    }
    bench.log(f"  S6: {len(ready)}/{len(names)} Ready, p50 {out['ready_p50']} s, p99 {out['ready_p99']} s")
    return out
