"""ESO's well-known names: labels, annotations, finalizers, field managers, condition reasons.

Every string here is observable (on Secrets, on ESO objects, in ``kubectl get``
columns, in alerts), so it is kept byte for byte as ESO spells it. Hash-valued marks
(``created-by``, ``data-hash``, the long-name field manager) are computed in
:mod:`eso.api.hashing`.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ANNOTATION_DATA_HASH",
    "ANNOTATION_EKS_AUDIENCE",
    "ANNOTATION_EKS_ROLE_ARN",
    "ANNOTATION_FORCE_SYNC",
    "ANNOTATION_IGNORE_MAINTENANCE_CHECKS",
    "COMPONENT_CONTROLLER",
    "COMPONENT_WEBHOOK",
    "DEFAULT_CONTROLLER_CLASS",
    "FIELD_MANAGER_PREFIX",
    "FINALIZER_CLUSTER_EXTERNAL_SECRET",
    "FINALIZER_EXTERNAL_SECRET",
    "FINALIZER_GENERATOR_STATE",
    "FINALIZER_NAMESPACE_CES_PREFIX",
    "FINALIZER_PUSH_SECRET",
    "FINALIZER_SECRET_STORE",
    "LABEL_COMPONENT",
    "LABEL_CREATED_BY",
    "LABEL_GENERATOR_OWNER_KEY",
    "LABEL_MANAGED",
    "LABEL_MANAGED_VALUE",
    "LABEL_NAMESPACE_NAME",
    "LABEL_SECRET_TYPE",
    "LABEL_SECRET_TYPE_WEBHOOK",
    "RECORDER_CLUSTER_PUSH_SECRET",
    "RECORDER_CLUSTER_SECRET_STORE",
    "RECORDER_EXTERNAL_SECRET",
    "RECORDER_PUSH_SECRET",
    "RECORDER_SECRET_STORE",
    "ConditionType",
    "EventReason",
    "ExternalSecretReason",
    "GeneratorStateReason",
    "PushSecretReason",
    "SecretStoreReason",
    "namespace_finalizer_for",
]

# --- on Secrets written by an ExternalSecret (§1.3, §2.6) ---------------------------------
LABEL_MANAGED = "reconcile.external-secrets.io/managed"
"""On every Secret an ExternalSecret writes, with value :data:`LABEL_MANAGED_VALUE`."""
LABEL_MANAGED_VALUE = "true"
LABEL_CREATED_BY = "reconcile.external-secrets.io/created-by"
"""sha3-224 of ``<namespace>/<name>`` of the owning ExternalSecret; only with creationPolicy=Owner."""
ANNOTATION_DATA_HASH = "reconcile.external-secrets.io/data-hash"
"""sha3-224 of the Secret's data as Go prints it; detects manual edits."""

# --- user-facing annotations and labels (§7.2) ---------------------------------------------
ANNOTATION_FORCE_SYNC = "external-secrets.io/force-sync"
"""Changing it forces a resync; a ClusterExternalSecret copies it onto its children."""
ANNOTATION_IGNORE_MAINTENANCE_CHECKS = "external-secrets.io/ignore-maintenance-checks"
"""On a store: suppresses the unmaintained/deprecated provider warning events."""
LABEL_SECRET_TYPE = "external-secrets.io/type"
"""On Secrets read by the webhook provider or generator, with value :data:`LABEL_SECRET_TYPE_WEBHOOK`."""
LABEL_SECRET_TYPE_WEBHOOK = "webhook"
ANNOTATION_EKS_ROLE_ARN = "eks.amazonaws.com/role-arn"
"""On the ServiceAccount used by AWS ``jwt`` auth: the role to assume (required)."""
ANNOTATION_EKS_AUDIENCE = "eks.amazonaws.com/audience"
"""On the ServiceAccount used by AWS ``jwt`` auth: the token audience (optional)."""
LABEL_COMPONENT = "external-secrets.io/component"
"""On CRDs (:data:`COMPONENT_CONTROLLER`) and ValidatingWebhookConfigurations (:data:`COMPONENT_WEBHOOK`)."""
COMPONENT_CONTROLLER = "controller"
COMPONENT_WEBHOOK = "webhook"
LABEL_GENERATOR_OWNER_KEY = "generators.external-secrets.io/owner-key"
"""On a GeneratorState: which object (and dataFrom index) it belongs to."""
LABEL_NAMESPACE_NAME = "kubernetes.io/metadata.name"
"""Set by Kubernetes on every Namespace; how ``namespaces[]`` lists are matched."""

