"""What a PushSecret reconcile works with: every collaborator, passed in explicitly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from eso.controllers.pushsecret.push import KeyedLocks
from eso.controllers.pushsecret.sources import Generate
from eso.controllers.stores import StoreResolver
from eso.kube.client import KubeClient
from eso.kube.events import EventRecorder
from eso.kube.informer import Informer
from eso.metrics import Metrics
from eso.settings import ControllerSettings

__all__ = ["PushSecretContext", "RecentWrites"]

Obj = dict[str, Any]
Key = tuple[str, str]


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _rv(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion", ""))


class RecentWrites:
    """The objects this controller just wrote, until the informer cache has caught up.

    A reconcile that starts right after our own write (a finalizer, a status) would
    otherwise read the previous version from the cache and push again.
    """

    def __init__(self) -> None:
        self._by_key: dict[Key, tuple[set[str], Obj]] = {}

    def record(self, key: Key, before: Obj, after: Obj | None) -> None:
        """``after`` (returned by the API server) replaces ``before``."""
        if not after:
            return
        stale = self._by_key[key][0] if key in self._by_key else set()
        self._by_key[key] = (stale | {_rv(before)}, after)

    def current(self, key: Key, cached: Obj | None) -> Obj | None:
        """The freshest known version of ``cached``."""
        entry = self._by_key.get(key)
        if entry is None:
            return cached
        if cached is not None and _rv(cached) in entry[0] and _rv(cached) != _rv(entry[1]):
            return entry[1]
        del self._by_key[key]
        return cached

    def forget(self, key: Key) -> None:
        """Drop what is known about ``key``."""
        self._by_key.pop(key, None)

    def __len__(self) -> int:
        return len(self._by_key)


@dataclass
class PushSecretContext:
    """Collaborators of the PushSecret reconciler.

    ``source_caches`` are Secret caches eso holds anyway (managed Secrets, labelled
    sources); a source found there costs no API call. ``generator()`` returns the function
    running ``selector.generatorRef`` (None: not available); it is looked up at each use,
    so the generators controller may register it after this controller is built.
    ``engine`` is the template engine.
    """

    client: KubeClient
    pushsecrets: Informer
    source_caches: list[Informer]
    secret_stores: Informer | None
    cluster_stores: Informer | None
    stores: StoreResolver
    events: EventRecorder
    metrics: Metrics
    settings: ControllerSettings
    engine: Any
    generator: Callable[[], Generate | None] = field(default=lambda: None)
    locks: KeyedLocks = field(default_factory=KeyedLocks)
    recent: RecentWrites = field(default_factory=RecentWrites)
    clock: Callable[[], datetime] = field(default=_utcnow)
