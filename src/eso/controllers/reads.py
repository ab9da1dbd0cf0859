"""Shared, batched provider reads.

ESO reads every ``data[]`` entry of every ExternalSecret with its own API call. Here
reads go through :class:`SharedReads`:

* **coalescing** — concurrent reads of the same store + key + version + property
  share one call, and a result is reused for ``ttl`` seconds (the "refresh window"),
  so N ExternalSecrets (or ClusterExternalSecret children) over one remote secret cost
  one read per window;
* **micro-batching** — reads against one store that arrive within ``window`` seconds
  are sent together through :meth:`BatchSecretsClient.get_secrets` (BatchGetSecretValue
  20 at a time, GetParameters 10 at a time) when the client supports it.

* **version checks** (metadata-first change detection) — for clients that report
  version ids (:class:`~eso.providers.base.VersionedSecretsClient`: Secrets Manager),
  plain current-version reads are kept with their version id; after ``ttl`` a value whose
  version a fresh listing still shows as current is served again without a value call
  (:mod:`eso.controllers.versions` says when a listing is made and what it costs).

Errors are shared like values (an outage does not multiply calls). Values are served
as they are for ``ttl`` (and, with version checks, while their version is current); at
most ``max_entries`` are kept, in memory only.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

from eso.controllers.versions import VersionChecks
from eso.providers.base import (
    BatchSecretsClient,
    RemoteRef,
    SecretsClient,
    VersionedSecretsClient,
    VersionedValue,
)

__all__ = ["SharedReads"]


@dataclass(slots=True)
class _Entry:
    at: float
    value: bytes | Exception
    version: str = ""
    """The version id the value came from ("" when unknown: never reused past ``ttl``)."""
    read_at: float = 0.0
    """When the value was last read from the provider (reuse is bounded by ``max_reuse``)."""


@dataclass
class _Batch:
    client: SecretsClient
    refs: list[RemoteRef] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None


class SharedReads:
    """Coalesces and batches ``get_secret`` calls per store client."""

    def __init__(
        self,
        *,
        ttl: float = 5.0,
        window: float = 0.005,
        batch_max: int = 20,
        max_entries: int = 20_000,
        batching: bool = True,
        versions: VersionChecks | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._window = window
        self._batch_max = batch_max
        self._max_entries = max_entries
        self._batching = batching
        self._clock = clock
        self._versions = versions
        self._cache: OrderedDict[tuple[Hashable, RemoteRef], _Entry] = OrderedDict()
        self._inflight: dict[tuple[Hashable, RemoteRef], asyncio.Future[bytes]] = {}
        self._pending: dict[Hashable, _Batch] = {}
        self.calls = 0
        self.hits = 0
        self.unchanged = 0
        """Reads served again because their version was still current (no value call)."""

    async def get_many(
        self, store: Hashable, client: SecretsClient, refs: Sequence[RemoteRef]
    ) -> dict[RemoteRef, bytes | Exception]:
        """Values (or the errors reading them raised) for ``refs`` from ``client``."""
        unique = list(dict.fromkeys(refs))
        results = await asyncio.gather(
            *(self.get(store, client, ref) for ref in unique), return_exceptions=True
        )
        out: dict[RemoteRef, bytes | Exception] = {}
        for ref, result in zip(unique, results, strict=True):
            if isinstance(result, BaseException) and not isinstance(result, Exception):
                raise result
            out[ref] = result
        return out

    async def get(self, store: Hashable, client: SecretsClient, ref: RemoteRef) -> bytes:
        """One value; raises what the provider raised."""
        key = (store, ref)
        cached = self._cache.get(key)
        if cached is not None and self._clock() - cached.at < self._ttl:
            self.hits += 1
            if isinstance(cached.value, Exception):
                raise cached.value
            return cached.value
        versioned = self._versioned(client)
        version_key = versioned.version_key(ref) if versioned is not None else None
        if versioned is not None and version_key is not None and self._versions is not None:
            self._versions.note(store, version_key)
            if cached is not None and self._reusable(cached, self._versions.max_reuse):
                current = await self._versions.current(store, versioned, version_key, self._per_call(client))
                value = cached.value
                if current == cached.version and isinstance(value, bytes):
                    self.unchanged += 1
                    self._remember(key, _Entry(self._clock(), value, cached.version, cached.read_at))
                    return value
        future = self._inflight.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._inflight[key] = future
            self._enqueue(store, client, ref)
        else:
            self.hits += 1
        return await asyncio.shield(future)

    def invalidate(self, store: Hashable) -> None:
        """Forget cached values of one store (it changed)."""
        for key in [k for k in self._cache if k[0] == store]:
            del self._cache[key]
        if self._versions is not None:
            self._versions.forget(store)

    def _reusable(self, entry: _Entry, max_reuse: float) -> bool:
        """A value with its version id, read from the provider less than ``max_reuse`` s ago."""
        fresh = self._clock() - entry.read_at < max_reuse
        return bool(entry.version) and fresh and not isinstance(entry.value, Exception)

    def _versioned(self, client: SecretsClient) -> VersionedSecretsClient | None:
        if self._versions is not None and isinstance(client, VersionedSecretsClient):
            return client
        return None

    def _per_call(self, client: SecretsClient) -> int:
        """Keys one value call reads for ``client``."""
        return self._batch_max if self._batching and isinstance(client, BatchSecretsClient) else 1

    def _remember(self, key: tuple[Hashable, RemoteRef], entry: _Entry) -> None:
        self._cache[key] = entry
        self._cache.move_to_end(key)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)

    def _enqueue(self, store: Hashable, client: SecretsClient, ref: RemoteRef) -> None:
        if not (self._batching and isinstance(client, BatchSecretsClient)):
            asyncio.get_running_loop().create_task(self._flush_refs(store, client, [ref]))
            return
        batch = self._pending.get(store)
        if batch is None or batch.client is not client:
            batch = _Batch(client)
            self._pending[store] = batch
        batch.refs.append(ref)
        if len(batch.refs) >= self._batch_max:
            self._flush(store)
        elif batch.timer is None:
            batch.timer = asyncio.get_running_loop().call_later(self._window, self._flush, store)

    def _flush(self, store: Hashable) -> None:
        batch = self._pending.pop(store, None)
        if batch is None or not batch.refs:
            return
        if batch.timer is not None:
            batch.timer.cancel()
        asyncio.get_running_loop().create_task(self._flush_refs(store, batch.client, batch.refs))

    async def _flush_refs(self, store: Hashable, client: SecretsClient, refs: list[RemoteRef]) -> None:
        self.calls += 1
        versioned = self._versioned(client)
        tracked = [r for r in refs if versioned is not None and versioned.version_key(r) is not None]
        tracked_set = set(tracked)
        plain = [r for r in refs if r not in tracked_set]
        results: dict[RemoteRef, bytes | Exception] = {}
        versions: dict[RemoteRef, str] = {}
        if versioned is not None and tracked:
            got = await self._read_versioned(versioned, tracked)
            for ref, item in got.items():
                if isinstance(item, VersionedValue):
                    results[ref], versions[ref] = item.value, item.version
                else:
                    results[ref] = item
        if plain:
            results.update(await self._read(client, plain))
        now = self._clock()
        for ref in refs:
            key = (store, ref)
            value = results.get(ref)
            if value is None:
                value = RuntimeError("provider returned no result for a requested key")
            future = self._inflight.pop(key, None)
            self._cache[key] = _Entry(now, value, versions.get(ref, ""), now)
            self._cache.move_to_end(key)
            if future is not None and not future.done():
                if isinstance(value, Exception):
                    future.set_exception(value)
                    future.exception()  # retrieved here; awaiters re-raise it
                else:
                    future.set_result(value)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)

    @staticmethod
    async def _read_versioned(
        client: VersionedSecretsClient, refs: list[RemoteRef]
    ) -> dict[RemoteRef, VersionedValue | Exception]:
        try:
            return await client.get_versioned(refs)
        except Exception as exc:
            return dict.fromkeys(refs, exc)

    @staticmethod
    async def _read(client: SecretsClient, refs: list[RemoteRef]) -> dict[RemoteRef, bytes | Exception]:
        try:
            if len(refs) > 1 and isinstance(client, BatchSecretsClient):
                return await client.get_secrets(refs)
            results: dict[RemoteRef, bytes | Exception] = {}
            for ref in refs:
                try:
                    results[ref] = await client.get_secret(ref)
                except Exception as exc:
                    results[ref] = exc
            return results
        except Exception as exc:
            return dict.fromkeys(refs, exc)
