"""Informer events → work-queue keys, and the indexes that map them.

* ExternalSecret changes enqueue the ExternalSecret only when its generation, labels,
  annotations, finalizers or deletion timestamp changed (our own status writes do not
  trigger reconciles). Never-synced objects go to the priority lane.
* Managed-Secret changes (edits, deletions) enqueue the ExternalSecret(s) targeting
  that Secret, so drift is repaired within seconds, not at the next refresh.
* Store changes enqueue the store; a store turning Ready (or changing spec) enqueues
  the ExternalSecrets that use it.
"""

from __future__ import annotations

import sys
from typing import Any

from eso.kube.informer import object_key
from eso.kube.multimap import MultiMap
from eso.kube.workqueue import WorkQueue

__all__ = ["ExternalSecretIndex", "es_changed_meaningfully", "store_refs_of"]

Obj = dict[str, Any]
Key = tuple[str, str]
StoreKey = tuple[str, str, str]


def _meta(obj: Obj | None) -> Obj:
    return (obj or {}).get("metadata") or {}


def es_changed_meaningfully(new: Obj, old: Obj | None) -> bool:
    """True unless only the status (or resourceVersion/managedFields) changed."""
    if old is None:
        return True
    a, b = _meta(new), _meta(old)
    return any(
        a.get(f) != b.get(f)
        for f in ("generation", "labels", "annotations", "finalizers", "deletionTimestamp")
    )


def target_name_of(es: Obj) -> str:
    """``spec.target.name`` or the ExternalSecret's name."""
    target = ((es.get("spec") or {}).get("target")) or {}
    return str(target.get("name") or _meta(es).get("name", ""))


def store_refs_of(es: Obj) -> set[StoreKey]:
    """Every store an ExternalSecret (raw) refers to, as ``(kind, namespace, name)``."""
    ns = str(_meta(es).get("namespace", ""))
    spec = es.get("spec") or {}
    refs = [spec.get("secretStoreRef")]
    refs += [((d.get("sourceRef") or {}).get("storeRef")) for d in spec.get("data") or []]
    refs += [((d.get("sourceRef") or {}).get("storeRef")) for d in spec.get("dataFrom") or []]
    out: set[StoreKey] = set()
    for ref in refs:
        if not isinstance(ref, dict) or not ref.get("name"):
            continue
        kind = ref.get("kind") or "SecretStore"
        scope = "" if kind == "ClusterSecretStore" else ns
        out.add((sys.intern(str(kind)), sys.intern(scope), sys.intern(str(ref["name"]))))
    return out


class ExternalSecretIndex:
    """Who targets which Secret, and who uses which store; kept current by ES events."""

    def __init__(self, queue: WorkQueue[Key]) -> None:
        self._queue = queue
        self._by_target: MultiMap[Key, Key] = MultiMap()
        self._by_store: MultiMap[StoreKey, Key] = MultiMap()
        self._of: dict[Key, tuple[Key, tuple[StoreKey, ...]]] = {}

    def _forget(self, key: Key) -> None:
        previous = self._of.pop(key, None)
        if previous is None:
            return
        target, stores = previous
        self._by_target.discard(target, key)
        for store in stores:
            self._by_store.discard(store, key)

    def on_external_secret(self, etype: str, obj: Obj, old: Obj | None) -> None:
        """Informer handler for ExternalSecrets."""
        key = object_key(obj)
        self._forget(key)
        if etype == "DELETED":
            self._queue.cancel_delayed(key)
            self._queue.add(key)
            return
        target = (key[0], sys.intern(target_name_of(obj)))
        stores = tuple(sorted(store_refs_of(obj)))
        self._of[key] = (target, stores)
        self._by_target.add(target, key)
        for store in stores:
            self._by_store.add(store, key)
        if es_changed_meaningfully(obj, old):
            never_synced = not ((obj.get("status") or {}).get("refreshTime"))
            self._queue.add(key, priority=never_synced)

    def on_secret(self, etype: str, obj: Obj, old: Obj | None) -> None:
        """Informer handler for managed Secrets: repair drift through their ExternalSecrets."""
        if etype == "MODIFIED" and old is not None and _unchanged_content(obj, old):
            return
        for key in self._by_target.get(object_key(obj)):
            self._queue.add(key)

    def external_secrets_using(self, kind: str, namespace: str, name: str) -> set[Key]:
        """ExternalSecrets that read from a store."""
        return set(self._by_store.get((kind, namespace, name)))

    def enqueue_users_of(self, kind: str, namespace: str, name: str) -> None:
        """Queue every ExternalSecret that reads from a store."""
        for key in self.external_secrets_using(kind, namespace, name):
            self._queue.add(key)


def _unchanged_content(new: Obj, old: Obj) -> bool:
    a, b = _meta(new), _meta(old)
    return (
        new.get("data") == old.get("data")
        and new.get("type") == old.get("type")
        and a.get("labels") == b.get("labels")
        and a.get("annotations") == b.get("annotations")
        and a.get("ownerReferences") == b.get("ownerReferences")
    )


def store_became_usable(new: Obj, old: Obj | None) -> bool:
    """True when a store's spec changed or it turned Ready."""
    if old is None:
        return True
    if _meta(new).get("generation") != _meta(old).get("generation"):
        return True
    return _ready(new) and not _ready(old)


def _ready(store: Obj) -> bool:
    for cond in (store.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return bool(cond.get("status") == "True")
    return False
