"""Kind metadata and REST paths."""

from __future__ import annotations

import pytest

from eso.api.resources import (
    ALL_RESOURCES,
    CLUSTER_SECRET_STORE,
    CRD,
    EVENT,
    EXTERNAL_SECRET,
    GENERATOR_STATE,
    LEASE,
    NAMESPACE,
    PUSH_SECRET,
    SECRET,
    SERVICE_ACCOUNT,
    VALIDATING_WEBHOOK_CONFIGURATION,
    lookup,
)


@pytest.mark.parametrize(
    ("info", "namespace", "name", "path"),
    [
        (EXTERNAL_SECRET, "ns", "name", "/apis/external-secrets.io/v1/namespaces/ns/externalsecrets/name"),
        (EXTERNAL_SECRET, "ns", None, "/apis/external-secrets.io/v1/namespaces/ns/externalsecrets"),
        (EXTERNAL_SECRET, None, None, "/apis/external-secrets.io/v1/externalsecrets"),
        (SECRET, "ns", None, "/api/v1/namespaces/ns/secrets"),
        (SECRET, "ns", "s", "/api/v1/namespaces/ns/secrets/s"),
        (NAMESPACE, None, "default", "/api/v1/namespaces/default"),
        (CLUSTER_SECRET_STORE, None, "css", "/apis/external-secrets.io/v1/clustersecretstores/css"),
        (PUSH_SECRET, "ns", "p", "/apis/external-secrets.io/v1alpha1/namespaces/ns/pushsecrets/p"),
        (
            GENERATOR_STATE,
            "ns",
            None,
            "/apis/generators.external-secrets.io/v1alpha1/namespaces/ns/generatorstates",
        ),
        (LEASE, "ns", "l", "/apis/coordination.k8s.io/v1/namespaces/ns/leases/l"),
        (EVENT, "ns", None, "/api/v1/namespaces/ns/events"),
        (CRD, None, "x.y", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x.y"),
        (
            VALIDATING_WEBHOOK_CONFIGURATION,
            None,
            "v",
            "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/v",
        ),
    ],
)
def test_paths(info: object, namespace: str | None, name: str | None, path: str) -> None:
    assert info.path(namespace, name) == path  # type: ignore[attr-defined]


def test_subresources_and_other_versions() -> None:
    assert (
        SERVICE_ACCOUNT.path("ns", "sa", subresource="token")
        == "/api/v1/namespaces/ns/serviceaccounts/sa/token"
    )
    assert EXTERNAL_SECRET.path("ns", "e", subresource="status").endswith("/externalsecrets/e/status")
    assert EXTERNAL_SECRET.path("ns", version="v1beta1").startswith("/apis/external-secrets.io/v1beta1/")


def test_path_misuse_is_a_bug() -> None:
    with pytest.raises(ValueError, match="cluster-scoped"):
        NAMESPACE.path("ns", "x")
    with pytest.raises(ValueError, match="subresource"):
        SECRET.path("ns", subresource="status")


def test_api_versions_and_names() -> None:
    assert EXTERNAL_SECRET.api_version == "external-secrets.io/v1"
    assert SECRET.api_version == "v1"
    assert EXTERNAL_SECRET.versions == ("v1", "v1beta1")
    assert EXTERNAL_SECRET.storage_version == "v1"
    assert EXTERNAL_SECRET.crd_name == "externalsecrets.external-secrets.io"
    assert EXTERNAL_SECRET.list_kind == "ExternalSecretList"
    assert EXTERNAL_SECRET.short_names == ("es",)


def test_lookup_by_api_version_and_kind() -> None:
    assert lookup("external-secrets.io/v1beta1", "ExternalSecret") is EXTERNAL_SECRET
    assert lookup("external-secrets.io/v1", "ExternalSecret") is EXTERNAL_SECRET
    assert lookup("v1", "Secret") is SECRET
    assert lookup("external-secrets.io/v1alpha1", "ExternalSecret") is None
    assert lookup("external-secrets.io/v1", "Nope") is None
    assert all(lookup(r.api_version, r.kind) is r for r in ALL_RESOURCES)
