"""Cached objects share their keys and short strings (memory), and stay equal to the input."""

from __future__ import annotations

import json

from eso.kube.informer import share_strings

_DOC = (
    '{"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": {"name": "es-%d", '
    '"namespace": "team-a", "generation": 1, "labels": {"app": "web"}}, "spec": {"data": '
    '[{"secretKey": "password", "remoteRef": {"key": "db", "property": "password"}}]}, '
    '"status": {"conditions": [{"type": "Ready", "status": "True", "message": "%s"}]}}'
)


def _doc(i: int, message: str = "secret synced") -> dict[str, object]:
    loaded: dict[str, object] = json.loads(_DOC % (i, message))
    return loaded


def test_result_equals_the_input_and_keeps_key_order() -> None:
    doc = _doc(1)
    shared = share_strings(doc)
    assert shared == _doc(1)
    assert list(shared) == list(doc)
    assert list(shared["metadata"]) == list(doc["metadata"])  # type: ignore[call-overload]


def test_keys_and_short_values_of_two_documents_are_the_same_objects() -> None:
    a, b = share_strings(_doc(1)), share_strings(_doc(2))
    key_a = next(k for k in a["metadata"] if k == "namespace")
    key_b = next(k for k in b["metadata"] if k == "namespace")
    assert key_a is key_b
    assert a["metadata"]["namespace"] is b["metadata"]["namespace"]
    assert a["spec"]["data"][0]["remoteRef"]["key"] is b["spec"]["data"][0]["remoteRef"]["key"]


def test_long_strings_and_other_values_are_left_as_they_are() -> None:
    long = "x" * 65
    a, b = share_strings(_doc(1, long)), share_strings(_doc(2, long))
    assert a["status"]["conditions"][0]["message"] == long
    assert a["status"]["conditions"][0]["message"] is not b["status"]["conditions"][0]["message"]
    assert share_strings(7) == 7
    assert share_strings(None) is None
    assert share_strings([1, "a", {"b": 2.5}]) == [1, "a", {"b": 2.5}]
