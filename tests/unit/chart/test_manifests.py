"""deploy/manifests/ is the chart rendered with its defaults (and in namespaced mode), current."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.chart.chartlib import MANIFESTS, NAMESPACE, RELEASE, render, render_script, split

FILES = ("eso.yaml", "eso-namespaced.yaml")


def test_manifests_are_up_to_date(tmp_path: Path) -> None:
    assert render_script().main(["--output-dir", str(tmp_path)]) == 0
    for name in FILES:
        fresh = (tmp_path / name).read_text(encoding="utf-8")
        committed = (MANIFESTS / name).read_text(encoding="utf-8")
        assert committed == fresh, f"deploy/manifests/{name} is stale: run hack/render-manifests.py"
    assert sorted(p.name for p in MANIFESTS.glob("*.yaml")) == sorted(FILES)


@pytest.mark.parametrize(
    ("name", "values"),
    [("eso.yaml", {}), ("eso-namespaced.yaml", {"scopedRBAC": True, "scopedNamespace": "default"})],
)
def test_manifest_is_the_namespace_then_the_chart(name: str, values: dict[str, object]) -> None:
    objects = split((MANIFESTS / name).read_text(encoding="utf-8"))
    namespace, *rest = objects
    assert namespace["kind"] == "Namespace"
    assert namespace["metadata"]["name"] == NAMESPACE
    # deleting by the release label (the documented uninstall) leaves the namespace alone
    assert "app.kubernetes.io/instance" not in namespace["metadata"].get("labels", {})
    assert rest == render(values)


def test_install_order_puts_definitions_before_users() -> None:
    kinds = [obj["kind"] for obj in split((MANIFESTS / "eso.yaml").read_text(encoding="utf-8"))]
    first = {kind: kinds.index(kind) for kind in kinds}
    assert first["Namespace"] == 0
    assert first["ServiceAccount"] < first["Deployment"]
    assert first["CustomResourceDefinition"] < first["ClusterRole"] < first["Deployment"]
    assert first["Deployment"] < first["ValidatingWebhookConfiguration"]


def test_only_the_crds_lack_the_release_label() -> None:
    """`kubectl delete -f eso.yaml -l app.kubernetes.io/instance=...` removes all but the CRDs."""
    for obj in split((MANIFESTS / "eso.yaml").read_text(encoding="utf-8"))[1:]:
        labelled = obj["metadata"].get("labels", {}).get("app.kubernetes.io/instance") == RELEASE
        assert labelled == (obj["kind"] != "CustomResourceDefinition"), obj["metadata"]["name"]
