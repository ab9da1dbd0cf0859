"""The ValidatingWebhookConfiguration object (the Helm chart templates the same shape)."""

from __future__ import annotations

import base64

import pytest

from eso.errors import ConfigError
from eso.webhook.configuration import WEBHOOK_KINDS, kind_for_path, render_validating_webhook_configuration


def test_default_object_uses_the_service_and_has_one_webhook_per_kind() -> None:
    obj = render_validating_webhook_configuration(service_namespace="eso")
    assert obj["apiVersion"] == "admissionregistration.k8s.io/v1"
    assert obj["kind"] == "ValidatingWebhookConfiguration"
    assert obj["metadata"] == {
        "name": "external-secrets-webhook",
        "labels": {"external-secrets.io/component": "webhook"},
    }
    names = [w["name"] for w in obj["webhooks"]]
    assert names == [
        "validate.externalsecret.external-secrets.io",
        "validate.secretstore.external-secrets.io",
        "validate.clustersecretstore.external-secrets.io",
        "validate.clusterexternalsecret.external-secrets.io",
        "validate.pushsecret.external-secrets.io",
    ]
    es = obj["webhooks"][0]
    assert es == {
        "name": "validate.externalsecret.external-secrets.io",
        "admissionReviewVersions": ["v1"],
        "sideEffects": "None",
        "failurePolicy": "Fail",
        "matchPolicy": "Equivalent",
        "timeoutSeconds": 5,
        "clientConfig": {
            "service": {
                "name": "external-secrets-webhook",
                "namespace": "eso",
                "path": "/validate-external-secrets-io-v1-externalsecret",
                "port": 443,
            }
        },
        "rules": [
            {
                "apiGroups": ["external-secrets.io"],
                "apiVersions": ["v1", "v1beta1"],
                "operations": ["CREATE", "UPDATE"],
                "resources": ["externalsecrets"],
                "scope": "Namespaced",
            }
        ],
    }
    push = obj["webhooks"][4]
    assert push["rules"][0]["apiVersions"] == ["v1alpha1"]
    assert push["clientConfig"]["service"]["path"] == "/validate-external-secrets-io-v1alpha1-pushsecret"
    assert obj["webhooks"][2]["rules"][0]["scope"] == "Cluster"


def test_url_selectors_ca_and_policy() -> None:
    obj = render_validating_webhook_configuration(
        name="t",
        url="https://127.0.0.1:9443/",
        ca_bundle=b"PEM",
        failure_policy="Ignore",
        timeout_seconds=2,
        kinds=["ExternalSecret"],
        namespace_selector={"matchLabels": {"kubernetes.io/metadata.name": "ns"}},
        object_selector={"matchLabels": {"a": "b"}},
        labels={"team": "x"},
    )
    (webhook,) = obj["webhooks"]
    assert webhook["clientConfig"] == {
        "url": "https://127.0.0.1:9443/validate-external-secrets-io-v1-externalsecret",
        "caBundle": base64.b64encode(b"PEM").decode(),
    }
    assert webhook["failurePolicy"] == "Ignore"
    assert webhook["timeoutSeconds"] == 2
    assert webhook["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "ns"}}
    assert webhook["objectSelector"] == {"matchLabels": {"a": "b"}}
    assert obj["metadata"]["labels"] == {"team": "x", "external-secrets.io/component": "webhook"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"failure_policy": "Maybe"},
        {"timeout_seconds": 31},
        {"url": "http://127.0.0.1"},
        {"service_name": None},
        {"kinds": ["Secret"]},
    ],
)
def test_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        render_validating_webhook_configuration(**kwargs)  # type: ignore[arg-type]


def test_paths_route_back_to_their_kind() -> None:
    for kind in WEBHOOK_KINDS:
        assert kind_for_path(kind.path) is kind
    assert kind_for_path("/nope") is None
