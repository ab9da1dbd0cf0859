"""ClusterExternalSecret (``external-secrets.io/v1``, cluster-scoped): an ExternalSecret per namespace.

Namespaces are selected by ``namespaceSelectors[]`` (ORed), plus the deprecated
``namespaceSelector`` and ``namespaces[]``. Each child ExternalSecret is named
``externalSecretName`` (default: the ClusterExternalSecret's name), carries
``externalSecretMetadata`` and has ``externalSecretSpec`` as its spec. Fields mirror
ESO's ``clusterexternalsecret_types.go``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from eso.api._base import Model
from eso.api.duration import parse_duration
from eso.api.externalsecret import ExternalSecretSpec
from eso.api.fields import Duration, NamespaceName, ResourceName
from eso.api.meta import Condition, KubeObject, LabelSelector

__all__ = [
    "DEFAULT_CES_REFRESH_INTERVAL",
    "ClusterExternalSecret",
    "ClusterExternalSecretNamespaceFailure",
    "ClusterExternalSecretSpec",
    "ClusterExternalSecretStatus",
    "ExternalSecretMetadata",
]

DEFAULT_CES_REFRESH_INTERVAL = 3600.0
"""Seconds between namespace re-checks when ``spec.refreshTime`` is unset (1 h)."""


class ExternalSecretMetadata(Model):
    """Labels and annotations for the child ExternalSecrets (they replace the children's own)."""

    annotations: dict[str, str] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)


class ClusterExternalSecretSpec(Model):
    """The ExternalSecret to create, its name and metadata, and the namespaces to create it in."""

    external_secret_spec: ExternalSecretSpec
    external_secret_name: ResourceName | None = None
    external_secret_metadata: ExternalSecretMetadata | None = None
    namespace_selector: LabelSelector | None = Field(default=None, description="Deprecated")
    namespace_selectors: list[LabelSelector] = Field(default_factory=list)
    namespaces: list[NamespaceName] = Field(default_factory=list, description="Deprecated")
    refresh_time: Duration | None = Field(default=None, description="How often namespaces are re-checked")


class ClusterExternalSecretNamespaceFailure(Model):
    """A namespace where the ExternalSecret could not be written, and why."""

    namespace: str
    reason: str | None = None


class ClusterExternalSecretStatus(Model):
    """The child name, where it was provisioned, where it failed, and the Ready condition."""

    external_secret_name: str | None = None
    failed_namespaces: list[ClusterExternalSecretNamespaceFailure] = Field(default_factory=list)
    provisioned_namespaces: list[str] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)


class ClusterExternalSecret(KubeObject):
    """Creates the same ExternalSecret in many namespaces."""

    api_version: str = "external-secrets.io/v1"
    kind: Literal["ClusterExternalSecret"] = "ClusterExternalSecret"
    spec: ClusterExternalSecretSpec
    status: ClusterExternalSecretStatus | None = None

    def external_secret_name(self) -> str:
        """``spec.externalSecretName``, or the ClusterExternalSecret's own name."""
        return self.spec.external_secret_name or self.metadata.name

    def refresh_seconds(self) -> float:
        """``spec.refreshTime`` in seconds (1 h when unset)."""
        if self.spec.refresh_time is None:
            return DEFAULT_CES_REFRESH_INTERVAL
        return parse_duration(self.spec.refresh_time, field="spec.refreshTime")
