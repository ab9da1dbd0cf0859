"""The chart renders, lints clean (strict) and every object is valid Kubernetes.

Rendering is Helm v4's engine; validation is ``kubernetes-validate`` in strict mode (unknown
fields are errors) against the schemas of the newest bundled Kubernetes at or below the
sandbox's 1.36. The only kind without a bundled schema is the Prometheus Operator's
ServiceMonitor, which is checked by hand.
"""

from __future__ import annotations

from typing import Any

import helm_python
import kubernetes_validate  # type: ignore[import-untyped]
import pytest

from tests.unit.chart.chartlib import CHART, NAMESPACE, RELEASE, of_kind, one, render, render_text

K8S_VERSION = "1.36.0"

VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "namespaced": {"scopedRBAC": True, "scopedNamespace": "team-a"},
    "webhook-disabled": {"webhook": {"create": False}},
    "service-monitor": {"serviceMonitor": {"enabled": True}},
    "everything-on": {
        "leaderElect": True,
        "replicaCount": 2,
        "controllerClass": "eso-b",
        "extraArgs": {"store-requeue-interval": "1m", "enable-flood-gate": ""},
        "extraEnv": [{"name": "AWS_SECRETSMANAGER_ENDPOINT", "value": "http://127.0.0.1:5000"}],
        "serviceAccount": {
            "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/eso"}
        },
        "imagePullSecrets": [{"name": "regcred"}],
        "podDisruptionBudget": {"enabled": True},
        "readinessProbe": {"enabled": True},
        "metrics": {"service": {"enabled": True}},
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}],
        "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}},
        "podAnnotations": {"a": "b"},
        "podLabels": {"team": "platform"},
        "commonLabels": {"cost-center": "42"},
        "webhook": {
            "replicaCount": 2,
            "failurePolicy": "Ignore",
            "hostNetwork": True,
            "podDisruptionBudget": {"enabled": True},
            "metrics": {"service": {"enabled": True}},
            "namespaceSelector": {"matchLabels": {"eso": "on"}},
            "objectSelector": {"matchLabels": {"eso": "on"}},
        },
        "crds": {"annotations": {"example.com/owner": "platform"}},
    },
}

NO_BUNDLED_SCHEMA = {"ServiceMonitor"}


def test_the_helm_engine_is_the_real_one() -> None:
    assert helm_python.helm_sdk_version().startswith("v4.")


@pytest.mark.parametrize("variant", VARIANTS)
def test_lint_strict_is_clean(variant: str) -> None:
    report = helm_python.lint(CHART, VARIANTS[variant], strict=True, namespace=NAMESPACE)
    problems = [m for m in report["messages"] if m["severity"] >= 2] + report["errors"]
    assert problems == [], problems
    infos = {m["error"] for m in report["messages"]}
    assert infos <= {"icon is recommended"}


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_object_is_valid_kubernetes(variant: str) -> None:
    objects = render(VARIANTS[variant])
    assert objects
    for obj in objects:
        if obj["kind"] in NO_BUNDLED_SCHEMA:
            continue
        ident = f"{obj['kind']}/{obj['metadata']['name']}"
        try:
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{variant}: {ident}: {exc.path}: {exc.message}")


@pytest.mark.parametrize("variant", VARIANTS)
def test_namespaced_objects_name_their_namespace(variant: str) -> None:
    cluster_kinds = {
        "CustomResourceDefinition",
        "ClusterRole",
        "ClusterRoleBinding",
        "ValidatingWebhookConfiguration",
    }
    for obj in render(VARIANTS[variant]):
        namespace = obj["metadata"].get("namespace")
        if obj["kind"] in cluster_kinds:
            assert namespace is None, obj["metadata"]
        else:
            assert namespace, f"{obj['kind']}/{obj['metadata']['name']} has no namespace"


