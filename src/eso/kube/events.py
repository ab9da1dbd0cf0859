"""Kubernetes Events (``core/v1``), the ones ``kubectl describe`` shows.

Repeated identical events (same object, type, reason and message) within
``aggregate_window`` seconds bump the ``count`` of the first one instead of creating
new objects, so a failing ExternalSecret does not flood etcd. Posting an Event never
fails a reconcile: errors are logged and dropped. Messages are built by eso's code,
never from secret data, and are truncated to the API's 1 KiB note limit.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import structlog

from eso.api.resources import EVENT
from eso.errors import KubeAPIError
from eso.kube.client import KubeClient

__all__ = ["EventRecorder", "Normal", "Warning"]

Normal = "Normal"
Warning = "Warning"
_MAX_MESSAGE = 1024
_log = structlog.get_logger("eso.kube.events")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EventRecorder:
    """Posts Events about objects as ``component`` (ESO: ``external-secrets``)."""

    def __init__(
        self,
        client: KubeClient,
        component: str,
        *,
        host: str = "",
        aggregate_window: float = 600.0,
        max_tracked: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._component = component
        self._host = host
        self._window = aggregate_window
        self._max = max_tracked
        self._clock = clock
        self._seen: OrderedDict[str, tuple[str, str, int, float]] = OrderedDict()
        self.posted = 0

    async def event(self, obj: dict[str, Any], type_: str, reason: str, message: str) -> None:
        """Record an event about ``obj`` (a raw object with apiVersion, kind, metadata)."""
        meta = obj.get("metadata") or {}
        namespace = meta.get("namespace") or "default"
        message = message[:_MAX_MESSAGE]
        ident = "\x00".join((str(meta.get("uid", "")), type_, reason, message))
        digest = hashlib.sha256(ident.encode()).hexdigest()[:16]
        now = self._clock()
        seen = self._seen.get(digest)
        try:
            if seen and now - seen[3] < self._window:
                name, ns, count, first = seen
                await self._client.patch(EVENT, name, ns, {"count": count + 1, "lastTimestamp": _now()})
                self._seen[digest] = (name, ns, count + 1, first)
                self._seen.move_to_end(digest)
                return
            suffix = f".{digest[:10]}{time.time_ns():x}"
            name = f"{str(meta.get('name', 'object'))[: 253 - len(suffix)]}{suffix}"
            stamp = _now()
            await self._client.create(
                EVENT,
                {
                    "apiVersion": "v1",
                    "kind": "Event",
                    "metadata": {"name": name, "namespace": namespace},
                    "involvedObject": {
                        "apiVersion": obj.get("apiVersion", ""),
                        "kind": obj.get("kind", ""),
                        "name": meta.get("name", ""),
                        "namespace": meta.get("namespace", ""),
                        "uid": meta.get("uid", ""),
                        "resourceVersion": meta.get("resourceVersion", ""),
                    },
                    "reason": reason,
                    "message": message,
                    "type": type_,
                    "source": {"component": self._component, "host": self._host},
                    "reportingComponent": self._component,
                    "reportingInstance": self._host or self._component,
                    "firstTimestamp": stamp,
                    "lastTimestamp": stamp,
                    "count": 1,
                },
                namespace,
            )
            self.posted += 1
            self._seen[digest] = (name, namespace, 1, now)
            if len(self._seen) > self._max:
                self._seen.popitem(last=False)
        except KubeAPIError as exc:
            self._seen.pop(digest, None)
            _log.warning("could not post event", reason=reason, error=str(exc))
