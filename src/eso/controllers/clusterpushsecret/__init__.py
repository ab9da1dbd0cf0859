"""The ClusterPushSecret controller (``external-secrets.io/v1alpha1``, eso-api §2.15).

A ClusterPushSecret keeps one PushSecret (``pushSecretName``, default its own name)
with ``pushSecretSpec`` and ``pushSecretMetadata`` in every namespace its
``namespaceSelectors`` select, each with a controller ownerReference, so the garbage
collector removes them with it. :mod:`.children` computes the desired children and the
namespaces (pure), :mod:`.reconciler` writes them and the status, :mod:`.triggers` maps
ClusterPushSecret, PushSecret and Namespace events to keys.
"""

from eso.controllers.clusterpushsecret.context import ClusterPushSecretContext
from eso.controllers.clusterpushsecret.reconciler import reconcile
from eso.controllers.clusterpushsecret.triggers import ClusterPushSecretTriggers

__all__ = ["ClusterPushSecretContext", "ClusterPushSecretTriggers", "reconcile"]
