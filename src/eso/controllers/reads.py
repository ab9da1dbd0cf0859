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

Errors are shared like values (an outage does not multiply calls). Values live only
for ``ttl`` and at most ``max_entries`` are kept.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

from eso.providers.base import BatchSecretsClient, RemoteRef, SecretsClient

__all__ = ["SharedReads"]


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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._window = window
        self._batch_max = batch_max
        self._max_entries = max_entries
        self._batching = batching
        self._clock = clock
        self._cache: OrderedDict[tuple[Hashable, RemoteRef], tuple[float, bytes | Exception]] = OrderedDict()
        self._inflight: dict[tuple[Hashable, RemoteRef], asyncio.Future[bytes]] = {}
        self._pending: dict[Hashable, _Batch] = {}
        self.calls = 0
        self.hits = 0

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
        if cached is not None and self._clock() - cached[0] < self._ttl:
            self.hits += 1
            value = cached[1]
            if isinstance(value, Exception):
                raise value
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
        results: dict[RemoteRef, bytes | Exception]
        try:
            self.calls += 1
            if len(refs) > 1 and isinstance(client, BatchSecretsClient):
                results = await client.get_secrets(refs)
            else:
                results = {}
                for ref in refs:
                    try:
                        results[ref] = await client.get_secret(ref)
                    except Exception as exc:
                        results[ref] = exc
        except Exception as exc:
            results = dict.fromkeys(refs, exc)
        now = self._clock()
        for ref in refs:
            key = (store, ref)
            value = results.get(ref)
            if value is None:
                value = RuntimeError("provider returned no result for a requested key")
            future = self._inflight.pop(key, None)
            self._cache[key] = (now, value)
            self._cache.move_to_end(key)
            if future is not None and not future.done():
                if isinstance(value, Exception):
                    future.set_exception(value)
                    future.exception()  # retrieved here; awaiters re-raise it
                else:
                    future.set_result(value)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)
