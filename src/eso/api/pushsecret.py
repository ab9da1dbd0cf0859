"""PushSecret (``external-secrets.io/v1alpha1``): push a Kubernetes Secret to stores.

The source is one Secret (``selector.secret.name``), every Secret matching a label
selector (``selector.secret.selector``) or a generator (``selector.generatorRef``).
``data[]`` maps one source key (or the whole Secret) to a remote key; ``dataTo[]``
pushes many keys at once (filtered by regexp, renamed by rewrites, or bundled into
one remote key). Fields mirror ESO's ``pushsecret_types.go``.

Two deliberate differences from ESO, both so that a mistaken manifest reaches eso and
gets an error that says how to fix it instead of being refused or silently pruned:
``spec.selector`` and ``data[].match.remoteRef`` are optional in the schema (eso's
validation reports them missing), and ``data[].remoteRef`` (a misplaced
``match.remoteRef``, as in some tutorials) is kept so the error can point at it.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from eso.api._base import Model
from eso.api.duration import parse_duration
from eso.api.externalsecret import (
    DEFAULT_REFRESH_INTERVAL,
    ExternalSecretTemplate,
    GeneratorRef,
    RewriteRegexp,
    RewriteTransform,
)
from eso.api.fields import DateTime, Duration, ResourceName
from eso.api.meta import Condition, KubeObject, LabelSelector, SecretStoreKind
from eso.api.policies import PushSecretConversionStrategy, PushSecretDeletionPolicy, UpdatePolicy

__all__ = [
    "PushSecret",
    "PushSecretConversionStrategy",
    "PushSecretData",
    "PushSecretDataTo",
    "PushSecretDataToMatch",
    "PushSecretDeletionPolicy",
    "PushSecretMatch",
    "PushSecretRemoteRef",
    "PushSecretRewrite",
    "PushSecretSecret",
    "PushSecretSelector",
    "PushSecretSpec",
    "PushSecretStatus",
    "PushSecretStoreRef",
    "UpdatePolicy",
]


class PushSecretStoreRef(Model):
    """Stores to push to: one by name, or all matching a label selector."""

    name: ResourceName | None = None
    label_selector: LabelSelector | None = None
    kind: SecretStoreKind = SecretStoreKind.SECRET_STORE


class PushSecretSecret(Model):
    """The source Secret(s), in the PushSecret's namespace: by name or by label selector."""

    name: ResourceName | None = None
    selector: LabelSelector | None = None


class PushSecretSelector(Model):
    """Where the pushed data comes from: a Secret, or a generator."""

    crd_min_properties: ClassVar[int | None] = 1
    crd_max_properties: ClassVar[int | None] = 1

    secret: PushSecretSecret | None = None
    generator_ref: GeneratorRef | None = None


class PushSecretRemoteRef(Model):
    """The destination at the provider: a remote key and optionally a property in it."""

    remote_key: str
    property: str | None = None


class PushSecretMatch(Model):
    """Which source key to push (empty: the whole Secret as JSON) and where to."""

    secret_key: str | None = None
    remote_ref: PushSecretRemoteRef | None = Field(default=None, description="Required by ESO")


class PushSecretData(Model):
    """One pushed entry, with provider-specific metadata."""

    match: PushSecretMatch
    metadata: Any = Field(default=None, description="Provider-specific, usually a PushSecretMetadata")
    conversion_strategy: PushSecretConversionStrategy = PushSecretConversionStrategy.NONE
    remote_ref: PushSecretRemoteRef | None = Field(
        default=None, description="Misplaced: belongs under match.remoteRef; accepted there, with a warning"
    )


class PushSecretDataToMatch(Model):
    """Source keys to push (Go RE2, unanchored); empty means all keys."""

    regexp: str | None = None


class PushSecretRewrite(Model):
    """One key rewrite: exactly one of ``regexp`` or ``transform``."""

    crd_validations: ClassVar[tuple[tuple[str, str], ...]] = (
        (
            "(has(self.regexp) && !has(self.transform)) || (!has(self.regexp) && has(self.transform))",
            "exactly one of regexp or transform must be set",
        ),
    )

    regexp: RewriteRegexp | None = None
    transform: RewriteTransform | None = None


class PushSecretDataTo(Model):
    """Bulk push to one store: matching keys, renamed, or bundled under ``remoteKey``."""

    crd_validations: ClassVar[tuple[tuple[str, str], ...]] = (
        (
            "has(self.storeRef) && (has(self.storeRef.name) || has(self.storeRef.labelSelector))",
            "storeRef must specify either name or labelSelector",
        ),
        (
            "!(has(self.remoteKey) && has(self.rewrite) && size(self.rewrite) > 0)",
            "remoteKey and rewrite are mutually exclusive",
        ),
    )

    store_ref: PushSecretStoreRef | None = None
    remote_key: str | None = Field(default=None, description="Push all matched keys as one JSON object")
    match: PushSecretDataToMatch | None = None
    rewrite: list[PushSecretRewrite] = Field(default_factory=list)
    metadata: Any = None
    conversion_strategy: PushSecretConversionStrategy = PushSecretConversionStrategy.NONE


class PushSecretSpec(Model):
    """Where to push, what, how often, and what happens on update and deletion."""

    refresh_interval: Duration | None = None
    secret_store_refs: list[PushSecretStoreRef]
    update_policy: UpdatePolicy = UpdatePolicy.REPLACE
    deletion_policy: PushSecretDeletionPolicy = PushSecretDeletionPolicy.NONE
    selector: PushSecretSelector | None = Field(default=None, description="Required by ESO")
    data: list[PushSecretData] = Field(default_factory=list)
    data_to: list[PushSecretDataTo] = Field(default_factory=list)
    template: ExternalSecretTemplate | None = None


class PushSecretStatus(Model):
    """Last push, the synced resource version, what was pushed where, and the Ready condition."""

    refresh_time: DateTime | None = Field(default=None, json_schema_extra={"nullable": True})
    synced_resource_version: str | None = None
    synced_push_secrets: dict[str, dict[str, PushSecretData]] = Field(
        default_factory=dict, description='"<StoreKind>/<name>" → remote key → pushed entry'
    )
    conditions: list[Condition] = Field(default_factory=list)


class PushSecret(KubeObject):
    """Pushes a Kubernetes Secret (or generated data) to one or more stores."""

    api_version: str = "external-secrets.io/v1alpha1"
    kind: Literal["PushSecret"] = "PushSecret"
    spec: PushSecretSpec
    status: PushSecretStatus | None = None

    def refresh_seconds(self) -> float:
        """``spec.refreshInterval`` in seconds (1 h when unset)."""
        interval = self.spec.refresh_interval
        if interval is None:
            return DEFAULT_REFRESH_INTERVAL
        return parse_duration(interval, field="spec.refreshInterval")
