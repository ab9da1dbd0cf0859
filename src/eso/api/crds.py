"""The CustomResourceDefinitions, generated from the models (one source of truth).

:func:`all_crds` returns every CRD eso installs, in a stable order; :func:`crd_for` one
of them; :func:`render_yaml` the multi-document YAML that ``eso crds`` prints and that
is committed under ``deploy/crds/`` (a snapshot test keeps the two equal).

Compared with ESO's CRDs: the same names, short names, categories, printer columns,
selectable fields and status subresource; no ``conversion`` stanza; ``v1beta1`` of
ExternalSecret, ClusterExternalSecret, SecretStore and ClusterSecretStore is *served*
(same schema as ``v1``, not storage) so ``v1beta1`` manifests apply unchanged; and no
``default:`` anywhere (defaults are applied in code, never written into a spec).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import yaml

from eso.api.constants import COMPONENT_CONTROLLER, LABEL_COMPONENT
from eso.api.kinds import MODELS
from eso.api.meta import KubeObject
from eso.api.resources import CUSTOM_RESOURCES, ResourceInfo
from eso.api.schema import ordered, schema_for_type

__all__ = ["all_crds", "crd_file_name", "crd_for", "render_yaml"]

_READY = '.status.conditions[?(@.type=="Ready")]'
_AGE = {"name": "AGE", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
_STATUS = {"name": "Status", "type": "string", "jsonPath": f"{_READY}.reason"}
_READY_COLUMN = {"name": "Ready", "type": "string", "jsonPath": f"{_READY}.status"}
_STORE_COLUMNS = [
    _AGE,
    _STATUS,
    {"name": "Capabilities", "type": "string", "jsonPath": ".status.capabilities"},
    _READY_COLUMN,
]

_PRINTER_COLUMNS: dict[str, list[dict[str, str]]] = {
    "ExternalSecret": [
        {"name": "StoreType", "type": "string", "jsonPath": ".spec.secretStoreRef.kind"},
        {"name": "Store", "type": "string", "jsonPath": ".spec.secretStoreRef.name"},
        {"name": "Refresh Interval", "type": "string", "jsonPath": ".spec.refreshInterval"},
        _STATUS,
        _READY_COLUMN,
        {"name": "Last Sync", "type": "date", "jsonPath": ".status.refreshTime"},
    ],
    "ClusterExternalSecret": [
        {"name": "Store", "type": "string", "jsonPath": ".spec.externalSecretSpec.secretStoreRef.name"},
        {"name": "Refresh Interval", "type": "string", "jsonPath": ".spec.refreshTime"},
        _READY_COLUMN,
    ],
    "SecretStore": _STORE_COLUMNS,
    "ClusterSecretStore": _STORE_COLUMNS,
    "PushSecret": [_AGE, _STATUS, {"name": "Last Sync", "type": "date", "jsonPath": ".status.refreshTime"}],
    "ClusterPushSecret": [_AGE, _STATUS],
    "GeneratorState": [
        {"name": "GC Deadline", "type": "string", "jsonPath": ".spec.garbageCollectionDeadline"},
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
    ],
}

_SELECTABLE_FIELDS: dict[str, list[str]] = {
    "ExternalSecret": [
        ".spec.secretStoreRef.name",
        ".spec.secretStoreRef.kind",
        ".spec.target.name",
        ".spec.refreshInterval",
    ],
}


class _NoAliasDumper(yaml.SafeDumper):
    """A YAML dumper that writes repeated sub-trees out in full (no ``&id`` anchors)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _object_schema(info: ResourceInfo, model: type[KubeObject]) -> dict[str, Any]:
    fields = model.model_fields
    properties: dict[str, Any] = {
        "apiVersion": {"type": "string", "description": "The versioned schema of this object."},
        "kind": {"type": "string", "description": "The REST resource this object represents."},
        "metadata": {"type": "object"},
        "spec": schema_for_type(fields["spec"].annotation),
    }
    if "status" in fields:
        properties["status"] = schema_for_type(fields["status"].annotation)
    doc = (model.__doc__ or info.kind).strip().splitlines()[0]
    return {"type": "object", "description": doc, "properties": properties}


def crd_for(info: ResourceInfo) -> dict[str, Any]:
    """The CustomResourceDefinition of one custom kind."""
    model = MODELS[info]
    schema = _object_schema(info, model)
    versions: list[dict[str, Any]] = []
    for version in info.versions:
        entry: dict[str, Any] = {
            "name": version,
            "served": True,
            "storage": version == info.storage_version,
        }
        if version != info.storage_version:
            entry["deprecated"] = True
            entry["deprecationWarning"] = (
                f"{info.group}/{version} {info.kind} is deprecated; use {info.api_version}"
            )
        if info.kind in _PRINTER_COLUMNS:
            entry["additionalPrinterColumns"] = copy.deepcopy(_PRINTER_COLUMNS[info.kind])
        entry["schema"] = {"openAPIV3Schema": ordered(schema)}
        if info.kind in _SELECTABLE_FIELDS:
            entry["selectableFields"] = [{"jsonPath": path} for path in _SELECTABLE_FIELDS[info.kind]]
        entry["subresources"] = {"status": {}}
        versions.append(entry)
    names: dict[str, Any] = {
        "kind": info.kind,
        "listKind": info.list_kind,
        "plural": info.plural,
        "singular": info.singular,
        "categories": list(info.categories),
    }
    if info.short_names:
        names["shortNames"] = list(info.short_names)
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": info.crd_name, "labels": {LABEL_COMPONENT: COMPONENT_CONTROLLER}},
        "spec": {
            "group": info.group,
            "names": names,
            "scope": "Namespaced" if info.namespaced else "Cluster",
            "versions": versions,
        },
    }


def all_crds() -> list[dict[str, Any]]:
    """Every CRD eso installs, in a stable order."""
    return [crd_for(info) for info in CUSTOM_RESOURCES]


def crd_file_name(crd: Mapping[str, Any]) -> str:
    """``<group>_<plural>.yaml``, the file name of a CRD under ``deploy/crds/``."""
    spec = crd["spec"]
    return f"{spec['group']}_{spec['names']['plural']}.yaml"


def render_yaml(crds: list[dict[str, Any]]) -> str:
    """Multi-document YAML of ``crds`` (each document starts with ``---``)."""
    return yaml.dump_all(
        crds,
        Dumper=_NoAliasDumper,
        explicit_start=True,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=120,
    )
