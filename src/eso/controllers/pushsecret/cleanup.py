"""The PushSecret's finalizer and what it guards (eso-api §2.14 step 1).

``pushsecret.externalsecrets.io/finalizer`` is present only with ``deletionPolicy:
Delete``. When such a PushSecret is deleted, every remote secret listed in
``status.syncedPushSecrets`` is deleted through its store first. Entries that could not
be deleted stay in the status and the finalizer stays, so nothing is forgotten. Two
cases cannot be retried into success and would block the deletion (and that of the
namespace) forever, so their remote secrets are left in place with a Warning event:
the store no longer exists, or the namespace is being deleted and the deletion fails
permanently (its credentials went with it).
"""

from __future__ import annotations

from typing import Any

from eso.api import constants
from eso.api.policies import PushSecretDeletionPolicy
from eso.api.pushsecret import PushSecret
from eso.api.resources import NAMESPACE, PUSH_SECRET
from eso.controllers.pushsecret.context import PushSecretContext
from eso.controllers.pushsecret.entries import merge_synced
from eso.controllers.pushsecret.push import delete_synced
from eso.controllers.pushsecret.report import fail, save
from eso.controllers.pushsecret.status import StatusUpdate
from eso.errors import EsoError
from eso.kube.controller import Result
from eso.kube.events import Warning
from eso.kube.finalizers import add_finalizer, has_finalizer, remove_finalizer

__all__ = ["FOREIGN_RECHECK_SECONDS", "finalize", "sync_finalizer"]

Obj = dict[str, Any]
Key = tuple[str, str]
_FINALIZER = constants.FINALIZER_PUSH_SECRET
FOREIGN_RECHECK_SECONDS = 5.0
"""How soon a deleted PushSecret is looked at again while another controller class cleans up."""


async def sync_finalizer(ctx: PushSecretContext, key: Key, raw: Obj, ps: PushSecret) -> Obj:
    """Add the finalizer under deletionPolicy Delete, remove it otherwise; returns the current object."""
    if ps.spec.deletion_policy is PushSecretDeletionPolicy.DELETE:
        patched = await add_finalizer(ctx.client, PUSH_SECRET, raw, _FINALIZER)
        if patched is not None:
            await ctx.pushsecrets.apply_local(patched)
            return patched
        return raw
    if has_finalizer(raw, _FINALIZER):
        await remove_finalizer(ctx.client, PUSH_SECRET, raw, _FINALIZER)
    return raw


async def _namespace_terminating(ctx: PushSecretContext, namespace: str) -> bool:
    try:
        ns = await ctx.client.get(NAMESPACE, namespace)
    except EsoError:
        return False
    return bool((ns.get("metadata") or {}).get("deletionTimestamp"))


async def finalize(
    ctx: PushSecretContext, key: Key, raw: Obj, ps: PushSecret, update: StatusUpdate
) -> Result:
    """The PushSecret is being deleted: delete what it pushed (deletionPolicy Delete), then let it go."""
    if not has_finalizer(raw, _FINALIZER):
        return Result()
    if ps.spec.deletion_policy is PushSecretDeletionPolicy.DELETE:
        removed = await delete_synced(update.synced_map, ps.namespace, ctx.stores, ctx.locks)
        left = merge_synced(removed.failed, removed.foreign)
        if removed.errors and not (not removed.temporary and await _namespace_terminating(ctx, ps.namespace)):
            update.set_synced(left)
            return await fail(
                ctx,
                key,
                raw,
                update,
                "could not delete secrets: " + "; ".join(removed.errors),
                temporary=True,
            )
        if removed.errors:
            note = "namespace is being deleted and the remote secrets cannot be deleted; left in place: "
            await ctx.events.event(
                raw, Warning, constants.EventReason.ERRORED, note + "; ".join(removed.errors)
            )
        for note in removed.notes:
            await ctx.events.event(raw, Warning, constants.EventReason.ERRORED, note)
        if removed.foreign:
            update.set_synced(left)
            await save(ctx, key, raw, update)
            return Result(requeue_after=FOREIGN_RECHECK_SECONDS)
    await remove_finalizer(ctx.client, PUSH_SECRET, raw, _FINALIZER)
    ctx.metrics.forget("pushsecret", ps.namespace, ps.name)
    return Result()
