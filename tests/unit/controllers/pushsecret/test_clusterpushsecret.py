"""ClusterPushSecret children: which namespaces, what each child holds, when it is written."""

from __future__ import annotations

from typing import Any

from eso.api.clusterpushsecret import ClusterPushSecret
from eso.api.meta import LabelSelector
from eso.controllers.clusterpushsecret.children import (
    child_manifest,
    controlled_by,
    needs_write,
    selected_namespaces,
)

SPEC: dict[str, Any] = {
    "secretStoreRefs": [{"name": "aws"}],
    "selector": {"secret": {"name": "src"}},
    "data": [{"match": {"secretKey": "k", "remoteRef": {"remoteKey": "r"}}}],
}


def _raw(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "external-secrets.io/v1alpha1",
        "kind": "ClusterPushSecret",
        "metadata": {"name": "fan", "uid": "u-1", "generation": 1},
        "spec": {"pushSecretSpec": SPEC, **spec},
    }


def _ns(name: str, labels: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels, **extra}}


def test_namespaces_are_ored_sorted_and_terminating_ones_left_out() -> None:
    selectors = [
        LabelSelector.model_validate({"matchLabels": {"team": "a"}}),
        LabelSelector.model_validate(
            {"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}]}
        ),
    ]
    namespaces = [
        _ns("z", {"team": "a"}),
        _ns("b", {"env": "prod"}),
        _ns("c", {"env": "dev"}),
        _ns("gone", {"team": "a"}, deletionTimestamp="2026-01-01T00:00:00Z"),
    ]
    assert selected_namespaces(selectors, namespaces) == ["b", "z"]
    assert selected_namespaces([], namespaces) == [], "no selector selects nothing"


def test_child_manifest_copies_the_stored_spec_metadata_and_owner() -> None:
    raw = _raw(pushSecretName="child", pushSecretMetadata={"labels": {"l": "1"}, "annotations": {"a": "2"}})
    cps = ClusterPushSecret.model_validate(raw)
    child = child_manifest(cps, raw, "team-a")
    assert child["metadata"]["name"] == "child"
    assert child["metadata"]["namespace"] == "team-a"
    assert child["metadata"]["labels"] == {"l": "1"}
    assert child["metadata"]["annotations"] == {"a": "2"}
    (owner,) = child["metadata"]["ownerReferences"]
    assert owner == {
        "apiVersion": "external-secrets.io/v1alpha1",
        "kind": "ClusterPushSecret",
        "name": "fan",
        "uid": "u-1",
        "controller": True,
        "blockOwnerDeletion": True,
    }
    assert child["spec"] == SPEC, "the spec as written, no defaults added"
    assert child_manifest(ClusterPushSecret.model_validate(_raw()), _raw(), "x")["metadata"]["name"] == "fan"


def test_a_child_is_written_only_when_it_lacks_something() -> None:
    raw = _raw(pushSecretMetadata={"labels": {"l": "1"}})
    cps = ClusterPushSecret.model_validate(raw)
    desired = child_manifest(cps, raw, "ns")
    existing = {**desired, "metadata": {**desired["metadata"], "labels": {"l": "1", "added-by-someone": "x"}}}
    assert controlled_by(existing, "u-1")
    assert not controlled_by(existing, "other")
    assert not needs_write(existing, desired, "u-1")
    assert needs_write(None, desired, "u-1")
    assert needs_write({**existing, "spec": {**SPEC, "refreshInterval": "5m"}}, desired, "u-1")
    assert needs_write({**existing, "metadata": {**existing["metadata"], "labels": {}}}, desired, "u-1")
