"""SecretStore and ClusterSecretStore controller wiring (one reconciler, two kinds)."""

from __future__ import annotations

from typing import Any

from eso.api import constants
from eso.api.resources import CLUSTER_SECRET_STORE, SECRET_STORE, ResourceInfo
from eso.controllers.secretstore import StoreReconcilerContext, reconcile_store
from eso.kube.controller import Result
from eso.kube.informer import object_key
from eso.operator.handlers import store_became_usable
from eso.operator.wiring.base import Wiring

__all__ = ["build"]

Key = tuple[str, str]
Obj = dict[str, Any]


def build(w: Wiring) -> None:
    """Register a store controller per enabled store kind."""
    c = w.settings.controller
    kinds: list[tuple[ResourceInfo, str]] = []
    if c.enable_secret_store_reconciler:
        kinds.append((SECRET_STORE, constants.RECORDER_SECRET_STORE))
    if c.enable_cluster_store_reconciler and w.namespace is None:
        kinds.append((CLUSTER_SECRET_STORE, constants.RECORDER_CLUSTER_SECRET_STORE))
    for info, recorder in kinds:
        _build_kind(w, info, recorder)


def _generation(obj: Obj | None) -> Any:
    return ((obj or {}).get("metadata") or {}).get("generation")


def _build_kind(w: Wiring, info: ResourceInfo, recorder: str) -> None:
    informer = w.informer(info)
    queue = w.queue(info.plural)
    ctx = StoreReconcilerContext(
        client=w.client,
        informer=informer,
        info=info,
        stores=w.store_resolver(),
        kube_access=w.kube_access,
        events=w.events(recorder),
        metrics=w.metrics,
        settings=w.settings.controller,
    )

    async def on_store(etype: str, obj: Obj, old: Obj | None) -> None:
        key = object_key(obj)
        spec_changed = old is None or _generation(obj) != _generation(old)
        # Deletion bumps the generation too; keep the client until the store is gone, so
        # PushSecrets can still clean up their remote secrets through it.
        deleting = bool((obj.get("metadata") or {}).get("deletionTimestamp"))
        if etype == "DELETED" or (spec_changed and not deleting):
            await w.cache.invalidate_store(info.kind, key[0], key[1])
        if etype == "DELETED" or store_became_usable(obj, old):
            index = w.shared.get("es_index")
            if index is not None:
                index.enqueue_users_of(info.kind, key[0], key[1])
        if etype != "DELETED" and spec_changed:
            queue.add(key, priority=old is None)

    informer.add_handler(on_store)

    async def run(key: Key) -> Result:
        return await reconcile_store(ctx, key)

    w.controller(info.plural, queue, run, workers=2)
