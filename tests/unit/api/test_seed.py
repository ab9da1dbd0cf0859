"""The seed tutorial's manifests (v1beta1) parse unchanged and round-trip byte for byte."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from eso.api import parse
from eso.api.externalsecret import ExternalSecret
from eso.api.pushsecret import PushSecret
from eso.api.secretstore import SecretStore
from eso.api.validation import validate_external_secret, validate_push_secret, validate_secret_store

SEED = Path(__file__).parents[2] / "fixtures" / "seed"
ESO_MANIFESTS = [
    "secret-store.yaml",
    "external-secret-api-key.yaml",
    "external-secret-database.yaml",
    "push-secret.yaml",
]


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((SEED / name).read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("name", ESO_MANIFESTS)
def test_seed_manifest_parses_and_dumps_unchanged(name: str) -> None:
    manifest = _load(name)
    assert parse(manifest).dump() == manifest


def test_seed_secret_store_is_an_aws_secrets_manager_store_with_jwt_auth() -> None:
    store = parse(_load("secret-store.yaml"))
    assert isinstance(store, SecretStore)
    assert store.api_version == "external-secrets.io/v1beta1"
    assert store.spec.provider.provider_name() == "aws"
    aws = store.spec.provider.aws
    assert aws is not None
    assert aws.auth is not None
    assert aws.auth.jwt is not None
    assert aws.auth.jwt.service_account_ref is not None
    assert aws.auth.jwt.service_account_ref.name == "external-secrets"
    assert validate_secret_store(store).ok


def test_seed_external_secrets_are_valid_and_use_defaults_in_code() -> None:
    es = parse(_load("external-secret-database.yaml"))
    assert isinstance(es, ExternalSecret)
    assert es.target_name() == "myapp-database-secret"
    assert es.refresh_seconds() == 3600.0
    assert [d.remote_ref.property for d in es.spec.data] == ["username", "password", "host", "port"]
    assert es.spec.target.deletion_policy.value == "Retain"
    assert validate_external_secret(es).ok
    assert "deletionPolicy" not in es.dump()["spec"]["target"]


def test_seed_push_secret_parses_but_validation_explains_the_missing_selector() -> None:
    ps = parse(_load("push-secret.yaml"))
    assert isinstance(ps, PushSecret)
    result = validate_push_secret(ps)
    selector = [e for e in result.errors if e.startswith("spec.selector:")]
    assert selector, result.errors
    assert "spec.selector.secret.name: <name of the Secret holding the key>" in selector[0]
    assert len(result.errors) == 1, result.errors
    misplaced = [w for w in result.warnings if w.startswith("spec.data[0].remoteRef:")]
    assert misplaced, "the misplaced remoteRef is a lenient alias: a warning, not an error"
    assert "spec.data[0].match.remoteRef" in misplaced[0]
