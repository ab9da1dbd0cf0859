"""Reporting a PushSecret's outcome: Ready condition, Warning event, status write, retry."""

from __future__ import annotations

from typing import Any

import structlog

from eso.api import constants
from eso.controllers.pushsecret.context import PushSecretContext
from eso.controllers.pushsecret.status import StatusUpdate, write_status
from eso.kube.controller import Result
from eso.kube.events import Warning

__all__ = ["fail", "joined", "save"]

Obj = dict[str, Any]
Key = tuple[str, str]
_KIND = "pushsecret"
_MAX_LISTED_ERRORS = 5
_log = structlog.get_logger("eso.controllers.pushsecret")


async def save(ctx: PushSecretContext, key: Key, raw: Obj, update: StatusUpdate) -> None:
    """Write the status if it changed, and record the result in the cache at once.

    The next reconcile (queued meanwhile, for example by our own finalizer patch) then
    sees this push instead of the state before it, and does not push again.
    """
    patched = await write_status(ctx.client, key[0], key[1], update)
    if patched:
        await ctx.pushsecrets.apply_local(patched)


async def fail(
    ctx: PushSecretContext,
    key: Key,
    raw: Obj,
    update: StatusUpdate,
    message: str,
    *,
    retry: bool = True,
    temporary: bool = True,
) -> Result:
    """Ready=False (Errored) with the cause and a Warning event; retry with backoff unless ``retry`` is False.

    ``retry=False`` is for what only an edit of the PushSecret can fix (its informer
    event brings it back), so a broken manifest is not retried hot.
    """
    namespace, name = key
    update.ready(False, constants.PushSecretReason.ERRORED, message)
    ctx.metrics.set_condition(_KIND, namespace, name, "Ready", "False")
    await ctx.events.event(raw, Warning, constants.EventReason.ERRORED, message)
    _log.warning("push failed", error=message, retry=retry)
    await save(ctx, key, raw, update)
    if not retry:
        return Result()
    return Result(retry=True, temporary=temporary)


def joined(errors: list[str]) -> str:
    """Several error messages as one (the first few, then a count)."""
    shown = errors[:_MAX_LISTED_ERRORS]
    more = len(errors) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more else "")
