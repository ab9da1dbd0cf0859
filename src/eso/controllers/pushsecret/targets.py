"""The stores a PushSecret pushes to (eso-api §2.14 step 5).

``secretStoreRefs[]`` name a store (a SecretStore in the PushSecret's namespace, or a
ClusterSecretStore) or select stores by label (SecretStores of the namespace, or
ClusterSecretStores), from the informer caches. Stores being deleted and stores of
another controller class are dropped; a named store that does not exist is kept, so
that resolving it reports "not found" on the PushSecret.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eso.api.meta import SecretStoreKind
from eso.api.pushsecret import PushSecret
from eso.controllers.pushsecret.entries import StoreId
from eso.controllers.stores import StoreResolver
from eso.kube import selectors
from eso.kube.informer import Informer

__all__ = ["Candidate", "select_stores"]

Obj = dict[str, Any]
_CLUSTER = SecretStoreKind.CLUSTER_SECRET_STORE.value


@dataclass(frozen=True)
class Candidate:
    """A store to push to, and the ``secretStoreRefs`` index that selected it."""

    store: StoreId
    index: int

    @property
    def field(self) -> str:
        """Where the store was selected, for messages."""
        return f"spec.secretStoreRefs[{self.index}]"


def _listed(informer: Informer | None, namespace: str | None) -> Iterable[Obj]:
    if informer is None:
        return ()
    return [
        o
        for o in informer.items()
        if namespace is None or (o.get("metadata") or {}).get("namespace") == namespace
    ]


def select_stores(
    ps: PushSecret, resolver: StoreResolver, secret_stores: Informer | None, cluster_stores: Informer | None
) -> tuple[list[Candidate], int]:
    """The stores to push to, and how many were dropped (deleting or another controller class)."""
    found: dict[tuple[str, str], Candidate] = {}
    for i, ref in enumerate(ps.spec.secret_store_refs):
        kind = ref.kind.value
        if ref.name:
            found.setdefault((kind, ref.name), Candidate(StoreId(kind, ref.name, {}), i))
            continue
        if ref.label_selector is None:
            continue
        informer = cluster_stores if kind == _CLUSTER else secret_stores
        for raw in _listed(informer, None if kind == _CLUSTER else ps.namespace):
            meta = raw.get("metadata") or {}
            labels = dict(meta.get("labels") or {})
            if selectors.matches(ref.label_selector, labels):
                name = str(meta.get("name", ""))
                found.setdefault((kind, name), Candidate(StoreId(kind, name, labels), i))
    kept: list[Candidate] = []
    dropped = 0
    for (kind, name), candidate in sorted(found.items()):
        store = resolver.lookup(kind, name, ps.namespace)
        if store is None:
            kept.append(candidate)
            continue
        if store.metadata.deletion_timestamp or resolver.is_unmanaged(store):
            dropped += 1
            continue
        kept.append(Candidate(StoreId(kind, name, dict(store.metadata.labels)), candidate.index))
    return kept, dropped