# --- finalizers ----------------------------------------------------------------------------
FINALIZER_EXTERNAL_SECRET = "externalsecrets.external-secrets.io/externalsecret-cleanup"
FINALIZER_CLUSTER_EXTERNAL_SECRET = "externalsecrets.external-secrets.io/clusterexternalsecret-cleanup"
FINALIZER_NAMESPACE_CES_PREFIX = "externalsecrets.external-secrets.io/ces-"
"""Prefix of the finalizer a ClusterExternalSecret puts on each Namespace it provisions."""
FINALIZER_SECRET_STORE = "secretstore.externalsecrets.io/finalizer"
"""On a store while PushSecrets with deletionPolicy=Delete have pushed to it."""
FINALIZER_PUSH_SECRET = "pushsecret.externalsecrets.io/finalizer"
"""On a PushSecret with deletionPolicy=Delete."""
FINALIZER_GENERATOR_STATE = "generatorstate.externalsecrets.io/finalizer"

# --- writers -------------------------------------------------------------------------------
FIELD_MANAGER_PREFIX = "externalsecrets.external-secrets.io/"
"""Field manager of Secret writes: this prefix plus the ExternalSecret name (hashing.field_manager_for)."""
DEFAULT_CONTROLLER_CLASS = "default"
"""``--controller-class`` default; a store or generator with an empty ``controller`` is everyone's."""
RECORDER_EXTERNAL_SECRET = "external-secrets"
RECORDER_SECRET_STORE = "secret-store"
RECORDER_CLUSTER_SECRET_STORE = "cluster-secret-store"
RECORDER_PUSH_SECRET = "pushsecret"
RECORDER_CLUSTER_PUSH_SECRET = "external-secrets-controller"


def namespace_finalizer_for(ces_name: str) -> str:
    """The finalizer a ClusterExternalSecret named ``ces_name`` puts on the Namespaces it provisions."""
    return f"{FINALIZER_NAMESPACE_CES_PREFIX}{ces_name}"


class ConditionType(StrEnum):
    """Condition types on ESO objects."""

    READY = "Ready"
    DELETED = "Deleted"


class ExternalSecretReason(StrEnum):
    """Reasons of an ExternalSecret's Ready condition (and ``kubectl get es`` STATUS)."""

    SECRET_SYNCED = "SecretSynced"
    SECRET_SYNCED_ERROR = "SecretSyncedError"
    SECRET_DELETED = "SecretDeleted"
    SECRET_MISSING = "SecretMissing"
    RESOURCE_SYNCED = "ResourceSynced"
    RESOURCE_SYNCED_ERROR = "ResourceSyncedError"
    RESOURCE_DELETED = "ResourceDeleted"
    RESOURCE_MISSING = "ResourceMissing"


class SecretStoreReason(StrEnum):
    """Reasons of a store's Ready condition."""

    VALID = "Valid"
    INVALID_PROVIDER_CONFIG = "InvalidProviderConfig"
    VALIDATION_UNKNOWN = "ValidationUnknown"
    INVALID_STORE_CONFIGURATION = "InvalidStoreConfiguration"
    VALIDATION_FAILED = "ValidationFailed"


class PushSecretReason(StrEnum):
    """Reasons of a PushSecret's Ready condition."""

    SYNCED = "Synced"
    ERRORED = "Errored"
    SOURCE_DELETED = "SourceDeleted"


class GeneratorStateReason(StrEnum):
    """Reasons of a GeneratorState's Ready condition."""

    CREATED = "Created"
    ERROR = "Error"


class EventReason(StrEnum):
    """Kubernetes Event reasons ESO emits."""

    CREATED = "Created"
    UPDATED = "Updated"
    DELETED = "Deleted"
    UPDATE_FAILED = "UpdateFailed"
    MISSING_PROVIDER_SECRET = "MissingProviderSecret"
    PARAMETER_DEPRECATED = "ParameterDeprecated"
    VALID = "Valid"
    STORE_UNMAINTAINED = "StoreUnmaintained"
    STORE_DEPRECATED = "StoreDeprecated"
    SYNCED = "Synced"
    ERRORED = "Errored"
