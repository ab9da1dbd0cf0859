"""Efficiency features, by behaviour: shared and batched reads, per-store rate limit, circuit breaker."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from eso.controllers.reads import SharedReads
from eso.errors import ProviderUnavailable, SecretNotFound
from eso.providers.base import FindQuery, PushEntry, PushSource, RemoteRef, ValidationResult
from eso.providers.guard import BreakerSettings, CircuitBreaker, guard


class FakeClient:
    """A SecretsClient over a dict; counts calls."""

    def __init__(self, values: dict[str, bytes], fail: Exception | None = None) -> None:
        self.values = values
        self.fail = fail
        self.single = 0
        self.batches: list[int] = []

    async def get_secret(self, ref: RemoteRef) -> bytes:
        self.single += 1
        await asyncio.sleep(0)
        if self.fail:
            raise self.fail
        if ref.key not in self.values:
            raise SecretNotFound(f"secret {ref.key} does not exist")
        return self.values[ref.key]

    async def get_secret_map(self, ref: RemoteRef) -> dict[str, bytes]:
        raise NotImplementedError

    async def get_all_secrets(self, find: FindQuery) -> dict[str, bytes]:
        raise NotImplementedError

    async def push_secret(self, source: PushSource, entry: PushEntry) -> None:
        raise NotImplementedError

    async def delete_secret(self, entry: PushEntry) -> None:
        raise NotImplementedError

    async def secret_exists(self, entry: PushEntry) -> bool:
        return False

    async def validate(self) -> ValidationResult:
        return ValidationResult.READY

    async def close(self) -> None:
        return None


class FakeBatchClient(FakeClient):
    async def get_secrets(self, refs: Sequence[RemoteRef]) -> dict[RemoteRef, bytes | Exception]:
        self.batches.append(len(refs))
        out: dict[RemoteRef, bytes | Exception] = {}
        for ref in refs:
            value = self.values.get(ref.key)
            out[ref] = value if value is not None else SecretNotFound(f"secret {ref.key} does not exist")
        return out


async def test_concurrent_identical_reads_share_one_call() -> None:
    client = FakeClient({"a": b"1"})
    reads = SharedReads(batching=False)
    results = await asyncio.gather(*(reads.get("store", client, RemoteRef("a")) for _ in range(50)))
    assert results == [b"1"] * 50
    assert client.single == 1


async def test_reads_within_the_window_are_batched_twenty_at_a_time() -> None:
    client = FakeBatchClient({f"k{i}": str(i).encode() for i in range(45)})
    reads = SharedReads()
    refs = [RemoteRef(f"k{i}") for i in range(45)]
    got = await asyncio.gather(*(reads.get_many("store", client, [r]) for r in refs))
    assert [g[r] for g, r in zip(got, refs, strict=True)] == [str(i).encode() for i in range(45)]
    assert sorted(client.batches) == [5, 20, 20]
    assert client.single == 0


async def test_missing_keys_are_reported_per_ref_and_cached_briefly() -> None:
    client = FakeBatchClient({"a": b"1"})
    reads = SharedReads(ttl=60)
    got = await reads.get_many("store", client, [RemoteRef("a"), RemoteRef("missing")])
    assert got[RemoteRef("a")] == b"1"
    assert isinstance(got[RemoteRef("missing")], SecretNotFound)
    await reads.get_many("store", client, [RemoteRef("a"), RemoteRef("missing")])
    assert len(client.batches) == 1, "the second read within the window is served from the shared result"


async def test_sharing_off_reads_every_time() -> None:
    client = FakeClient({"a": b"1"})
    reads = SharedReads(ttl=0.0, batching=False)
    for _ in range(3):
        await reads.get("store", client, RemoteRef("a"))
    assert client.single == 3


async def test_rate_limit_spaces_calls() -> None:
    client = guard(FakeClient({"a": b"1"}), qps=20, burst=1)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(5):
        await client.get_secret(RemoteRef("a"))
    assert loop.time() - start >= 0.15, "5 calls at 20/s with burst 1 take about 0.2 s"


async def test_breaker_opens_after_repeated_outage_and_fails_fast_with_the_cause() -> None:
    inner = FakeClient({}, fail=ProviderUnavailable("connect: connection refused"))
    client = guard(inner, qps=0, burst=1, breaker=BreakerSettings(threshold=3, cooldown=60))
    for _ in range(3):
        with pytest.raises(ProviderUnavailable):
            await client.get_secret(RemoteRef("a"))
    for _ in range(10):
        with pytest.raises(ProviderUnavailable, match="connection refused"):
            await client.get_secret(RemoteRef("a"))
    assert inner.single == 3, "while open, no call reaches the provider"


def test_breaker_half_opens_after_cooldown_and_closes_on_success() -> None:
    now = [0.0]
    breaker = CircuitBreaker(BreakerSettings(threshold=2, cooldown=10, max_cooldown=40), clock=lambda: now[0])
    outage = ProviderUnavailable("timeout")
    breaker.failure(outage)
    breaker.failure(outage)
    assert breaker.is_open
    now[0] = 11
    breaker.before_call()  # the trial call is let through
    breaker.failure(outage)
    assert breaker.is_open, "a failed trial re-opens at once, with a longer cooldown"
    now[0] = 11 + 19
    assert breaker.is_open
    now[0] = 11 + 21
    breaker.before_call()
    breaker.success()
    assert not breaker.is_open


def test_permanent_errors_do_not_open_the_breaker() -> None:
    breaker = CircuitBreaker(BreakerSettings(threshold=1))
    breaker.failure(SecretNotFound("gone"))
    assert not breaker.is_open
