"""ClusterExternalSecret controller wiring: informers, triggers, queue, reconciler.

Needs the Namespace informer, which exists only when eso watches every namespace:
with ``--namespace`` (or ``--enable-cluster-external-secret-reconciler=false``) no
ClusterExternalSecret controller runs. The ExternalSecret and Namespace informers are
the ones the other controllers use (one watch each).
"""

from __future__ import annotations

from eso.api import constants
from eso.api.resources import CLUSTER_EXTERNAL_SECRET, EXTERNAL_SECRET
from eso.controllers.clusterexternalsecret import (
    ClusterExternalSecretContext,
    ClusterExternalSecretTriggers,
    reconcile,
)
from eso.controllers.clusterexternalsecret.children import CONTROLLER_UID_INDEX, controller_uids
from eso.kube.controller import Result
from eso.operator.wiring.base import Wiring

__all__ = ["build"]

Key = tuple[str, str]


def build(w: Wiring) -> None:
    """Register the ClusterExternalSecret controller (cluster-wide operators only)."""
    namespaces = w.namespaces()
    if namespaces is None or not w.settings.controller.enable_cluster_external_secret_reconciler:
        return
    informer = w.informer(CLUSTER_EXTERNAL_SECRET)
    externalsecrets = w.informer(EXTERNAL_SECRET)
    externalsecrets.add_index(CONTROLLER_UID_INDEX, controller_uids)
    queue = w.queue("clusterexternalsecret")
    triggers = ClusterExternalSecretTriggers(queue, informer)
    informer.add_handler(triggers.on_cluster_external_secret)
    externalsecrets.add_handler(triggers.on_external_secret)
    namespaces.add_handler(triggers.on_namespace)
    ctx = ClusterExternalSecretContext(
        client=w.client,
        clusterexternalsecrets=informer,
        externalsecrets=externalsecrets,
        namespaces=namespaces,
        events=w.events(constants.RECORDER_EXTERNAL_SECRET),
        metrics=w.metrics,
        settings=w.settings.controller,
    )

    async def run(key: Key) -> Result:
        return await reconcile(ctx, key)

    w.controller("clusterexternalsecret", queue, run, w.settings.controller.concurrent)
