"""Child ExternalSecrets: spec copied as written, metadata replaced, force-sync copied, owner set."""

from __future__ import annotations

import copy
from typing import Any

from eso.api.clusterexternalsecret import ClusterExternalSecret
from eso.controllers.clusterexternalsecret.children import (
    controlled_by,
    controller_uids,
    desired_child,
    needs_update,
    updated_child,
)

FORCE = "external-secrets.io/force-sync"
SPEC = {
    "secretStoreRef": {"name": "aws", "kind": "ClusterSecretStore"},
    "target": {"name": "db"},
    "data": [{"secretKey": "pw", "remoteRef": {"key": "db", "property": "password"}}],
}


def ces_raw(**extra: Any) -> dict[str, Any]:
    annotations = extra.pop("annotations", {})
    spec = {"externalSecretSpec": copy.deepcopy(SPEC), **extra}
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterExternalSecret",
        "metadata": {"name": "shared", "uid": "ces-uid", "annotations": annotations},
        "spec": spec,
    }


def child_of(raw: dict[str, Any], namespace: str = "team-a") -> dict[str, Any]:
    return desired_child(raw, ClusterExternalSecret.model_validate(raw), namespace)


def test_child_is_named_after_the_parent_and_copies_the_spec_as_written() -> None:
    child = child_of(ces_raw())
    assert child["apiVersion"] == "external-secrets.io/v1"
    assert child["kind"] == "ExternalSecret"
    assert child["metadata"]["name"] == "shared"
    assert child["metadata"]["namespace"] == "team-a"
    assert child["spec"] == SPEC, "no defaulted field (creationPolicy, refreshInterval…) is added"
    assert "labels" not in child["metadata"]
    assert "annotations" not in child["metadata"]
    assert child["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ClusterExternalSecret",
            "name": "shared",
            "uid": "ces-uid",
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]


def test_name_and_metadata_come_from_the_spec_and_force_sync_is_copied_or_removed() -> None:
    meta = {"labels": {"team": "a"}, "annotations": {"note": "x", FORCE: "from-metadata"}}
    child = child_of(ces_raw(externalSecretName="app", externalSecretMetadata=meta))
    assert child["metadata"]["name"] == "app"
    assert child["metadata"]["labels"] == {"team": "a"}
    assert child["metadata"]["annotations"] == {"note": "x"}, "force-sync follows the parent only"
    child = child_of(ces_raw(externalSecretMetadata=meta, annotations={FORCE: "123", "other": "no"}))
    assert child["metadata"]["annotations"] == {"note": "x", FORCE: "123"}


def test_needs_update_only_when_something_differs() -> None:
    raw = ces_raw(externalSecretMetadata={"labels": {"a": "1"}})
    desired = child_of(raw)
    stored = copy.deepcopy(desired)
    stored["metadata"].update(
        uid="child-uid",
        resourceVersion="9",
        finalizers=["externalsecrets.external-secrets.io/externalsecret-cleanup"],
    )
    stored["status"] = {"refreshTime": "t"}
    assert not needs_update(stored, desired)
    for change in (
        lambda o: o["spec"].update(refreshInterval="5m"),
        lambda o: o["metadata"]["labels"].update(extra="x"),
        lambda o: o["metadata"].update(annotations={"a": "b"}),
        lambda o: o["metadata"].update(ownerReferences=[]),
    ):
        edited = copy.deepcopy(stored)
        change(edited)
        assert needs_update(edited, desired)


def test_updated_child_replaces_spec_and_metadata_and_keeps_the_rest() -> None:
    desired = child_of(ces_raw(externalSecretMetadata={"labels": {"team": "a"}}))
    other_owner = {"apiVersion": "v1", "kind": "ConfigMap", "name": "c", "uid": "cm"}
    existing = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {
            "name": "shared",
            "namespace": "team-a",
            "uid": "child-uid",
            "resourceVersion": "9",
            "finalizers": ["f"],
            "labels": {"stale": "y"},
            "annotations": {"stale": "y"},
            "ownerReferences": [other_owner, desired["metadata"]["ownerReferences"][0]],
        },
        "spec": {"refreshInterval": "5m"},
        "status": {"refreshTime": "t"},
    }
    body = updated_child(existing, desired)
    assert body["spec"] == SPEC
    assert body["metadata"]["labels"] == {"team": "a"}
    assert body["metadata"]["annotations"] == {}
    assert body["metadata"]["resourceVersion"] == "9"
    assert body["metadata"]["finalizers"] == ["f"]
    assert body["metadata"]["ownerReferences"] == [other_owner, desired["metadata"]["ownerReferences"][0]]
    assert "status" not in body
    assert not needs_update(body, desired)
    assert existing["spec"] == {"refreshInterval": "5m"}, "the cached object is not modified"


def test_controlled_by_needs_the_controller_reference_with_the_uid() -> None:
    child = child_of(ces_raw())
    assert controlled_by(child, "ces-uid")
    assert not controlled_by(child, "other")
    assert not controlled_by(child, "")
    child["metadata"]["ownerReferences"][0]["controller"] = False
    assert not controlled_by(child, "ces-uid")
    assert not controlled_by({"metadata": {}}, "ces-uid")


def test_the_controller_uid_index_holds_only_the_controller_of_an_object() -> None:
    owned = {
        "metadata": {
            "ownerReferences": [
                {"uid": "other", "controller": False},
                {"uid": "ces-uid", "controller": True},
            ]
        }
    }
    assert controller_uids(owned) == ["ces-uid"]
    assert controller_uids({"metadata": {"ownerReferences": [{"uid": "x"}]}}) == []
    assert controller_uids({"metadata": {}}) == []
    assert controller_uids({"metadata": {"ownerReferences": [{"controller": True}]}}) == []