def test_default_install_has_the_tutorial_names() -> None:
    objects = render()
    names = {(obj["kind"], obj["metadata"]["name"]) for obj in objects}
    assert ("ServiceAccount", "external-secrets") in names
    assert ("Deployment", "external-secrets") in names
    assert ("Deployment", "external-secrets-webhook") in names
    assert ("Service", "external-secrets-webhook") in names
    assert ("Secret", "external-secrets-webhook") in names
    assert ("ValidatingWebhookConfiguration", "external-secrets-webhook") in names
    assert ("ClusterRole", "external-secrets-controller") in names
    (sa,) = [o for o in of_kind(objects, "ServiceAccount") if o["metadata"]["name"] == RELEASE]
    assert sa["metadata"]["namespace"] == "external-secrets"
    # no cert-controller: two Deployments only
    assert len(of_kind(objects, "Deployment")) == 2


def test_webhook_disabled_leaves_no_webhook_object() -> None:
    objects = render(VARIANTS["webhook-disabled"])
    assert not [o for o in objects if "webhook" in o["metadata"]["name"]]
    assert not of_kind(objects, "ValidatingWebhookConfiguration")
    assert len(of_kind(objects, "Deployment")) == 1


def test_service_monitor_scrapes_the_metrics_service() -> None:
    objects = render(VARIANTS["service-monitor"])
    (monitor,) = of_kind(objects, "ServiceMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    services = [s for s in of_kind(objects, "Service") if s["metadata"]["name"] == f"{RELEASE}-metrics"]
    assert len(services) == 1
    labels = services[0]["metadata"]["labels"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] == "metrics"
    assert endpoint["path"] == "/metrics"
    assert services[0]["spec"]["ports"][0]["targetPort"] == "metrics"
    # the webhook's Service does not match the monitor's selector
    webhook_svc = one(objects, "Service", f"{RELEASE}-webhook")
    assert not monitor["spec"]["selector"]["matchLabels"].items() <= webhook_svc["metadata"]["labels"].items()


def test_metrics_service_is_off_by_default() -> None:
    assert not [s for s in of_kind(render(), "Service") if s["metadata"]["name"].endswith("-metrics")]
    assert not of_kind(render(), "ServiceMonitor")


def test_release_name_and_namespace_flow_through() -> None:
    objects = render(name="eso-b", namespace="platform")
    for obj in objects:
        if obj["kind"] != "CustomResourceDefinition":
            assert obj["metadata"]["name"].startswith("eso-b"), obj["metadata"]["name"]
        if obj["metadata"].get("namespace"):
            assert obj["metadata"]["namespace"] == "platform"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"scopedRBAC": True}, "scopedRBAC: true needs scopedNamespace"),
        ({"replicaCount": 2}, "replicaCount > 1 needs leaderElect: true"),
        ({"webhook": {"failurePolicy": "Sometimes"}}, "/webhook/failurePolicy': value must be one of"),
        ({"scopedRbac": True}, "additional properties 'scopedRbac' not allowed"),
        ({"webhook": {"failurPolicy": "Ignore"}}, "additional properties 'failurPolicy' not allowed"),
        ({"concurrent": 0}, "/concurrent': minimum"),
        ({"image": {"digest": "latest"}}, "/image/digest'"),
    ],
)
def test_unsafe_combinations_are_refused(values: dict[str, Any], message: str) -> None:
    with pytest.raises(helm_python.HelmError, match=message):
        render_text(values)


def test_notes_mention_irsa_and_the_kept_crds() -> None:
    chart = helm_python.Chart.load(CHART)
    try:
        arn = "arn:aws:iam::123456789012:role/external-secrets-role"
        out = chart.render(
            {"serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": arn}}},
            name=RELEASE,
            namespace=NAMESPACE,
            is_install=True,
        )
    finally:
        chart.close()
    notes = out["eso/templates/NOTES.txt"]
    assert arn in notes
    assert "resource-policy: keep" in notes
    assert "external-secrets/external-secrets" in notes


def test_the_validator_rejects_what_it_should() -> None:
    """Guard against a validator that passes everything (strict mode, unknown field)."""
    deployment = next(o for o in render() if o["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)
