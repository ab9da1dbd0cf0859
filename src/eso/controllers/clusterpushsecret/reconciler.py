"""The ClusterPushSecret reconciler (eso-api §2.15): children in, children out, status.

Steps: load → (being deleted: nothing, the garbage collector removes the children) →
the child name changed: delete the old-named children → namespaces no longer selected:
delete their child → every selected namespace: create or update the child (server-side
apply, only when it lacks something) → status (``provisionedNamespaces``,
``failedNamespaces``, ``pushSecretName``, Ready) → requeue after ``refreshTime`` (1 h).

Only children whose controller ownerReference is this ClusterPushSecret are ever
written or deleted; a foreign PushSecret of the same name makes that namespace fail
with the reason. A steady-state reconcile writes nothing.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import structlog

from eso.api import constants
from eso.api.clusterpushsecret import ClusterPushSecret
from eso.api.parsing import parse_model
from eso.api.resources import CLUSTER_PUSH_SECRET, PUSH_SECRET
from eso.controllers.clusterpushsecret.children import (
    FIELD_MANAGER,
    child_manifest,
    controlled_by,
    needs_write,
    selected_namespaces,
)
from eso.controllers.clusterpushsecret.context import ClusterPushSecretContext
from eso.controllers.conditions import set_condition
from eso.controllers.pushsecret.status import merge_patch
from eso.errors import EsoError, NotFound, SpecError
from eso.kube.controller import Result
from eso.kube.events import Warning

__all__ = ["FAILED_MESSAGE", "NOT_OURS", "PROVISIONED_MESSAGE", "reconcile"]

Obj = dict[str, Any]
Key = tuple[str, str]
_KIND = "clusterpushsecret"
_Reason = constants.PushSecretReason
_log = structlog.get_logger("eso.controllers.clusterpushsecret")
FAILED_MESSAGE = "one or more namespaces failed"
PROVISIONED_MESSAGE = "PushSecrets provisioned in every selected namespace"
NOT_OURS = (
    "a PushSecret of that name already exists in the namespace and is not managed by this ClusterPushSecret"
)


async def reconcile(ctx: ClusterPushSecretContext, key: Key) -> Result:
    """Bring the children of ClusterPushSecret ``key`` = ("", name) in line with its spec."""
    name = key[1]
    raw = ctx.clusterpushsecrets.get(None, name)
    if raw is None:
        ctx.metrics.forget(_KIND, "", name)
        ctx.seen_generation.pop(name, None)
        return Result()
    start = time.monotonic()
    with structlog.contextvars.bound_contextvars(kind="ClusterPushSecret", name=name):
        try:
            return await _reconcile(ctx, raw)
        finally:
            ctx.metrics.reconcile_duration(_KIND, "", name, time.monotonic() - start)


async def _reconcile(ctx: ClusterPushSecretContext, raw: Obj) -> Result:
    status: Obj = copy.deepcopy(raw.get("status") or {})
    try:
        cps = parse_model(ClusterPushSecret, raw)
        interval = cps.refresh_seconds()
    except SpecError as exc:
        message = f"invalid ClusterPushSecret: {exc}"
        await ctx.events.event(raw, Warning, constants.EventReason.ERRORED, message)
        await _write_status(ctx, raw, status, _with_ready(status, False, _Reason.ERRORED, message))
        return Result()
    if cps.metadata.deletion_timestamp:
        return Result()
    name = cps.push_secret_name()
    uid = cps.metadata.uid
    previous = list(status.get("provisionedNamespaces") or [])
    old_name = status.get("pushSecretName")
    if old_name and old_name != name:
        for namespace in previous:
            await _delete_child(ctx, namespace, str(old_name), uid)
    selected = selected_namespaces(cps.spec.namespace_selectors, ctx.namespaces.items())
    for namespace in sorted(set(previous) - set(selected)):
        await _delete_child(ctx, namespace, name, uid)
    rewrite = ctx.seen_generation.setdefault(cps.name, cps.metadata.generation) != cps.metadata.generation
    failed: list[Obj] = []
    provisioned: list[str] = []
    for namespace in selected:
        problem = await _ensure_child(ctx, cps, raw, namespace, force=rewrite)
        if problem:
            failed.append({"namespace": namespace, "reason": problem})
        else:
            provisioned.append(namespace)
    ctx.seen_generation[cps.name] = cps.metadata.generation
    new: Obj = copy.deepcopy(status)
    new["provisionedNamespaces"] = provisioned
    new["failedNamespaces"] = failed
    new["pushSecretName"] = name
    for field in ("provisionedNamespaces", "failedNamespaces"):
        if not new[field]:
            new.pop(field)
    if failed:
        new = _with_ready(new, False, _Reason.ERRORED, FAILED_MESSAGE)
        for failure in failed:
            await ctx.events.event(
                raw,
                Warning,
                constants.EventReason.ERRORED,
                f"namespace {failure['namespace']}: {failure['reason']}",
            )
    else:
        new = _with_ready(new, True, _Reason.SYNCED, PROVISIONED_MESSAGE)
    await _write_status(ctx, raw, status, new)
    return Result(requeue_after=interval, jitter=ctx.settings.refresh_jitter)


def _with_ready(status: Obj, ok: bool, reason: str, message: str) -> Obj:
    out = copy.deepcopy(status)
    out["conditions"], _ = set_condition(
        out.get("conditions"), constants.ConditionType.READY.value, "True" if ok else "False", reason, message
    )
    return out


async def _ensure_child(
    ctx: ClusterPushSecretContext, cps: ClusterPushSecret, raw: Obj, namespace: str, *, force: bool
) -> str:
    """Create or update the child in ``namespace``; returns "" or why it failed."""
    name = cps.push_secret_name()
    existing = ctx.pushsecrets.get(namespace, name)
    if existing is not None and not controlled_by(existing, cps.metadata.uid):
        return NOT_OURS
    desired = child_manifest(cps, raw, namespace)
    if not force and not needs_write(existing, desired, cps.metadata.uid):
        return ""
    try:
        await ctx.client.apply(PUSH_SECRET, desired, field_manager=FIELD_MANAGER, force=True)
    except EsoError as exc:
        _log.warning("could not write PushSecret", namespace=namespace, error=str(exc))
        return f"could not write PushSecret: {exc}"
    return ""


async def _delete_child(ctx: ClusterPushSecretContext, namespace: str, name: str, uid: str) -> None:
    child = ctx.pushsecrets.get(namespace, name)
    if child is None or not controlled_by(child, uid):
        return
    try:
        await ctx.client.delete(PUSH_SECRET, name, namespace, uid=(child.get("metadata") or {}).get("uid"))
    except NotFound:
        return


async def _write_status(ctx: ClusterPushSecretContext, raw: Obj, old: Obj, new: Obj) -> None:
    meta = raw.get("metadata") or {}
    ready: Obj = next((c for c in new.get("conditions") or [] if c.get("type") == "Ready"), {})
    ctx.metrics.set_condition(
        _KIND, "", str(meta.get("name", "")), "Ready", str(ready.get("status", "False"))
    )
    if new == old:
        return
    try:
        await ctx.client.patch(
            CLUSTER_PUSH_SECRET, meta["name"], None, {"status": merge_patch(old, new)}, subresource="status"
        )
    except NotFound:
        return
