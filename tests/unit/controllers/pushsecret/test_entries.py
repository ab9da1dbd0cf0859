"""What a PushSecret pushes where: data[], dataTo[] expansion, status keys, deletion sets."""

from __future__ import annotations

from typing import Any

import pytest

from eso.api.pushsecret import PushSecretSpec
from eso.controllers.pushsecret.entries import (
    Planned,
    StoreId,
    check_data_to_selectors,
    entry_from_status,
    entry_source,
    explicit_entries,
    merge_synced,
    plan_store,
    stale_entries,
    status_key,
    store_key,
    without,
)
from eso.errors import SpecError
from eso.providers.base import PushEntry, PushSource

STORE = StoreId("SecretStore", "aws", {"team": "a"})
OTHER = StoreId("SecretStore", "vault", {"team": "b"})


def _spec(**spec: Any) -> PushSecretSpec:
    return PushSecretSpec.model_validate({"secretStoreRefs": [{"name": "aws"}], **spec})


def _entry(key: str | None, remote: str, prop: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"remoteKey": remote}
    if prop:
        ref["property"] = prop
    match: dict[str, Any] = {"remoteRef": ref}
    if key:
        match["secretKey"] = key
    return {"match": match}


def _no_transform(template: str, key: str) -> str:
    raise AssertionError("no transform expected")


def test_status_keys() -> None:
    assert store_key("ClusterSecretStore", "shared") == "ClusterSecretStore/shared"
    assert status_key("db", None) == "db"
    assert status_key("db", "password") == "db/password"


def test_explicit_entry_and_its_status_form() -> None:
    (planned,) = explicit_entries(_spec(data=[_entry("api", "remote", "p")]))
    assert planned == Planned(remote_key="remote", secret_key="api", prop="p", origin="spec.data[0]")
    assert planned.status_key == "remote/p"
    assert planned.status_entry() == {
        "match": {"secretKey": "api", "remoteRef": {"remoteKey": "remote", "property": "p"}}
    }
    assert planned.push_entry() == PushEntry("remote", "api", "p", None)


def test_misplaced_remote_ref_is_an_alias_of_match_remote_ref() -> None:
    spec = _spec(
        data=[{"match": {"secretKey": "myapp-api-key"}, "remoteRef": {"remoteKey": "myapp-api-key-pushed"}}]
    )
    (planned,) = explicit_entries(spec)
    assert (planned.secret_key, planned.remote_key) == ("myapp-api-key", "myapp-api-key-pushed")
    assert planned.status_entry()["match"]["remoteRef"] == {"remoteKey": "myapp-api-key-pushed"}


def test_whole_secret_entry_metadata_and_conversion_are_recorded() -> None:
    meta = {"apiVersion": "kubernetes.external-secrets.io/v1alpha1", "kind": "PushSecretMetadata", "spec": {}}
    spec = _spec(data=[{**_entry(None, "all"), "metadata": meta, "conversionStrategy": "ReverseUnicode"}])
    (planned,) = explicit_entries(spec)
    assert planned.secret_key is None
    assert planned.status_entry() == {
        "match": {"remoteRef": {"remoteKey": "all"}},
        "metadata": meta,
        "conversionStrategy": "ReverseUnicode",
    }


def test_data_to_per_key_with_regexp_rewrite_and_explicit_data_winning() -> None:
    spec = _spec(
        data=[_entry("db-user", "explicit")],
        dataTo=[
            {
                "storeRef": {"name": "aws"},
                "match": {"regexp": "^db-"},
                "rewrite": [{"regexp": {"source": "^db-(?P<rest>.*)$", "target": "app/${rest}"}}],
            }
        ],
    )
    planned = plan_store(spec, STORE, ["db-user", "db-pass", "other"], _no_transform)
    assert [(p.secret_key, p.remote_key, p.origin) for p in planned] == [
        ("db-pass", "app/pass", "spec.dataTo[0]"),
        ("db-user", "explicit", "spec.data[0]"),
    ]


