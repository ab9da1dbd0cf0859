"""Metadata-first change detection, by behaviour: SharedReads over a fake versioned client.

The fake account holds secrets with immutable versions; it counts value calls
(``get_versioned`` / ``get_secret``) and listing pages, and lists 100 secrets a page as
ListSecrets does. The clock is fake, so "after the ttl" needs no sleeping.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Sequence

from eso.controllers.reads import SharedReads
from eso.controllers.versions import VersionChecks
from eso.errors import ProviderAuthError, ProviderUnavailable, SecretNotFound
from eso.providers.base import (
    FindQuery,
    MetadataPolicy,
    PushEntry,
    PushSource,
    RemoteRef,
    ValidationResult,
    VersionedSecretsClient,
    VersionedValue,
    VersionListing,
)
from eso.providers.guard import guard

PAGE = 100


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeAccount:
    """A VersionedSecretsClient over ``name -> (value, version id)``."""

    def __init__(self, secrets: int = 0, prefix: str = "s") -> None:
        self.secrets: dict[str, tuple[bytes, str]] = {}
        for i in range(secrets):
            self.put(f"{prefix}{i}", f"value-{i}".encode())
        self.value_reads: list[str] = []
        self.single_reads: list[RemoteRef] = []
        self.list_calls = 0
        self.pages_read = 0
        self.list_error: Exception | None = None

    def put(self, name: str, value: bytes) -> None:
        self.secrets[name] = (value, str(uuid.uuid4()))

    def version_key(self, ref: RemoteRef) -> str | None:
        plain = ref.metadata_policy is MetadataPolicy.NONE and not ref.version
        return ref.key if plain else None

    async def get_versioned(self, refs: Sequence[RemoteRef]) -> dict[RemoteRef, VersionedValue | Exception]:
        await asyncio.sleep(0)
        out: dict[RemoteRef, VersionedValue | Exception] = {}
        for ref in refs:
            self.value_reads.append(ref.key)
            if ref.key in self.secrets:
                value, version = self.secrets[ref.key]
                out[ref] = VersionedValue(value, version)
            else:
                out[ref] = SecretNotFound(f"secret {ref.key} does not exist")
        return out

    async def list_versions(self, max_pages: int) -> VersionListing:
        self.list_calls += 1
        await asyncio.sleep(0)
        if self.list_error is not None:
            self.pages_read += 1
            raise self.list_error
        names = sorted(self.secrets)
        total = max(1, math.ceil(len(names) / PAGE))
        pages = min(total, max_pages)
        self.pages_read += pages
        current = {name: self.secrets[name][1] for name in names[: pages * PAGE]}
        return VersionListing(current=current, pages=pages, complete=pages == total)

    async def get_secrets(self, refs: Sequence[RemoteRef]) -> dict[RemoteRef, bytes | Exception]:
        plain = [ref for ref in refs if self.version_key(ref) is not None]
        out: dict[RemoteRef, bytes | Exception] = {
            ref: got if isinstance(got, Exception) else got.value
            for ref, got in (await self.get_versioned(plain)).items()
        }
        for ref in refs:
            if ref not in out:
                out[ref] = await self.get_secret(ref)
        return out

    async def get_secret(self, ref: RemoteRef) -> bytes:
        self.single_reads.append(ref)
        await asyncio.sleep(0)
        return b"by-version" if ref.version else b'{"team":"a"}'

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


def _reads(clock: Clock, pause: float = 300.0) -> SharedReads:
    return SharedReads(ttl=2.0, window=0.0, versions=VersionChecks(clock=clock, pause=pause), clock=clock)


async def _read_all(
    reads: SharedReads, client: FakeAccount, keys: Sequence[str]
) -> dict[RemoteRef, bytes | Exception]:
    return await reads.get_many("store", client, [RemoteRef(k) for k in keys])


KEYS = [f"s{i}" for i in range(30)]


async def test_the_store_guard_keeps_a_versioned_client_versioned() -> None:
    account = FakeAccount(3)
    guarded = guard(account, qps=0, burst=1)
    assert isinstance(guarded, VersionedSecretsClient)
    assert guarded.version_key(RemoteRef("s1")) == "s1"
    assert (await guarded.list_versions(1)).complete
    got = await guarded.get_versioned([RemoteRef("s1")])
    assert got[RemoteRef("s1")] == VersionedValue(b"value-1", account.secrets["s1"][1])


async def test_unchanged_versions_cost_no_value_call_after_the_ttl() -> None:
    clock, account = Clock(), FakeAccount(30)
    reads = _reads(clock)
    first = await _read_all(reads, account, KEYS)
    assert len(account.value_reads) == 30
    for step in range(3):  # 3 s apart: past the 2 s ttl every time, within one 10 s listing
        clock.now += 3
        again = await _read_all(reads, account, KEYS)
        assert again == first
        assert len(account.value_reads) == 30, f"step {step}: unchanged secrets were read again"
    assert account.list_calls == 1, "one listing answers for every secret of the store"
    clock.now += 8  # the listing is now 12 s old: a new one, still no value call
    assert await _read_all(reads, account, KEYS) == first
    assert (account.list_calls, len(account.value_reads)) == (2, 30)


async def test_without_version_checks_every_read_after_the_ttl_fetches() -> None:
    clock, account = Clock(), FakeAccount(30)
    reads = SharedReads(ttl=2.0, window=0.0, clock=clock)
    await _read_all(reads, account, KEYS)
    clock.now += 3
    await _read_all(reads, account, KEYS)
    assert (account.list_calls, len(account.value_reads)) == (0, 60)


async def test_a_changed_version_is_fetched_once_with_its_new_value() -> None:
    clock, account = Clock(), FakeAccount(30)
    reads = _reads(clock)
    await _read_all(reads, account, KEYS)
    account.put("s7", b"rotated")
    clock.now += 3
    got = await _read_all(reads, account, KEYS)
    assert got[RemoteRef("s7")] == b"rotated"
    assert got[RemoteRef("s8")] == b"value-8"
    assert account.value_reads[30:] == ["s7"], "only the changed secret is read"
    clock.now += 3
    assert (await _read_all(reads, account, KEYS))[RemoteRef("s7")] == b"rotated"
    assert account.value_reads[30:] == ["s7"], "the new version is reused in turn"


async def test_a_deleted_secret_is_fetched_and_its_not_found_surfaces() -> None:
    clock, account = Clock(), FakeAccount(30)
    reads = _reads(clock)
    await _read_all(reads, account, KEYS)
    del account.secrets["s3"]
    clock.now += 3
    got = await _read_all(reads, account, KEYS)
    assert isinstance(got[RemoteRef("s3")], SecretNotFound)
    assert got[RemoteRef("s4")] == b"value-4"
    assert account.value_reads[30:] == ["s3"]


async def test_a_denied_listing_falls_back_to_values_and_stops_listing_for_a_while() -> None:
    clock, account = Clock(), FakeAccount(30)
    account.list_error = ProviderAuthError("AccessDeniedException: not authorized to perform ListSecrets")
    reads = _reads(clock, pause=300.0)
    first = await _read_all(reads, account, KEYS)
    for _ in range(5):
        clock.now += 3
        assert await _read_all(reads, account, KEYS) == first
    assert account.list_calls == 1, "a denied listing is not retried within the pause"
    assert len(account.value_reads) == 6 * 30, "every read past the ttl fetched, as without the feature"
    account.list_error = None
    clock.now += 300
    await _read_all(reads, account, KEYS)  # after the pause a listing is tried again
    assert account.list_calls == 2
    fetched = len(account.value_reads)
    clock.now += 3
    await _read_all(reads, account, KEYS)
    assert len(account.value_reads) == fetched, "and used"


async def test_a_failed_listing_never_fails_a_read() -> None:
    clock, account = Clock(), FakeAccount(30)
    reads = _reads(clock)
    first = await _read_all(reads, account, KEYS)
    account.list_error = ProviderUnavailable("connect: connection refused")
    clock.now += 3
    assert await _read_all(reads, account, KEYS) == first
    assert len(account.value_reads) == 60, "the values were read instead"
    account.list_error = None
    clock.now += 3
    await _read_all(reads, account, KEYS)
    assert account.list_calls == 1, "a failed listing is not retried within the listing ttl"
    clock.now += 8
    assert await _read_all(reads, account, KEYS) == first
    assert (account.list_calls, len(account.value_reads)) == (2, 90), "then it is, and used"


async def test_a_small_store_in_a_big_account_never_lists() -> None:
    clock, big, small = Clock(), FakeAccount(50_000), FakeAccount(30)
    reads = _reads(clock)
    for _ in range(20):
        got = await reads.get_many("two-keys", big, [RemoteRef("s1"), RemoteRef("s2")])
        assert got[RemoteRef("s1")] == b"value-1"
        await reads.get_many("thirty-keys", small, [RemoteRef(k) for k in KEYS])
        clock.now += 3
    assert big.list_calls == 0, "two secrets cost one batch call: no listing can be cheaper"
    assert len(big.value_reads) == 40
    assert small.list_calls > 0, "the store next to it does list"
    assert len(small.value_reads) == 30


async def test_a_listing_reads_no_more_pages_than_the_values_would_cost() -> None:
    clock, account = Clock(), FakeAccount(1_000)  # 10 pages
    keys = [f"s{i}" for i in range(45)]  # 3 batch calls: a listing may take 2 pages
    reads = _reads(clock, pause=300.0)
    for _ in range(30):  # 90 s of refreshes every 3 s
        await _read_all(reads, account, keys)
        clock.now += 3
    assert account.pages_read == 2, "one probe within the budget, then values as before"
    assert len(account.value_reads) == 30 * 45


async def test_explicit_versions_and_metadata_reads_keep_todays_path() -> None:
    clock, account = Clock(), FakeAccount(30)
    reads = _reads(clock)
    pinned = RemoteRef("s1", version="uuid/0b5e")
    tags = RemoteRef("s2", metadata_policy=MetadataPolicy.FETCH)
    refs = [*(RemoteRef(k) for k in KEYS), pinned, tags]
    for _ in range(4):
        got = await reads.get_many("store", account, refs)
        assert (got[pinned], got[tags]) == (b"by-version", b'{"team":"a"}')
        clock.now += 3
    assert sorted(account.single_reads, key=repr) == sorted([pinned, tags] * 4, key=repr), (
        "every refresh past the ttl reads them, as today"
    )
    assert len(account.value_reads) == 30, "the plain reads next to them are reused"
    assert "s1" not in account.value_reads[30:]


async def test_without_batching_each_key_costs_a_call_so_a_few_keys_already_list() -> None:
    clock, account = Clock(), FakeAccount(3)
    reads = SharedReads(ttl=2.0, window=0.0, batching=False, versions=VersionChecks(clock=clock), clock=clock)
    first = await _read_all(reads, account, ["s0", "s1", "missing"])
    assert isinstance(first[RemoteRef("missing")], SecretNotFound)
    clock.now += 3
    again = await _read_all(reads, account, ["s0", "s1", "missing"])
    assert again[RemoteRef("s0")] == b"value-0"
    assert isinstance(again[RemoteRef("missing")], SecretNotFound)
    assert account.list_calls == 1
    assert account.value_reads[3:] == ["missing"], "only the secret the listing does not show is read again"


async def test_a_value_is_read_again_after_max_reuse_even_if_its_version_is_unchanged() -> None:
    """A value that lost its permission, or a listing that lags, surfaces within max_reuse."""
    clock, account = Clock(), FakeAccount(30)
    reads = SharedReads(ttl=2.0, window=0.0, versions=VersionChecks(clock=clock, max_reuse=60.0), clock=clock)
    await _read_all(reads, account, KEYS)
    for _ in range(6):  # 6 x 9 s = 54 s: within max_reuse, answered by listings
        clock.now += 9
        await _read_all(reads, account, KEYS)
    assert len(account.value_reads) == 30
    assert account.list_calls >= 2
    clock.now += 9  # 63 s after the values were read: read again, once
    await _read_all(reads, account, KEYS)
    assert len(account.value_reads) == 60
    clock.now += 9
    await _read_all(reads, account, KEYS)
    assert len(account.value_reads) == 60, "the fresh values are reused again"
