"""parse_spec / validate_store of the aws provider: errors name the field."""

from __future__ import annotations

from typing import Any

import pytest

from eso.errors import SpecError
from eso.providers.aws import AWSProvider
from eso.providers.base import Capabilities, StoreContext, StoreKind

PROVIDER = AWSProvider(env={})


def store(
    raw: dict[str, Any], kind: StoreKind = StoreKind.SECRET_STORE, namespace: str | None = "team-a"
) -> StoreContext:
    spec = PROVIDER.parse_spec(raw)
    return StoreContext(
        kind=kind, name="aws", namespace=namespace if kind is StoreKind.SECRET_STORE else None, spec=spec
    )


BASE = {"service": "SecretsManager", "region": "eu-west-1"}


def test_seed_store_parses_and_is_read_write() -> None:
    raw = {
        **BASE,
        "auth": {"jwt": {"serviceAccountRef": {"name": "external-secrets", "namespace": "external-secrets"}}},
    }
    spec = PROVIDER.parse_spec(raw)
    assert PROVIDER.capabilities(spec) is Capabilities.READ_WRITE
    assert PROVIDER.name == "aws"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"region": "eu-west-1"}, "spec.provider.aws.service"),
        ({"service": "Vault", "region": "eu-west-1"}, "spec.provider.aws.service"),
        ({"service": "SecretsManager"}, "spec.provider.aws.region"),
        ({**BASE, "additionalRoles": "not-a-list"}, "spec.provider.aws.additionalRoles"),
        (
            {**BASE, "sessionTags": [{"key": "a", "value": "b"}, {"key": "c"}]},
            "spec.provider.aws.sessionTags[1].value",
        ),
        (
            {**BASE, "auth": {"secretRef": {"accessKeyIDSecretRef": {"name": "s", "key": "a b"}}}},
            "spec.provider.aws.auth.secretRef.accessKeyIDSecretRef.key",
        ),
    ],
)
def test_parse_errors_name_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(SpecError) as info:
        PROVIDER.parse_spec(raw)
    assert info.value.field == field
    assert str(info.value).startswith(field)


def test_region_must_exist_for_the_service() -> None:
    with pytest.raises(SpecError, match="region not found") as info:
        PROVIDER.validate_store(store({**BASE, "region": "mars-north-1"}))
    assert info.value.field == "spec.provider.aws.region"
    assert "mars-north-1" not in str(info.value), "the message names the field, not the value"
    assert PROVIDER.validate_store(store(BASE)) == []
    assert PROVIDER.validate_store(store({"service": "ParameterStore", "region": "us-gov-west-1"})) == []
    assert PROVIDER.validate_store(store({**BASE, "region": "cn-north-1"})) == []


def test_certificate_manager_is_refused() -> None:
    with pytest.raises(SpecError, match="not supported") as info:
        PROVIDER.validate_store(store({"service": "CertificateManager", "region": "eu-west-1"}))
    assert info.value.field == "spec.provider.aws.service"


@pytest.mark.parametrize(
    ("options", "field", "match"),
    [
        (
            {"recoveryWindowInDays": 6},
            "spec.provider.aws.secretsManager.recoveryWindowInDays",
            "between 7 and 30",
        ),
        (
            {"recoveryWindowInDays": 31},
            "spec.provider.aws.secretsManager.recoveryWindowInDays",
            "between 7 and 30",
        ),
        (
            {"recoveryWindowInDays": 7, "forceDeleteWithoutRecovery": True},
            "spec.provider.aws.secretsManager",
            "cannot be used together",
        ),
    ],
)
def test_secrets_manager_options(options: dict[str, Any], field: str, match: str) -> None:
    with pytest.raises(SpecError, match=match) as info:
        PROVIDER.validate_store(store({**BASE, "secretsManager": options}))
    assert info.value.field == field


def test_secrets_manager_options_valid() -> None:
    for options in (
        {"recoveryWindowInDays": 7},
        {"recoveryWindowInDays": 30},
        {"forceDeleteWithoutRecovery": True},
        {},
    ):
        assert PROVIDER.validate_store(store({**BASE, "secretsManager": options})) == []


def test_session_tag_rules() -> None:
    with pytest.raises(SpecError, match="esoNamespace") as info:
        PROVIDER.validate_store(
            store(
                {
                    **BASE,
                    "role": "arn:r",
                    "sessionTagsPolicy": "Custom",
                    "customSessionTags": {"esoNamespace": "x"},
                }
            )
        )
    assert info.value.field == "spec.provider.aws.customSessionTags"
    warnings = PROVIDER.validate_store(store({**BASE, "role": "arn:r", "customSessionTags": {"team": "a"}}))
    assert any("customSessionTags is ignored" in w for w in warnings)
    warnings = PROVIDER.validate_store(
        store(
            {
                **BASE,
                "role": "arn:r",
                "sessionTagsPolicy": "Simple",
                "sessionTags": [{"key": "a", "value": "b"}],
            }
        )
    )
    assert any("replaced" in w for w in warnings)
    warnings = PROVIDER.validate_store(store({**BASE, "sessionTags": [{"key": "a", "value": "b"}]}))
    assert any("no role is set" in w for w in warnings)


def test_secret_ref_in_another_namespace_is_refused() -> None:
    raw = {
        **BASE,
        "auth": {
            "secretRef": {
                "accessKeyIDSecretRef": {"name": "creds", "namespace": "team-b", "key": "id"},
                "secretAccessKeySecretRef": {"name": "creds", "key": "secret"},
            }
        },
    }
    with pytest.raises(SpecError, match="outside namespace") as info:
        PROVIDER.validate_store(store(raw))
    assert info.value.field == "spec.provider.aws.auth.secretRef.accessKeyIDSecretRef"
    # a ClusterSecretStore honours the namespace
    assert PROVIDER.validate_store(store(raw, kind=StoreKind.CLUSTER_SECRET_STORE)) == []


def test_operator_service_account_is_accepted_with_a_warning() -> None:
    provider = AWSProvider(env={}, operator_service_account=("external-secrets", "external-secrets"))
    raw = {
        **BASE,
        "auth": {"jwt": {"serviceAccountRef": {"name": "external-secrets", "namespace": "external-secrets"}}},
    }
    warnings = provider.validate_store(store(raw, namespace="default"))
    assert len(warnings) == 1
    assert "operator's own ServiceAccount" in warnings[0]
    other = {
        **BASE,
        "auth": {"jwt": {"serviceAccountRef": {"name": "someone", "namespace": "external-secrets"}}},
    }
    with pytest.raises(SpecError, match="outside namespace"):
        provider.validate_store(store(other, namespace="default"))
    # without knowing the operator's identity the check waits for new_client
    assert PROVIDER.validate_store(store(raw, namespace="default")) == []


def test_both_auth_methods_warn() -> None:
    raw = {
        **BASE,
        "auth": {
            "jwt": {"serviceAccountRef": {"name": "sa"}},
            "secretRef": {
                "accessKeyIDSecretRef": {"name": "s", "key": "a"},
                "secretAccessKeySecretRef": {"name": "s", "key": "b"},
            },
        },
    }
    assert any("jwt is used" in w for w in PROVIDER.validate_store(store(raw)))
