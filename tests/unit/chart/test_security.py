"""Pods run as non-root with a read-only root filesystem, no privilege, no capabilities."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.chart.chartlib import container, of_kind, render

VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "namespaced": {"scopedRBAC": True, "scopedNamespace": "team-a"},
    "leader-election": {"leaderElect": True, "replicaCount": 3},
}


def _deployments(values: dict[str, Any]) -> list[dict[str, Any]]:
    deployments = of_kind(render(values), "Deployment")
    assert len(deployments) == 2
    return deployments


@pytest.mark.parametrize("variant", VARIANTS)
def test_pods_are_non_root_with_runtime_default_seccomp(variant: str) -> None:
    for deployment in _deployments(VARIANTS[variant]):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 1000
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert "enabled" not in pod["securityContext"]
        assert not pod.get("hostPID")
        assert not pod.get("hostIPC")
        assert not pod.get("hostNetwork")


@pytest.mark.parametrize("variant", VARIANTS)
def test_containers_are_locked_down(variant: str) -> None:
    for deployment in _deployments(VARIANTS[variant]):
        ctx = container(deployment)["securityContext"]
        assert ctx["readOnlyRootFilesystem"] is True
        assert ctx["allowPrivilegeEscalation"] is False
        assert ctx["capabilities"] == {"drop": ["ALL"]}
        assert ctx["runAsNonRoot"] is True
        assert ctx["runAsUser"] == 1000
        assert not ctx.get("privileged")
        assert "enabled" not in ctx


def test_the_only_writable_path_is_tmp() -> None:
    for deployment in _deployments({}):
        pod = deployment["spec"]["template"]["spec"]
        mounts = container(deployment)["volumeMounts"]
        assert mounts == [{"name": "tmp", "mountPath": "/tmp"}]
        (volume,) = pod["volumes"]
        assert volume["name"] == "tmp"
        assert "emptyDir" in volume


def test_webhook_certificate_directory_is_under_tmp() -> None:
    webhook = next(d for d in _deployments({}) if d["metadata"]["name"].endswith("-webhook"))
    args = container(webhook)["args"]
    assert "--cert-dir=/tmp/certs" in args


def test_image_is_pinned_to_the_app_version_never_latest() -> None:
    for deployment in _deployments({}):
        image = container(deployment)["image"]
        assert image == "eso:0.1.0"
        assert not image.endswith(":latest")
    digest = "sha256:" + "a" * 64
    for deployment in _deployments({"image": {"digest": digest, "repository": "registry.example/eso"}}):
        assert container(deployment)["image"] == f"registry.example/eso@{digest}"


def test_security_contexts_can_be_replaced_but_not_half_rendered() -> None:
    values = {"podSecurityContext": {"enabled": False}, "securityContext": {"enabled": False}}
    for deployment in _deployments(values):
        assert "securityContext" not in deployment["spec"]["template"]["spec"]
        assert "securityContext" not in container(deployment)


def test_without_leader_election_a_rollout_never_runs_two_controllers() -> None:
    controller = next(d for d in _deployments({}) if not d["metadata"]["name"].endswith("-webhook"))
    assert controller["spec"]["strategy"] == {"type": "Recreate"}
    controller = next(
        d for d in _deployments(VARIANTS["leader-election"]) if not d["metadata"]["name"].endswith("-webhook")
    )
    assert controller["spec"]["strategy"] == {"type": "RollingUpdate"}
    assert controller["spec"]["replicas"] == 3
