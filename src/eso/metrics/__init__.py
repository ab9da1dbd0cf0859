"""Prometheus metrics with ESO's names and labels (eso-api §2.21), held in one object.

:class:`Metrics` owns its own ``CollectorRegistry`` (no module globals) and is passed
to the reconcilers, the work queues and the providers' call recorder. Names match
ESO's exactly — ``externalsecret_sync_calls_error`` and
``externalsecret_provider_api_calls_count`` carry no ``_total`` suffix — so existing
dashboards keep working; the reconcile-duration gauges hold nanoseconds like ESO's.
Labels are object names and namespaces, provider and API call names: never a value.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Gauge, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

__all__ = ["Metrics", "QueueMetrics"]

_NS = ("name", "namespace")
_CONDITION = ("name", "namespace", "condition", "status")
_KINDS = (
    "externalsecret",
    "secretstore",
    "clustersecretstore",
    "pushsecret",
    "clusterexternalsecret",
    "clusterpushsecret",
)


class _Series(Collector):
    """Counters and gauges in plain dicts, exposed under their exact names.

    prometheus_client would add ``_total`` to counter names and keeps a locked value
    object per series (about 1 KB each; eso has three series per ExternalSecret). Here a
    series is one float. A name ending in ``_total`` is typed ``counter``; ESO's other
    counter names (``…_error``, ``…_count``) are typed ``untyped`` so no suffix is
    appended. Families whose first labels are ``name, namespace`` keep their series per
    object, so forgetting a deleted object does not scan the others.
    """

    def __init__(self) -> None:
        self._docs: dict[str, tuple[str, str, tuple[str, ...], int]] = {}
        self._values: dict[str, dict[tuple[str, ...], dict[tuple[str, ...], float]]] = {}

    def declare(self, name: str, doc: str, labels: tuple[str, ...], *, gauge: bool = False) -> None:
        kind = "gauge" if gauge else ("counter" if name.endswith("_total") else "untyped")
        split = len(_NS) if labels[: len(_NS)] == _NS else 0
        self._docs[name] = (doc, kind, labels, split)
        self._values[name] = {}

    def _slot(
        self, name: str, label_values: tuple[str, ...]
    ) -> tuple[dict[tuple[str, ...], float], tuple[str, ...]]:
        split = self._docs[name][3]
        outer = self._values[name]
        head = label_values[:split]
        inner = outer.get(head)
        if inner is None:
            inner = outer[head] = {}
        return inner, label_values[split:]

    def inc(self, name: str, *label_values: str) -> None:
        inner, rest = self._slot(name, label_values)
        inner[rest] = inner.get(rest, 0.0) + 1.0

    def set(self, name: str, value: float, *label_values: str) -> None:
        inner, rest = self._slot(name, label_values)
        inner[rest] = value

    def value(self, name: str, *label_values: str) -> float:
        split = self._docs[name][3]
        inner = self._values[name].get(label_values[:split]) or {}
        return inner.get(label_values[split:], 0.0)

    def forget_one(self, family: str, name: str, namespace: str) -> None:
        """Drop the series of one object in a per-object family."""
        self._values[family].pop((name, namespace), None)

    def collect(self) -> Iterator[Metric]:
        for name, (doc, kind, labels, _) in self._docs.items():
            metric = Metric(name, doc, kind)
            for head, inner in self._values[name].items():
                for rest, value in inner.items():
                    metric.add_sample(name, dict(zip(labels, head + rest, strict=True)), value)
            yield metric


class QueueMetrics:
    """Work-queue measurements for one controller (controller-runtime's workqueue_* names)."""

    def __init__(self, metrics: Metrics, name: str) -> None:
        self._m = metrics
        self._name = name

    def on_depth(self, depth: int) -> None:
        self._m.workqueue_depth.labels(self._name).set(depth)

    def on_add(self) -> None:
        self._m.counters.inc("workqueue_adds_total", self._name)

    def on_latency(self, seconds: float) -> None:
        self._m.workqueue_latency.labels(self._name).observe(seconds)

    def on_retry(self) -> None:
        self._m.counters.inc("workqueue_retries_total", self._name)


class Metrics:
    """Every metric eso exports."""

    def __init__(self) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series, like ESO
        self.registry = CollectorRegistry(auto_describe=False)
        self.counters = _Series()
        c = self.counters
        c.declare("externalsecret_sync_calls_total", "Total number of the External Secret sync calls", _NS)
        c.declare("externalsecret_sync_calls_error", "Total number of the External Secret sync errors", _NS)
        c.declare(
            "externalsecret_provider_api_calls_count",
            "Number of API calls towards the secret provider",
            ("provider", "call", "status"),
        )
        c.declare("workqueue_adds_total", "Total number of adds handled by workqueue", ("name",))
        c.declare("workqueue_retries_total", "Total number of retries handled by workqueue", ("name",))
        c.declare(
            "controller_runtime_reconcile_total",
            "Total number of reconciliations per controller",
            ("controller", "result"),
        )
        self.registry.register(c)
        for kind in _KINDS:
            c.declare(
                f"{kind}_status_condition",
                f"The status condition of a specific {kind}",
                _CONDITION,
                gauge=True,
            )
            c.declare(
                f"{kind}_reconcile_duration",
                f"The duration time to reconcile the {kind} (ns)",
                _NS,
                gauge=True,
            )
        self.workqueue_depth = Gauge(
            "workqueue_depth", "Current depth of workqueue", ("name",), registry=self.registry
        )
        self.workqueue_latency = Histogram(
            "workqueue_queue_duration_seconds",
            "How long in seconds an item stays in workqueue before being requested",
            ("name",),
            buckets=(0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
            registry=self.registry,
        )
        self.reconcile_time = Histogram(
            "controller_runtime_reconcile_time_seconds",
            "Length of time per reconciliation per controller",
            ("controller",),
            buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60),
            registry=self.registry,
        )

    # -- ExternalSecret ------------------------------------------------------------------

    def sync_call(self, namespace: str, name: str, *, error: bool) -> None:
        """One ExternalSecret sync attempt (and its failure)."""
        self.counters.inc("externalsecret_sync_calls_total", name, namespace)
        if error:
            self.counters.inc("externalsecret_sync_calls_error", name, namespace)

    def sync_errors(self, namespace: str, name: str) -> float:
        """Current value of ``externalsecret_sync_calls_error`` for one object."""
        return self.counters.value("externalsecret_sync_calls_error", name, namespace)

    def provider_call(self, provider: str, call: str, status: str) -> None:
        """One provider API call (the providers' CallRecorder)."""
        self.counters.inc("externalsecret_provider_api_calls_count", provider, call, status)

    def provider_calls(self, provider: str, call: str, status: str = "success") -> float:
        """Current count of one provider call."""
        return self.counters.value("externalsecret_provider_api_calls_count", provider, call, status)

    # -- conditions and durations (every kind) ---------------------------------------------

    def set_condition(self, kind: str, namespace: str, name: str, condition: str, status: str) -> None:
        """ESO's scheme: the current series is 1; for Ready the opposite status is 0."""
        family = f"{kind}_status_condition"
        self.counters.set(family, 1.0, name, namespace, condition, status)
        if condition == "Ready":
            opposite = "False" if status == "True" else "True"
            self.counters.set(family, 0.0, name, namespace, condition, opposite)

    def condition(self, kind: str, namespace: str, name: str, condition: str, status: str) -> float:
        """Current value of one ``<kind>_status_condition`` series (0 when absent)."""
        return self.counters.value(f"{kind}_status_condition", name, namespace, condition, status)

    def reconcile_duration(self, kind: str, namespace: str, name: str, seconds: float) -> None:
        """Duration of the last reconcile, in nanoseconds as ESO reports it."""
        self.counters.set(f"{kind}_reconcile_duration", seconds * 1e9, name, namespace)

    def forget(self, kind: str, namespace: str, name: str) -> None:
        """Remove every series of a deleted object (no scan of the other objects' series)."""
        for family in (f"{kind}_status_condition", f"{kind}_reconcile_duration"):
            self.counters.forget_one(family, name, namespace)
        if kind == "externalsecret":
            for counter in ("externalsecret_sync_calls_total", "externalsecret_sync_calls_error"):
                self.counters.forget_one(counter, name, namespace)

    # -- controllers ------------------------------------------------------------------------

    def queue(self, name: str) -> QueueMetrics:
        """Observer for a work queue named ``name``."""
        return QueueMetrics(self, name)

    def on_reconcile(self, controller: str, seconds: float, outcome: str) -> None:
        """ReconcileObserver: counts and times every reconcile."""
        self.counters.inc("controller_runtime_reconcile_total", controller, outcome)
        self.reconcile_time.labels(controller).observe(seconds)

    def exposition(self) -> bytes:
        """The text exposition format (what /metrics serves)."""
        return generate_latest(self.registry)
