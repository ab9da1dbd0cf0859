"""A real ``helm install`` / ``upgrade`` / ``uninstall`` of the chart, with Helm v4's SDK.

``helm-python-sdk`` embeds Helm's Go library and talks to the sandbox with its kubeconfig,
keeping the release history in Secrets as the helm CLI does. The chart's own CRDs are off
(``crds.create=false``): the sandbox's CRDs are shared with every other test and are not
owned by a release. That ``helm uninstall`` keeps a CRD marked the way the chart marks them
is shown on a probe CRD in a group of its own, rendered by the same sync script.
"""

from __future__ import annotations

import functools
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python
import pytest

from tests.integration.chart.conftest import isolated_webhook
from tests.support import Kubectl, wait_until
from tests.unit.chart.chartlib import CHART, sync_script


@pytest.fixture
def helm(sandbox: Any, namespace: str) -> Iterator[helm_python.Config]:
    config = helm_python.Config(kubeconfig_path=sandbox.kubeconfig, namespace=namespace)
    try:
        yield config
    finally:
        config.close()


def _absent(kubectl: Kubectl, kind: str, name: str, namespace: str | None) -> bool:
    return kubectl.get(kind, name, namespace) is None


def _values(namespace: str, **extra: Any) -> dict[str, Any]:
    return {"crds": {"create": False}, "webhook": isolated_webhook(namespace), **extra}


def test_helm_install_upgrade_uninstall(helm: helm_python.Config, kubectl: Kubectl, namespace: str) -> None:
    name = f"eso-{uuid.uuid4().hex[:6]}"
    chart = helm_python.Chart.load(CHART)
    try:
        try:
            release = helm.install(chart, name, _values(namespace), namespace=namespace, timeout=120)
            assert release["status"] == "deployed"
            assert release["revision"] == 1
            assert kubectl.get("serviceaccount", name, namespace) is not None
            assert kubectl.get("clusterrole", f"{name}-controller") is not None
            assert kubectl.get("validatingwebhookconfiguration", f"{name}-webhook") is not None
            deployment = kubectl.get("deployment.apps", name, namespace)
            assert deployment is not None
            assert deployment["metadata"]["annotations"]["meta.helm.sh/release-name"] == name

            upgraded = helm.upgrade(
                chart, name, _values(namespace, concurrent=3), namespace=namespace, timeout=120
            )
            assert upgraded["revision"] == 2
            deployment = kubectl.get("deployment.apps", name, namespace)
            assert deployment is not None
            assert "--concurrent=3" in deployment["spec"]["template"]["spec"]["containers"][0]["args"]
            assert helm.status(name)["status"] == "deployed"
        finally:
            helm.uninstall(name, timeout=120, ignore_not_found=True)
    finally:
        chart.close()
    for kind, obj_name, ns in (
        ("deployment.apps", name, namespace),
        ("serviceaccount", name, namespace),
        ("secret", f"{name}-webhook", namespace),
        ("clusterrole", f"{name}-controller", None),
        ("clusterrolebinding", f"{name}-controller", None),
        ("clusterrole", f"{name}-webhook", None),
        ("validatingwebhookconfiguration", f"{name}-webhook", None),
    ):
        wait_until(functools.partial(_absent, kubectl, kind, obj_name, ns), timeout=30, what=f"{kind} gone")


def _probe_chart(tmp: Path, group: str) -> Path:
    """The real chart with its CRD templates replaced by one probe CRD made by the sync script."""
    chart = tmp / "eso"
    shutil.copytree(CHART, chart)
    shutil.rmtree(chart / "templates" / "crds")
    (chart / "templates" / "crds").mkdir()
    source = tmp / f"{group}_probes.yaml"
    source.write_text(
        "---\n"
        "apiVersion: apiextensions.k8s.io/v1\n"
        "kind: CustomResourceDefinition\n"
        "metadata:\n"
        f"  name: probes.{group}\n"
        "spec:\n"
        f"  group: {group}\n"
        "  names: {kind: Probe, listKind: ProbeList, plural: probes, singular: probe}\n"
        "  scope: Namespaced\n"
        "  versions:\n"
        "  - name: v1\n"
        "    served: true\n"
        "    storage: true\n"
        "    schema:\n"
        "      openAPIV3Schema: {type: object}\n",
        encoding="utf-8",
    )
    (chart / "templates" / "crds" / source.name).write_text(
        sync_script().template_for(source), encoding="utf-8"
    )
    return chart


def test_helm_uninstall_keeps_crds_marked_keep(
    helm: helm_python.Config, kubectl: Kubectl, namespace: str, tmp_path: Path
) -> None:
    group = f"p{uuid.uuid4().hex[:8]}.chart-test.eso.example"
    crd_name = f"probes.{group}"
    name = f"eso-{uuid.uuid4().hex[:6]}"
    chart = helm_python.Chart.load(_probe_chart(tmp_path, group))
    try:
        helm.install(chart, name, {"webhook": isolated_webhook(namespace)}, namespace=namespace, timeout=120)
        crd = kubectl.get("customresourcedefinition", crd_name)
        assert crd is not None
        assert crd["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
        helm.uninstall(name, timeout=120)
        wait_until(
            lambda: kubectl.get("deployment.apps", name, namespace) is None,
            timeout=30,
            what="deployment gone",
        )
        assert kubectl.get("clusterrole", f"{name}-controller") is None
        kept = kubectl.get("customresourcedefinition", crd_name)
        assert kept is not None, "helm uninstall deleted a CRD marked keep"
        assert kept["metadata"].get("deletionTimestamp") is None
    finally:
        chart.close()
        helm.uninstall(name, timeout=60, ignore_not_found=True)
        kubectl.delete("customresourcedefinition", crd_name)  # the probe's own CRD, not a shared one
