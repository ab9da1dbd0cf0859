"""The PushSecret reconciler: load → stores → finalizer → validate → source → should push → push → status.

ESO's steps (eso-api §2.14) with eso's rules on top:

* the manifest is checked with the admission rules (:func:`validate_push_secret`); a
  missing ``spec.selector`` is reported as Ready=False (Errored) with how to name the
  source Secret, a Warning event, and no retry until the PushSecret changes;
* the source is read from the PushSecret's namespace only; a source change that eso
  hears of is pushed at once, and a restart pushes nothing already in place;
* every entry and store is tried even after one failed; nothing already synced is
  forgotten on a failure (``syncedPushSecrets`` keeps the old entries), and stale
  entries are deleted (deletionPolicy Delete) only after a fully successful push;
* a reconcile with nothing to push writes nothing; a periodic refresh that finds the
  remote values unchanged writes only ``status.refreshTime`` (the providers skip
  unchanged values).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import structlog

from eso.api import constants
from eso.api.parsing import parse_model
from eso.api.policies import PushSecretDeletionPolicy, UpdatePolicy
from eso.api.pushsecret import PushSecret
from eso.api.validation import validate_push_secret
from eso.controllers.externalsecret.refresh import parse_time, requeue_after
from eso.controllers.pushsecret import cleanup
from eso.controllers.pushsecret.context import PushSecretContext
from eso.controllers.pushsecret.entries import (
    SyncedMap,
    check_data_to_selectors,
    merge_synced,
    plan_store,
    stale_entries,
)
from eso.controllers.pushsecret.push import delete_synced, push_to_store
from eso.controllers.pushsecret.refresh import compose_version, should_push, spec_version, split_version
from eso.controllers.pushsecret.report import fail, joined, save
from eso.controllers.pushsecret.sources import SourceMissing, Sources, load_sources, push_source_of, templated
from eso.controllers.pushsecret.status import StatusUpdate
from eso.controllers.pushsecret.targets import Candidate, select_stores
from eso.errors import EsoError, SpecError
from eso.kube.controller import Result
from eso.kube.events import Normal, Warning
from eso.template.apply import render_key_transform

__all__ = ["SPEC_WARNING", "SYNCED_MESSAGE", "fail", "reconcile"]

Obj = dict[str, Any]
Key = tuple[str, str]
_Reason = constants.PushSecretReason
_Event = constants.EventReason
_KIND = "pushsecret"
_log = structlog.get_logger("eso.controllers.pushsecret")
SYNCED_MESSAGE = "PushSecret synced successfully"
SPEC_WARNING = "SpecWarning"
"""Event reason for what the admission webhook would have warned about (posted once per spec change)."""
_IF_NOT_EXISTS_NOTE = ". Existing secrets in providers unchanged."


async def reconcile(ctx: PushSecretContext, key: Key) -> Result:
    """Push the source of PushSecret ``key`` = (namespace, name) to its stores."""
    namespace, name = key
    raw = ctx.pushsecrets.get(namespace, name)
    if raw is None:
        ctx.metrics.forget(_KIND, namespace, name)
        return Result()
    start = time.monotonic()
    with structlog.contextvars.bound_contextvars(kind="PushSecret", namespace=namespace, name=name):
        try:
            return await _reconcile(ctx, key, raw)
        finally:
            ctx.metrics.reconcile_duration(_KIND, namespace, name, time.monotonic() - start)


async def _reconcile(ctx: PushSecretContext, key: Key, raw: Obj) -> Result:
    update = StatusUpdate(raw)
    try:
        ps = parse_model(PushSecret, raw)
    except SpecError as exc:
        return await fail(ctx, key, raw, update, f"invalid PushSecret: {exc}", retry=False)
    if ps.metadata.deletion_timestamp:
        return await cleanup.finalize(ctx, key, raw, ps, update)
    candidates, dropped = select_stores(ps, ctx.stores, ctx.secret_stores, ctx.cluster_stores)
    if not candidates and dropped:
        return Result()  # only stores of another controller class (or being deleted): not ours
    raw = await cleanup.sync_finalizer(ctx, key, raw, ps)
    checked = validate_push_secret(ps)
    if checked.errors:
        return await fail(ctx, key, raw, update, "; ".join(checked.errors), retry=False)
    try:
        interval = ps.refresh_seconds()
    except SpecError as exc:
        return await fail(ctx, key, raw, update, str(exc), retry=False)
    now = ctx.clock()
    status = ps.status
    refresh_time = parse_time(status.refresh_time if status else None)
    synced_version = status.synced_resource_version if status else None
    spec_rv = spec_version(ps)
    generated = ps.spec.selector is not None and ps.spec.selector.generator_ref is not None
    if generated and not should_push(interval, synced_version, spec_rv, "", refresh_time, now):
        return _next(ctx, interval, refresh_time, now)  # a generator runs only when a push is due
    try:
        sources = await load_sources(ps, ctx.client, ctx.source_caches, ctx.generator())
    except SourceMissing as exc:
        return await _source_missing(ctx, key, raw, ps, update, exc, interval)
    except EsoError as exc:
        return await fail(
            ctx, key, raw, update, f"could not get source secret: {exc}", temporary=exc.temporary
        )
    if not should_push(interval, synced_version, spec_rv, sources.fingerprint, refresh_time, now):
        return _next(ctx, interval, refresh_time, now)
    if not candidates:
        message = (
            "no store selected: spec.secretStoreRefs names or selects no SecretStore or ClusterSecretStore"
        )
        return await fail(ctx, key, raw, update, message, retry=False)
    if checked.warnings and split_version(synced_version)[0] != spec_rv:
        await ctx.events.event(raw, Warning, SPEC_WARNING, "; ".join(checked.warnings))
    return await _push(ctx, key, raw, ps, update, candidates, sources, now, interval)


async def _push(
    ctx: PushSecretContext,
    key: Key,
    raw: Obj,
    ps: PushSecret,
    update: StatusUpdate,
    candidates: list[Candidate],
    sources: Sources,
    now: datetime,
    interval: float,
) -> Result:
    spec_rv = spec_version(ps)
    try:
        rendered = [await templated(ps, push_source_of(s), ctx.client, ctx.engine) for s in sources.secrets]
        check_data_to_selectors(ps.spec.data_to, [c.store for c in candidates])
    except EsoError as exc:
        return await fail(ctx, key, raw, update, str(exc), temporary=exc.temporary)
    old = update.synced_map
    new: SyncedMap = {}
    errors: list[str] = []
    temporary = False
    kept = 0
    for candidate in candidates:
        label = candidate.store.key
        try:
            resolved = await ctx.stores.resolve(
                candidate.store.kind, candidate.store.name, ps.namespace, field=candidate.field
            )
            outcome = None
            for source in rendered:
                planned = plan_store(ps.spec, candidate.store, source.data.keys(), _transform(ctx))
                part = await push_to_store(
                    resolved,
                    label,
                    [source],
                    planned,
                    if_not_exists=ps.spec.update_policy is UpdatePolicy.IF_NOT_EXISTS,
                    locks=ctx.locks,
                    field=candidate.field,
                )
                new.setdefault(label, {}).update(part.synced)
                errors += part.errors
                temporary = temporary or part.temporary
                kept += part.kept_existing
                outcome = part
            if outcome is None:
                new.setdefault(label, {})
        except EsoError as exc:
            errors.append(f"could not push to target secretstore {label}: {exc}")
            temporary = temporary or exc.temporary
    new = {store: entries for store, entries in new.items() if entries}
    if errors:
        update.set_synced(merge_synced(old, new))
        return await fail(ctx, key, raw, update, joined(errors), temporary=temporary)
    if ps.spec.deletion_policy is PushSecretDeletionPolicy.DELETE:
        removed = await delete_synced(stale_entries(old, new), ps.namespace, ctx.stores, ctx.locks)
        if removed.errors or removed.foreign:
            new = merge_synced(new, merge_synced(removed.failed, removed.foreign))
        if removed.errors:
            update.set_synced(new)
            return await fail(ctx, key, raw, update, joined(removed.errors), temporary=removed.temporary)
        for note in removed.notes:
            await ctx.events.event(raw, Warning, _Event.ERRORED, note)
    update.set_synced(new)
    message = SYNCED_MESSAGE
    if ps.spec.update_policy is UpdatePolicy.IF_NOT_EXISTS:
        message += _IF_NOT_EXISTS_NOTE
    changed = update.ready(True, _Reason.SYNCED, message)
    update.pushed(_fmt(now), compose_version(spec_rv, sources.fingerprint))
    ctx.metrics.set_condition(_KIND, ps.namespace, ps.name, "Ready", "True")
    periodic = split_version(update.old.get("syncedResourceVersion")) == (spec_rv, sources.fingerprint)
    if changed or not periodic:
        await ctx.events.event(raw, Normal, _Event.SYNCED, message)
        _log.info("pushed", stores=sorted(new), entries=sum(len(v) for v in new.values()), existing_kept=kept)
    await save(ctx, key, raw, update)
    return _next(ctx, interval, now, now)


async def _source_missing(
    ctx: PushSecretContext,
    key: Key,
    raw: Obj,
    ps: PushSecret,
    update: StatusUpdate,
    exc: SourceMissing,
    interval: float,
) -> Result:
    """ESO: the named source Secret is gone; with deletionPolicy Delete, what it pushed goes too."""
    old = update.synced_map
    if ps.spec.deletion_policy is not PushSecretDeletionPolicy.DELETE or not old:
        return await fail(ctx, key, raw, update, f"could not get source secret: {exc}", temporary=False)
    removed = await delete_synced(old, ps.namespace, ctx.stores, ctx.locks)
    update.set_synced(merge_synced(removed.failed, removed.foreign))
    if removed.errors:
        return await fail(ctx, key, raw, update, joined(removed.errors), temporary=removed.temporary)
    message = "source secret deleted; provider secrets cleaned up"
    if update.ready(False, _Reason.SOURCE_DELETED, message):
        await ctx.events.event(raw, Warning, _Reason.SOURCE_DELETED, message)
    ctx.metrics.set_condition(_KIND, ps.namespace, ps.name, "Ready", "False")
    await save(ctx, key, raw, update)
    return _next(ctx, interval, None, ctx.clock())


def _transform(ctx: PushSecretContext) -> Any:
    def render(template_text: str, key: str) -> str:
        return str(render_key_transform(ctx.engine, template_text, key))

    return render


def _fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _next(ctx: PushSecretContext, interval: float, refresh_time: datetime | None, now: datetime) -> Result:
    delay = requeue_after(interval, refresh_time, now)
    return Result(requeue_after=delay, jitter=ctx.settings.refresh_jitter if delay else 0.0)
