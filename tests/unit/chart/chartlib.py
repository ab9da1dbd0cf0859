"""Render the Helm chart for tests, with Helm's own engine (``helm-python-sdk``).

The rendering code is the one ``hack/render-manifests.py`` uses (loaded from that file),
so the tests check exactly what users get from ``helm template`` and from the plain
manifests. Also: the CRD sync script, the paths, and small lookups over rendered objects.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
CHART = ROOT / "deploy" / "charts" / "eso"
CRDS = ROOT / "deploy" / "crds"
MANIFESTS = ROOT / "deploy" / "manifests"
RELEASE = "external-secrets"
NAMESPACE = "external-secrets"
KEEP = ("helm.sh/resource-policy", "keep")


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def render_script() -> ModuleType:
    return _load("eso_hack_render_manifests", ROOT / "hack" / "render-manifests.py")


@cache
def sync_script() -> ModuleType:
    return _load("eso_hack_sync_chart_crds", ROOT / "hack" / "sync-chart-crds.py")


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split(manifest: str) -> list[dict[str, Any]]:
    """The objects of a multi-document YAML text (empty documents dropped)."""
    return [doc for doc in yaml.load_all(manifest, Loader=_Loader) if doc]


@cache
def _objects(values_json: str, name: str, namespace: str) -> list[dict[str, Any]]:
    return split(_render(values_json, name, namespace))


@cache
def _render(values_json: str, name: str, namespace: str) -> str:
    text: str = render_script().render_manifest(json.loads(values_json), name=name, namespace=namespace)
    return text


def render_text(
    values: dict[str, Any] | None = None, *, name: str = RELEASE, namespace: str = NAMESPACE
) -> str:
    """What ``helm template`` prints for ``values`` (cached per values)."""
    return _render(json.dumps(values or {}, sort_keys=True), name, namespace)


def render(
    values: dict[str, Any] | None = None, *, name: str = RELEASE, namespace: str = NAMESPACE
) -> list[dict[str, Any]]:
    """The chart's objects for ``values``, in Helm's install order."""
    return copy.deepcopy(_objects(json.dumps(values or {}, sort_keys=True), name, namespace))


def of_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [obj for obj in objects if obj["kind"] == kind]


def one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [obj for obj in of_kind(objects, kind) if obj["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    result: dict[str, Any] = only
    return result


def generated_crds() -> dict[str, dict[str, Any]]:
    """CRD name -> the CRD as ``eso crds`` wrote it to deploy/crds."""
    result: dict[str, dict[str, Any]] = {}
    for path in sorted(CRDS.glob("*.yaml")):
        for doc in split(path.read_text(encoding="utf-8")):
            result[doc["metadata"]["name"]] = doc
    return result


def grants(rules: list[dict[str, Any]], group: str, resource: str, verb: str) -> bool:
    """Whether any rule grants ``verb`` on ``group/resource`` for every object name."""
    return any(
        (group in rule.get("apiGroups", []) or "*" in rule.get("apiGroups", []))
        and (resource in rule.get("resources", []) or "*" in rule.get("resources", []))
        and (verb in rule.get("verbs", []) or "*" in rule.get("verbs", []))
        and not rule.get("resourceNames")
        for rule in rules
    )
