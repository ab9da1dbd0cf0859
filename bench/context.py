"""What every scenario shares: the sandbox, the stub, the benchmark's client, the operator.

:class:`Bench` also holds the helpers the scenarios are written with: bringing up a
:class:`~bench.workload.Group` (namespace, store, remote secrets), starting and replacing
the operator, and measuring a window (stub calls, API-server writes, operator RSS and CPU).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.audit import AuditLog
from bench.kube import ApiServerCounts, BenchKube, by_resource
from bench.machine import load_average
from bench.operator import Features, OperatorProcess, profile_summary
from bench.stub_client import StubProcess
from bench.tracker import Tracker
from bench.workload import STORE, Group
from eso.api.resources import EXTERNAL_SECRET, NAMESPACE, SECRET_STORE
from eso.errors import Conflict, NotFound

__all__ = ["Bench", "Window", "percentile"]

Log = Callable[[str], None]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank), 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass
class Window:
    """A measured time window: opened by :meth:`Bench.window`, read by :meth:`Bench.close_window`."""

    t0: float
    epoch0: float
    api: ApiServerCounts
    own_writes: Counter[tuple[str, str]]
    cpu0: float
    load0: list[float] = field(default_factory=list)
    counters0: dict[str, int] = field(default_factory=dict)
    pid0: int = 0
    audit0: int = 0


class Bench:
    """Shared state of one benchmark run."""

    def __init__(
        self, params: Any, kube: BenchKube, stub: StubProcess, kubeconfig: str, workdir: Path, log: Log
    ) -> None:
        self.params = params
        self.kube = kube
        self.stub = stub
        self.kubeconfig = kubeconfig
        self.workdir = workdir
        self.log = log
        self.audit: AuditLog | None = None
        """The API server's write log (exact attribution of writes), when the sandbox has one."""
        self.ns = f"bench-{uuid.uuid4().hex[:4]}"
        """Namespace of the main group; every other namespace of the run starts with it."""
        self.operator: OperatorProcess | None = None
        self.groups: dict[str, Group] = {}
        self.trackers: dict[str, Tracker] = {}
        self._operators = 0

    # -- operator ---------------------------------------------------------------------------

    async def start_operator(self, features: Features, namespace: str = "") -> OperatorProcess:
        """Start an operator (stopping the current one first)."""
        if self.operator is not None:
            await self.stop_operator()
        self._operators += 1
        p = self.params
        op = OperatorProcess(
            kubeconfig=self.kubeconfig,
            env=self.stub.env(),
            log=self.workdir / f"operator-{self._operators}-{features.label}.log",
            features=features,
            namespace=namespace,
            concurrent=p.concurrent,
            client_qps=p.client_qps,
            client_burst=p.client_burst,
            profile=self.workdir / f"operator-{self._operators}.prof" if p.profile else None,
            tracemalloc=self.workdir / f"operator-{self._operators}.heap" if p.tracemalloc else None,
        )
        seconds = await op.start()
        scope = f", namespace {namespace}" if namespace else ""
        self.log(f"  operator {self._operators} ({features.label}{scope}) ready in {seconds:.1f} s")
        self.operator = op
        return op

    async def stop_operator(self) -> dict[str, Any]:
        """Stop the current operator."""
        if self.operator is None:
            return {}
        info = await self.operator.stop()
        profile = self.operator.profile
        if profile is not None and profile.exists():
            text = profile_summary(profile)
            profile.with_suffix(".txt").write_text(text)
            info["profile"] = str(profile.with_suffix(".txt"))
        self.operator = None
        return info

    # -- groups -----------------------------------------------------------------------------

    def expected(self, namespace: str) -> Callable[[str], dict[str, str] | None]:
        """The expected-data callback of a namespace's tracker (covers every group in it)."""

        def lookup(name: str) -> dict[str, str] | None:
            for group in self.groups.values():
                if group.namespace == namespace and name.startswith(group.name_prefix):
                    index = (
                        int(name[len(group.name_prefix) :])
                        if name[len(group.name_prefix) :].isdigit()
                        else -1
                    )
                    if group.start <= index < group.start + group.size:
                        return group.expected(name)
            return None

        return lookup

    async def prepare(self, key: str, group: Group, *, seed: bool = True) -> Tracker:
        """Namespace, credentials, store (waits until Ready), remote secrets, tracker."""
        self.groups[key] = group
        await self.kube.ensure_namespace(group.namespace)
        for info, obj in group.store_objects():
            with contextlib.suppress(Conflict):
                await self.kube.client.create(info, obj, group.namespace)
        if seed:
            await self.stub.put_secrets(group.remote_secrets())
        await self.wait_store(group.namespace)
        if group.namespace not in self.trackers:
            tracker = Tracker(self.kube.client, group.namespace, self.expected(group.namespace))
            await tracker.start()
            self.trackers[group.namespace] = tracker
        return self.trackers[group.namespace]

    async def wait_store(self, namespace: str, within: float = 60.0) -> None:
        """Wait until the SecretStore reports Ready."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            obj = await self.kube.client.get_or_none(SECRET_STORE, STORE, namespace)
            for cond in ((obj or {}).get("status") or {}).get("conditions") or []:
                if cond.get("type") == "Ready" and cond.get("status") == "True":
                    return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"SecretStore {namespace}/{STORE} not Ready after {within:.0f} s")

    async def drop_group(self, key: str) -> dict[str, Any]:
        """Delete a group's namespace and wait until it is gone.

        The benchmark removes the ExternalSecrets' finalizers itself (after the deletion
        started, so a running operator does not add them back): a busy operator would take
        minutes, and its cleanup would spill into the next measured window.
        """
        group = self.groups.pop(key)
        started = time.monotonic()
        tracker = self.trackers.pop(group.namespace, None)
        if tracker is not None:
            await tracker.stop()
        names = await self.kube.names(EXTERNAL_SECRET, group.namespace)
        with contextlib.suppress(NotFound):
            await self.kube.client.delete(NAMESPACE, group.namespace)

        async def unfinalize(name: str) -> None:
            with contextlib.suppress(NotFound):
                await self.kube.client.patch(
                    EXTERNAL_SECRET, name, group.namespace, {"metadata": {"finalizers": None}}
                )

        await self.kube.bulk(names, unfinalize, self.params.create_concurrency)
        gone = await self.kube.delete_namespace(group.namespace, wait=max(300.0, group.size * 0.1))
        return {"namespace": group.namespace, "gone": gone, "seconds": round(time.monotonic() - started, 1)}

    # -- measuring --------------------------------------------------------------------------

    async def window(self) -> Window:
        """Start measuring: counters of the stub reset, API-server counters read."""
        await self.stub.reset()
        api = await self.kube.request_counts()
        cpu = self.operator.cpu() if self.operator else 0.0
        counters = await self.operator.counters() if self.operator else {}
        pid = self.operator.pid if self.operator else 0
        return Window(
            time.monotonic(),
            time.time(),
            api,
            Counter(self.kube.client.writes),
            cpu,
            load_average(),
            counters,
            pid,
            self.audit.offset() if self.audit else 0,
        )

    async def close_window(self, w: Window, *, timeline: bool = False) -> dict[str, Any]:
        """Figures since :meth:`window`: provider calls, operator writes, RSS, CPU, load."""
        seconds = time.monotonic() - w.t0
        stats = await self.stub.stats(timeline=timeline, since=w.epoch0)
        api = await self.kube.request_counts()
        own = Counter(self.kube.client.writes)
        own.subtract(w.own_writes)
        if self.audit is not None:
            audit = self.audit.writes_since(w.audit0)
            writes = by_resource(audit.get("operator", {}))
            not_operator = {who: sum(c.values()) for who, c in audit.items() if who != "operator"}
            by_verb = audit.get("operator", {})
        else:
            writes = by_resource(api.writes_since(w.api), minus=own.items())
            # The API server renews its own identity Lease every 10 s; eso runs without leader election.
            not_operator = {k: writes.pop(k) for k in ("leases",) if k in writes}
            by_verb = {}
        out: dict[str, Any] = {
            "seconds": round(seconds, 2),
            "provider_calls": stats["calls"],
            "provider_calls_total": stats["total"],
            "provider_values_returned": stats["items"],
            "provider_errors": stats["errors"],
            "operator_writes": writes,
            "benchmark_writes": {f"{m} {p}": v for (m, p), v in sorted(own.items()) if v},
            "writes_not_by_operator": not_operator,
            "operator_writes_by_verb": by_verb,
            "writes_attributed_by": "audit log" if self.audit is not None else "apiserver_request_total",
            "load_average": {"start": w.load0, "end": load_average()},
        }
        if self.operator is not None:
            cpu = self.operator.cpu() - w.cpu0
            out["operator_cpu_seconds"] = round(cpu, 1)
            out["operator_cpu_percent_of_one_core"] = round(100 * cpu / seconds, 1) if seconds else 0.0
            out["operator_rss"] = self.operator.rss(w.t0)
            now = await self.operator.counters()
            before = w.counters0 if w.pid0 == self.operator.pid else {}
            out["operator_counters"] = {
                k: v - before.get(k, 0) for k, v in now.items() if v - before.get(k, 0)
            }
        if timeline:
            out["timeline"] = stats.get("timeline", [])
        return out

    async def close(self) -> None:
        """Stop the operator and the trackers."""
        for tracker in self.trackers.values():
            await tracker.stop()
        self.trackers.clear()
        await self.stop_operator()
