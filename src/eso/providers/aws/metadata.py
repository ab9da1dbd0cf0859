"""PushSecret ``data[].metadata`` for AWS: the PushSecretMetadata envelope, parsed strictly.

``{apiVersion: kubernetes.external-secrets.io/v1alpha1, kind: PushSecretMetadata,
spec: {...}}`` (ESO ``runtime/esutils/metadata``): unknown fields are errors and
apiVersion/kind must match exactly. Defaults are applied here (ESO
``constructMetadataWithDefaults``) so the push code reads plain values.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eso.errors import SpecError

__all__ = [
    "MANAGED_BY_KEY",
    "MANAGED_BY_VALUE",
    "ParameterStoreMetadata",
    "SecretsManagerMetadata",
    "parse_parameter_store",
    "parse_secrets_manager",
]

API_VERSION = "kubernetes.external-secrets.io/v1alpha1"
KIND = "PushSecretMetadata"
MANAGED_BY_KEY = "managed-by"
MANAGED_BY_VALUE = "external-secrets"
DEFAULT_DESCRIPTION = f"secret '{MANAGED_BY_KEY}:{MANAGED_BY_VALUE}'"
_FIELD = "metadata"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class PolicySourceRef(_Strict):
    """Where a resource policy document comes from."""

    kind: Literal["ConfigMap", "Secret"]
    name: str
    key: str


class ResourcePolicy(_Strict):
    """``resourcePolicy`` of a Secrets Manager push."""

    block_public_policy: bool | None = Field(default=None, alias="blockPublicPolicy")
    policy_source_ref: PolicySourceRef = Field(alias="policySourceRef")


class SecretsManagerMetadata(_Strict):
    """``spec`` of the Secrets Manager PushSecretMetadata (note the spelling ``kmsKeyId``)."""

    secret_push_format: Literal["binary", "string", ""] = Field(default="binary", alias="secretPushFormat")
    description: str = DEFAULT_DESCRIPTION
    kms_key_id: str = Field(default="alias/aws/secretsmanager", alias="kmsKeyId")
    tags: dict[str, str] = Field(default_factory=dict)
    resource_policy: ResourcePolicy | None = Field(default=None, alias="resourcePolicy")
    replication_locations: list[str] | None = Field(default=None, alias="replicationLocations")


class Tier(_Strict):
    """``tier`` of a Parameter Store push."""

    type: Literal["Standard", "Advanced", "Intelligent-Tiering", ""] = "Standard"
    policies: Any = None


class ParameterStoreMetadata(_Strict):
    """``spec`` of the Parameter Store PushSecretMetadata (note the spelling ``kmsKeyID``)."""

    secret_type: Literal["String", "StringList", "SecureString", ""] = Field(
        default="String", alias="secretType"
    )
    kms_key_id: str = Field(default="alias/aws/ssm", alias="kmsKeyID")
    tier: Tier = Field(default_factory=Tier)
    encode_as_decoded: bool = Field(default=False, alias="encodeAsDecoded")
    tags: dict[str, str] = Field(default_factory=dict)
    description: str = DEFAULT_DESCRIPTION


def _envelope_spec(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if isinstance(raw, bytes | str):
        try:
            raw = json.loads(raw) if str(raw if isinstance(raw, str) else raw.decode()).strip() else None
        except ValueError:
            raise SpecError("metadata is not valid JSON", field=_FIELD) from None
        if raw is None:
            return {}
    if not isinstance(raw, dict):
        raise SpecError("metadata must be a PushSecretMetadata object", field=_FIELD)
    unknown = sorted(set(raw) - {"apiVersion", "kind", "spec"})
    if unknown:
        raise SpecError(f"unknown field(s) {', '.join(unknown)}", field=_FIELD)
    if raw.get("apiVersion") != API_VERSION:
        raise SpecError(f'apiVersion must be "{API_VERSION}"', field=f"{_FIELD}.apiVersion")
    if raw.get("kind") != KIND:
        raise SpecError(f'kind must be "{KIND}"', field=f"{_FIELD}.kind")
    spec = raw.get("spec") or {}
    if not isinstance(spec, dict):
        raise SpecError("spec must be an object", field=f"{_FIELD}.spec")
    return spec


def _validation_message(exc: ValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    field = f"{_FIELD}.spec.{location}" if location else f"{_FIELD}.spec"
    if first["type"] == "extra_forbidden":
        return field, "unknown field"
    return field, str(first["msg"])


def _check_tags(tags: dict[str, str]) -> None:
    if MANAGED_BY_KEY in tags:
        raise SpecError(
            f"error parsing tags in metadata: Cannot specify a '{MANAGED_BY_KEY}' tag",
            field=f"{_FIELD}.spec.tags",
        )


def parse_secrets_manager(raw: Any) -> SecretsManagerMetadata:
    """Secrets Manager push metadata with ESO's defaults; SpecError names the bad field."""
    try:
        parsed = SecretsManagerMetadata.model_validate(_envelope_spec(raw))
    except ValidationError as exc:
        field, message = _validation_message(exc)
        raise SpecError(message, field=field) from None
    _check_tags(parsed.tags)
    return parsed.model_copy(
        update={
            "secret_push_format": parsed.secret_push_format or "binary",
            "description": parsed.description or DEFAULT_DESCRIPTION,
            "kms_key_id": parsed.kms_key_id or "alias/aws/secretsmanager",
        }
    )


def parse_parameter_store(raw: Any) -> ParameterStoreMetadata:
    """Parameter Store push metadata with ESO's defaults; SpecError names the bad field."""
    try:
        parsed = ParameterStoreMetadata.model_validate(_envelope_spec(raw))
    except ValidationError as exc:
        field, message = _validation_message(exc)
        raise SpecError(message, field=field) from None
    _check_tags(parsed.tags)
    return parsed.model_copy(
        update={
            "secret_type": parsed.secret_type or "String",
            "description": parsed.description or DEFAULT_DESCRIPTION,
            "kms_key_id": parsed.kms_key_id or "alias/aws/ssm",
            "tier": parsed.tier.model_copy(update={"type": parsed.tier.type or "Standard"}),
        }
    )
