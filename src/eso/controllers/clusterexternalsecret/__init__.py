"""The ClusterExternalSecret controller: one ExternalSecret per selected namespace.

* :mod:`~eso.controllers.clusterexternalsecret.selection` — which namespaces (pure);
* :mod:`~eso.controllers.clusterexternalsecret.children` — what each child looks like (pure);
* :mod:`~eso.controllers.clusterexternalsecret.status` — status lists and the Ready condition;
* :mod:`~eso.controllers.clusterexternalsecret.reconciler` — the reconcile steps;
* :mod:`~eso.controllers.clusterexternalsecret.triggers` — which events re-queue which
  ClusterExternalSecret (its own changes, its children's, Namespace changes).
"""

from eso.controllers.clusterexternalsecret.context import ClusterExternalSecretContext
from eso.controllers.clusterexternalsecret.reconciler import reconcile
from eso.controllers.clusterexternalsecret.triggers import ClusterExternalSecretTriggers

__all__ = ["ClusterExternalSecretContext", "ClusterExternalSecretTriggers", "reconcile"]
