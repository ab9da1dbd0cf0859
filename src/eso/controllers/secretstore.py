"""SecretStore and ClusterSecretStore reconciler (one implementation for both kinds).

Steps (eso-api §2.12): skip other controller classes → static validation → build a
fresh client and validate it live (credentials resolve, the API answers) → Ready
condition, capabilities and events → requeue after ``spec.refreshInterval`` or
``--store-requeue-interval``. The live check uses a fresh client each time, so a
revoked credential is noticed even though ExternalSecrets keep a cached client.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import structlog

from eso.api import constants
from eso.api.parsing import parse_model
from eso.api.resources import CLUSTER_SECRET_STORE, SECRET_STORE, ResourceInfo
from eso.api.secretstore import ClusterSecretStore, SecretStore
from eso.api.validation import validate_secret_store
from eso.controllers.conditions import set_condition
from eso.controllers.stores import StoreResolver, store_context
from eso.errors import EsoError, NotFound, SpecError, is_temporary
from eso.kube.client import KubeClient
from eso.kube.controller import Result
from eso.kube.events import EventRecorder, Normal, Warning
from eso.kube.informer import Informer
from eso.metrics import Metrics
from eso.providers.base import KubeAccess, ValidationResult
from eso.settings import ControllerSettings

__all__ = ["STORE_KINDS", "StoreReconcilerContext", "reconcile_store", "sync_push_finalizer"]

Obj = dict[str, Any]
_Reason = constants.SecretStoreReason
_log = structlog.get_logger("eso.controllers.secretstore")


@dataclass
class StoreReconcilerContext:
    """Collaborators of the store reconciler for one kind."""

    client: KubeClient
    informer: Informer
    info: ResourceInfo
    stores: StoreResolver
    kube_access: KubeAccess
    events: EventRecorder
    metrics: Metrics
    settings: ControllerSettings


def _metric_kind(info: ResourceInfo) -> str:
    return "clustersecretstore" if info is CLUSTER_SECRET_STORE else "secretstore"


async def reconcile_store(ctx: StoreReconcilerContext, key: tuple[str, str]) -> Result:
    """Validate one store and record the outcome in its status."""
    namespace, name = key
    raw = ctx.informer.get(namespace or None, name)
    kind = _metric_kind(ctx.info)
    if raw is None:
        ctx.metrics.forget(kind, namespace, name)
        return Result()
    start = time.monotonic()
    with structlog.contextvars.bound_contextvars(kind=ctx.info.kind, namespace=namespace, name=name):
        try:
            return await _reconcile(ctx, raw, kind)
        finally:
            ctx.metrics.reconcile_duration(kind, namespace, name, time.monotonic() - start)


async def _reconcile(ctx: StoreReconcilerContext, raw: Obj, kind: str) -> Result:
    model: type[SecretStore] | type[ClusterSecretStore] = (
        ClusterSecretStore if ctx.info is CLUSTER_SECRET_STORE else SecretStore
    )
    try:
        store: SecretStore | ClusterSecretStore = parse_model(model, raw)
    except SpecError as exc:
        await _set_ready(ctx, raw, kind, False, _Reason.INVALID_STORE_CONFIGURATION, f"invalid store: {exc}")
        return Result()
    if ctx.stores.is_unmanaged(store):
        return Result()
    rules = validate_secret_store(store, registered=list(ctx.stores.registry))
    if rules.errors:  # enforced without the webhook too
        message = f"invalid store: {'; '.join(rules.errors)}"
        await ctx.events.event(raw, Warning, _Reason.INVALID_STORE_CONFIGURATION, message)
        await _set_ready(ctx, raw, kind, False, _Reason.INVALID_STORE_CONFIGURATION, message)
        return Result()
    interval = store.spec.refresh_seconds() or ctx.settings.store_requeue_interval
    try:
        provider = ctx.stores.registry.get(store.spec.provider.provider_name())
        context = store_context(store, provider, store.namespace or None)
        warnings = provider.validate_store(context)
    except SpecError as exc:
        message = f"invalid store: {exc}"
        await ctx.events.event(raw, Warning, _Reason.INVALID_STORE_CONFIGURATION, message)
        await _set_ready(ctx, raw, kind, False, _Reason.INVALID_STORE_CONFIGURATION, message)
        return Result(retry=True, temporary=False)
    try:
        client = await provider.new_client(context, ctx.kube_access)
    except EsoError as exc:
        message = f"unable to create client: {exc}"
        await ctx.events.event(raw, Warning, _Reason.INVALID_PROVIDER_CONFIG, message)
        await _set_ready(ctx, raw, kind, False, _Reason.INVALID_PROVIDER_CONFIG, message)
        return Result(retry=True, temporary=is_temporary(exc))
    try:
        result = await client.validate()
        failure: EsoError | None = None
    except EsoError as exc:
        result, failure = ValidationResult.ERROR, exc
    finally:
        await client.close()
    annotations = store.metadata.annotations
    for warning in warnings:
        if provider.name == "fake" and constants.ANNOTATION_IGNORE_MAINTENANCE_CHECKS not in annotations:
            await ctx.events.event(raw, Warning, constants.EventReason.STORE_UNMAINTAINED, warning)
    if result is ValidationResult.ERROR:
        message = "unable to validate store" + (f": {failure}" if failure else "")
        await ctx.events.event(raw, Warning, _Reason.INVALID_PROVIDER_CONFIG, message)
        await _set_ready(ctx, raw, kind, False, _Reason.INVALID_PROVIDER_CONFIG, message)
        return Result(retry=True, temporary=failure is None or is_temporary(failure))
    if result is ValidationResult.UNKNOWN and failure is not None:
        await _set_ready(
            ctx, raw, kind, True, _Reason.VALIDATION_UNKNOWN, "could not determine validation status"
        )
        return Result(requeue_after=interval, jitter=ctx.settings.refresh_jitter)
    capabilities = provider.capabilities(context.spec).value
    changed = await _set_ready(ctx, raw, kind, True, _Reason.VALID, "store validated", capabilities)
    if changed:
        await ctx.events.event(raw, Normal, constants.EventReason.VALID, "store validated")
    return Result(requeue_after=interval, jitter=ctx.settings.refresh_jitter)


async def _set_ready(
    ctx: StoreReconcilerContext,
    raw: Obj,
    kind: str,
    ok: bool,
    reason: str,
    message: str,
    capabilities: str | None = None,
) -> bool:
    """Write the Ready condition (and capabilities) when they changed; True if written."""
    meta = raw.get("metadata") or {}
    status: Obj = dict(raw.get("status") or {})
    conditions, changed = set_condition(
        status.get("conditions"), "Ready", "True" if ok else "False", reason, message
    )
    ctx.metrics.set_condition(
        kind, str(meta.get("namespace", "")), str(meta.get("name", "")), "Ready", "True" if ok else "False"
    )
    if capabilities and status.get("capabilities") != capabilities:
        changed = True
        status["capabilities"] = capabilities
    if not changed:
        return False
    status["conditions"] = conditions
    try:
        await ctx.client.patch(
            ctx.info, meta["name"], meta.get("namespace") or None, {"status": status}, subresource="status"
        )
    except NotFound:
        return False
    _log.info("store status", ready=ok, reason=reason)
    return True


STORE_KINDS = (SECRET_STORE, CLUSTER_SECRET_STORE)


# -- PushSecret store finalizer (eso-api §2.12) ---------------------------------------------
# Run by the PushSecret wiring (only when the PushSecret reconciler is enabled), which
# knows from its index which PushSecrets use a store.


async def sync_push_finalizer(client: KubeClient, info: ResourceInfo, raw: Obj, in_use: bool) -> bool:
    """Keep ``secretstore.externalsecrets.io/finalizer`` on a store exactly while it is in use.

    In use: a PushSecret with ``deletionPolicy: Delete`` has pushed to the store (it is in
    its ``status.syncedPushSecrets``), so the store must outlive it to delete those remote
    secrets. A store being deleted only loses the finalizer, once nothing uses it any
    more. Returns True when the finalizer was added or removed.
    """
    from eso.kube.finalizers import add_finalizer, has_finalizer, remove_finalizer

    present = has_finalizer(raw, constants.FINALIZER_SECRET_STORE)
    deleting = bool((raw.get("metadata") or {}).get("deletionTimestamp"))
    if in_use and not present and not deleting:
        await add_finalizer(client, info, raw, constants.FINALIZER_SECRET_STORE)
        return True
    if not in_use and present:
        await remove_finalizer(client, info, raw, constants.FINALIZER_SECRET_STORE)
        return True
    return False
