"""The ClusterExternalSecret reconciler: load → finalize | finalizer → select → prune → provision → status.

ESO's steps (eso-api §2.13) with eso's differences:

* namespaces are matched against the Namespace cache (no LIST per selector) and the
  children are read from the shared ExternalSecret cache, so a re-check that finds
  everything in place makes no API call at all — not even a status write;
* no finalizer is put on Namespaces. ESO adds ``…/ces-<name>`` to each one to notice
  its deletion, which leaves namespaces stuck in Terminating when the operator is
  gone; eso watches Namespaces instead, and removes such finalizers left by ESO;
* every child controlled by this ClusterExternalSecret that is not wanted any more
  (namespace no longer selected, ``externalSecretName`` changed) is deleted, whether or
  not the status listed it.

An ExternalSecret of the same name that this ClusterExternalSecret does not control is
left alone and its namespace is reported in ``failedNamespaces``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import structlog

from eso.api import constants
from eso.api.clusterexternalsecret import ClusterExternalSecret
from eso.api.parsing import parse_model
from eso.api.resources import CLUSTER_EXTERNAL_SECRET, EXTERNAL_SECRET, NAMESPACE
from eso.controllers.clusterexternalsecret.children import (
    CONTROLLER_UID_INDEX,
    controlled_by,
    desired_child,
    needs_update,
    updated_child,
)
from eso.controllers.clusterexternalsecret.context import ClusterExternalSecretContext
from eso.controllers.clusterexternalsecret.selection import NamespaceSelection, select_namespaces
from eso.controllers.clusterexternalsecret.status import StatusReport, new_failures, write_status
from eso.errors import Conflict, KubeAPIError, NotFound, NotLeader, SpecError
from eso.kube.controller import Result
from eso.kube.events import Warning
from eso.kube.finalizers import add_finalizer, has_finalizer, remove_finalizer

__all__ = ["ALREADY_EXISTS", "FIELD_MANAGER", "reconcile"]

Obj = dict[str, Any]
Key = tuple[str, str]
_KIND = "clusterexternalsecret"
_log = structlog.get_logger("eso.controllers.clusterexternalsecret")

FIELD_MANAGER = "external-secrets-clusterexternalsecret"
"""Field manager of child ExternalSecret writes."""
ALREADY_EXISTS = "external secret already exists in namespace"
"""ESO's failure reason for a namespace whose ExternalSecret this ClusterExternalSecret does not control."""


@dataclass
class _Outcome:
    provisioned: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    retry: bool = False


async def reconcile(ctx: ClusterExternalSecretContext, key: Key) -> Result:
    """Bring the children of ClusterExternalSecret ``key`` = ("", name) in line with its spec."""
    name = key[1]
    raw = ctx.clusterexternalsecrets.get(None, name)
    if raw is None:
        ctx.metrics.forget(_KIND, "", name)
        return Result()
    start = time.monotonic()
    with structlog.contextvars.bound_contextvars(kind="ClusterExternalSecret", name=name):
        try:
            return await _reconcile(ctx, raw)
        finally:
            ctx.metrics.reconcile_duration(_KIND, "", name, time.monotonic() - start)


async def _reconcile(ctx: ClusterExternalSecretContext, raw: Obj) -> Result:
    if (raw.get("metadata") or {}).get("deletionTimestamp"):
        return await _finalize(ctx, raw)
    try:
        ces = parse_model(ClusterExternalSecret, raw)
        interval = ces.refresh_seconds()
    except SpecError as exc:
        return await _invalid(ctx, raw, exc)
    await add_finalizer(ctx.client, CLUSTER_EXTERNAL_SECRET, raw, constants.FINALIZER_CLUSTER_EXTERNAL_SECRET)
    try:
        selection = select_namespaces(ces.spec, ctx.namespaces.items())
    except SpecError as exc:
        return await _invalid(ctx, raw, exc)
    await _prune(ctx, ces, selection)
    outcome = await _provision(ctx, raw, ces, selection.active)
    await _drop_namespace_finalizers(ctx, ces.name)
    report = StatusReport(
        ces.external_secret_name(), outcome.provisioned, outcome.failed, bool(selection.active)
    )
    for namespace, reason in sorted(new_failures(raw.get("status") or {}, report).items()):
        await ctx.events.event(
            raw, Warning, constants.EventReason.UPDATE_FAILED, f"namespace {namespace}: {reason}"
        )
    await write_status(ctx, raw, report)
    ready = "False" if outcome.failed else "True"
    ctx.metrics.set_condition(_KIND, "", ces.name, constants.ConditionType.READY.value, ready)
    if outcome.retry:
        return Result(retry=True)
    return Result(requeue_after=interval, jitter=ctx.settings.refresh_jitter)


def _owned_children(ctx: ClusterExternalSecretContext, uid: str) -> list[Obj]:
    return [es for es in ctx.externalsecrets.by_index(CONTROLLER_UID_INDEX, uid) if controlled_by(es, uid)]


