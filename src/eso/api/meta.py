"""Shared building blocks: selectors, object metadata, conditions and the object base.

Mirrors ESO's ``apis/meta/v1`` and the small shared types of ``secretstore_types.go``
(:class:`CAProvider`, :class:`SecretStoreRetrySettings`, :class:`SecretStoreKind`).
:class:`KubeObject` is the base of every top-level kind model: ``apiVersion`` and
``kind`` always count as set, so :meth:`Model.dump` of an object built in code is a
complete manifest.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from eso.api._base import Model
from eso.api.fields import DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN, SECRET_KEY_PATTERN, Duration

__all__ = [
    "CAProvider",
    "CAProviderType",
    "Condition",
    "KubeObject",
    "LabelSelector",
    "LabelSelectorRequirement",
    "ObjectMeta",
    "OwnerReference",
    "SecretKeySelector",
    "SecretStoreKind",
    "SecretStoreRetrySettings",
    "ServiceAccountSelector",
]


class SecretKeySelector(Model):
    """A key of a Secret: ``{name, namespace?, key?}``.

    ``namespace`` is honoured only for cluster-scoped stores; for a namespaced store it
    must be empty or equal to the store's namespace.
    """

    name: str = Field(default="", min_length=1, max_length=253, pattern=DNS_SUBDOMAIN_PATTERN)
    namespace: str | None = Field(default=None, min_length=1, max_length=63, pattern=DNS_LABEL_PATTERN)
    key: str | None = Field(default=None, min_length=1, max_length=253, pattern=SECRET_KEY_PATTERN)


class ServiceAccountSelector(Model):
    """A ServiceAccount: ``{name, namespace?, audiences?}``; audiences add to the provider's."""

    name: str = Field(min_length=1, max_length=253, pattern=DNS_SUBDOMAIN_PATTERN)
    namespace: str | None = Field(default=None, min_length=1, max_length=63, pattern=DNS_LABEL_PATTERN)
    audiences: list[str] | None = None


class LabelSelectorRequirement(Model):
    """One ``matchExpressions`` entry of a label selector."""

    key: str
    operator: str
    values: list[str] | None = None


class LabelSelector(Model):
    """A Kubernetes label selector (``matchLabels`` and ``matchExpressions``, ANDed)."""

    match_labels: dict[str, str] | None = None
    match_expressions: list[LabelSelectorRequirement] | None = None


class OwnerReference(Model):
    """``metadata.ownerReferences[]`` entry."""

    api_version: str
    kind: str
    name: str
    uid: str
    controller: bool | None = None
    block_owner_deletion: bool | None = None


class ObjectMeta(Model):
    """The parts of ``metadata`` eso reads."""

    name: str = ""
    generate_name: str | None = None
    namespace: str | None = None
    uid: str = ""
    resource_version: str = ""
    generation: int = 0
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    finalizers: list[str] = Field(default_factory=list)
    owner_references: list[OwnerReference] = Field(default_factory=list)
    deletion_timestamp: str | None = None
    creation_timestamp: str | None = None
    managed_fields: list[dict[str, Any]] | None = None


class Condition(Model):
    """A status condition: ``{type, status, reason?, message?, lastTransitionTime?}``."""

    type: str
    status: str
    reason: str | None = None
    message: str | None = None
    last_transition_time: str | None = None


class SecretStoreKind(StrEnum):
    """The two store kinds a reference can name; an empty kind means ``SecretStore``."""

    SECRET_STORE = "SecretStore"
    CLUSTER_SECRET_STORE = "ClusterSecretStore"


class CAProviderType(StrEnum):
    """Where a CA bundle is read from."""

    SECRET = "Secret"
    CONFIG_MAP = "ConfigMap"


class CAProvider(Model):
    """A CA certificate in a Secret or ConfigMap: ``{type, name, key?, namespace?}``.

    ``namespace`` is required for a ClusterSecretStore; for a SecretStore it must be
    empty or equal to the store's namespace.
    """

    type: CAProviderType
    name: str = Field(min_length=1, max_length=253, pattern=DNS_SUBDOMAIN_PATTERN)
    key: str | None = Field(default=None, min_length=1, max_length=253, pattern=SECRET_KEY_PATTERN)
    namespace: str | None = Field(default=None, min_length=1, max_length=63, pattern=DNS_LABEL_PATTERN)


class SecretStoreRetrySettings(Model):
    """``spec.retrySettings``: SDK attempts and a fixed back-off (Go duration)."""

    max_retries: int | None = None
    retry_interval: Duration | None = None


class KubeObject(Model):
    """Base of every top-level kind: ``apiVersion``, ``kind``, ``metadata``.

    Subclasses add ``spec`` and ``status`` and narrow ``api_version``/``kind`` defaults.
    ``apiVersion`` and ``kind`` are always part of :meth:`dump`, even on an object built
    in code, because a manifest without them is not a manifest.
    """

    api_version: str
    kind: str
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)

    def model_post_init(self, context: Any, /) -> None:
        """Mark ``apiVersion`` and ``kind`` as set so that :meth:`dump` always writes them."""
        self.__pydantic_fields_set__.update(("api_version", "kind"))

    @property
    def name(self) -> str:
        """``metadata.name``."""
        return self.metadata.name

    @property
    def namespace(self) -> str:
        """``metadata.namespace``, or ``""`` for a cluster-scoped object."""
        return self.metadata.namespace or ""
