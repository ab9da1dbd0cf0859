"""The controller Deployment runs ``eso run`` with the contract's flags and environment."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.chart.chartlib import NAMESPACE, RELEASE, container, one, render

SCOPED = {"scopedRBAC": True, "scopedNamespace": "team-a"}


def _controller(values: dict[str, Any] | None = None) -> dict[str, Any]:
    return one(render(values or {}), "Deployment", RELEASE)


def _args(values: dict[str, Any] | None = None) -> list[str]:
    args: list[str] = container(_controller(values))["args"]
    return args


def test_default_arguments() -> None:
    assert _args() == [
        "run",
        "--concurrent=10",
        "--client-qps=300",
        "--client-burst=600",
        "--metrics-addr=0.0.0.0:8080",
        "--live-addr=0.0.0.0:8082",
        "--loglevel=info",
        "--log-format=json",
    ]


def test_leader_election_class_and_namespace_flags() -> None:
    args = _args(
        {"leaderElect": True, "controllerClass": "eso-b", "scopedNamespace": "apps", "concurrent": 4}
    )
    assert "--concurrent=4" in args
    assert "--namespace=apps" in args
    assert "--controller-class=eso-b" in args
    index = args.index("--enable-leader-election")
    assert args[index + 1 : index + 3] == [
        f"--leader-election-id={RELEASE}-controller",
        f"--leader-election-namespace={NAMESPACE}",
    ]
    assert "--leader-election-id=mine" in _args({"leaderElect": True, "leaderElectionID": "mine"})


def test_extra_args_render_as_key_value() -> None:
    args = _args(
        {"extraArgs": {"store-requeue-interval": "1m", "enable-flood-gate": "", "weird": "a: b # c"}}
    )
    assert args[-3:] == ["--enable-flood-gate", "--store-requeue-interval=1m", "--weird=a: b # c"]


def test_environment() -> None:
    extra = [{"name": "AWS_SECRETSMANAGER_ENDPOINT", "value": "http://moto:5000"}]
    env = container(_controller({"extraEnv": extra}))["env"]
    by_name = {e["name"]: e for e in env}
    assert by_name["POD_NAME"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert by_name["POD_NAMESPACE"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}
    assert by_name["ESO_SERVICE_ACCOUNT_NAME"]["valueFrom"] == {
        "fieldRef": {"fieldPath": "spec.serviceAccountName"}
    }
    assert by_name["AWS_SECRETSMANAGER_ENDPOINT"] == extra[0]
    assert [e["name"] for e in env][:3] == ["POD_NAME", "POD_NAMESPACE", "ESO_SERVICE_ACCOUNT_NAME"]


def test_service_account_and_irsa_annotation() -> None:
    arn = "arn:aws:iam::123456789012:role/external-secrets-role"
    objects = render({"serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": arn}}})
    sa = one(objects, "ServiceAccount", RELEASE)
    assert sa["metadata"]["namespace"] == NAMESPACE
    assert sa["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": arn}
    pod = one(objects, "Deployment", RELEASE)["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == RELEASE
    assert pod["automountServiceAccountToken"] is True


def test_existing_service_account() -> None:
    objects = render({"serviceAccount": {"create": False, "name": "mine"}})
    assert not [o for o in objects if o["kind"] == "ServiceAccount" and o["metadata"]["name"] == "mine"]
    assert one(objects, "Deployment", RELEASE)["spec"]["template"]["spec"]["serviceAccountName"] == "mine"
    binding = one(objects, "ClusterRoleBinding", f"{RELEASE}-controller")
    assert binding["subjects"][0]["name"] == "mine"


def test_ports_and_probes() -> None:
    c = container(_controller())
    assert {p["name"]: p["containerPort"] for p in c["ports"]} == {"metrics": 8080, "live": 8082}
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "live"}
    assert "readinessProbe" not in c
    c = container(_controller({"readinessProbe": {"enabled": True}}))
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "live"}


def _parse_with_eso_run(args: list[str]) -> Any:
    run = pytest.importorskip("eso.cli.run")
    assert args[0] == "run"
    context = run.command.make_context("run", list(args[1:]))
    return run.build_settings(**context.params)


def test_eso_run_accepts_the_default_arguments() -> None:
    settings = _parse_with_eso_run(_args())
    assert settings.controller.concurrent == 10
    assert settings.kube.client_qps == 300
    assert settings.metrics.metrics_addr == "0.0.0.0:8080"
    assert settings.metrics.health_addr == "0.0.0.0:8082"
    assert settings.logging.format == "json"


def test_eso_run_accepts_the_leader_election_arguments() -> None:
    settings = _parse_with_eso_run(
        _args({"leaderElect": True, "controllerClass": "b", "scopedNamespace": "apps"})
    )
    assert settings.leader_election.enabled is True
    assert settings.leader_election.lease_id == f"{RELEASE}-controller"
    assert settings.leader_election.namespace == NAMESPACE
    assert settings.controller.namespace == "apps"
    assert settings.controller.controller_class == "b"


def test_eso_run_accepts_the_namespaced_mode_arguments() -> None:
    settings = _parse_with_eso_run(_args(SCOPED))
    assert settings.controller.namespace == "team-a"
    assert settings.controller.enable_cluster_store_reconciler is False
    assert settings.controller.enable_cluster_external_secret_reconciler is False
    assert settings.controller.enable_cluster_push_secret_reconciler is False