async def _delete_child(ctx: ClusterExternalSecretContext, child: Obj) -> None:
    meta = child.get("metadata") or {}
    with contextlib.suppress(NotFound):
        await ctx.client.delete(EXTERNAL_SECRET, meta["name"], meta.get("namespace"), uid=meta.get("uid"))
    _log.info("deleted child ExternalSecret", namespace=meta.get("namespace"), child=meta.get("name"))


async def _prune(
    ctx: ClusterExternalSecretContext, ces: ClusterExternalSecret, selection: NamespaceSelection
) -> None:
    """Delete children that are no longer wanted (unselected namespace or old name)."""
    wanted_name = ces.external_secret_name()
    active, terminating = set(selection.active), set(selection.terminating)
    for child in _owned_children(ctx, ces.metadata.uid):
        meta = child.get("metadata") or {}
        namespace = str(meta.get("namespace", ""))
        if namespace in terminating or (namespace in active and meta.get("name") == wanted_name):
            continue
        await _delete_child(ctx, child)


async def _provision(
    ctx: ClusterExternalSecretContext, raw: Obj, ces: ClusterExternalSecret, namespaces: list[str]
) -> _Outcome:
    outcome = _Outcome()
    gate = asyncio.Semaphore(max(1, ctx.parallel))

    async def one(namespace: str) -> None:
        async with gate:
            try:
                failure = await _provision_one(ctx, raw, ces, namespace)
            except Conflict:
                outcome.retry = True
                return
            except NotLeader:
                raise
            except KubeAPIError as exc:
                failure = str(exc)
            if failure is None:
                outcome.provisioned.append(namespace)
            else:
                outcome.failed[namespace] = failure

    await asyncio.gather(*(one(ns) for ns in namespaces))
    outcome.provisioned.sort()
    return outcome


async def _provision_one(
    ctx: ClusterExternalSecretContext, raw: Obj, ces: ClusterExternalSecret, namespace: str
) -> str | None:
    """Create or update the child in ``namespace``; the failure reason, or None."""
    desired = desired_child(raw, ces, namespace)
    name = desired["metadata"]["name"]
    existing = ctx.externalsecrets.get(namespace, name)
    if existing is None:
        try:
            await ctx.client.create(EXTERNAL_SECRET, desired, namespace, field_manager=FIELD_MANAGER)
        except Conflict:  # it exists after all: the cache has not seen it yet
            existing = await ctx.client.get_or_none(EXTERNAL_SECRET, name, namespace)
            if existing is None:
                raise
        else:
            _log.info("created child ExternalSecret", namespace=namespace, child=name)
            return None
    if not controlled_by(existing, ces.metadata.uid):
        return ALREADY_EXISTS
    if needs_update(existing, desired):
        await ctx.client.replace(
            EXTERNAL_SECRET, updated_child(existing, desired), field_manager=FIELD_MANAGER
        )
        _log.info("updated child ExternalSecret", namespace=namespace, child=name)
    return None


async def _drop_namespace_finalizers(ctx: ClusterExternalSecretContext, ces_name: str) -> None:
    """Remove ESO's per-namespace finalizer for this ClusterExternalSecret, wherever it is left."""
    finalizer = constants.namespace_finalizer_for(ces_name)
    for namespace in ctx.namespaces.items():
        if has_finalizer(namespace, finalizer):
            await remove_finalizer(ctx.client, NAMESPACE, namespace, finalizer)


async def _finalize(ctx: ClusterExternalSecretContext, raw: Obj) -> Result:
    """Being deleted: delete the children, drop namespace finalizers, then our own finalizer.

    Works from metadata only, so an invalid spec cannot keep the object from going away.
    """
    meta = raw.get("metadata") or {}
    name, uid = str(meta.get("name", "")), str(meta.get("uid", ""))
    for child in _owned_children(ctx, uid):
        await _delete_child(ctx, child)
    await _drop_namespace_finalizers(ctx, name)
    await remove_finalizer(
        ctx.client, CLUSTER_EXTERNAL_SECRET, raw, constants.FINALIZER_CLUSTER_EXTERNAL_SECRET
    )
    ctx.metrics.forget(_KIND, "", name)
    return Result()


async def _invalid(ctx: ClusterExternalSecretContext, raw: Obj, exc: SpecError) -> Result:
    """The spec cannot be acted on: Ready=False naming the field; nothing is touched."""
    name = str((raw.get("metadata") or {}).get("name", ""))
    message = f"invalid ClusterExternalSecret: {exc}"
    await write_status(ctx, raw, StatusReport.invalid(message))
    ctx.metrics.set_condition(_KIND, "", name, constants.ConditionType.READY.value, "False")
    await ctx.events.event(raw, Warning, constants.EventReason.UPDATE_FAILED, message)
    _log.warning("invalid ClusterExternalSecret", error=str(exc))
    return Result(retry=True, temporary=False)
