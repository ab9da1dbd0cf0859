"""The provider calls of a PushSecret: push entries to a store, delete what was pushed.

* Every entry is tried, even after another failed, so one bad entry or store does not
  hold back the others; failures are collected with ESO's wording
  ("could not write remote ref <key> to target secretstore <store>: <cause>").
* ``updatePolicy: IfNotExists`` asks ``secret_exists`` first and leaves an existing
  remote secret alone (the entry is still recorded as synced).
* A remote secret eso does not manage (no ``managed-by: external-secrets`` tag) is never
  overwritten: the message says so and how to fix it.
* Two PushSecrets writing the same remote key of the same store take turns
  (:class:`KeyedLocks`), so a property merge never loses a concurrent one.
* The providers themselves skip the write when the remote value is unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eso.api.meta import SecretStoreKind
from eso.controllers.pushsecret.entries import Planned, SyncedMap, entry_from_status, entry_source
from eso.controllers.stores import ResolvedStore, StoreResolver
from eso.errors import CapabilityError, EsoError, NotManagedError
from eso.providers.base import Capabilities, PushSource

__all__ = ["DeleteOutcome", "KeyedLocks", "PushOutcome", "delete_synced", "push_to_store", "write_error"]

_CLUSTER = SecretStoreKind.CLUSTER_SECRET_STORE.value
_NOT_MANAGED_HINT = (
    "the remote secret exists but is not tagged managed-by=external-secrets, so eso will not overwrite it; "
    "delete the remote secret, or tag it managed-by=external-secrets to let this PushSecret manage it"
)


class KeyedLocks:
    """One asyncio lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        """Hold the lock of ``key``."""
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


def write_error(store_label: str, remote_key: str, exc: Exception) -> str:
    """ESO's push failure message, with eso's fix hint for unmanaged remote secrets."""
    text = f"could not write remote ref {remote_key} to target secretstore {store_label}: {exc}"
    if isinstance(exc, NotManagedError):
        text += f": {_NOT_MANAGED_HINT}"
    return text


@dataclass
class PushOutcome:
    """What one store got: the entries now synced, the errors, and whether any existed (IfNotExists)."""

    synced: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    temporary: bool = False
    kept_existing: int = 0


async def push_to_store(
    resolved: ResolvedStore,
    label: str,
    sources: list[PushSource],
    planned: list[Planned],
    *,
    if_not_exists: bool,
    locks: KeyedLocks,
    field: str = "spec.secretStoreRefs",
) -> PushOutcome:
    """Push every planned entry of every source Secret to one store.

    CapabilityError (permanent, nothing written) when the store is ``ReadOnly``.
    """
    if resolved.provider.capabilities(resolved.context.spec) is Capabilities.READ_ONLY:
        raise CapabilityError(
            f"{field}: store {label} is ReadOnly (see its status.capabilities); nothing can be pushed to it"
        )
    outcome = PushOutcome()
    store_ident = (resolved.key.kind, resolved.key.namespace, resolved.key.name)
    for source in sources:
        for p in planned:
            try:
                view = entry_source(source, p)
                entry = p.push_entry()
                async with locks.hold((*store_ident, p.remote_key)):
                    if if_not_exists and await resolved.client.secret_exists(entry):
                        outcome.kept_existing += 1
                    else:
                        await resolved.client.push_secret(view, entry)
            except EsoError as exc:
                outcome.errors.append(write_error(label, p.remote_key, exc))
                outcome.temporary = outcome.temporary or exc.temporary
                continue
            outcome.synced[p.status_key] = p.status_entry()
    return outcome


@dataclass
class DeleteOutcome:
    """Entries deleted (or left: store gone), entries that failed, entries of stores of another
    controller class (left to that controller), and the messages."""

    done: SyncedMap = field(default_factory=dict)
    failed: SyncedMap = field(default_factory=dict)
    foreign: SyncedMap = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    temporary: bool = False


def _store_name(key: str) -> tuple[str, str]:
    kind, _, name = key.partition("/")
    return kind or SecretStoreKind.SECRET_STORE.value, name


async def delete_synced(
    entries: Mapping[str, Mapping[str, Mapping[str, Any]]],
    namespace: str,
    resolver: StoreResolver,
    locks: KeyedLocks,
) -> DeleteOutcome:
    """Delete the remote secrets of ``entries`` (a syncedPushSecrets map).

    A store that no longer exists cannot be reached: its entries count as done, with a
    note (the remote secrets are left in place). Any other failure keeps the entry.
    """
    outcome = DeleteOutcome()
    for key, items in entries.items():
        kind, name = _store_name(key)
        store = resolver.lookup(kind, name, namespace)
        if store is not None and resolver.is_unmanaged(store):
            outcome.foreign[key] = {k: dict(v) for k, v in items.items()}
            continue
        if store is None:
            outcome.done[key] = {k: dict(v) for k, v in items.items()}
            outcome.notes.append(
                f"store {key} no longer exists: remote secrets {', '.join(sorted(items))} were left in place"
            )
            continue
        try:
            resolved = await resolver.resolve(
                kind, name, namespace, field="status.syncedPushSecrets", require_ready=False
            )
        except EsoError as exc:
            outcome.failed[key] = {k: dict(v) for k, v in items.items()}
            outcome.errors.append(f"could not delete secrets from target secretstore {key}: {exc}")
            outcome.temporary = outcome.temporary or exc.temporary
            continue
        store_ident = (resolved.key.kind, resolved.key.namespace, resolved.key.name)
        for remote, raw in items.items():
            entry = entry_from_status(raw)
            try:
                async with locks.hold((*store_ident, entry.remote_key)):
                    await resolved.client.delete_secret(entry)
            except EsoError as exc:
                outcome.failed.setdefault(key, {})[remote] = dict(raw)
                outcome.errors.append(
                    f"could not delete remote ref {remote} from target secretstore {key}: {exc}"
                )
                outcome.temporary = outcome.temporary or exc.temporary
                continue
            outcome.done.setdefault(key, {})[remote] = dict(raw)
    return outcome
