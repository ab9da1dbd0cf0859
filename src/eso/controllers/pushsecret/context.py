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

__all__ = ["PushSecretContext"]

Obj = dict[str, Any]
Key = tuple[str, str]


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


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
    clock: Callable[[], datetime] = field(default=_utcnow)
