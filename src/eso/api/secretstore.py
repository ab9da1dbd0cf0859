"""SecretStore and ClusterSecretStore (``external-secrets.io/v1``, also served as ``v1beta1``).

A store says how to reach one secret backend: ``spec.provider`` holds exactly one key
naming the provider (``aws``, ``vault``, ``fake``…) and its settings. eso models
``aws`` and ``fake``; every other provider key of ESO is kept as raw JSON (see
:mod:`eso.api.oneof`), so a manifest for any provider round-trips unchanged and the
provider plugin parses its own part from :meth:`SecretStoreProvider.provider_raw`.

Both kinds share :class:`SecretStoreSpec`. ``conditions`` restrict which namespaces
may use a ClusterSecretStore; they mean nothing on a namespaced SecretStore.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import Field

from eso.api._base import Model
from eso.api.duration import parse_int_or_duration
from eso.api.fields import NamespaceName
from eso.api.meta import (
    CAProvider,
    Condition,
    KubeObject,
    LabelSelector,
    SecretStoreKind,
    SecretStoreRetrySettings,
)
from eso.api.oneof import OneOf
from eso.api.providers.aws import AWSProvider
from eso.api.providers.fake import FakeProvider

__all__ = [
    "PROVIDER_KEYS",
    "AnySecretStore",
    "CAProvider",
    "ClusterSecretStore",
    "ClusterSecretStoreCondition",
    "SecretStore",
    "SecretStoreCapabilities",
    "SecretStoreKind",
    "SecretStoreProvider",
    "SecretStoreRetrySettings",
    "SecretStoreSpec",
    "SecretStoreStatus",
]

PROVIDER_KEYS: tuple[str, ...] = (
    "aws",
    "azurekv",
    "akeyless",
    "bitwardensecretsmanager",
    "vault",
    "ovh",
    "gcpsm",
    "oracle",
    "ibm",
    "yandexcertificatemanager",
    "yandexlockbox",
    "github",
    "gitlab",
    "onepassword",
    "onepasswordSDK",
    "webhook",
    "kubernetes",
    "crd",
    "fake",
    "senhasegura",
    "scaleway",
    "doppler",
    "previder",
    "onboardbase",
    "keepersecurity",
    "conjur",
    "delinea",
    "secretserver",
    "chef",
    "pulumi",
    "fortanix",
    "passworddepot",
    "passbolt",
    "dvls",
    "infisical",
    "beyondtrust",
    "beyondtrustworkloadcredentials",
    "cloudrusm",
    "volcengine",
    "ngrok",
    "barbican",
    "nebiusmysterybox",
    "openBao",
    # v1beta1 only; kept so that old manifests still apply
    "alibaba",
    "device42",
)
"""Every ``spec.provider`` key ESO knows (v1, plus v1beta1's ``alibaba`` and ``device42``)."""


class SecretStoreCapabilities(StrEnum):
    """``status.capabilities``: what the store can do."""

    READ_ONLY = "ReadOnly"
    WRITE_ONLY = "WriteOnly"
    READ_WRITE = "ReadWrite"


class SecretStoreProvider(OneOf):
    """``spec.provider``: exactly one provider key; unmodelled providers are kept as raw JSON."""

    crd_free_keys: ClassVar[tuple[str, ...]] = PROVIDER_KEYS
    one_of_what: ClassVar[str] = "provider"

    aws: AWSProvider | None = None
    fake: FakeProvider | None = None

    def provider_name(self) -> str:
        """The single provider key; SpecError "spec.provider: exactly one provider must be set" otherwise."""
        return self.only_key(field="spec.provider")

    def provider_raw(self) -> dict[str, Any]:
        """The wire JSON under the provider key (for a plugin to parse with its own model)."""
        raw = self.raw(self.provider_name())
        return raw if isinstance(raw, dict) else {}


class ClusterSecretStoreCondition(Model):
    """Namespaces allowed to use a ClusterSecretStore: by selector, by name or by regex (any matches)."""

    namespace_selector: LabelSelector | None = None
    namespaces: list[NamespaceName] = Field(default_factory=list)
    namespace_regexes: list[str] = Field(default_factory=list, description="Go RE2, unanchored")


class SecretStoreSpec(Model):
    """The provider, its retry and refresh settings, and (cluster stores) who may use it."""

    controller: str | None = Field(default=None, description="Only the controller with this class uses it")
    provider: SecretStoreProvider
    retry_settings: SecretStoreRetrySettings | None = None
    refresh_interval: int | str | None = Field(
        default=None, description="Seconds, or a Go duration; 0 means the controller default"
    )
    conditions: list[ClusterSecretStoreCondition] = Field(default_factory=list)

    def refresh_seconds(self) -> float:
        """``refreshInterval`` in seconds; 0 means "use the controller's store requeue interval"."""
        return parse_int_or_duration(self.refresh_interval, field="spec.refreshInterval")


class SecretStoreStatus(Model):
    """Ready condition (reasons Valid, InvalidProviderConfig, ValidationUnknown…) and capabilities."""

    conditions: list[Condition] = Field(default_factory=list)
    capabilities: SecretStoreCapabilities | None = None


class _Store(KubeObject):
    api_version: str = "external-secrets.io/v1"
    spec: SecretStoreSpec
    status: SecretStoreStatus | None = None

    store_kind: ClassVar[SecretStoreKind]

    @property
    def is_cluster(self) -> bool:
        """True for a ClusterSecretStore."""
        return self.store_kind is SecretStoreKind.CLUSTER_SECRET_STORE


class SecretStore(_Store):
    """A namespaced store: usable only from its own namespace."""

    kind: Literal["SecretStore"] = "SecretStore"
    store_kind: ClassVar[SecretStoreKind] = SecretStoreKind.SECRET_STORE


class ClusterSecretStore(_Store):
    """A cluster-wide store, usable from the namespaces its ``conditions`` allow (all when empty)."""

    kind: Literal["ClusterSecretStore"] = "ClusterSecretStore"
    store_kind: ClassVar[SecretStoreKind] = SecretStoreKind.CLUSTER_SECRET_STORE


AnySecretStore = SecretStore | ClusterSecretStore
"""Either store kind (what a function taking "a store" accepts)."""