def test_data_to_transform_and_store_selection_by_label() -> None:
    spec = _spec(
        dataTo=[
            {
                "storeRef": {"labelSelector": {"matchLabels": {"team": "a"}}},
                "rewrite": [{"transform": {"template": "t"}}],
            }
        ]
    )
    planned = plan_store(spec, STORE, ["k"], lambda template, key: f"x-{key}")
    assert [p.remote_key for p in planned] == ["x-k"]
    assert plan_store(spec, OTHER, ["k"], _no_transform) == []
    check_data_to_selectors(spec.data_to, [STORE])
    with pytest.raises(SpecError, match=r"spec\.dataTo\[0\]\.storeRef"):
        check_data_to_selectors(spec.data_to, [OTHER])


def test_data_to_bundle_mode_pushes_only_the_matched_keys() -> None:
    spec = _spec(dataTo=[{"storeRef": {"name": "aws"}, "match": {"regexp": "^a"}, "remoteKey": "bundle"}])
    (planned,) = plan_store(spec, STORE, ["a1", "a2", "b"], _no_transform)
    assert planned.secret_key is None
    assert planned.only_keys == frozenset({"a1", "a2"})
    source = PushSource("s", "ns", {"a1": b"1", "a2": b"2", "b": b"3"})
    assert dict(entry_source(source, planned).data) == {"a1": b"1", "a2": b"2"}


def test_data_to_conversion_is_applied_before_matching() -> None:
    spec = _spec(
        dataTo=[
            {"storeRef": {"name": "aws"}, "match": {"regexp": "/"}, "conversionStrategy": "ReverseUnicode"}
        ]
    )
    (planned,) = plan_store(spec, STORE, ["a_U002f_b", "plain"], _no_transform)
    assert (planned.secret_key, planned.remote_key) == ("a/b", "a/b")
    view = entry_source(PushSource("s", "ns", {"a_U002f_b": b"v"}), planned)
    assert dict(view.data) == {"a/b": b"v"}


def test_duplicate_destinations_and_empty_rewrites_are_errors() -> None:
    dup = _spec(data=[_entry("a", "same"), _entry("b", "same")])
    with pytest.raises(SpecError, match=r"destination of both spec\.data"):
        plan_store(dup, STORE, ["a", "b"], _no_transform)
    empty = _spec(
        dataTo=[{"storeRef": {"name": "aws"}, "rewrite": [{"regexp": {"source": ".*", "target": ""}}]}]
    )
    with pytest.raises(SpecError, match="empty remote key"):
        plan_store(empty, STORE, ["k"], _no_transform)


def test_a_missing_source_key_names_the_secret_and_field_but_no_value() -> None:
    (planned,) = explicit_entries(_spec(data=[_entry("absent", "r")]))
    with pytest.raises(SpecError) as info:
        entry_source(PushSource("src", "ns", {"present": b"hunter2"}), planned)
    assert info.value.field == "spec.data[0].match.secretKey"
    assert 'key "absent" does not exist in Secret "ns/src"' in str(info.value)
    assert "hunter2" not in str(info.value)


def test_entry_from_status_rebuilds_the_delete_request() -> None:
    raw = {
        "match": {"secretKey": "k", "remoteRef": {"remoteKey": "r", "property": "p"}},
        "metadata": {"x": 1},
    }
    assert entry_from_status(raw) == PushEntry("r", "k", "p", {"x": 1})
    assert entry_from_status({"match": {"remoteRef": {"remoteKey": "whole"}}}) == PushEntry("whole")


def test_deletion_sets_and_merges() -> None:
    old = {
        "SecretStore/a": {"x": {"m": 1}, "y": {"m": 2}},
        "ClusterSecretStore/c": {"z": {"m": 3}},
    }
    new = {"SecretStore/a": {"x": {"m": 1}, "w": {"m": 4}}}
    assert stale_entries(old, new) == {
        "SecretStore/a": {"y": {"m": 2}},
        "ClusterSecretStore/c": {"z": {"m": 3}},
    }
    assert stale_entries(new, new) == {}
    assert merge_synced(old, new) == {
        "SecretStore/a": {"x": {"m": 1}, "y": {"m": 2}, "w": {"m": 4}},
        "ClusterSecretStore/c": {"z": {"m": 3}},
    }
    assert without(old, {"ClusterSecretStore/c": {"z": {}}, "SecretStore/a": {"y": {}}}) == {
        "SecretStore/a": {"x": {"m": 1}}
    }
