"""Per-object series (conditions, reconcile durations, sync counts) in one small record each.

eso exports a few series per ExternalSecret, SecretStore, PushSecret, …; at 10,000
objects a label-keyed store (one dict entry, key tuple and float per series, or
prometheus_client's locked value object per series) costs about 1 KB per object. Here
an object is one slotted record under its ``(name, namespace)`` key, and the samples
are generated from the records when ``/metrics`` is scraped. Forgetting a deleted
object is one ``pop``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from prometheus_client.core import Metric
from prometheus_client.registry import Collector

__all__ = ["ObjectSeries"]

_READY = "Ready"


class _Record:
    __slots__ = ("duration_ns", "other", "ready", "sync_errors", "syncs")

    def __init__(self) -> None:
        self.ready = ""  # status of the Ready condition ("" = no series yet)
        self.other: dict[tuple[str, str], float] | None = None  # any other condition, rare
        self.duration_ns: float | None = None
        self.syncs = 0
        self.sync_errors = 0


class ObjectSeries(Collector):
    """``<kind>_status_condition`` and ``<kind>_reconcile_duration`` for every kind, and
    ExternalSecret's ``externalsecret_sync_calls_total`` / ``…_error``."""

    def __init__(self, kinds: tuple[str, ...]) -> None:
        self._objects: dict[str, dict[tuple[str, str], _Record]] = {kind: {} for kind in kinds}

    def _record(self, kind: str, namespace: str, name: str) -> _Record:
        objects = self._objects[kind]
        key = (name, namespace)
        record = objects.get(key)
        if record is None:
            record = objects[(sys.intern(name), sys.intern(namespace))] = _Record()
        return record

    def set_condition(self, kind: str, namespace: str, name: str, condition: str, status: str) -> None:
        record = self._record(kind, namespace, name)
        if condition == _READY:
            record.ready = status
            return
        if record.other is None:
            record.other = {}
        record.other[(condition, status)] = 1.0

    def condition(self, kind: str, namespace: str, name: str, condition: str, status: str) -> float:
        record = self._objects[kind].get((name, namespace))
        if record is None:
            return 0.0
        if condition == _READY:
            return float(record.ready == status) if record.ready else 0.0
        return (record.other or {}).get((condition, status), 0.0)

    def duration(self, kind: str, namespace: str, name: str, nanoseconds: float) -> None:
        self._record(kind, namespace, name).duration_ns = nanoseconds

    def sync(self, kind: str, namespace: str, name: str, *, error: bool) -> None:
        record = self._record(kind, namespace, name)
        record.syncs += 1
        record.sync_errors += int(error)

    def sync_errors(self, kind: str, namespace: str, name: str) -> float:
        record = self._objects[kind].get((name, namespace))
        return float(record.sync_errors) if record else 0.0

    def forget(self, kind: str, namespace: str, name: str) -> None:
        self._objects[kind].pop((name, namespace), None)

    def collect(self) -> Iterator[Metric]:
        for kind, objects in self._objects.items():
            conditions = Metric(
                f"{kind}_status_condition", f"The status condition of a specific {kind}", "gauge"
            )
            durations = Metric(
                f"{kind}_reconcile_duration", f"The duration time to reconcile the {kind} (ns)", "gauge"
            )
            for (name, namespace), record in objects.items():
                if record.ready:
                    opposite = "False" if record.ready == "True" else "True"
                    for status, value in ((record.ready, 1.0), (opposite, 0.0)):
                        conditions.add_sample(
                            conditions.name,
                            {"name": name, "namespace": namespace, "condition": _READY, "status": status},
                            value,
                        )
                for (condition, status), value in (record.other or {}).items():
                    conditions.add_sample(
                        conditions.name,
                        {"name": name, "namespace": namespace, "condition": condition, "status": status},
                        value,
                    )
                if record.duration_ns is not None:
                    durations.add_sample(
                        durations.name, {"name": name, "namespace": namespace}, record.duration_ns
                    )
            yield conditions
            yield durations
        yield from self._sync_metrics()

    def _sync_metrics(self) -> Iterator[Metric]:
        objects = self._objects.get("externalsecret", {})
        calls = Metric(
            "externalsecret_sync_calls_total", "Total number of the External Secret sync calls", "counter"
        )
        errors = Metric(
            "externalsecret_sync_calls_error", "Total number of the External Secret sync errors", "untyped"
        )
        for (name, namespace), record in objects.items():
            labels = {"name": name, "namespace": namespace}
            if record.syncs:
                calls.add_sample(calls.name, labels, float(record.syncs))
            if record.sync_errors:
                errors.add_sample(errors.name, labels, float(record.sync_errors))
        yield calls
        yield errors
