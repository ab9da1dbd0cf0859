"""``target.template``: the blueprint of the written Secret (shared by ExternalSecret and PushSecret).

Mirrors ESO's ``ExternalSecretTemplate``: ``type``, ``engineVersion``, ``metadata``
(labels, annotations, finalizers), ``mergePolicy``, ``data`` (key → template) and
``templateFrom[]`` (templates kept in ConfigMaps, Secrets or literals). Rendering lives
in :mod:`eso.template`; this module only describes the shape.
"""

from __future__ import annotations

from pydantic import Field

from eso.api._base import Model
from eso.api.fields import ResourceName, SecretKeyName
from eso.api.policies import (
    DecodingStrategy,
    TemplateEngineVersion,
    TemplateMergePolicy,
    TemplateScope,
    TemplateTarget,
)

__all__ = [
    "SECRET_TEMPLATE_TARGETS",
    "ExternalSecretTemplate",
    "TemplateFrom",
    "TemplateMetadata",
    "TemplateRef",
    "TemplateRefItem",
]

SECRET_TEMPLATE_TARGETS = frozenset(t.value.lower() for t in TemplateTarget) | {""}
"""``templateFrom[].target`` values allowed for a Secret target, lower-cased (compared case-insensitively)."""


class TemplateMetadata(Model):
    """``template.metadata``: labels, annotations and finalizers for the written object."""

    annotations: dict[str, str] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)
    finalizers: list[str] = Field(default_factory=list)


class TemplateRefItem(Model):
    """One key of a ConfigMap or Secret holding a template."""

    key: SecretKeyName
    template_as: TemplateScope = TemplateScope.VALUES


class TemplateRef(Model):
    """A ConfigMap or Secret (in the same namespace) holding templates."""

    name: ResourceName
    items: list[TemplateRefItem]


class TemplateFrom(Model):
    """One ``templateFrom`` entry: a ConfigMap, a Secret or a literal template.

    ``target`` is a free string: ``Data``, ``Annotations`` or ``Labels`` (case-insensitive)
    for a Secret target, or a dotted path for a generic target. Empty means ``Data``.
    """

    config_map: TemplateRef | None = None
    secret: TemplateRef | None = None
    target: str = Field(default=TemplateTarget.DATA.value, description="Data, Annotations, Labels or a path")
    literal: str | None = None
    values_decoding_strategy: DecodingStrategy | None = None

    def effective_target(self) -> str:
        """``target``, with the empty string read as ``Data``."""
        return self.target or TemplateTarget.DATA.value


class ExternalSecretTemplate(Model):
    """``target.template``: how the written Secret is rendered."""

    type: str | None = Field(default=None, description="The Secret type, e.g. kubernetes.io/tls")
    engine_version: TemplateEngineVersion = TemplateEngineVersion.V2
    metadata: TemplateMetadata = Field(default_factory=TemplateMetadata)
    merge_policy: TemplateMergePolicy = TemplateMergePolicy.REPLACE
    data: dict[str, str] = Field(default_factory=dict)
    template_from: list[TemplateFrom] = Field(default_factory=list)

    def is_metadata_only(self) -> bool:
        """True when the template has neither ``data`` nor ``templateFrom`` (provider data is kept)."""
        return not self.data and not self.template_from
