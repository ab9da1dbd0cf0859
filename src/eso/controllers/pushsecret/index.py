"""Which PushSecrets a Secret or store event concerns, kept current by PushSecret events.

* A PushSecret is queued when its generation, labels, annotations, finalizers or
  deletion timestamp change (not on our own status writes).
* A source Secret event (from a cache eso holds anyway) queues the PushSecrets that
  name it, or whose ``selector.secret.selector`` matches its labels (before or after).
* A store event queues the PushSecrets that name it or select it by label.
* :meth:`PushSecretIndex.users_of_store` answers the store finalizer's question
  (eso-api §2.12): which PushSecrets with ``deletionPolicy: Delete`` have pushed to a
  store; ``on_usage`` is told whenever that set may have changed for a store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eso.api.meta import LabelSelector, SecretStoreKind
from eso.controllers.pushsecret.entries import selector_of
from eso.kube import selectors
from eso.kube.informer import object_key
from eso.kube.workqueue import WorkQueue

__all__ = ["PushSecretIndex", "StoreKey", "changed_meaningfully"]

Obj = dict[str, Any]
Key = tuple[str, str]
StoreKey = tuple[str, str, str]
"""``(kind, namespace, name)``; the namespace is "" for a ClusterSecretStore."""
_CLUSTER = SecretStoreKind.CLUSTER_SECRET_STORE.value
_DEFAULT_KIND = SecretStoreKind.SECRET_STORE.value


def _meta(obj: Obj | None) -> Obj:
    return (obj or {}).get("metadata") or {}


def changed_meaningfully(new: Obj, old: Obj | None) -> bool:
    """True unless only the status (or resourceVersion/managedFields) changed."""
    if old is None:
        return True
    a, b = _meta(new), _meta(old)
    return any(
        a.get(f) != b.get(f)
        for f in ("generation", "labels", "annotations", "finalizers", "deletionTimestamp")
    )


def _store_key(kind: str, namespace: str, name: str) -> StoreKey:
    return (kind, "" if kind == _CLUSTER else namespace, name)


@dataclass
class _Refs:
    source_name: str | None = None
    source_selector: LabelSelector | None = None
    stores: set[StoreKey] = field(default_factory=set)
    store_selectors: list[tuple[str, LabelSelector]] = field(default_factory=list)
    synced: set[StoreKey] = field(default_factory=set)


def _refs_of(ps: Obj) -> _Refs:
    namespace = str(_meta(ps).get("namespace", ""))
    spec = ps.get("spec") or {}
    source = (spec.get("selector") or {}).get("secret") or {}
    refs = _Refs(source_name=source.get("name") or None, source_selector=selector_of(source.get("selector")))
    for ref in spec.get("secretStoreRefs") or []:
        if not isinstance(ref, dict):
            continue
        kind = str(ref.get("kind") or _DEFAULT_KIND)
        if ref.get("name"):
            refs.stores.add(_store_key(kind, namespace, str(ref["name"])))
        else:
            selector = selector_of(ref.get("labelSelector"))
            if selector is not None:
                refs.store_selectors.append((kind, selector))
    if spec.get("deletionPolicy") == "Delete":
        for synced in (ps.get("status") or {}).get("syncedPushSecrets") or {}:
            kind, _, name = str(synced).partition("/")
            if name:
                refs.synced.add(_store_key(kind, namespace, name))
    return refs


class PushSecretIndex:
    """Maps Secret and store events to PushSecret keys (see the module docstring)."""

    def __init__(self, queue: WorkQueue[Key], on_usage: Callable[[StoreKey], None] | None = None) -> None:
        self._queue = queue
        self._on_usage = on_usage
        self._of: dict[Key, _Refs] = {}
        self._by_source: dict[Key, set[Key]] = defaultdict(set)
        self._selecting: dict[str, set[Key]] = defaultdict(set)
        self._by_store: dict[StoreKey, set[Key]] = defaultdict(set)
        self._store_selecting: set[Key] = set()
        self._synced: dict[StoreKey, set[Key]] = defaultdict(set)

    @staticmethod
    def _drop(table: dict[Any, set[Key]], at: Any, key: Key) -> None:
        members = table.get(at)
        if members is not None:
            members.discard(key)
            if not members:
                del table[at]

    def _forget(self, key: Key) -> _Refs | None:
        refs = self._of.pop(key, None)
        if refs is None:
            return None
        if refs.source_name:
            self._drop(self._by_source, (key[0], refs.source_name), key)
        if refs.source_selector is not None:
            self._drop(self._selecting, key[0], key)
        for store in refs.stores:
            self._drop(self._by_store, store, key)
        self._store_selecting.discard(key)
        for store in refs.synced:
            self._drop(self._synced, store, key)
        return refs

    def _remember(self, key: Key, refs: _Refs) -> None:
        self._of[key] = refs
        if refs.source_name:
            self._by_source[(key[0], refs.source_name)].add(key)
        if refs.source_selector is not None:
            self._selecting[key[0]].add(key)
        for store in refs.stores:
            self._by_store[store].add(key)
        if refs.store_selectors:
            self._store_selecting.add(key)
        for store in refs.synced:
            self._synced[store].add(key)

    def on_push_secret(self, etype: str, obj: Obj, old: Obj | None) -> None:
        """Informer handler for PushSecrets."""
        key = object_key(obj)
        previous = self._forget(key)
        if etype == "DELETED":
            self._queue.cancel_delayed(key)
            self._queue.add(key)
            refs = _Refs()
        else:
            refs = _refs_of(obj)
            self._remember(key, refs)
            if changed_meaningfully(obj, old):
                never_synced = not (obj.get("status") or {}).get("refreshTime")
                self._queue.add(key, priority=never_synced)
        before = previous.synced if previous else set()
        if self._on_usage is not None and before != refs.synced:
            for store in sorted(before ^ refs.synced):
                self._on_usage(store)

    def push_secrets_reading(self, secret: Obj, old: Obj | None = None) -> set[Key]:
        """PushSecrets whose source is ``secret`` (by name, or by label before or after the change)."""
        namespace, name = object_key(secret)
        keys = set(self._by_source.get((namespace, name), ()))
        labels = dict(_meta(secret).get("labels") or {})
        old_labels = dict(_meta(old).get("labels") or {}) if old else None
        for key in self._selecting.get(namespace, ()):
            selector = self._of[key].source_selector
            if selectors.matches(selector, labels) or (
                old_labels is not None and selectors.matches(selector, old_labels)
            ):
                keys.add(key)
        return keys

    def on_secret(self, etype: str, obj: Obj, old: Obj | None) -> None:
        """Informer handler for Secrets eso caches anyway: push changed sources at once.

        Every event counts (no comparison with the cached previous version): the
        reconcile compares the source's resourceVersion with the one it pushed, so a
        spurious event costs one look, a missed change would cost a refresh interval.
        """
        for key in self.push_secrets_reading(obj, old):
            self._queue.add(key)

    def push_secrets_using(self, kind: str, store: Obj, old: Obj | None = None) -> set[Key]:
        """PushSecrets that name a store, select it by label, or have pushed to it."""
        namespace, name = object_key(store)
        ident = _store_key(kind, namespace, name)
        keys = set(self._by_store.get(ident, ())) | set(self._synced.get(ident, ()))
        labels = dict(_meta(store).get("labels") or {})
        old_labels = dict(_meta(old).get("labels") or {}) if old else {}
        for key in self._store_selecting:
            if kind != _CLUSTER and key[0] != namespace:
                continue
            for ref_kind, selector in self._of[key].store_selectors:
                if ref_kind == kind and (
                    selectors.matches(selector, labels) or selectors.matches(selector, old_labels)
                ):
                    keys.add(key)
        return keys

    def enqueue_users_of(self, kind: str, store: Obj, old: Obj | None = None) -> None:
        """Queue every PushSecret that uses a store."""
        for key in self.push_secrets_using(kind, store, old):
            self._queue.add(key)

    def users_of_store(self, kind: str, namespace: str, name: str) -> set[Key]:
        """PushSecrets with deletionPolicy Delete that have pushed to the store."""
        return set(self._synced.get(_store_key(kind, namespace, name), ()))
