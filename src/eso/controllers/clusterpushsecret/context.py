"""What a ClusterPushSecret reconcile works with."""

from __future__ import annotations

from dataclasses import dataclass, field

from eso.kube.client import KubeClient
from eso.kube.events import EventRecorder
from eso.kube.informer import Informer
from eso.metrics import Metrics
from eso.settings import ControllerSettings

__all__ = ["ClusterPushSecretContext"]


@dataclass
class ClusterPushSecretContext:
    """Collaborators of the ClusterPushSecret reconciler.

    ``seen_generation`` remembers, per ClusterPushSecret, the generation its children
    were last written for in this process: a new generation rewrites every child (so a
    label dropped from ``pushSecretMetadata`` leaves them); otherwise a child is written
    only when it lacks something it should have.
    """

    client: KubeClient
    clusterpushsecrets: Informer
    pushsecrets: Informer
    namespaces: Informer
    events: EventRecorder
    metrics: Metrics
    settings: ControllerSettings
    seen_generation: dict[str, int] = field(default_factory=dict)
