"""PushSecret controller wiring: informers, index, queue, reconciler, and the store finalizer.

Source Secrets are watched only through caches that hold no unrelated Secret: the
managed Secrets (those ExternalSecrets made, cached anyway) and Secrets labelled
``pushsecret.external-secrets.io/source=true``. Other sources are read when the
PushSecret is reconciled (at its refreshInterval, or when it or its stores change).

The store finalizer of eso-api §2.12 runs here, as its own small controller, because
only this controller knows which PushSecrets have pushed to which store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eso.api import constants
from eso.api.meta import SecretStoreKind
from eso.api.pushsecret import PushSecret
from eso.api.resources import CLUSTER_SECRET_STORE, PUSH_SECRET, SECRET, SECRET_STORE, ResourceInfo
from eso.controllers.generators import Generators
from eso.controllers.pushsecret.context import PushSecretContext
from eso.controllers.pushsecret.index import PushSecretIndex, StoreKey
from eso.controllers.pushsecret.reconciler import reconcile
from eso.controllers.pushsecret.sources import SOURCE_LABEL, Generate
from eso.controllers.secretstore import sync_push_finalizer
from eso.errors import SpecError
from eso.kube.controller import Result
from eso.kube.finalizers import has_finalizer
from eso.kube.informer import Informer, object_key
from eso.kube.workqueue import WorkQueue
from eso.operator.handlers import store_became_usable
from eso.operator.wiring.base import Wiring

__all__ = ["build"]

Key = tuple[str, str]
Obj = dict[str, Any]


def _labels(obj: Obj | None) -> Any:
    return ((obj or {}).get("metadata") or {}).get("labels")


def build(w: Wiring) -> None:
    """Register the PushSecret controller and the store-finalizer controller."""
    c = w.settings.controller
    if not c.enable_push_secret_reconciler:
        return
    informer = w.informer(PUSH_SECRET)
    labelled = w.informer(SECRET, label_selector=f"{SOURCE_LABEL}=true")
    managed = w.managed_secrets()
    queue = w.queue("pushsecret")
    store_queue: WorkQueue[StoreKey] = WorkQueue(
        backoff_base=c.backoff_base, backoff_cap=c.backoff_cap, observer=w.metrics.queue("pushsecret_stores")
    )
    index = PushSecretIndex(queue, on_usage=store_queue.add)
    w.shared["ps_index"] = index
    informer.add_handler(index.on_push_secret)
    labelled.add_handler(index.on_secret)
    managed.add_handler(index.on_secret)
    secret_stores = w.informer(SECRET_STORE) if c.enable_secret_store_reconciler else None
    cluster_stores = (
        w.informer(CLUSTER_SECRET_STORE)
        if c.enable_cluster_store_reconciler and w.namespace is None
        else None
    )
    ctx = PushSecretContext(
        client=w.client,
        pushsecrets=informer,
        source_caches=[managed, labelled],
        secret_stores=secret_stores,
        cluster_stores=cluster_stores,
        stores=w.store_resolver(),
        events=w.events(constants.RECORDER_PUSH_SECRET),
        metrics=w.metrics,
        settings=c,
        engine=w.engine,
        generator=_generator_of(w),
    )
    w.shared["ps_context"] = ctx

    async def run(key: Key) -> Result:
        return await reconcile(ctx, key)

    w.controller("pushsecret", queue, run, c.concurrent)
    stores: dict[str, tuple[ResourceInfo, Informer]] = {}
    for info, store_informer in ((SECRET_STORE, secret_stores), (CLUSTER_SECRET_STORE, cluster_stores)):
        if store_informer is not None:
            stores[info.kind] = (info, store_informer)
            store_informer.add_handler(_store_handler(info.kind, index, store_queue))

    async def run_store(key: StoreKey) -> Result:
        kind, namespace, name = key
        if kind not in stores:
            return Result()
        info, store_informer = stores[kind]
        raw = store_informer.get(namespace or None, name)
        if raw is None:
            return Result()
        wanted = (raw.get("spec") or {}).get("controller")
        if wanted and wanted != c.controller_class:
            return Result()
        await sync_push_finalizer(w.client, info, raw, bool(index.users_of_store(kind, namespace, name)))
        return Result()

    w.controller("pushsecret-store-finalizer", store_queue, run_store, 1)


def _generator_of(w: Wiring) -> Callable[[], Generate | None]:
    """``selector.generatorRef`` through the generators' runner, when one is wired (looked up at use)."""

    def current() -> Generate | None:
        generators = w.shared.get("generators")
        if not isinstance(generators, Generators):
            return None
        runner = generators

        async def generate(ps: PushSecret) -> dict[str, bytes]:
            selector = ps.spec.selector
            ref = selector.generator_ref if selector is not None else None
            if ref is None:
                raise SpecError("is not a generator source", field="spec.selector.generatorRef")
            return await runner.generate(ref, ps.namespace, field="spec.selector.generatorRef")

        return generate

    return current


def _store_handler(kind: str, index: PushSecretIndex, store_queue: WorkQueue[StoreKey]) -> Any:
    cluster = kind == SecretStoreKind.CLUSTER_SECRET_STORE.value

    def on_store(etype: str, obj: Obj, old: Obj | None) -> None:
        if etype == "DELETED" or store_became_usable(obj, old) or _labels(obj) != _labels(old):
            index.enqueue_users_of(kind, obj, old)
        meta = obj.get("metadata") or {}
        if etype != "DELETED" and (
            has_finalizer(obj, constants.FINALIZER_SECRET_STORE) or meta.get("deletionTimestamp")
        ):
            namespace, name = object_key(obj)
            store_queue.add((kind, "" if cluster else namespace, name))

    return on_store
