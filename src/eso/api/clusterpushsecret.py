"""ClusterPushSecret (``external-secrets.io/v1alpha1``, cluster-scoped): a PushSecret per namespace.

Namespaces are selected by ``namespaceSelectors[]`` (ORed). Each child PushSecret is
named ``pushSecretName`` (default: the ClusterPushSecret's name), carries
``pushSecretMetadata`` and has ``pushSecretSpec`` as its spec.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from eso.api._base import Model
from eso.api.duration import parse_duration
from eso.api.fields import Duration, ResourceName
from eso.api.meta import Condition, KubeObject, LabelSelector
from eso.api.pushsecret import PushSecretSpec

__all__ = [
    "DEFAULT_CPS_REFRESH_INTERVAL",
    "ClusterPushSecret",
    "ClusterPushSecretNamespaceFailure",
    "ClusterPushSecretSpec",
    "ClusterPushSecretStatus",
    "PushSecretMetadata",
]

DEFAULT_CPS_REFRESH_INTERVAL = 3600.0
"""Seconds between namespace re-checks when ``spec.refreshTime`` is unset (1 h)."""


class PushSecretMetadata(Model):
    """Labels and annotations for the child PushSecrets."""

    annotations: dict[str, str] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)


class ClusterPushSecretSpec(Model):
    """The PushSecret to create, its name and metadata, and the namespaces to create it in."""

    push_secret_spec: PushSecretSpec
    refresh_time: Duration | None = None
    push_secret_name: ResourceName | None = None
    push_secret_metadata: PushSecretMetadata | None = None
    namespace_selectors: list[LabelSelector] = Field(default_factory=list)


class ClusterPushSecretNamespaceFailure(Model):
    """A namespace where the PushSecret could not be written, and why."""

    namespace: str
    reason: str | None = None


class ClusterPushSecretStatus(Model):
    """Where the children were provisioned, where they failed, their name, and the Ready condition."""

    failed_namespaces: list[ClusterPushSecretNamespaceFailure] = Field(default_factory=list)
    provisioned_namespaces: list[str] = Field(default_factory=list)
    push_secret_name: str | None = None
    conditions: list[Condition] = Field(default_factory=list)


class ClusterPushSecret(KubeObject):
    """Creates the same PushSecret in many namespaces."""

    api_version: str = "external-secrets.io/v1alpha1"
    kind: Literal["ClusterPushSecret"] = "ClusterPushSecret"
    spec: ClusterPushSecretSpec
    status: ClusterPushSecretStatus | None = None

    def push_secret_name(self) -> str:
        """``spec.pushSecretName``, or the ClusterPushSecret's own name."""
        return self.spec.push_secret_name or self.metadata.name

    def refresh_seconds(self) -> float:
        """``spec.refreshTime`` in seconds (1 h when unset)."""
        if self.spec.refresh_time is None:
            return DEFAULT_CPS_REFRESH_INTERVAL
        return parse_duration(self.spec.refresh_time, field="spec.refreshTime")
