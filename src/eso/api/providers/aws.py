"""``spec.provider.aws``: AWS Secrets Manager and Parameter Store (ESO ``secretstore_aws_types.go``)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from eso.api._base import Model
from eso.api.meta import SecretKeySelector, SecretStoreRetrySettings, ServiceAccountSelector

__all__ = [
    "AWSAuth",
    "AWSAuthSecretRef",
    "AWSJWTAuth",
    "AWSProvider",
    "AWSService",
    "SecretsManagerOptions",
    "SessionTag",
    "SessionTagsPolicy",
    "StoreRetrySettings",
]


class AWSService(StrEnum):
    """Which AWS API a store talks to."""

    SECRETS_MANAGER = "SecretsManager"
    PARAMETER_STORE = "ParameterStore"
    CERTIFICATE_MANAGER = "CertificateManager"


class SessionTagsPolicy(StrEnum):
    """How session tags are chosen for the ``role`` assumption."""

    NONE = "None"
    SIMPLE = "Simple"
    CUSTOM = "Custom"


class AWSAuthSecretRef(Model):
    """Static credentials read from Secrets."""

    access_key_id_secret_ref: SecretKeySelector | None = Field(default=None, alias="accessKeyIDSecretRef")
    secret_access_key_secret_ref: SecretKeySelector | None = None
    session_token_secret_ref: SecretKeySelector | None = None


class AWSJWTAuth(Model):
    """IRSA-style web identity: a TokenRequest token for a ServiceAccount, exchanged with STS."""

    service_account_ref: ServiceAccountSelector | None = None


class AWSAuth(Model):
    """``auth``: ``secretRef`` or ``jwt``; neither means the SDK's default credential chain."""

    secret_ref: AWSAuthSecretRef | None = None
    jwt: AWSJWTAuth | None = None


class SessionTag(Model):
    """One STS session tag."""

    key: str
    value: str


class SecretsManagerOptions(Model):
    """Options used by PushSecret deletion in Secrets Manager."""

    force_delete_without_recovery: bool | None = None
    recovery_window_in_days: int | None = None


StoreRetrySettings = SecretStoreRetrySettings
"""Kept for existing imports; the type lives in :mod:`eso.api.meta` as ``SecretStoreRetrySettings``."""


class AWSProvider(Model):
    """``spec.provider.aws``."""

    service: AWSService
    region: str
    auth: AWSAuth | None = None
    role: str | None = None
    additional_roles: list[str] | None = None
    external_id: str | None = Field(default=None, alias="externalID")
    session_tags: list[SessionTag] | None = None
    transitive_tag_keys: list[str] | None = None
    session_tags_policy: SessionTagsPolicy | None = None
    custom_session_tags: dict[str, str] | None = None
    secrets_manager: SecretsManagerOptions | None = None
    prefix: str | None = None
