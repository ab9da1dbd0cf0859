"""What an ExternalSecret reconcile works with: every collaborator, passed in explicitly."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from eso.api import constants
from eso.controllers.externalsecret.drift import DriftLedger
from eso.controllers.reads import SharedReads
from eso.controllers.stores import StoreResolver
from eso.kube.client import KubeClient
from eso.kube.events import EventRecorder
from eso.kube.informer import Informer
from eso.metrics import Metrics
from eso.settings import ControllerSettings

__all__ = ["CREATED_BY_INDEX", "ExternalSecretContext", "created_by_values"]

CREATED_BY_INDEX = "created-by"
"""Index of ``secrets`` by the ``reconcile.external-secrets.io/created-by`` label."""


def created_by_values(secret: dict[str, Any]) -> list[str]:
    """Index function for :data:`CREATED_BY_INDEX`."""
    value = ((secret.get("metadata") or {}).get("labels") or {}).get(constants.LABEL_CREATED_BY)
    return [value] if isinstance(value, str) and value else []


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class ExternalSecretContext:
    """Collaborators of the ExternalSecret reconciler.

    ``secrets`` caches only Secrets labelled ``reconcile.external-secrets.io/managed``,
    indexed by :data:`CREATED_BY_INDEX`.
    ``engine`` is the template engine (:class:`eso.template.engine.TemplateEngine`);
    ``generators`` runs ``dataFrom[].sourceRef.generatorRef`` entries (None disables).
    ``drift`` counts repairs of Secrets someone else keeps overwriting (see ``drift``).
    ``draw`` is the random source of catch-up spreading (see ``refresh.catch_up_delay``).
    """

    client: KubeClient
    externalsecrets: Informer
    secrets: Informer
    stores: StoreResolver
    reads: SharedReads
    events: EventRecorder
    metrics: Metrics
    settings: ControllerSettings
    engine: Any
    generators: Any = None
    clock: Callable[[], datetime] = field(default=_utcnow)
    drift: DriftLedger = field(default_factory=DriftLedger)
    seen: set[tuple[str, str]] = field(default_factory=set)
    """ExternalSecrets this process has reconciled (a first look may spread a catch-up refresh)."""
    draw: Callable[[], float] = field(default=random.random)
