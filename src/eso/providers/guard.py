"""Per-store rate limit and circuit breaker around a SecretsClient.

* **Rate limit**: a token bucket per store client, so thousands of ExternalSecrets
  refreshing together stay under the provider's quota (SSM shares 40 requests/s per
  account and Region by default) instead of being throttled.
* **Circuit breaker**: after ``threshold`` consecutive *temporary* failures
  (connection refused, timeouts, throttling) the circuit opens: calls fail at once
  with the last cause, without reaching the provider, for ``cooldown`` seconds
  (doubling up to ``max_cooldown``). Then one trial call is let through; success closes
  the circuit. An outage therefore costs a handful of calls per store, not one per
  ExternalSecret per retry, and every ExternalSecret still reports the real cause.

Only ``ProviderUnavailable`` trips the breaker. Other errors (not found, access denied,
a value that is not JSON) are answers about one request: counting them would let one
namespace's bad ExternalSecret take a shared store down for everyone.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from eso.errors import ProviderUnavailable
from eso.kube.ratelimit import TokenBucket
from eso.providers.base import (
    BatchSecretsClient,
    FindQuery,
    PushEntry,
    PushSource,
    RemoteRef,
    SecretsClient,
    ValidationResult,
    VersionedSecretsClient,
    VersionedValue,
    VersionListing,
)

__all__ = [
    "BreakerSettings",
    "CircuitBreaker",
    "GuardedBatchClient",
    "GuardedClient",
    "GuardedVersionedClient",
    "guard",
]

T = TypeVar("T")


@dataclass(frozen=True)
class BreakerSettings:
    """When the circuit opens and for how long."""

    threshold: int = 5
    cooldown: float = 5.0
    max_cooldown: float = 300.0


class CircuitBreaker:
    """Counts consecutive temporary failures and opens after ``threshold`` of them."""

    def __init__(self, settings: BreakerSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._failures = 0
        self._open_until = 0.0
        self._cooldown = settings.cooldown
        self._last: BaseException | None = None
        self.short_circuited = 0

    @property
    def is_open(self) -> bool:
        """True while calls are refused without reaching the provider."""
        return self._clock() < self._open_until

    def before_call(self) -> None:
        """Raise at once while the circuit is open."""
        if self.is_open:
            self.short_circuited += 1
            cause = f": {self._last}" if self._last else ""
            raise ProviderUnavailable(f"provider unavailable (circuit open after repeated failures){cause}")

    def success(self) -> None:
        """A call got an answer: close the circuit."""
        self._failures = 0
        self._cooldown = self._settings.cooldown
        self._open_until = 0.0

    def failure(self, exc: BaseException) -> None:
        """A call failed; only unavailability (connection, timeout, throttling) counts.

        Any other error is an answer from the provider about one request (a missing key,
        data that is not JSON): it must not take the store down for its other users.
        """
        if not isinstance(exc, ProviderUnavailable):
            self.success()
            return
        self._failures += 1
        self._last = exc
        if self._failures >= self._settings.threshold:
            self._open_until = self._clock() + self._cooldown
            self._cooldown = min(self._settings.max_cooldown, self._cooldown * 2)
            self._failures = self._settings.threshold - 1  # the next failure (the trial) re-opens at once


class GuardedClient:
    """A SecretsClient that waits for a token and consults the breaker before every call."""

    def __init__(self, inner: SecretsClient, bucket: TokenBucket | None, breaker: CircuitBreaker) -> None:
        self.inner = inner
        self.bucket = bucket
        self.breaker = breaker

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def _call(self, fn: Callable[[], Awaitable[T]]) -> T:
        self.breaker.before_call()
        if self.bucket is not None:
            await self.bucket.acquire()
        try:
            result = await fn()
        except Exception as exc:
            self.breaker.failure(exc)
            raise
        self.breaker.success()
        return result

    async def get_secret(self, ref: RemoteRef) -> bytes:
        return await self._call(lambda: self.inner.get_secret(ref))

    async def get_secret_map(self, ref: RemoteRef) -> dict[str, bytes]:
        return await self._call(lambda: self.inner.get_secret_map(ref))

    async def get_all_secrets(self, find: FindQuery) -> dict[str, bytes]:
        return await self._call(lambda: self.inner.get_all_secrets(find))

    async def push_secret(self, source: PushSource, entry: PushEntry) -> None:
        await self._call(lambda: self.inner.push_secret(source, entry))

    async def delete_secret(self, entry: PushEntry) -> None:
        await self._call(lambda: self.inner.delete_secret(entry))

    async def secret_exists(self, entry: PushEntry) -> bool:
        return await self._call(lambda: self.inner.secret_exists(entry))

    async def validate(self) -> ValidationResult:
        return await self._call(self.inner.validate)

    async def close(self) -> None:
        await self.inner.close()


class GuardedBatchClient(GuardedClient):
    """The same, for clients that batch reads; a batch costs one token."""

    inner: BatchSecretsClient

    async def get_secrets(self, refs: Sequence[RemoteRef]) -> dict[RemoteRef, bytes | Exception]:
        results = await self._call(lambda: self.inner.get_secrets(refs))
        errors = [v for v in results.values() if isinstance(v, ProviderUnavailable)]
        if errors and len(errors) == len(results):
            self.breaker.failure(errors[0])
        return results


class GuardedVersionedClient(GuardedBatchClient):
    """The same, for clients that also list current versions; a listing costs one token."""

    inner: VersionedSecretsClient

    def version_key(self, ref: RemoteRef) -> str | None:
        return self.inner.version_key(ref)

    async def get_versioned(self, refs: Sequence[RemoteRef]) -> dict[RemoteRef, VersionedValue | Exception]:
        results = await self._call(lambda: self.inner.get_versioned(refs))
        errors = [v for v in results.values() if isinstance(v, ProviderUnavailable)]
        if errors and len(errors) == len(results):
            self.breaker.failure(errors[0])
        return results

    async def list_versions(self, max_pages: int) -> VersionListing:
        return await self._call(lambda: self.inner.list_versions(max_pages))


def guard(
    client: SecretsClient, *, qps: float, burst: int, breaker: BreakerSettings | None = None
) -> GuardedClient:
    """Wrap ``client``; ``qps`` 0 disables the rate limit."""
    bucket = TokenBucket(qps, burst) if qps > 0 else None
    cb = CircuitBreaker(breaker or BreakerSettings())
    if isinstance(client, VersionedSecretsClient):
        return GuardedVersionedClient(client, bucket, cb)
    if isinstance(client, BatchSecretsClient):
        return GuardedBatchClient(client, bucket, cb)
    return GuardedClient(client, bucket, cb)
