"""What a ClusterExternalSecret reconcile works with: every collaborator, passed in explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from eso.kube.client import KubeClient
from eso.kube.events import EventRecorder
from eso.kube.informer import Informer
from eso.metrics import Metrics
from eso.settings import ControllerSettings

__all__ = ["ClusterExternalSecretContext"]


@dataclass
class ClusterExternalSecretContext:
    """Collaborators of the ClusterExternalSecret reconciler.

    ``externalsecrets`` is the ExternalSecret cache the ExternalSecret controller also
    reads (one watch); ``namespaces`` the Namespace cache. ``parallel`` bounds the child
    writes in flight for one ClusterExternalSecret.
    """

    client: KubeClient
    clusterexternalsecrets: Informer
    externalsecrets: Informer
    namespaces: Informer
    events: EventRecorder
    metrics: Metrics
    settings: ControllerSettings
    parallel: int = 16
