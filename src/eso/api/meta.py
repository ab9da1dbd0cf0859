"""Shared building blocks: selectors, object metadata and conditions.

Mirrors ESO's ``apis/meta/v1`` and the small shared types of ``secretstore_types.go``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from eso.api._base import Model

__all__ = [
    "Condition",
    "LabelSelector",
    "LabelSelectorRequirement",
    "ObjectMeta",
    "OwnerReference",
    "SecretKeySelector",
    "ServiceAccountSelector",
]


class SecretKeySelector(Model):
    """A key of a Secret: ``{name, namespace?, key?}``.

    ``namespace`` is honoured only for cluster-scoped stores; for a namespaced store it
    must be empty or equal to the store's namespace.
    """

    name: str = Field(default="", max_length=253)
    namespace: str | None = Field(default=None, max_length=63)
    key: str | None = Field(default=None, pattern=r"^[-._a-zA-Z0-9]+$")


class ServiceAccountSelector(Model):
    """A ServiceAccount: ``{name, namespace?, audiences?}``; audiences add to the provider's."""

    name: str
    namespace: str | None = None
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
