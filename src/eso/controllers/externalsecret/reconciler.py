"""The ExternalSecret reconciler: load → finalizer → should refresh → fetch → render → apply → status.

Each step is a function of this module or a sibling; :func:`reconcile` reads like
ESO's step list (eso-api §2.2) with eso's rules on top:

* nothing is written when nothing changed — a skipped reconcile writes nothing, a
  refresh that finds the same data writes only ``status.refreshTime``;
* a provider failure never empties or deletes the Secret: it reports Ready=False with
  the real cause, posts a Warning event and retries with backoff;
* Owner/Orphan never take over a Secret eso does not manage (see ``target``).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import structlog

from eso.api import constants
from eso.api.externalsecret import ExternalSecret
from eso.api.hashing import field_manager_for, synced_resource_version
from eso.api.parsing import parse_model
from eso.api.policies import CreationPolicy, DeletionPolicy
from eso.api.resources import EXTERNAL_SECRET, SECRET
from eso.api.validation import validate_external_secret
from eso.controllers.externalsecret import drift, target
from eso.controllers.externalsecret.context import CREATED_BY_INDEX, ExternalSecretContext
from eso.controllers.externalsecret.fetch import fetch_provider_data
from eso.controllers.externalsecret.refresh import (
    catch_up_delay,
    parse_time,
    requeue_after,
    should_refresh,
)
from eso.controllers.externalsecret.render import render_desired
from eso.controllers.externalsecret.status import StatusUpdate, write_status
from eso.errors import EsoError, NotFound, SpecError, is_temporary
from eso.kube.client import PatchType
from eso.kube.controller import Result
from eso.kube.events import Normal, Warning
from eso.kube.finalizers import add_finalizer, remove_finalizer

__all__ = ["reconcile"]

Obj = dict[str, Any]
Key = tuple[str, str]
_Reason = constants.ExternalSecretReason
_Event = constants.EventReason
_log = structlog.get_logger("eso.controllers.externalsecret")
_KIND = "externalsecret"


async def reconcile(ctx: ExternalSecretContext, key: Key) -> Result:
    """Bring the Secret of ExternalSecret ``key`` = (namespace, name) in line with its spec."""
    namespace, name = key
    raw = ctx.externalsecrets.get(namespace, name)
    if raw is None:
        ctx.metrics.forget(_KIND, namespace, name)
        ctx.seen.discard(key)
        return Result()
    start = time.monotonic()
    with structlog.contextvars.bound_contextvars(kind="ExternalSecret", namespace=namespace, name=name):
        try:
            return await _reconcile(ctx, raw)
        finally:
            ctx.metrics.reconcile_duration(_KIND, namespace, name, time.monotonic() - start)


async def _reconcile(ctx: ExternalSecretContext, raw: Obj) -> Result:
    update = StatusUpdate(raw)
    try:
        es = parse_model(ExternalSecret, raw)
        if not es.metadata.deletion_timestamp:
            validate_external_secret(es).raise_for_errors()  # enforced without the webhook too
    except SpecError as exc:
        return await _fail(ctx, raw, None, update, exc)
    if es.metadata.deletion_timestamp:
        return await _finalize(ctx, raw, es)
    patched = await add_finalizer(ctx.client, EXTERNAL_SECRET, raw, constants.FINALIZER_EXTERNAL_SECRET)
    if patched is not None:
        await ctx.externalsecrets.apply_local(patched)
    if _uses_unmanaged_store(ctx, es):
        return Result()
    if ctx.generators is not None and await ctx.generators.uses_unmanaged_generator(es):
        return Result()
    structlog.contextvars.bind_contextvars(store=_store_label(es))
    now = ctx.clock()
    interval = _interval(es)
    existing = await _load_target(ctx, es)
    status = es.status
    refresh_time = parse_time(status.refresh_time if status else None)
    current_rv = synced_resource_version(es.metadata.generation, es.metadata.labels, es.metadata.annotations)
    refresh_due = should_refresh(
        es.refresh_policy().value,
        interval,
        (status.synced_resource_version or "") if status else "",
        current_rv,
        refresh_time,
        now,
    )
    secret_valid = target.is_secret_valid(existing, es)
    wait = _catch_up_wait(ctx, es, refresh_due and secret_valid, current_rv, interval, refresh_time, now)
    if not refresh_due and secret_valid:
        return _next(ctx, interval, refresh_time, now)
    if wait > 0:
        return Result(requeue_after=wait)
    policy = es.spec.target.creation_policy
    if not refresh_due and (policy == CreationPolicy.OWNER or (policy == CreationPolicy.MERGE and existing)):
        # changed or deleted behind eso's back: restore it, with backoff when that keeps happening
        wait = await drift.before_repair(ctx, raw, es.namespace, es.name, es.target_name())
        if wait > 0:
            return Result(requeue_after=wait)
    if es.spec.target.creation_policy == CreationPolicy.MERGE and existing is None:
        update.ready(True, _Reason.SECRET_MISSING, "secret will not be created due to CreationPolicy=Merge")
        await write_status(ctx, es, update)
        return _next(ctx, interval, now, now)
    try:
        fetched = await fetch_provider_data(es, ctx.stores, ctx.reads, _transform(ctx), ctx.generators)
    except EsoError as exc:
        return await _fail(ctx, raw, es, update, exc, "could not get secret data from provider")
    for note in fetched.missing:
        await ctx.events.event(raw, Normal, _Event.MISSING_PROVIDER_SECRET, note)
    if not fetched.data and (es.spec.data or es.spec.data_from):
        return await _empty(ctx, raw, es, existing, update, now, current_rv, interval)
    try:
        written = await _write_target(ctx, raw, es, fetched.data, existing)
    except target.OwnershipError as exc:
        return await _fail(ctx, raw, es, update, exc, "")
    except EsoError as exc:
        return await _fail(ctx, raw, es, update, exc, "could not update secret")
    update.ready(True, _Reason.SECRET_SYNCED, "secret synced")
    update.synced(_fmt(now), current_rv, es.target_name())
    ctx.metrics.sync_call(es.namespace, es.name, error=False)
    ctx.metrics.set_condition(_KIND, es.namespace, es.name, "Ready", "True")
    await write_status(ctx, es, update)
    if written:
        _log.info("secret synced", target=es.target_name(), written=written)
    return _next(ctx, interval, now, now)


def _catch_up_wait(
    ctx: ExternalSecretContext,
    es: ExternalSecret,
    periodic_refresh_due: bool,
    current_rv: str,
    interval: float,
    refresh_time: Any,
    now: Any,
) -> float:
    """Seconds to defer a refresh that fell due while no operator ran (0 = refresh now).

    Only on this process's first look at ``es``, only for a periodic refresh of an
    ExternalSecret in sync (spec unchanged, Secret valid): after a restart those are
    spread instead of all firing at once. Every call remembers ``es`` as seen.
    """
    key = (es.namespace, es.name)
    first_look = key not in ctx.seen
    ctx.seen.add(key)
    status = es.status
    if not (first_look and periodic_refresh_due and status and status.synced_resource_version == current_rv):
        return 0.0
    return catch_up_delay(interval, refresh_time, now, ctx.draw())


def _interval(es: ExternalSecret) -> float:
    try:
        return es.refresh_seconds()
    except SpecError:
        return 0.0


def _fmt(moment: Any) -> str:
    return str(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))


def _store_label(es: ExternalSecret) -> str:
    ref = es.spec.secret_store_ref
    return f"{ref.kind.value}/{ref.name}" if ref else ""


def _transform(ctx: ExternalSecretContext) -> Any:
    def render(template_text: str, key: str) -> str:
        from eso.template.apply import render_key_transform

        return str(render_key_transform(ctx.engine, template_text, key))

    return render


def _next(ctx: ExternalSecretContext, interval: float, refresh_time: Any, now: Any) -> Result:
    delay = requeue_after(interval, refresh_time, now)
    return Result(requeue_after=delay, jitter=ctx.settings.refresh_jitter if delay else 0.0)


def _uses_unmanaged_store(ctx: ExternalSecretContext, es: ExternalSecret) -> bool:
    for ref in es.store_refs():
        store = ctx.stores.lookup(ref.kind, ref.name, es.namespace)
        if store is not None and ctx.stores.is_unmanaged(store):
            return True
    return False


async def _load_target(ctx: ExternalSecretContext, es: ExternalSecret) -> Obj | None:
    """The target Secret: from the managed cache, else read directly (it may be unmanaged)."""
    cached = ctx.secrets.get(es.namespace, es.target_name())
    if cached is not None or es.spec.target.creation_policy == CreationPolicy.NONE:
        return cached
    try:
        direct = await ctx.client.get(SECRET, es.target_name(), es.namespace)
    except NotFound:
        return None
    from eso.controllers.externalsecret.target import summarize_managed_fields

    return summarize_managed_fields(direct)


async def _write_target(
    ctx: ExternalSecretContext, raw: Obj, es: ExternalSecret, data: dict[str, bytes], existing: Obj | None
) -> str:
    """Create or update the Secret; returns "created", "updated" or "" (nothing to do)."""
    if es.spec.target.creation_policy == CreationPolicy.NONE:
        return ""
    target.check_ownership(existing, es)
    desired = await render_desired(es, data, existing, client=ctx.client, engine=ctx.engine)
    manager = field_manager_for(es.name)
    if (
        existing is not None
        and existing.get("immutable")
        and target.decode_data(existing) != desired.final_data
    ):
        raise SpecError("could not update secret, target is immutable", field="spec.target.immutable")
    if not target.needs_write(existing, desired, manager, es.metadata.uid):
        if es.spec.target.creation_policy == CreationPolicy.OWNER:
            # a process that died between writing the new target and deleting the old one
            # left it behind: nothing else would ever remove it (it is still owned)
            await _delete_orphans(ctx, raw, es)
        return ""
    applied = await ctx.client.apply(SECRET, target.apply_body(desired), field_manager=manager, force=True)
    if es.spec.target.creation_policy in (CreationPolicy.OWNER, CreationPolicy.ORPHAN):
        patch = target.extra_keys_patch(applied, desired.data)
        if patch:
            applied = await ctx.client.patch(
                SECRET, desired.name, desired.namespace, patch, patch_type=PatchType.JSON
            )
    await ctx.secrets.apply_local(applied)
    if es.spec.target.creation_policy == CreationPolicy.OWNER:
        await _delete_orphans(ctx, raw, es)
    created = existing is None
    await ctx.events.event(
        raw,
        Normal,
        _Event.CREATED if created else _Event.UPDATED,
        "secret created" if created else "secret updated",
    )
    return "created" if created else "updated"


async def _delete_orphans(ctx: ExternalSecretContext, raw: Obj, es: ExternalSecret) -> None:
    """Owner: delete Secrets this ES created under a previous target name."""
    from eso.api.hashing import created_by

    mark = created_by(es.namespace, es.name)
    for secret in ctx.secrets.by_index(CREATED_BY_INDEX, mark):
        meta = secret.get("metadata") or {}
        if meta.get("namespace") != es.namespace or meta.get("name") == es.target_name():
            continue
        try:
            await ctx.client.delete(SECRET, meta["name"], es.namespace, uid=meta.get("uid"))
        except NotFound:
            continue
        await ctx.events.event(raw, Normal, _Event.DELETED, "secret deleted because it was orphaned")


async def _empty(
    ctx: ExternalSecretContext,
    raw: Obj,
    es: ExternalSecret,
    existing: Obj | None,
    update: StatusUpdate,
    now: Any,
    current_rv: str,
    interval: float,
) -> Result:
    """The provider returned no data at all: apply deletionPolicy."""
    policy = es.spec.target.deletion_policy
    if policy == DeletionPolicy.DELETE:
        if es.spec.target.creation_policy != CreationPolicy.OWNER:
            return await _fail(
                ctx,
                raw,
                es,
                update,
                SpecError(
                    "could not delete secret: deletionPolicy Delete requires creationPolicy Owner",
                    field="spec.target.deletionPolicy",
                ),
            )
        if existing is not None and _controlled_by(existing, es):
            with contextlib.suppress(NotFound):
                await ctx.client.delete(
                    SECRET, es.target_name(), es.namespace, uid=existing["metadata"].get("uid")
                )
            await ctx.events.event(raw, Normal, _Event.DELETED, "secret deleted due to DeletionPolicy=Delete")
        update.ready(True, _Reason.SECRET_DELETED, "secret deleted due to DeletionPolicy=Delete")
    elif policy == DeletionPolicy.MERGE:
        try:
            await _write_target(ctx, raw, es, {}, existing)
        except (EsoError, target.OwnershipError) as exc:
            return await _fail(ctx, raw, es, update, exc, "could not update secret")
        update.ready(True, _Reason.SECRET_SYNCED, "secret synced")
    else:
        update.ready(True, _Reason.SECRET_SYNCED, "secret retained due to DeletionPolicy=Retain")
    update.synced(_fmt(now), current_rv, es.target_name())
    ctx.metrics.sync_call(es.namespace, es.name, error=False)
    ctx.metrics.set_condition(_KIND, es.namespace, es.name, "Ready", "True")
    await write_status(ctx, es, update)
    return _next(ctx, interval, now, now)


def _controlled_by(secret: Obj, es: ExternalSecret) -> bool:
    return any(
        r.get("controller") and r.get("uid") == es.metadata.uid
        for r in (secret.get("metadata") or {}).get("ownerReferences") or []
    )


async def _fail(
    ctx: ExternalSecretContext,
    raw: Obj,
    es: ExternalSecret | None,
    update: StatusUpdate,
    exc: Exception,
    prefix: str = "invalid ExternalSecret",
) -> Result:
    """Report a failure: Ready=False with the root cause, a Warning event, backoff."""
    message = f"{prefix}: {exc}" if prefix else str(exc)
    meta = raw.get("metadata") or {}
    namespace, name = str(meta.get("namespace", "")), str(meta.get("name", ""))
    update.ready(False, _Reason.SECRET_SYNCED_ERROR, message)
    ctx.metrics.sync_call(namespace, name, error=True)
    ctx.metrics.set_condition(_KIND, namespace, name, "Ready", "False")
    await ctx.events.event(raw, Warning, _Event.UPDATE_FAILED, message)
    _log.warning("sync failed", error=str(exc), error_type=type(exc).__name__)
    if update.changed:
        try:
            written = await ctx.client.patch(
                EXTERNAL_SECRET, name, namespace, {"status": update.new}, subresource="status"
            )
        except NotFound:
            return Result()
        await ctx.externalsecrets.apply_local(written)
    if es is None:
        return Result()
    return Result(retry=True, temporary=is_temporary(exc) and not isinstance(exc, target.OwnershipError))


async def _finalize(ctx: ExternalSecretContext, raw: Obj, es: ExternalSecret) -> Result:
    """The ExternalSecret is being deleted: apply deletionPolicy Delete, drop the finalizer."""
    if es.spec.target.deletion_policy == DeletionPolicy.DELETE:
        secret = ctx.secrets.get(es.namespace, es.target_name())
        if secret is not None and _controlled_by(secret, es):
            with contextlib.suppress(NotFound):
                await ctx.client.delete(
                    SECRET, es.target_name(), es.namespace, uid=secret["metadata"].get("uid")
                )
    await remove_finalizer(ctx.client, EXTERNAL_SECRET, raw, constants.FINALIZER_EXTERNAL_SECRET)
    ctx.metrics.forget(_KIND, es.namespace, es.name)
    return Result()
