"""The ExternalSecret's status: conditions, refreshTime, syncedResourceVersion, binding.

A status is written only when it differs from what is stored; an unchanged Ready
condition keeps its lastTransitionTime. Messages never contain secret values: they
are built from eso's own error texts, which name fields and keys, never data.
"""

from __future__ import annotations

from typing import Any

from eso.api import constants
from eso.api.externalsecret import ExternalSecret
from eso.api.resources import EXTERNAL_SECRET
from eso.controllers.conditions import set_condition
from eso.controllers.externalsecret.context import ExternalSecretContext
from eso.errors import NotFound

__all__ = ["StatusUpdate", "write_status"]

Obj = dict[str, Any]


class StatusUpdate:
    """Accumulates changes to one ExternalSecret's status during a reconcile."""

    def __init__(self, raw: Obj) -> None:
        self.old: Obj = dict(raw.get("status") or {})
        self.new: Obj = dict(self.old.items())

    def ready(self, status: bool, reason: str, message: str) -> None:
        """Set the Ready condition."""
        conditions, _ = set_condition(
            self.new.get("conditions"),
            constants.ConditionType.READY.value,
            "True" if status else "False",
            reason,
            message,
        )
        self.new["conditions"] = conditions

    def synced(self, refresh_time: str, synced_resource_version: str, target_name: str) -> None:
        """Record a successful sync."""
        self.new["refreshTime"] = refresh_time
        self.new["syncedResourceVersion"] = synced_resource_version
        self.new["binding"] = {"name": target_name}

    @property
    def changed(self) -> bool:
        """True when something needs writing."""
        return self.new != self.old


async def write_status(ctx: ExternalSecretContext, es: ExternalSecret, update: StatusUpdate) -> None:
    """Patch the status subresource when it changed (a vanished object is ignored)."""
    if not update.changed:
        return
    try:
        written = await ctx.client.patch(
            EXTERNAL_SECRET, es.name, es.namespace, {"status": update.new}, subresource="status"
        )
    except NotFound:
        return
    await ctx.externalsecrets.apply_local(written)
