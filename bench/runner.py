"""One benchmark run: sandbox and stub up, scenarios in order, figures out, everything stopped.

Order (each later scenario starts from the state the earlier ones left):

1. sandbox, AWS stub, the S1 baseline (N plain Secrets);
2. for each feature set other than ``all``: an operator watching only its namespace,
   S1 and S2 there, then that operator and namespace go;
3. features ``all``, the operator watching every namespace: idle RSS, S1, S2, S3;
4. S5 restart (no unrelated Secrets) — also S4's "without" figures; S4's unrelated
   Secrets; S5 again with them — S4's "with" figures;
5. S6 on top of the N in sync.

S2-S6 need S1's converged ExternalSecrets, so S1 always runs.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.audit import AuditLog, policy_args
from bench.context import Bench
from bench.kube import BenchKube
from bench.lifecycle_scenarios import create_unrelated, restart, s6_first_sync
from bench.machine import load_average, machine, versions
from bench.params import Params
from bench.report import table, write_results
from bench.stub_client import StubProcess
from bench.sync_scenarios import baseline, s1_convergence, s2_steady, s3_propagation
from eso.sandbox import Sandbox

__all__ = ["run"]


def _log(started: float) -> Any:
    def log(line: str) -> None:
        print(f"[{time.monotonic() - started:6.0f}s] {line}", flush=True)

    return log


async def _feature_runs(bench: Bench, sc: dict[str, Any], base_s: float) -> None:
    p = bench.params
    for features in p.feature_sets:
        scoped = features.label != "all"
        key = f"ff-{features.label.replace('+', '-')}" if scoped else "main"
        namespace = f"{bench.ns}-{key}" if scoped else bench.ns
        bench.log(f"features {features.label}: S1{', S2' if 'S2' in p.scenarios else ''}")
        op = await bench.start_operator(features, namespace if scoped else "")
        if not scoped:
            await asyncio.sleep(3)
            sc.setdefault("S4", {})["rss_idle_mb"] = op.rss()["last_mb"]
            if p.tracemalloc:
                sc["S4"]["memory_idle"] = await op.memory_breakdown("idle")
        sc.setdefault("S1", {})[features.label] = await s1_convergence(
            bench, features, key, namespace, base_s
        )
        if "S2" in p.scenarios:
            sc.setdefault("S2", {})[features.label] = await s2_steady(bench, features, key)
        if p.tracemalloc and not scoped:
            s4 = sc.setdefault("S4", {})
            s4["memory_growth_with_n"] = await op.memory_breakdown("after-s2", since="idle")
        if scoped:
            stopped = await bench.stop_operator()
            sc["S1"][features.label]["operator_exit"] = stopped
            await bench.drop_group(key)


async def _lifecycle(bench: Bench, sc: dict[str, Any]) -> None:
    p = bench.params
    wanted = set(p.scenarios)
    if wanted & {"S4", "S5"}:
        first = await restart(bench, "without unrelated Secrets")
        sc.setdefault("S5", {})["without unrelated"] = first
        s4 = sc.setdefault("S4", {})
        s4["rss_without_unrelated_peak_mb"] = first["rss_peak_mb"]
        s4["rss_without_unrelated_steady_mb"] = first["rss_steady_mb"]
        if "S4" in wanted and p.unrelated > 0:
            s4.update(await create_unrelated(bench))
            second = await restart(bench, f"with {p.unrelated} unrelated Secrets")
            sc["S5"]["with unrelated"] = second
            s4["rss_with_unrelated_peak_mb"] = second["rss_peak_mb"]
            s4["rss_with_unrelated_steady_mb"] = second["rss_steady_mb"]
            s4["growth_from_unrelated_mb"] = round(second["rss_steady_mb"] - first["rss_steady_mb"], 1)
        idle = s4.get("rss_idle_mb")
        if idle:
            # an upper bound: it includes what the operator first allocates after idle
            # whatever N is (the AWS SDK's models on the first client, about 7 MB)
            per_es = (first["rss_steady_mb"] - idle) / p.scale
            s4["rss_per_externalsecret_kb"] = round(per_es * 1024, 2)
        if "S5" not in wanted:
            sc.pop("S5", None)
    if "S6" in wanted:
        sc["S6"] = await s6_first_sync(bench)


async def run(params: Params) -> dict[str, Any]:
    """Run the benchmark; returns the results (also written to ``params.results_dir``)."""
    started = time.monotonic()
    log = _log(started)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    workdir = Path(tempfile.mkdtemp(prefix=f"eso-bench-{stamp}-"))
    sandbox_dir = Path(params.sandbox_dir) if params.sandbox_dir else workdir / "sandbox"
    results: dict[str, Any] = {
        "schema": 1,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": "python -m bench " + " ".join(params.argv),
        "machine": machine(),
        "parameters": params.as_json(),
        "workdir": str(workdir),
        "scenarios": {},
    }
    sc: dict[str, Any] = results["scenarios"]
    audit_args, audit_path = policy_args(workdir)
    sandbox = Sandbox(
        sandbox_dir, echo=lambda line: log(f"sandbox: {line}"), timeout=300, apiserver_args=audit_args
    )
    stub = StubProcess(latency_ms=params.latency_ms, log=workdir / "stub.log")
    kube: BenchKube | None = None
    bench: Bench | None = None
    try:
        info = sandbox.up()
        results["versions"] = versions(info.versions)
        await stub.start()
        log(f"AWS stub on {stub.url} (pid {stub.pid}, +{params.latency_ms:g} ms per call)")
        kube = BenchKube(info.kubeconfig, max_connections=max(100, params.create_concurrency * 2))
        bench = Bench(params, kube, stub, info.kubeconfig, workdir, log)
        if audit_path.exists():
            bench.audit = AuditLog(audit_path)
        else:
            log("no audit log (a reused sandbox?): writes are attributed from apiserver_request_total")
        sc["baseline"] = await baseline(bench)
        await _feature_runs(bench, sc, sc["baseline"]["seconds"])
        if "S3" in params.scenarios:
            sc["S3"] = await s3_propagation(bench)
        await _lifecycle(bench, sc)
        if not set(params.scenarios) & {"S4"}:
            sc.pop("S4", None)
        results["completed"] = True
    except BaseException as exc:
        results["completed"] = False
        results["error"] = f"{type(exc).__name__}: {exc}"
        log(f"run failed: {results['error']}")
        raise
    finally:
        if bench is not None:
            with_op = bench.operator
            results["final_operator"] = await bench.stop_operator() if with_op else {}
            await bench.close()
        await stub.stop()
        if kube is not None:
            await kube.close()
        if not params.keep_sandbox:
            sandbox.down()
        results["machine"]["load_average_at_end"] = load_average()
        results["duration_seconds"] = round(time.monotonic() - started, 1)
        path = write_results(results, params.results_dir)
        print()
        print(table(results))
        print(f"\nresults: {path}\nlogs:    {workdir}")
    return results
