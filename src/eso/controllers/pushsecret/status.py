"""The PushSecret's status: Ready, refreshTime, syncedResourceVersion, syncedPushSecrets.

The status is written only when it differs from what is stored, as a JSON merge patch
computed against the stored status (:func:`merge_patch`), so entries that left
``syncedPushSecrets`` are removed (``null``) instead of lingering. An unchanged Ready
condition keeps its lastTransitionTime. Messages are built from eso's error texts,
which name fields, stores and remote keys, never values.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from eso.api import constants
from eso.api.resources import PUSH_SECRET
from eso.controllers.conditions import find_condition, set_condition
from eso.controllers.pushsecret.entries import SyncedMap
from eso.errors import NotFound
from eso.kube.client import KubeClient

__all__ = ["StatusUpdate", "merge_patch", "write_status"]

Obj = dict[str, Any]


def merge_patch(old: Mapping[str, Any], new: Mapping[str, Any]) -> Obj:
    """The RFC 7386 merge patch turning ``old`` into ``new`` (lists are replaced whole)."""
    patch: Obj = {}
    for key in old:
        if key not in new:
            patch[key] = None
    for key, value in new.items():
        before = old.get(key)
        if isinstance(value, Mapping) and isinstance(before, Mapping):
            inner = merge_patch(before, value)
            if inner:
                patch[key] = inner
        elif key not in old or before != value:
            patch[key] = copy.deepcopy(value)
    return patch


class StatusUpdate:
    """Accumulates changes to one PushSecret's status during a reconcile."""

    def __init__(self, raw: Obj) -> None:
        self.old: Obj = copy.deepcopy(raw.get("status") or {})
        self.new: Obj = copy.deepcopy(self.old)

    @property
    def synced_map(self) -> SyncedMap:
        """``syncedPushSecrets`` as it will be written."""
        value = self.new.get("syncedPushSecrets") or {}
        return {str(k): {str(r): dict(e) for r, e in (v or {}).items()} for k, v in value.items()}

    def ready(self, ok: bool, reason: str, message: str) -> bool:
        """Set the Ready condition; True when it changed."""
        conditions, changed = set_condition(
            self.new.get("conditions"),
            constants.ConditionType.READY.value,
            "True" if ok else "False",
            reason,
            message,
        )
        self.new["conditions"] = conditions
        return changed

    def ready_reason(self) -> str | None:
        """The stored Ready reason."""
        cond = find_condition(self.old.get("conditions"), constants.ConditionType.READY.value)
        return str(cond.get("reason")) if cond and cond.get("reason") else None

    def set_synced(self, synced: SyncedMap) -> None:
        """Replace ``syncedPushSecrets`` (dropped from the status when empty)."""
        if synced:
            self.new["syncedPushSecrets"] = copy.deepcopy(synced)
        else:
            self.new.pop("syncedPushSecrets", None)

    def pushed(self, refresh_time: str, synced_version: str) -> None:
        """Record a successful push."""
        self.new["refreshTime"] = refresh_time
        self.new["syncedResourceVersion"] = synced_version

    @property
    def changed(self) -> bool:
        """True when something needs writing."""
        return self.new != self.old


async def write_status(client: KubeClient, namespace: str, name: str, update: StatusUpdate) -> Obj | None:
    """Patch the status subresource if it changed; the patched object (None: unchanged or gone)."""
    if not update.changed:
        return None
    patch = merge_patch(update.old, update.new)
    try:
        result = await client.patch(PUSH_SECRET, name, namespace, {"status": patch}, subresource="status")
    except NotFound:
        return None
    update.old = copy.deepcopy(update.new)
    return result
