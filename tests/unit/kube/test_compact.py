"""CompactCodec: what an informer stores round-trips exactly, small, and keeps no value."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eso.kube.compact import CompactCodec


def _secret(i: int, value: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": f"db-{i}",
            "namespace": "apps",
            "labels": {"reconcile.external-secrets.io/managed": "true"},
            "ownerReferences": [{"kind": "ExternalSecret", "name": f"db-{i}", "controller": True}],
        },
        "data": {"password": value},
        "type": "Opaque",
    }


def test_objects_round_trip_as_fresh_copies_and_shrink() -> None:
    codec = CompactCodec()
    objects = [_secret(i, f"c2VjcmV0LXZhbHVlLXt7{i:04d}") for i in range(50)]
    blobs = [codec.encode(o) for o in objects]
    for obj, blob in zip(objects, blobs, strict=True):
        decoded = codec.decode(blob)
        assert decoded == obj
        assert decoded is not obj
    raw = sum(len(json.dumps(o, separators=(",", ":"))) for o in objects[1:])
    assert sum(len(b) for b in blobs[1:]) * 3 < raw, "objects like the first are kept in a fraction"
    unicode = {"metadata": {"name": "ünï"}, "data": {"k": "✓"}}
    assert codec.decode(codec.encode(unicode)) == unicode


def test_the_dictionary_never_holds_a_secret_value() -> None:
    codec = CompactCodec()
    codec.encode(_secret(0, "dG9wLXNlY3JldA=="))
    assert b"dG9wLXNlY3JldA==" not in (codec._zdict or b"")
    assert b"ownerReferences" in (codec._zdict or b"")


def test_decoding_before_any_encoding_is_refused() -> None:
    with pytest.raises(ValueError, match="nothing was encoded"):
        CompactCodec().decode(b"x")
