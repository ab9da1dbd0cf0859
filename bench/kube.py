"""The benchmark's own Kubernetes access: bulk writes, watches, API-server request counts.

The benchmark uses eso's own :class:`~eso.kube.client.KubeClient` without a client-side
rate limit, so "creating N objects with this client at concurrency C" is the API-server
floor that S1 compares against. :class:`ApiServerCounts` reads the API server's own
``apiserver_request_total`` from ``/metrics``: the deltas of write verbs by resource are
what the operator wrote (the benchmark subtracts its own writes, which the client counts).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bench.audit import BENCH_AGENT
from eso.api.resources import NAMESPACE, ResourceInfo
from eso.errors import Conflict, Gone, KubeAPIError, KubeUnavailable, NotFound, TooManyRequests
from eso.kube.client import KubeClient
from eso.kube.config import load_connection
from eso.kube.ratelimit import TokenBucket

__all__ = ["ApiServerCounts", "BenchKube", "BulkResult", "watch_objects"]

T = TypeVar("T")
Obj = dict[str, Any]
_WRITE_VERBS = frozenset({"POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION", "CREATE", "UPDATE"})
_LINE = re.compile(r"^apiserver_request_total\{(?P<labels>[^}]*)\}\s+(?P<value>\S+)")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


@dataclass
class BulkResult:
    """What a bulk operation did."""

    count: int
    seconds: float
    errors: int = 0
    retries: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Objects per second."""
        return self.count / self.seconds if self.seconds > 0 else 0.0


class BenchKube:
    """A KubeClient (no client-side rate limit) plus the raw HTTP client for ``/metrics``."""

    def __init__(self, kubeconfig: str, max_connections: int = 200) -> None:
        connection = load_connection(kubeconfig)
        self.http = connection.http_client(timeout=120.0, max_connections=max_connections)
        self.http.headers["User-Agent"] = BENCH_AGENT
        self.client = KubeClient(self.http, TokenBucket(qps=0, burst=1))

    async def close(self) -> None:
        """Close the connections."""
        await self.client.close()

    async def bulk(
        self,
        items: Sequence[T],
        action: Callable[[T], Awaitable[Any]],
        concurrency: int,
        *,
        ignore: tuple[type[Exception], ...] = (),
    ) -> BulkResult:
        """Run ``action`` on every item, ``concurrency`` at a time, retrying temporary errors."""
        limit = asyncio.Semaphore(concurrency)
        result = BulkResult(len(items), 0.0)

        async def one(item: T) -> None:
            async with limit:
                started = time.monotonic()
                for attempt in range(8):
                    try:
                        await action(item)
                        break
                    except ignore:
                        break
                    except (KubeUnavailable, TooManyRequests) as exc:
                        result.retries += 1
                        if attempt == 7:
                            result.errors += 1
                            return
                        await asyncio.sleep(exc.retry_after or 0.2 * (attempt + 1))
                result.latencies.append(time.monotonic() - started)

        started = time.monotonic()
        await asyncio.gather(*(one(item) for item in items))
        result.seconds = time.monotonic() - started
        return result

    async def create_all(self, info: ResourceInfo, objects: Sequence[Obj], concurrency: int) -> BulkResult:
        """POST every object (an existing one is left as it is)."""

        async def create(obj: Obj) -> None:
            await self.client.create(info, obj, obj["metadata"].get("namespace"))

        return await self.bulk(objects, create, concurrency, ignore=(Conflict,))

    async def ensure_namespace(self, name: str) -> None:
        """Create the namespace unless it exists."""
        with contextlib.suppress(Conflict):
            await self.client.create(
                NAMESPACE, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
            )

    async def delete_namespace(self, name: str, *, wait: float = 0.0) -> bool:
        """Delete a namespace; with ``wait``, wait until it is gone (True when it is)."""
        with contextlib.suppress(NotFound):
            await self.client.delete(NAMESPACE, name)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if await self.client.get_or_none(NAMESPACE, name) is None:
                return True
            await asyncio.sleep(1.0)
        return await self.client.get_or_none(NAMESPACE, name) is None

    async def names(self, info: ResourceInfo, namespace: str) -> list[str]:
        """Names of every object of a kind in a namespace."""
        items, _ = await self.client.list_all(info, namespace, page_size=1000)
        return [str(i["metadata"]["name"]) for i in items]

    async def request_counts(self) -> ApiServerCounts:
        """The API server's request counters right now."""
        resp = await self.http.get("/metrics")
        resp.raise_for_status()
        return ApiServerCounts.parse(resp.text)


@dataclass
class ApiServerCounts:
    """``apiserver_request_total`` summed by (verb, resource[/subresource])."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    @classmethod
    def parse(cls, text: str) -> ApiServerCounts:
        """Parse the Prometheus text of ``/metrics`` (only the one family is read)."""
        counts: Counter[tuple[str, str]] = Counter()
        for line in text.splitlines():
            if not line.startswith("apiserver_request_total{"):
                continue
            match = _LINE.match(line)
            if match is None:
                continue
            labels = dict(_LABEL.findall(match["labels"]))
            if labels.get("dry_run"):
                continue
            resource = labels.get("resource", "")
            if labels.get("subresource"):
                resource += "/" + labels["subresource"]
            counts[(labels.get("verb", ""), resource)] += int(float(match["value"]))
        return cls(counts)

    def writes_since(self, before: ApiServerCounts) -> dict[str, int]:
        """Write requests since ``before``, by ``VERB resource``."""
        out: dict[str, int] = {}
        for (verb, resource), value in self.counts.items():
            if verb.upper() not in _WRITE_VERBS:
                continue
            delta = value - before.counts.get((verb, resource), 0)
            if delta > 0:
                out[f"{verb} {resource}"] = delta
        return dict(sorted(out.items()))


def by_resource(writes: dict[str, int], minus: Iterable[tuple[tuple[str, str], int]] = ()) -> dict[str, int]:
    """Writes summed by resource, with the benchmark's own ``(method, plural)`` writes removed."""
    out: Counter[str] = Counter()
    for key, value in writes.items():
        out[key.split(" ", 1)[1]] += value
    for (_, plural), value in minus:
        out[plural] -= value
    return {k: v for k, v in sorted(out.items()) if v}


async def watch_objects(
    client: KubeClient, info: ResourceInfo, namespace: str, stop: asyncio.Event
) -> AsyncIterator[tuple[str, Obj]]:
    """``(type, object)`` for every change of a kind in a namespace until ``stop``, resuming on reconnect.

    Starts with the current objects (as ``ADDED``), then follows a watch; a 410 relists.
    """
    resource_version = ""
    while not stop.is_set():
        if not resource_version:
            items, resource_version = await client.list_all(info, namespace, page_size=1000)
            for item in items:
                yield "ADDED", item
        try:
            async for etype, obj in client.watch(
                info, namespace, resource_version=resource_version, timeout_seconds=60
            ):
                rv = (obj.get("metadata") or {}).get("resourceVersion")
                if rv:
                    resource_version = str(rv)
                if etype != "BOOKMARK":
                    yield etype, obj
                if stop.is_set():
                    return
        except Gone:
            resource_version = ""
        except KubeAPIError:
            await asyncio.sleep(0.5)
