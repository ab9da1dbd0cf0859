"""Generators (``generators.external-secrets.io/v1alpha1``): Password, UUID, Fake, ClusterGenerator, state.

A generator produces Secret keys instead of reading them from a store; it is named by
``dataFrom[].sourceRef.generatorRef`` of an ExternalSecret or ``selector.generatorRef``
of a PushSecret. eso models the generators it runs itself. ClusterGenerator carries
any generator spec (unmodelled ones are kept as raw JSON, see :mod:`eso.api.oneof`).
GeneratorState records what a stateful generator produced, so that it can be cleaned
up later.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import Field

from eso.api._base import Model
from eso.api.fields import DateTime
from eso.api.meta import Condition, KubeObject
from eso.api.oneof import OneOf

__all__ = [
    "GENERATORS_API_VERSION",
    "GENERATORS_GROUP",
    "GENERATOR_SPEC_KEYS",
    "UUID",
    "ClusterGenerator",
    "ClusterGeneratorSpec",
    "Fake",
    "FakeSpec",
    "GeneratorKind",
    "GeneratorSpec",
    "GeneratorState",
    "GeneratorStateSpec",
    "GeneratorStateStatus",
    "Password",
    "PasswordEncoding",
    "PasswordSpec",
    "UUIDSpec",
]

GENERATORS_GROUP = "generators.external-secrets.io"
GENERATORS_API_VERSION = f"{GENERATORS_GROUP}/v1alpha1"


class GeneratorKind(StrEnum):
    """Kinds a ``generatorRef`` may name (ESO's list)."""

    ACR_ACCESS_TOKEN = "ACRAccessToken"
    BEYONDTRUST_WORKLOAD_CREDENTIALS_DYNAMIC_SECRET = "BeyondtrustWorkloadCredentialsDynamicSecret"
    CLUSTER_GENERATOR = "ClusterGenerator"
    CLOUDSMITH_ACCESS_TOKEN = "CloudsmithAccessToken"
    ECR_AUTHORIZATION_TOKEN = "ECRAuthorizationToken"
    FAKE = "Fake"
    GCR_ACCESS_TOKEN = "GCRAccessToken"
    GITHUB_ACCESS_TOKEN = "GithubAccessToken"
    GITLAB_DEPLOY_TOKEN = "GitlabDeployToken"
    QUAY_ACCESS_TOKEN = "QuayAccessToken"
    PASSWORD = "Password"
    SSH_KEY = "SSHKey"
    STS_SESSION_TOKEN = "STSSessionToken"
    UUID = "UUID"
    VAULT_DYNAMIC_SECRET = "VaultDynamicSecret"
    WEBHOOK = "Webhook"
    GRAFANA = "Grafana"
    MFA = "MFA"


GENERATOR_SPEC_KEYS: dict[GeneratorKind, str] = {
    GeneratorKind.ACR_ACCESS_TOKEN: "acrAccessTokenSpec",
    GeneratorKind.BEYONDTRUST_WORKLOAD_CREDENTIALS_DYNAMIC_SECRET: (
        "beyondtrustWorkloadCredentialsDynamicSecretSpec"
    ),
    GeneratorKind.CLOUDSMITH_ACCESS_TOKEN: "cloudsmithAccessTokenSpec",
    GeneratorKind.ECR_AUTHORIZATION_TOKEN: "ecrAuthorizationTokenSpec",
    GeneratorKind.FAKE: "fakeSpec",
    GeneratorKind.GCR_ACCESS_TOKEN: "gcrAccessTokenSpec",
    GeneratorKind.GITHUB_ACCESS_TOKEN: "githubAccessTokenSpec",
    GeneratorKind.GITLAB_DEPLOY_TOKEN: "gitlabDeployTokenSpec",
    GeneratorKind.QUAY_ACCESS_TOKEN: "quayAccessTokenSpec",
    GeneratorKind.PASSWORD: "passwordSpec",
    GeneratorKind.SSH_KEY: "sshKeySpec",
    GeneratorKind.STS_SESSION_TOKEN: "stsSessionTokenSpec",
    GeneratorKind.UUID: "uuidSpec",
    GeneratorKind.VAULT_DYNAMIC_SECRET: "vaultDynamicSecretSpec",
    GeneratorKind.WEBHOOK: "webhookSpec",
    GeneratorKind.GRAFANA: "grafanaSpec",
    GeneratorKind.MFA: "mfaSpec",
}
"""The ``ClusterGenerator.spec.generator`` key for each generator kind."""


class PasswordEncoding(StrEnum):
    """How a generated password is encoded (default raw)."""

    RAW = "raw"
    BASE64 = "base64"
    BASE64URL = "base64url"
    BASE32 = "base32"
    HEX = "hex"


class PasswordSpec(Model):
    """Password generator: length, how many digits and symbols, which symbols, output keys."""

    length: int = Field(default=24, ge=0)
    digits: int | None = Field(default=None, ge=0, description="Defaults to 25% of length")
    symbols: int | None = Field(default=None, ge=0, description="Defaults to 25% of length")
    symbol_characters: str | None = None
    no_upper: bool = False
    allow_repeat: bool = False
    secret_keys: list[str] = Field(default_factory=lambda: ["password"], min_length=1)
    encoding: PasswordEncoding = PasswordEncoding.RAW

    def digit_count(self) -> int:
        """``digits``, or a quarter of ``length`` when unset."""
        return self.digits if self.digits is not None else self.length // 4

    def symbol_count(self) -> int:
        """``symbols``, or a quarter of ``length`` when unset."""
        return self.symbols if self.symbols is not None else self.length // 4


class UUIDSpec(Model):
    """UUID generator: no settings; it outputs a random (version 4) UUID under ``uuid``."""


class FakeSpec(Model):
    """Fake generator: outputs ``data`` verbatim (for tests)."""

    controller: str | None = None
    data: dict[str, str] = Field(default_factory=dict)


class _Generator(KubeObject):
    api_version: str = GENERATORS_API_VERSION
    status: dict[str, Any] | None = None


class Password(_Generator):
    """A random password generator."""

    kind: Literal["Password"] = "Password"
    spec: PasswordSpec = Field(default_factory=PasswordSpec)


class UUID(_Generator):
    """A random UUID generator."""

    kind: Literal["UUID"] = "UUID"
    spec: UUIDSpec = Field(default_factory=UUIDSpec)


class Fake(_Generator):
    """A generator that returns fixed data."""

    kind: Literal["Fake"] = "Fake"
    spec: FakeSpec = Field(default_factory=FakeSpec)


class GeneratorSpec(OneOf):
    """``ClusterGenerator.spec.generator``: exactly one ``<kind>Spec`` key."""

    crd_free_keys: ClassVar[tuple[str, ...]] = tuple(
        key for key in GENERATOR_SPEC_KEYS.values() if key not in ("passwordSpec", "uuidSpec", "fakeSpec")
    )
    one_of_what: ClassVar[str] = "generator spec"

    password_spec: PasswordSpec | None = None
    uuid_spec: UUIDSpec | None = None
    fake_spec: FakeSpec | None = None


_CLUSTER_GENERATOR_KINDS = [k for k in GeneratorKind if k is not GeneratorKind.CLUSTER_GENERATOR]


class ClusterGeneratorSpec(Model):
    """A cluster-wide generator: its ``kind`` and the matching spec."""

    kind: GeneratorKind = Field(json_schema_extra={"enum": [k.value for k in _CLUSTER_GENERATOR_KINDS]})
    generator: GeneratorSpec


class ClusterGenerator(_Generator):
    """A generator usable from every namespace."""

    kind: Literal["ClusterGenerator"] = "ClusterGenerator"
    spec: ClusterGeneratorSpec


class GeneratorStateSpec(Model):
    """What a generator produced: a snapshot of the generator and its state, for later cleanup."""

    garbage_collection_deadline: DateTime | None = None
    resource: Any = Field(description="The generator manifest that produced the state")
    state: Any = Field(default=None, description="The state returned by the generator")


class GeneratorStateStatus(Model):
    """GeneratorState status: a Ready condition (reasons Created, Error)."""

    conditions: list[Condition] = Field(default_factory=list)


class GeneratorState(KubeObject):
    """The recorded output state of a stateful generator."""

    api_version: str = GENERATORS_API_VERSION
    kind: Literal["GeneratorState"] = "GeneratorState"
    spec: GeneratorStateSpec
    status: GeneratorStateStatus | None = None
