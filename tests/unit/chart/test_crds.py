"""The chart ships exactly the generated CRDs, kept on uninstall, behind crds.create."""

from __future__ import annotations

import copy
from pathlib import Path

import helm_python
import yaml

from tests.unit.chart.chartlib import CHART, KEEP, generated_crds, of_kind, render, sync_script


def test_chart_crd_templates_are_in_sync_with_deploy_crds() -> None:
    assert sync_script().main(["--check"]) == 0, "run hack/sync-chart-crds.py"


def test_one_template_per_generated_crd() -> None:
    templates = sorted(p.name for p in (CHART / "templates" / "crds").glob("*.yaml"))
    sources = sorted(p.name for p in sync_script().SOURCE.glob("*.yaml"))
    assert templates == sources


def test_rendered_crds_equal_the_generated_ones_plus_keep() -> None:
    rendered = {crd["metadata"]["name"]: crd for crd in of_kind(render(), "CustomResourceDefinition")}
    generated = generated_crds()
    assert set(rendered) == set(generated)
    for name, source in generated.items():
        want = copy.deepcopy(source)
        want["metadata"].setdefault("annotations", {})[KEEP[0]] = KEEP[1]
        assert rendered[name] == want, name


def test_every_crd_is_kept_on_uninstall() -> None:
    for values in ({}, {"scopedRBAC": True, "scopedNamespace": "a"}, {"crds": {"annotations": {"x/y": "z"}}}):
        crds = of_kind(render(values), "CustomResourceDefinition")
        assert crds
        for crd in crds:
            annotations = crd["metadata"]["annotations"]
            assert annotations[KEEP[0]] == KEEP[1], crd["metadata"]["name"]


def test_extra_crd_annotations_are_added() -> None:
    for crd in of_kind(
        render({"crds": {"annotations": {"example.com/owner": "platform"}}}), "CustomResourceDefinition"
    ):
        assert crd["metadata"]["annotations"] == {KEEP[0]: KEEP[1], "example.com/owner": "platform"}


def test_crds_can_be_left_out() -> None:
    assert not of_kind(render({"crds": {"create": False}}), "CustomResourceDefinition")
    assert not of_kind(render({"installCRDs": False}), "CustomResourceDefinition")


def test_go_template_braces_in_a_crd_are_escaped(tmp_path: Path) -> None:
    """A description with ``{{ .value }}`` (template docs) must reach the cluster verbatim."""
    source = tmp_path / "x_tests.yaml"
    source.write_text(
        "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
        "  name: tests.x\n  annotations:\n    a: b\nspec:\n  description: 'use {{ .value | upper }} here'\n",
        encoding="utf-8",
    )
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: t\nversion: 0.1.0\n", encoding="utf-8")
    (chart / "values.yaml").write_text(
        "installCRDs: true\ncrds:\n  create: true\n  annotations: {}\n", encoding="utf-8"
    )
    (chart / "templates" / "crd.yaml").write_text(sync_script().template_for(source), encoding="utf-8")
    loaded = helm_python.Chart.load(chart)
    try:
        out = loaded.render({}, name="r", namespace="n", is_install=True)
    finally:
        loaded.close()
    crd = yaml.safe_load(out["t/templates/crd.yaml"])
    assert crd["spec"]["description"] == "use {{ .value | upper }} here"
    assert crd["metadata"]["annotations"] == {"a": "b", KEEP[0]: KEEP[1]}
