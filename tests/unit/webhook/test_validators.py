"""Admission decisions on a table of good and bad manifests, the seed's included."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from eso.webhook.validators import AdmissionValidator, Verdict
from tests.unit.webhook.helpers import es, registry, request, seed, seed_manifests, store

DATA = [{"secretKey": "k", "remoteRef": {"key": "r"}}]
REF = {"name": "s", "kind": "SecretStore"}
FAKE = {"fake": {"data": [{"key": "k", "value": "v1"}]}}


@pytest.fixture(scope="module")
def validator() -> AdmissionValidator:
    return AdmissionValidator(registry())


def _verdict(validator: AdmissionValidator, obj: dict[str, Any], operation: str = "CREATE") -> Verdict:
    return validator.review(request(obj, operation))


@pytest.mark.parametrize("name", [n for n in seed_manifests() if n != "push-secret.yaml"])
def test_seed_manifests_are_allowed(validator: AdmissionValidator, name: str) -> None:
    verdict = _verdict(validator, seed(name))
    assert verdict.allowed, verdict.message


def test_seed_secret_store_naming_the_operator_service_account_is_allowed_with_a_warning(
    validator: AdmissionValidator,
) -> None:
    verdict = _verdict(validator, seed("secret-store.yaml"))
    assert verdict.allowed
    assert any("operator's own ServiceAccount" in w for w in verdict.warnings)


def test_seed_push_secret_without_selector_is_denied_with_how_to_name_the_source(
    validator: AdmissionValidator,
) -> None:
    verdict = _verdict(validator, seed("push-secret.yaml"))
    assert not verdict.allowed
    assert "spec.selector: is missing" in verdict.message
    assert "spec.selector.secret.name: <name of the Secret" in verdict.message
    # the seed also puts remoteRef beside match instead of under it: tolerated, with a warning
    assert any(w.startswith("spec.data[0].remoteRef:") for w in verdict.warnings)


GOOD: list[tuple[str, dict[str, Any]]] = [
    ("es data", es({"secretStoreRef": REF, "data": DATA})),
    ("es v1beta1", es({"secretStoreRef": REF, "data": DATA}, version="v1beta1")),
    ("es dataFrom extract", es({"secretStoreRef": REF, "dataFrom": [{"extract": {"key": "k"}}]})),
    (
        "es delete with owner",
        es(
            {
                "secretStoreRef": REF,
                "data": DATA,
                "target": {"creationPolicy": "Owner", "deletionPolicy": "Delete"},
            }
        ),
    ),
    (
        "ces",
        {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ClusterExternalSecret",
            "metadata": {"name": "c"},
            "spec": {
                "namespaceSelectors": [{"matchLabels": {"a": "b"}}],
                "externalSecretSpec": {"secretStoreRef": REF, "data": DATA},
            },
        },
    ),
    ("fake store", store(FAKE)),
    ("fake cluster store", store(FAKE, kind="ClusterSecretStore")),
    (
        "push secret",
        {
            "apiVersion": "external-secrets.io/v1alpha1",
            "kind": "PushSecret",
            "metadata": {"name": "p", "namespace": "ns"},
            "spec": {
                "secretStoreRefs": [REF],
                "selector": {"secret": {"name": "src"}},
                "data": [{"match": {"secretKey": "k", "remoteRef": {"remoteKey": "r"}}}],
            },
        },
    ),
]


@pytest.mark.parametrize(("case", "obj"), GOOD, ids=[c for c, _ in GOOD])
def test_good_manifests_are_allowed(validator: AdmissionValidator, case: str, obj: dict[str, Any]) -> None:
    verdict = _verdict(validator, obj)
    assert verdict.allowed, f"{case}: {verdict.message}"


BAD: list[tuple[str, dict[str, Any], str]] = [
    (
        "delete with merge",
        es(
            {
                "secretStoreRef": REF,
                "data": DATA,
                "target": {"creationPolicy": "Merge", "deletionPolicy": "Delete"},
            }
        ),
        "spec.target.deletionPolicy: deletionPolicy=Delete must not be used",
    ),
    (
        "merge with none",
        es(
            {
                "secretStoreRef": REF,
                "data": DATA,
                "target": {"creationPolicy": "None", "deletionPolicy": "Merge"},
            }
        ),
        "spec.target.deletionPolicy: deletionPolicy=Merge must not be used with creationPolicy=None",
    ),
    ("no data", es({"secretStoreRef": REF}), "spec: either data or dataFrom should be specified"),
    (
        "missing key with index",
        es({"secretStoreRef": REF, "data": [*DATA, {"secretKey": "b", "remoteRef": {}}]}),
        "spec.data[1].remoteRef.key: is required",
    ),
    (
        "dataFrom both",
        es(
            {
                "secretStoreRef": REF,
                "dataFrom": [{"extract": {"key": "a"}}, {"extract": {"key": "a"}, "find": {}}],
            }
        ),
        "spec.dataFrom[1]: extract, find, or generatorRef cannot be set at the same time",
    ),
    (
        "bootstrap token template",
        es(
            {
                "secretStoreRef": REF,
                "data": DATA,
                "target": {"template": {"type": "bootstrap.kubernetes.io/token"}},
            }
        ),
        "spec.target.template.type:",
    ),
    (
        "ces child",
        {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ClusterExternalSecret",
            "metadata": {"name": "c"},
            "spec": {"externalSecretSpec": {"secretStoreRef": REF}},
        },
        "spec.externalSecretSpec: either data or dataFrom should be specified",
    ),
    (
        "unknown provider",
        store({"bogus": {}}),
        "spec.provider.bogus: provider is unknown; available: aws, fake",
    ),
    (
        "provider not in this build",
        store({"vault": {"server": "https://vault"}}, kind="ClusterSecretStore"),
        "spec.provider.vault: provider is known to ESO but not available in eso; available: aws, fake",
    ),
    ("two providers", store({**FAKE, "vault": {}}), "spec.provider: exactly one provider must be set"),
    (
        "fake provider check",
        store({"fake": {"data": [{"key": "k", "value": "v"}, {"key": "", "value": "x"}]}}),
        "spec.provider.fake.data[1].key:",
    ),
    (
        "aws region",
        store({"aws": {"service": "SecretsManager", "region": "nowhere-1"}}),
        "spec.provider.aws.region: region not found",
    ),
    (
        "bad conditions regex",
        store(FAKE, kind="ClusterSecretStore", conditions=[{"namespaceRegexes": ["ok", "("]}]),
        "spec.conditions[0].namespaceRegexes[1]:",
    ),
    ("bad refresh interval", store(FAKE, refreshInterval="soon"), "spec.refreshInterval:"),
    (
        "push secret no store",
        {
            "apiVersion": "external-secrets.io/v1alpha1",
            "kind": "PushSecret",
            "metadata": {"name": "p", "namespace": "ns"},
            "spec": {"selector": {"secret": {"name": "src"}}, "secretStoreRefs": []},
        },
        "spec.secretStoreRefs: at least one store is required",
    ),
]


@pytest.mark.parametrize(("case", "obj", "expected"), BAD, ids=[c for c, _, _ in BAD])
def test_bad_manifests_are_denied_naming_the_field(
    validator: AdmissionValidator, case: str, obj: dict[str, Any], expected: str
) -> None:
    verdict = _verdict(validator, obj)
    assert not verdict.allowed, case
    assert expected in verdict.message


def test_every_error_is_reported_at_once(validator: AdmissionValidator) -> None:
    obj = es({"secretStoreRef": REF, "target": {"creationPolicy": "Merge", "deletionPolicy": "Delete"}})
    message = _verdict(validator, obj).message
    assert "spec.target.deletionPolicy" in message
    assert "spec: either data or dataFrom" in message


def test_provider_warnings_pass_through(validator: AdmissionValidator) -> None:
    verdict = _verdict(validator, store(FAKE))
    assert verdict.allowed
    assert any("fake provider" in w and "isn't currently maintained" in w for w in verdict.warnings)


def test_cross_namespace_service_account_is_denied(validator: AdmissionValidator) -> None:
    obj = store(
        {
            "aws": {
                "service": "SecretsManager",
                "region": "eu-west-1",
                "auth": {"jwt": {"serviceAccountRef": {"name": "other", "namespace": "elsewhere"}}},
            }
        }
    )
    verdict = _verdict(validator, obj)
    assert not verdict.allowed
    assert verdict.message.startswith("spec.provider.aws.auth.jwt.serviceAccountRef")


@pytest.mark.parametrize("operation", ["DELETE", "CONNECT"])
def test_delete_and_connect_are_allowed(validator: AdmissionValidator, operation: str) -> None:
    bad = es({"secretStoreRef": REF})
    assert validator.review(request(None, operation, old=bad)).allowed
    assert validator.review(request(bad, operation)).allowed


def test_update_is_validated(validator: AdmissionValidator) -> None:
    good = es({"secretStoreRef": REF, "data": DATA})
    bad = es({"secretStoreRef": REF})
    verdict = validator.review(request(bad, "UPDATE", old=good))
    assert not verdict.allowed
    assert "either data or dataFrom" in verdict.message


def test_update_that_keeps_an_invalid_spec_is_allowed_with_warnings(validator: AdmissionValidator) -> None:
    """A rule added later never blocks a label change or a controller removing a finalizer."""
    old = es({"secretStoreRef": REF})
    new = copy.deepcopy(old)
    new["metadata"]["finalizers"] = []
    new["metadata"]["labels"] = {"team": "a"}
    verdict = validator.review(request(new, "UPDATE", old=old))
    assert verdict.allowed
    assert any("either data or dataFrom" in w and "spec did not change" in w for w in verdict.warnings)


def test_update_of_an_object_being_deleted_is_allowed(validator: AdmissionValidator) -> None:
    old = es({"secretStoreRef": REF, "data": DATA})
    new = es({"secretStoreRef": REF})
    new["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    assert validator.review(request(new, "UPDATE", old=old)).allowed


def test_an_unexpected_kind_is_allowed_with_a_warning(validator: AdmissionValidator) -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    verdict = _verdict(validator, obj)
    assert verdict.allowed
    assert verdict.warnings


def test_a_bug_in_a_check_never_blocks_an_apply() -> None:
    class Broken(AdmissionValidator):
        def validate(self, obj: Any, *, namespace: str = "") -> Any:
            raise RuntimeError("boom")

    verdict = Broken(registry()).review(request(es({"secretStoreRef": REF, "data": DATA})))
    assert verdict.allowed
    assert "internal error" in verdict.warnings[0]
    assert "boom" not in verdict.warnings[0]


SECRET = "hunter2-do-not-echo"


@pytest.mark.parametrize(
    "obj",
    [
        store({"fake": {"data": [{"key": "k", "value": SECRET}, {"key": "", "value": SECRET}]}}),
        store({"fake": {"data": [{"key": "k", "value": SECRET}, {"key": "x", "value": 7}]}}),
        store({"fake": {"data": [{"key": "k", "value": SECRET}]}}, refreshInterval=SECRET),
        es({"secretStoreRef": REF, "target": {"template": {"data": {"password": SECRET}}}}),
    ],
    ids=["fake provider check", "type error", "value in an invalid field", "template data"],
)
def test_no_secret_value_in_messages(validator: AdmissionValidator, obj: dict[str, Any]) -> None:
    verdict = _verdict(validator, obj)
    assert not verdict.allowed
    assert SECRET not in verdict.message
    assert all(SECRET not in w for w in verdict.warnings)


def test_a_value_quoted_by_a_check_is_scrubbed() -> None:
    """Defence in depth: even a check that quotes a value cannot leak it."""
    from eso.api.validation import ValidationResult

    class Quoting(AdmissionValidator):
        def validate(self, obj: Any, *, namespace: str = "") -> ValidationResult:
            value = obj["spec"]["provider"]["fake"]["data"][0]["value"]
            return ValidationResult(
                warnings=[f"saw {value}"], errors=[f"spec.provider.fake.data[0].value: {value!r} is bad"]
            )

    verdict = Quoting(registry()).review(request(store({"fake": {"data": [{"key": "k", "value": SECRET}]}})))
    assert not verdict.allowed
    assert verdict.message == "spec.provider.fake.data[0].value: '[redacted]' is bad"
    assert verdict.warnings == ("saw [redacted]",)
