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

from eso.metrics.objects import ObjectSeries

__all__ = ["Metrics", "QueueMetrics"]

_KINDS = (
    "externalsecret",
    "secretstore",
    "clustersecretstore",
    "pushsecret",
    "clusterexternalsecret",
    "clusterpushsecret",
)


class _Series(Collector):
    """Counters exposed under their exact names (prometheus_client would add ``_total``).

    A name ending in ``_total`` is typed ``counter``; ESO's other counter names
    (``…_error``, ``…_count``) are typed ``untyped`` so no suffix is appended.
    """

    def __init__(self) -> None:
        self._docs: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._values: dict[str, dict[tuple[str, ...], float]] = {}

    def declare(self, name: str, doc: str, labels: tuple[str, ...]) -> None:
        self._docs[name] = (doc, labels)
        self._values[name] = {}

    def inc(self, name: str, *label_values: str) -> None:
        series = self._values[name]
        series[label_values] = series.get(label_values, 0.0) + 1.0

    def value(self, name: str, *label_values: str) -> float:
        return self._values[name].get(label_values, 0.0)

    def collect(self) -> Iterator[Metric]:
        for name, (doc, labels) in self._docs.items():
            metric = Metric(name, doc, "counter" if name.endswith("_total") else "untyped")
            for values, count in self._values[name].items():
                metric.add_sample(name, dict(zip(labels, values, strict=True)), count)
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
        self.objects = ObjectSeries(_KINDS)
        self.registry.register(self.objects)
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
        self.objects.sync("externalsecret", namespace, name, error=error)

    def sync_errors(self, namespace: str, name: str) -> float:
        """Current value of ``externalsecret_sync_calls_error`` for one object."""
        return self.objects.sync_errors("externalsecret", namespace, name)

    def provider_call(self, provider: str, call: str, status: str) -> None:
        """One provider API call (the providers' CallRecorder)."""
        self.counters.inc("externalsecret_provider_api_calls_count", provider, call, status)

    def provider_calls(self, provider: str, call: str, status: str = "success") -> float:
        """Current count of one provider call."""
        return self.counters.value("externalsecret_provider_api_calls_count", provider, call, status)

    # -- conditions and durations (every kind) ---------------------------------------------

    def set_condition(self, kind: str, namespace: str, name: str, condition: str, status: str) -> None:
        """ESO's scheme: the current series is 1; for Ready the opposite status is 0."""
        self.objects.set_condition(kind, namespace, name, condition, status)

    def condition(self, kind: str, namespace: str, name: str, condition: str, status: str) -> float:
        """Current value of one ``<kind>_status_condition`` series (0 when absent)."""
        return self.objects.condition(kind, namespace, name, condition, status)

    def reconcile_duration(self, kind: str, namespace: str, name: str, seconds: float) -> None:
        """Duration of the last reconcile, in nanoseconds as ESO reports it."""
        self.objects.duration(kind, namespace, name, seconds * 1e9)

    def forget(self, kind: str, namespace: str, name: str) -> None:
        """Remove every series of a deleted object (one ``pop``, no scan)."""
        self.objects.forget(kind, namespace, name)

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
