"""The ValidatingWebhookConfiguration and the webhook's Deployment follow the contract.

One webhook per kind (CREATE, UPDATE; sideEffects None; admissionReviewVersions v1;
timeout 5 s), served by the webhook Service on 443 -> 10250; caBundle left to the webhook.
When ``eso.webhook.configuration`` exists, the chart's object must match it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.chart.chartlib import NAMESPACE, RELEASE, container, of_kind, one, render

NAME = f"{RELEASE}-webhook"
EXPECTED = {
    "/validate-external-secrets-io-v1-externalsecret": ("externalsecrets", ["v1", "v1beta1"]),
    "/validate-external-secrets-io-v1-secretstore": ("secretstores", ["v1", "v1beta1"]),
    "/validate-external-secrets-io-v1-clustersecretstore": ("clustersecretstores", ["v1", "v1beta1"]),
    "/validate-external-secrets-io-v1-clusterexternalsecret": ("clusterexternalsecrets", ["v1", "v1beta1"]),
    "/validate-external-secrets-io-v1alpha1-pushsecret": ("pushsecrets", ["v1alpha1"]),
}


def _configuration(values: dict[str, Any] | None = None) -> dict[str, Any]:
    (vwc,) = of_kind(render(values or {}), "ValidatingWebhookConfiguration")
    return vwc


def test_one_webhook_per_kind_with_the_contract_paths() -> None:
    vwc = _configuration()
    assert vwc["metadata"]["name"] == NAME
    assert vwc["metadata"]["labels"]["external-secrets.io/component"] == "webhook"
    by_path = {hook["clientConfig"]["service"]["path"]: hook for hook in vwc["webhooks"]}
    assert set(by_path) == set(EXPECTED)
    for path, (resource, versions) in EXPECTED.items():
        hook = by_path[path]
        assert hook["sideEffects"] == "None"
        assert hook["admissionReviewVersions"] == ["v1"]
        assert hook["failurePolicy"] == "Fail"
        assert hook["timeoutSeconds"] == 5
        assert hook["clientConfig"]["service"] == {
            "name": NAME,
            "namespace": NAMESPACE,
            "path": path,
            "port": 443,
        }
        assert "caBundle" not in hook["clientConfig"]
        (rule,) = hook["rules"]
        assert rule["apiGroups"] == ["external-secrets.io"]
        assert rule["apiVersions"] == versions
        assert rule["operations"] == ["CREATE", "UPDATE"]
        assert rule["resources"] == [resource]
        assert hook["name"].endswith(".external-secrets.io")
        assert "namespaceSelector" not in hook
    assert len({hook["name"] for hook in vwc["webhooks"]}) == len(EXPECTED)


def test_service_port_443_reaches_container_port_10250() -> None:
    objects = render()
    service = one(objects, "Service", NAME)
    (port,) = service["spec"]["ports"]
    assert (port["port"], port["targetPort"]) == (443, 10250)
    deployment = one(objects, "Deployment", NAME)
    assert deployment["spec"]["template"]["metadata"]["labels"].items() >= service["spec"]["selector"].items()
    ports = {p["name"]: p["containerPort"] for p in container(deployment)["ports"]}
    assert ports == {"webhook": 10250, "metrics": 8080, "healthz": 8081}


def test_webhook_arguments() -> None:
    args = container(one(render(), "Deployment", NAME))["args"]
    svc = f"{NAME}.{NAMESPACE}.svc"
    assert args == [
        "webhook",
        "--port=10250",
        "--bind-address=0.0.0.0",
        f"--dns-name={svc}",
        "--cert-dir=/tmp/certs",
        f"--service-name={NAME}",
        f"--service-namespace={NAMESPACE}",
        f"--secret-name={NAME}",
        f"--secret-namespace={NAMESPACE}",
        f"--webhook-config-selector=external-secrets.io/component=webhook,app.kubernetes.io/instance={RELEASE}",
        "--healthz-addr=0.0.0.0:8081",
        "--metrics-addr=0.0.0.0:8080",
        "--loglevel=info",
        "--log-format=json",
        f"--service-account={NAMESPACE}/{RELEASE}",
    ]


def test_failure_policy_timeout_and_selectors_come_from_values() -> None:
    selector = {"matchLabels": {"kubernetes.io/metadata.name": "t1"}}
    objects = {"matchLabels": {"eso-chart-test": "t1"}}
    vwc = _configuration(
        {
            "webhook": {
                "failurePolicy": "Ignore",
                "timeoutSeconds": 2,
                "namespaceSelector": selector,
                "objectSelector": objects,
            }
        }
    )
    for hook in vwc["webhooks"]:
        assert hook["failurePolicy"] == "Ignore"
        assert hook["timeoutSeconds"] == 2
        assert hook["namespaceSelector"] == selector
        assert hook["objectSelector"] == objects


def test_namespaced_mode_validates_only_its_namespace_and_no_cluster_kinds() -> None:
    vwc = _configuration({"scopedRBAC": True, "scopedNamespace": "team-a"})
    paths = {hook["clientConfig"]["service"]["path"] for hook in vwc["webhooks"]}
    assert paths == {p for p in EXPECTED if "cluster" not in p}
    for hook in vwc["webhooks"]:
        assert hook["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "team-a"}}


def test_the_certificate_secret_is_created_empty() -> None:
    secret = one(render(), "Secret", NAME)
    assert "data" not in secret
    assert "stringData" not in secret
    assert secret["metadata"]["namespace"] == NAMESPACE


def test_matches_the_python_rendering() -> None:
    """``eso.webhook.configuration`` builds the same object the chart templates."""
    configuration = pytest.importorskip("eso.webhook.configuration")
    python = configuration.render_validating_webhook_configuration(
        name=NAME, service_name=NAME, service_namespace=NAMESPACE
    )
    chart = _configuration()
    assert python["metadata"]["name"] == chart["metadata"]["name"] == configuration.DEFAULT_CONFIGURATION_NAME
    assert python["metadata"]["labels"].items() <= chart["metadata"]["labels"].items()
    assert python["webhooks"] == chart["webhooks"]


def test_matches_the_python_rendering_with_options() -> None:
    configuration = pytest.importorskip("eso.webhook.configuration")
    selector = {"matchLabels": {"kubernetes.io/metadata.name": "t1"}}
    python = configuration.render_validating_webhook_configuration(
        name=NAME,
        service_name=NAME,
        service_namespace=NAMESPACE,
        failure_policy="Ignore",
        timeout_seconds=3,
        namespace_selector=selector,
        object_selector=selector,
    )
    chart = _configuration(
        {
            "webhook": {
                "failurePolicy": "Ignore",
                "timeoutSeconds": 3,
                "namespaceSelector": selector,
                "objectSelector": selector,
            }
        }
    )
    assert python["webhooks"] == chart["webhooks"]


def test_the_webhook_command_accepts_the_chart_arguments() -> None:
    """The Deployment's args parse with ``eso webhook``'s own option parser."""
    webhook_cli = pytest.importorskip("eso.cli.webhook")
    args = container(one(render(), "Deployment", NAME))["args"]
    assert args[0] == "webhook"
    context = webhook_cli.command.make_context("webhook", list(args[1:]))
    settings = webhook_cli.build_webhook_settings(**context.params)
    assert settings.port == 10250
    assert settings.bind_address == "0.0.0.0"
    assert str(settings.cert_dir) == "/tmp/certs"
    assert settings.certs.secret_name == NAME
    assert settings.certs.secret_namespace == NAMESPACE
    assert settings.certs.service_name == NAME
    assert settings.certs.service_namespace == NAMESPACE
    assert settings.healthz_addr == "0.0.0.0:8081"


def test_the_webhook_injects_its_ca_only_into_this_releases_configuration() -> None:
    args = container(one(render(), "Deployment", NAME))["args"]
    selector = next(a.split("=", 1)[1] for a in args if a.startswith("--webhook-config-selector="))
    wanted = dict(part.split("=", 1) for part in selector.split(","))
    labels = one(render(), "ValidatingWebhookConfiguration", NAME)["metadata"]["labels"]
    assert wanted == {"external-secrets.io/component": "webhook", "app.kubernetes.io/instance": RELEASE}
    assert all(labels.get(k) == v for k, v in wanted.items())
