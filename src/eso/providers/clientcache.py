"""Provider clients reused across reconciles.

ESO builds (and for AWS, re-authenticates) a client for every reconcile. eso keeps one
client per store and consumer namespace until the store's spec changes (uid or
generation), the client reaches ``max_age`` (which picks up rotated credential
Secrets), or it is evicted as least recently used. Creation is single-flight: many
ExternalSecrets reconciling at once against a new store build one client, not many.
Evicted clients are closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

import structlog

from eso.providers.base import SecretsClient

__all__ = ["ClientCache", "ClientKey"]

_log = structlog.get_logger("eso.providers.clientcache")


@dataclass(frozen=True, slots=True)
class ClientKey:
    """Identity of a cached client: the store (by uid and generation) and who uses it."""

    kind: str
    namespace: str
    name: str
    uid: str
    generation: int
    consumer_namespace: str = ""

    @property
    def store(self) -> tuple[str, str, str]:
        """The store part, for invalidation."""
        return self.kind, self.namespace, self.name


@dataclass(slots=True)
class _Entry:
    client: SecretsClient
    created: float


class ClientCache:
    """LRU cache of SecretsClients with age limit and single-flight creation."""

    def __init__(
        self, *, max_age: float = 900.0, max_size: int = 512, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_age = max_age
        self._max_size = max_size
        self._clock = clock
        self._entries: OrderedDict[ClientKey, _Entry] = OrderedDict()
        self._pending: dict[Hashable, asyncio.Future[SecretsClient]] = {}
        self.created = 0

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: ClientKey, factory: Callable[[], Awaitable[SecretsClient]]) -> SecretsClient:
        """The cached client for ``key``, or a new one from ``factory``."""
        entry = self._entries.get(key)
        if entry is not None and self._clock() - entry.created < self._max_age:
            self._entries.move_to_end(key)
            return entry.client
        if entry is not None:
            await self._drop(key)
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[SecretsClient] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            client = await factory()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        else:
            future.set_result(client)
        finally:
            self._pending.pop(key, None)
        await self._invalidate_older(key)
        self._entries[key] = _Entry(client, self._clock())
        self.created += 1
        while len(self._entries) > self._max_size:
            oldest = next(iter(self._entries))
            await self._drop(oldest)
        return client

    async def evict(self, key: ClientKey) -> None:
        """Drop one client (after an authentication failure, for example)."""
        await self._drop(key)

    async def invalidate_store(self, kind: str, namespace: str, name: str) -> None:
        """Drop every client of a store (it changed or was deleted)."""
        for key in [k for k in self._entries if k.store == (kind, namespace, name)]:
            await self._drop(key)

    async def close(self) -> None:
        """Close every client."""
        for key in list(self._entries):
            await self._drop(key)

    async def _invalidate_older(self, key: ClientKey) -> None:
        for other in [
            k
            for k in self._entries
            if k.store == key.store and (k.uid, k.generation) != (key.uid, key.generation)
        ]:
            await self._drop(other)

    async def _drop(self, key: ClientKey) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        with contextlib.suppress(Exception):
            await entry.client.close()
        _log.debug("closed provider client", store=f"{key.kind}/{key.namespace}/{key.name}")
