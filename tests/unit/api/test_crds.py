"""The generated CRDs: committed files are current, schemas are structural, names match ESO's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from eso.api.crds import all_crds, crd_file_name, crd_for, render_yaml
from eso.api.resources import CUSTOM_RESOURCES, EXTERNAL_SECRET, SECRET_STORE
from eso.api.secretstore import PROVIDER_KEYS

ROOT = Path(__file__).parents[3]
DEPLOY = ROOT / "deploy" / "crds"
SEED = ROOT / "tests" / "fixtures" / "seed"
FORBIDDEN = {"default", "$ref", "$defs", "definitions", "anyOf", "oneOf", "allOf", "not"}

CRDS = all_crds()
BY_KIND = {crd["spec"]["names"]["kind"]: crd for crd in CRDS}


def _schema(kind: str, version: str | None = None) -> dict[str, Any]:
    for entry in BY_KIND[kind]["spec"]["versions"]:
        if version is None or entry["name"] == version:
            schema = entry["schema"]["openAPIV3Schema"]
            assert isinstance(schema, dict)
            return schema
    raise AssertionError(f"{kind} has no version {version}")


def _nodes(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema node with its path (properties, items, additionalProperties)."""
    yield path, node
    for name, child in node.get("properties", {}).items():
        yield from _nodes(child, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        yield from _nodes(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from _nodes(node["additionalProperties"], f"{path}{{}}")


def _all_keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield key
            yield from _all_keys(child)
    elif isinstance(value, list):
        for child in value:
            yield from _all_keys(child)


def test_committed_crds_are_the_generated_ones() -> None:
    expected = {crd_file_name(crd): render_yaml([crd]) for crd in CRDS}
    present = {path.name: path.read_text(encoding="utf-8") for path in DEPLOY.glob("*.yaml")}
    stale = sorted(name for name in present if name not in expected or present[name] != expected.get(name))
    missing = sorted(set(expected) - set(present))
    problems = stale + missing
    assert not problems, (
        f"deploy/crds is out of date (changed or unknown: {stale}, missing: {missing}). "
        "Run `make crds` and commit deploy/crds."
    )


def test_all_crds_are_in_a_stable_order_and_cover_every_custom_kind() -> None:
    assert [crd["spec"]["names"]["kind"] for crd in CRDS] == [info.kind for info in CUSTOM_RESOURCES]
    assert render_yaml(all_crds()) == render_yaml(CRDS)


@pytest.mark.parametrize("crd", CRDS, ids=lambda c: c["metadata"]["name"])
def test_every_schema_node_is_structural(crd: dict[str, Any]) -> None:
    for entry in crd["spec"]["versions"]:
        schema = entry["schema"]["openAPIV3Schema"]
        for path, node in _nodes(schema):
            typed = (
                "type" in node
                or node.get("x-kubernetes-preserve-unknown-fields")
                or node.get("x-kubernetes-int-or-string")
            )
            assert typed, f"{crd['metadata']['name']} {entry['name']}: node {path or '/'} has no type"
            for name in node.get("required", []):
                assert name in node.get("properties", {}), f"{path}: required {name} is not a property"
            if "description" in node:
                assert len(node["description"]) <= 200, f"{path}: description too long"
        assert not FORBIDDEN & set(_all_keys(schema)), (
            f"{crd['metadata']['name']}: {FORBIDDEN & set(_all_keys(schema))}"
        )


@pytest.mark.parametrize("crd", CRDS, ids=lambda c: c["metadata"]["name"])
def test_crd_metadata_follows_eso(crd: dict[str, Any]) -> None:
    assert crd["metadata"]["labels"] == {"external-secrets.io/component": "controller"}
    spec = crd["spec"]
    assert "conversion" not in spec
    assert "external-secrets" in spec["names"]["categories"]
    if spec["group"] == "generators.external-secrets.io":
        assert spec["names"]["categories"] == ["external-secrets", "external-secrets-generators"]
    assert [v for v in spec["versions"] if v["storage"]]
    assert sum(v["storage"] for v in spec["versions"]) == 1
    for version in spec["versions"]:
        assert version["served"] is True
        assert version["subresources"] == {"status": {}}


@pytest.mark.parametrize(
    ("kind", "short", "scope", "versions"),
    [
        ("ExternalSecret", ["es"], "Namespaced", ["v1", "v1beta1"]),
        ("ClusterExternalSecret", ["ces"], "Cluster", ["v1", "v1beta1"]),
        ("SecretStore", ["ss"], "Namespaced", ["v1", "v1beta1"]),
        ("ClusterSecretStore", ["css"], "Cluster", ["v1", "v1beta1"]),
        ("PushSecret", ["ps"], "Namespaced", ["v1alpha1"]),
        ("ClusterPushSecret", None, "Cluster", ["v1alpha1"]),
        ("GeneratorState", ["gs"], "Namespaced", ["v1alpha1"]),
        ("ClusterGenerator", None, "Cluster", ["v1alpha1"]),
        ("Password", None, "Namespaced", ["v1alpha1"]),
    ],
)
def test_names_scope_and_versions(
    kind: str, short: list[str] | None, scope: str, versions: list[str]
) -> None:
    spec = BY_KIND[kind]["spec"]
    assert spec["names"].get("shortNames") == short
    assert spec["scope"] == scope
    assert [v["name"] for v in spec["versions"]] == versions
    assert spec["versions"][0]["storage"] is True


def test_v1beta1_is_served_with_the_same_schema_as_v1() -> None:
    for kind in ("ExternalSecret", "ClusterExternalSecret", "SecretStore", "ClusterSecretStore"):
        assert _schema(kind, "v1beta1") == _schema(kind, "v1")


def test_external_secret_printer_columns_and_selectable_fields() -> None:
    v1 = BY_KIND["ExternalSecret"]["spec"]["versions"][0]
    columns = [(c["name"], c["jsonPath"]) for c in v1["additionalPrinterColumns"]]
    assert columns == [
        ("StoreType", ".spec.secretStoreRef.kind"),
        ("Store", ".spec.secretStoreRef.name"),
        ("Refresh Interval", ".spec.refreshInterval"),
        ("Status", '.status.conditions[?(@.type=="Ready")].reason'),
        ("Ready", '.status.conditions[?(@.type=="Ready")].status'),
        ("Last Sync", ".status.refreshTime"),
    ]
    assert [f["jsonPath"] for f in v1["selectableFields"]] == [
        ".spec.secretStoreRef.name",
        ".spec.secretStoreRef.kind",
        ".spec.target.name",
        ".spec.refreshInterval",
    ]


@pytest.mark.parametrize(
    ("kind", "columns"),
    [
        ("SecretStore", ["AGE", "Status", "Capabilities", "Ready"]),
        ("ClusterSecretStore", ["AGE", "Status", "Capabilities", "Ready"]),
        ("ClusterExternalSecret", ["Store", "Refresh Interval", "Ready"]),
        ("PushSecret", ["AGE", "Status", "Last Sync"]),
        ("ClusterPushSecret", ["AGE", "Status"]),
        ("GeneratorState", ["GC Deadline", "Age"]),
    ],
)
def test_printer_columns(kind: str, columns: list[str]) -> None:
    version = BY_KIND[kind]["spec"]["versions"][0]
    assert [c["name"] for c in version["additionalPrinterColumns"]] == columns


def test_store_provider_is_one_of_and_keeps_unknown_providers() -> None:
    provider = _schema("SecretStore")["properties"]["spec"]["properties"]["provider"]
    assert provider["minProperties"] == 1
    assert provider["maxProperties"] == 1
    assert set(provider["properties"]) == set(PROVIDER_KEYS)
    assert provider["properties"]["vault"] == {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    assert provider["properties"]["aws"]["required"] == ["region", "service"]
    assert "spec.provider" not in str(provider.get("x-kubernetes-preserve-unknown-fields"))
    assert "provider" in _schema("SecretStore")["properties"]["spec"]["required"]


def test_free_json_and_int_or_string_nodes() -> None:
    ps_data = _schema("PushSecret")["properties"]["spec"]["properties"]["data"]["items"]
    assert ps_data["properties"]["metadata"]["x-kubernetes-preserve-unknown-fields"] is True
    gs = _schema("GeneratorState")["properties"]["spec"]
    assert gs["properties"]["resource"]["x-kubernetes-preserve-unknown-fields"] is True
    assert gs["properties"]["state"]["x-kubernetes-preserve-unknown-fields"] is True
    assert gs["required"] == ["resource"]
    interval = _schema("SecretStore")["properties"]["spec"]["properties"]["refreshInterval"]
    assert interval.get("x-kubernetes-int-or-string") is True
    assert "type" not in interval


def test_patterns_enums_and_lengths_follow_eso() -> None:
    data = _schema("ExternalSecret")["properties"]["spec"]["properties"]["data"]["items"]
    key = data["properties"]["secretKey"]
    assert key["pattern"] == "^[-._a-zA-Z0-9]+$"
    assert key["maxLength"] == 253
    assert key["minLength"] == 1
    assert data["required"] == ["remoteRef", "secretKey"]
    assert data["properties"]["sourceRef"]["maxProperties"] == 1
    target = _schema("ExternalSecret")["properties"]["spec"]["properties"]["target"]
    assert target["properties"]["creationPolicy"]["enum"] == [
        "Owner",
        "Orphan",
        "Merge",
        "None",
        "CreateOrMerge",
    ]
    assert target["properties"]["name"]["maxLength"] == 253
    windows = _schema("ExternalSecret")["properties"]["spec"]["properties"]["syncWindows"]
    assert windows["properties"]["windows"]["minItems"] == 1
    refresh_time = _schema("ExternalSecret")["properties"]["status"]["properties"]["refreshTime"]
    assert refresh_time == {"type": "string", "format": "date-time", "nullable": True}


def test_crd_for_single_kinds() -> None:
    assert crd_for(EXTERNAL_SECRET)["metadata"]["name"] == "externalsecrets.external-secrets.io"
    assert crd_file_name(crd_for(SECRET_STORE)) == "external-secrets.io_secretstores.yaml"


def test_render_yaml_has_no_anchors_and_one_document_per_crd() -> None:
    text = render_yaml(CRDS)
    assert "&id" not in text
    assert "*id" not in text
    assert text.count("\n---\n") + text.startswith("---\n") == len(CRDS)
    assert len(list(yaml.safe_load_all(text))) == len(CRDS)


@pytest.mark.parametrize(
    "name",
    [
        "secret-store.yaml",
        "external-secret-api-key.yaml",
        "external-secret-database.yaml",
        "push-secret.yaml",
    ],
)
def test_seed_manifests_validate_against_the_served_schema(name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    manifest = yaml.safe_load((SEED / name).read_text())
    _group, version = manifest["apiVersion"].split("/")
    schema = _schema(manifest["kind"], version)
    jsonschema.validate(manifest, schema)
