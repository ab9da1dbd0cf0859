"""Add and remove finalizers with guarded JSON patches.

A merge patch of ``metadata.finalizers`` replaces the whole list and can drop a
finalizer another controller added meanwhile; these JSON patches test the
resourceVersion (add) or the exact entry (remove) first, so a race ends in a 409/422
and a retry instead of a lost finalizer.
"""

from __future__ import annotations

from typing import Any

from eso.api.resources import ResourceInfo
from eso.errors import Invalid, NotFound
from eso.kube.client import KubeClient, PatchType

__all__ = ["add_finalizer", "has_finalizer", "remove_finalizer"]

Obj = dict[str, Any]


def has_finalizer(obj: Obj, finalizer: str) -> bool:
    """True when ``obj`` carries ``finalizer``."""
    return finalizer in ((obj.get("metadata") or {}).get("finalizers") or [])


async def add_finalizer(client: KubeClient, info: ResourceInfo, obj: Obj, finalizer: str) -> Obj | None:
    """Add ``finalizer`` unless present; returns the patched object (None if unchanged)."""
    meta = obj.get("metadata") or {}
    current = meta.get("finalizers")
    if current and finalizer in current:
        return None
    ops: list[Obj] = [
        {"op": "test", "path": "/metadata/resourceVersion", "value": meta.get("resourceVersion", "")}
    ]
    if current:
        ops.append({"op": "add", "path": "/metadata/finalizers/-", "value": finalizer})
    else:
        ops.append({"op": "add", "path": "/metadata/finalizers", "value": [finalizer]})
    return await client.patch(info, meta["name"], meta.get("namespace"), ops, patch_type=PatchType.JSON)


async def remove_finalizer(client: KubeClient, info: ResourceInfo, obj: Obj, finalizer: str) -> None:
    """Remove ``finalizer`` if present (a vanished object is fine)."""
    meta = obj.get("metadata") or {}
    current = list(meta.get("finalizers") or [])
    if finalizer not in current:
        return
    index = current.index(finalizer)
    ops = [
        {"op": "test", "path": f"/metadata/finalizers/{index}", "value": finalizer},
        {"op": "remove", "path": f"/metadata/finalizers/{index}"},
    ]
    try:
        await client.patch(info, meta["name"], meta.get("namespace"), ops, patch_type=PatchType.JSON)
    except NotFound:
        return
    except Invalid:
        fresh = await client.get_or_none(info, meta["name"], meta.get("namespace"))
        if fresh is not None and finalizer in ((fresh.get("metadata") or {}).get("finalizers") or []):
            await remove_finalizer(client, info, fresh, finalizer)
