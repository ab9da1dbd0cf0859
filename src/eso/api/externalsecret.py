"""ExternalSecret (``external-secrets.io/v1``, also served as ``v1beta1``).

An ExternalSecret says which remote secrets to read (``data[]`` one key each,
``dataFrom[]`` in bulk: ``extract``, ``find`` or a generator), from which store
(``secretStoreRef``, or a per-entry ``sourceRef``), how often (``refreshInterval``,
``refreshPolicy``, ``syncWindows``) and what to write (``target``: name, creation and
deletion policies, template). Fields mirror ESO's ``externalsecret_types.go``.

Python defaults equal ESO's CRD defaults, so ``es.spec.target.creation_policy`` is
the effective policy; they are never emitted by :meth:`Model.dump`. The small helpers
at the bottom (:meth:`ExternalSecret.target_name`, :meth:`ExternalSecret.refresh_seconds`,
…) are the few derived values the controllers need.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from eso.api._base import Model
from eso.api.duration import parse_duration
from eso.api.fields import SYNC_SCHEDULE_PATTERN, DateTime, Duration, ResourceName, SecretKeyName
from eso.api.generators import GENERATORS_API_VERSION, GeneratorKind
from eso.api.meta import Condition, KubeObject, SecretStoreKind
from eso.api.policies import (
    ConversionStrategy,
    CreationPolicy,
    DecodingStrategy,
    DeletionPolicy,
    MergeConflictPolicy,
    MergePriorityPolicy,
    MergeStrategy,
    MetadataPolicy,
    NullBytePolicy,
    RefreshPolicy,
    SyncWindowKind,
    TemplateMergePolicy,
    TemplateScope,
    TemplateTarget,
)
from eso.api.secrettemplate import (
    ExternalSecretTemplate,
    TemplateFrom,
    TemplateMetadata,
    TemplateRef,
    TemplateRefItem,
)

__all__ = [
    "DEFAULT_REFRESH_INTERVAL",
    "ConversionStrategy",
    "CreationPolicy",
    "DecodingStrategy",
    "DeletionPolicy",
    "ExternalSecret",
    "ExternalSecretBinding",
    "ExternalSecretData",
    "ExternalSecretDataFromRemoteRef",
    "ExternalSecretDataRemoteRef",
    "ExternalSecretFind",
    "ExternalSecretRewrite",
    "ExternalSecretSpec",
    "ExternalSecretStatus",
    "ExternalSecretTarget",
    "ExternalSecretTemplate",
    "FindName",
    "GeneratorRef",
    "MetadataPolicy",
    "NullBytePolicy",
    "RefreshPolicy",
    "RewriteMerge",
    "RewriteRegexp",
    "RewriteTransform",
    "SecretStoreRef",
    "StoreGeneratorSourceRef",
    "StoreSourceRef",
    "SyncWindow",
    "SyncWindows",
    "TargetManifest",
    "TemplateFrom",
    "TemplateMergePolicy",
    "TemplateMetadata",
    "TemplateRef",
    "TemplateRefItem",
    "TemplateScope",
    "TemplateTarget",
]

DEFAULT_REFRESH_INTERVAL = 3600.0
"""Seconds between refreshes when ``spec.refreshInterval`` is unset (ESO: ``1h``)."""


class SecretStoreRef(Model):
    """A store by name and kind; an empty kind means SecretStore."""

    name: ResourceName = ""
    kind: SecretStoreKind = SecretStoreKind.SECRET_STORE


class GeneratorRef(Model):
    """A generator by kind and name; its group must be ``generators.external-secrets.io``."""

    api_version: str = GENERATORS_API_VERSION
    kind: GeneratorKind
    name: ResourceName


class StoreSourceRef(Model):
    """``data[].sourceRef``: overrides the store for one entry (``generatorRef`` is deprecated here)."""

    crd_min_properties: ClassVar[int | None] = 1
    crd_max_properties: ClassVar[int | None] = 1

    store_ref: SecretStoreRef | None = None
    generator_ref: GeneratorRef | None = None


class StoreGeneratorSourceRef(Model):
    """``dataFrom[].sourceRef``: another store for this entry, or a generator."""

    crd_min_properties: ClassVar[int | None] = 1
    crd_max_properties: ClassVar[int | None] = 1

    store_ref: SecretStoreRef | None = None
    generator_ref: GeneratorRef | None = None


class ExternalSecretDataRemoteRef(Model):
    """Which remote secret to read: key, optional property and version, and how to treat it."""

    key: str = Field(description="The key (name, path, ARN…) at the provider")
    property: str | None = Field(default=None, description="A property of the remote value (gjson path)")
    version: str | None = None
    metadata_policy: MetadataPolicy = MetadataPolicy.NONE
    conversion_strategy: ConversionStrategy = ConversionStrategy.DEFAULT
    decoding_strategy: DecodingStrategy = DecodingStrategy.NONE
    null_byte_policy: NullBytePolicy = NullBytePolicy.IGNORE


class ExternalSecretData(Model):
    """One Secret key: ``secretKey`` ← ``remoteRef``."""

    secret_key: SecretKeyName
    remote_ref: ExternalSecretDataRemoteRef
    source_ref: StoreSourceRef | None = None


class FindName(Model):
    """Find secrets whose name matches a regular expression (Go RE2)."""

    regexp: str | None = None


class ExternalSecretFind(Model):
    """``dataFrom[].find``: every remote secret matching a name regexp, tags and/or path."""

    path: str | None = None
    name: FindName | None = None
    tags: dict[str, str] | None = None
    conversion_strategy: ConversionStrategy = ConversionStrategy.DEFAULT
    decoding_strategy: DecodingStrategy = DecodingStrategy.NONE
    null_byte_policy: NullBytePolicy = NullBytePolicy.IGNORE


class RewriteRegexp(Model):
    """Rename keys with a Go RE2 ``ReplaceAllString``."""

    source: str
    target: str


class RewriteTransform(Model):
    """Rename keys with a template; ``.value`` is the key."""

    template: str


class RewriteMerge(Model):
    """Merge JSON-object values into one set of keys (or one JSON key, strategy JSON)."""

    into: str = ""
    priority: list[str] = Field(default_factory=list)
    priority_policy: MergePriorityPolicy = MergePriorityPolicy.STRICT
    conflict_policy: MergeConflictPolicy = MergeConflictPolicy.ERROR
    strategy: MergeStrategy = MergeStrategy.EXTRACT


class ExternalSecretRewrite(Model):
    """One rewrite step: exactly one of ``merge``, ``regexp``, ``transform``."""

    crd_min_properties: ClassVar[int | None] = 1
    crd_max_properties: ClassVar[int | None] = 1

    merge: RewriteMerge | None = None
    regexp: RewriteRegexp | None = None
    transform: RewriteTransform | None = None


class ExternalSecretDataFromRemoteRef(Model):
    """One bulk entry: exactly one of ``extract``, ``find`` or ``sourceRef.generatorRef``."""

    extract: ExternalSecretDataRemoteRef | None = None
    find: ExternalSecretFind | None = None
    rewrite: list[ExternalSecretRewrite] = Field(default_factory=list)
    source_ref: StoreGeneratorSourceRef | None = None

    def generator_ref(self) -> GeneratorRef | None:
        """The generator this entry runs, if it is a generator entry."""
        return self.source_ref.generator_ref if self.source_ref else None


class TargetManifest(Model):
    """A generic (non-Secret) target: the apiVersion and kind to write."""

    api_version: str = Field(min_length=1)
    kind: str = Field(min_length=1)


class ExternalSecretTarget(Model):
    """What to write: name (default: the ExternalSecret's), policies, template."""

    name: ResourceName | None = None
    creation_policy: CreationPolicy = CreationPolicy.OWNER
    deletion_policy: DeletionPolicy = DeletionPolicy.RETAIN
    template: ExternalSecretTemplate | None = None
    manifest: TargetManifest | None = None
    immutable: bool = False


class SyncWindow(Model):
    """A window opened by a cron schedule (UTC) for ``duration``."""

    schedule: str = Field(pattern=SYNC_SCHEDULE_PATTERN, description="5-field cron or @daily, @every 1h…")
    duration: Duration


class SyncWindows(Model):
    """Gate on periodic refreshes: allow them only inside, or deny them inside, the windows."""

    kind: SyncWindowKind
    windows: list[SyncWindow] = Field(min_length=1)


class ExternalSecretSpec(Model):
    """What to read, from where, how often, and what to write."""

    secret_store_ref: SecretStoreRef | None = None
    target: ExternalSecretTarget = Field(default_factory=ExternalSecretTarget)
    refresh_policy: RefreshPolicy | None = None
    refresh_interval: Duration | None = Field(default=None, description="Go duration; 0 means sync once")
    sync_windows: SyncWindows | None = None
    data: list[ExternalSecretData] = Field(default_factory=list)
    data_from: list[ExternalSecretDataFromRemoteRef] = Field(default_factory=list)


class ExternalSecretBinding(Model):
    """servicebinding.io Provisioned Service: the name of the written Secret."""

    name: str = ""


class ExternalSecretStatus(Model):
    """Last sync time, the synced resource version, conditions (Ready, Deleted), binding."""

    refresh_time: DateTime | None = Field(default=None, json_schema_extra={"nullable": True})
    synced_resource_version: str | None = None
    conditions: list[Condition] = Field(default_factory=list)
    binding: ExternalSecretBinding | None = None


class ExternalSecret(KubeObject):
    """Syncs remote secrets into one Kubernetes Secret."""

    api_version: str = "external-secrets.io/v1"
    kind: Literal["ExternalSecret"] = "ExternalSecret"
    spec: ExternalSecretSpec = Field(default_factory=ExternalSecretSpec)
    status: ExternalSecretStatus | None = None

    def target_name(self) -> str:
        """``spec.target.name``, or the ExternalSecret's own name."""
        return self.spec.target.name or self.metadata.name

    def refresh_seconds(self) -> float:
        """``spec.refreshInterval`` in seconds (1 h when unset; 0 means "do not refresh periodically")."""
        interval = self.spec.refresh_interval
        if interval is None:
            return DEFAULT_REFRESH_INTERVAL
        return parse_duration(interval, field="spec.refreshInterval")

    def refresh_policy(self) -> RefreshPolicy:
        """``spec.refreshPolicy``; unset is Periodic."""
        return self.spec.refresh_policy or RefreshPolicy.PERIODIC

    def is_generic_target(self) -> bool:
        """True when the target is not a Secret (``target.manifest`` names another kind)."""
        manifest = self.spec.target.manifest
        return manifest is not None and (manifest.api_version, manifest.kind) != ("v1", "Secret")

    def store_refs(self) -> list[SecretStoreRef]:
        """Every store this ExternalSecret reads from, in spec order, without duplicates."""
        refs: list[SecretStoreRef] = []
        if self.spec.secret_store_ref is not None:
            refs.append(self.spec.secret_store_ref)
        for item in self.spec.data:
            if item.source_ref is not None and item.source_ref.store_ref is not None:
                refs.append(item.source_ref.store_ref)
        for entry in self.spec.data_from:
            if entry.source_ref is not None and entry.source_ref.store_ref is not None:
                refs.append(entry.source_ref.store_ref)
        unique: dict[tuple[str, str], SecretStoreRef] = {}
        for ref in refs:
            unique.setdefault((ref.kind.value, ref.name), ref)
        return list(unique.values())

    def generator_refs(self) -> list[tuple[int, GeneratorRef]]:
        """``(index, generatorRef)`` of every ``dataFrom`` generator entry."""
        return [(i, ref) for i, entry in enumerate(self.spec.data_from) if (ref := entry.generator_ref())]
