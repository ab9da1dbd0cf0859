"""ClusterPushSecret controller wiring: informers, triggers, queue, reconciler.

Needs the Namespace informer, which exists only when eso watches every namespace: with
``--namespace`` (or ``--enable-cluster-push-secret-reconciler=false``) no
ClusterPushSecret controller runs. The PushSecret and Namespace informers are the ones
the other controllers use (one watch each).
"""

from __future__ import annotations

from eso.api import constants
from eso.api.resources import CLUSTER_PUSH_SECRET, PUSH_SECRET
from eso.controllers.clusterpushsecret import ClusterPushSecretContext, ClusterPushSecretTriggers, reconcile
from eso.kube.controller import Result
from eso.operator.wiring.base import Wiring

__all__ = ["build"]

Key = tuple[str, str]


def build(w: Wiring) -> None:
    """Register the ClusterPushSecret controller (cluster-wide operators only)."""
    namespaces = w.namespaces()
    if namespaces is None or not w.settings.controller.enable_cluster_push_secret_reconciler:
        return
    informer = w.informer(CLUSTER_PUSH_SECRET)
    pushsecrets = w.informer(PUSH_SECRET)
    queue = w.queue("clusterpushsecret")
    triggers = ClusterPushSecretTriggers(queue, informer)
    informer.add_handler(triggers.on_cluster_push_secret)
    pushsecrets.add_handler(triggers.on_push_secret)
    namespaces.add_handler(triggers.on_namespace)
    ctx = ClusterPushSecretContext(
        client=w.client,
        clusterpushsecrets=informer,
        pushsecrets=pushsecrets,
        namespaces=namespaces,
        events=w.events(constants.RECORDER_CLUSTER_PUSH_SECRET),
        metrics=w.metrics,
        settings=w.settings.controller,
    )

    async def run(key: Key) -> Result:
        return await reconcile(ctx, key)

    w.controller("clusterpushsecret", queue, run, w.settings.controller.concurrent)
