"""dataFrom rewrite: Go regexp replacement with $ expansion, and merge."""

from __future__ import annotations

import json

import pytest

from eso.api.externalsecret import ExternalSecretRewrite
from eso.controllers.externalsecret.rewrite import apply_rewrites
from eso.errors import SpecError


def _rw(**kwargs: object) -> ExternalSecretRewrite:
    return ExternalSecretRewrite.model_validate(kwargs)


def _no_transform(template: str, key: str) -> str:
    raise AssertionError("transform not expected")


def test_regexp_rewrite_expands_groups_like_go() -> None:
    data = {"path/to/db-user": b"u", "path/to/db-pass": b"p"}
    out = apply_rewrites(
        data, [_rw(regexp={"source": "path/to/(.*)", "target": "app-$1"})], "spec.dataFrom[0]", _no_transform
    )
    assert out == {"app-db-user": b"u", "app-db-pass": b"p"}


def test_go_dollar_name_rule_makes_1x_an_empty_group() -> None:
    out = apply_rewrites(
        {"ab": b"v"}, [_rw(regexp={"source": "(a)(b)", "target": "$1x-${1}x-$$"})], "f", _no_transform
    )
    assert out == {"-ax-$": b"v"}


def test_rewrites_apply_in_order() -> None:
    steps = [_rw(regexp={"source": "^a", "target": "b"}), _rw(regexp={"source": "^b", "target": "c"})]
    assert apply_rewrites({"a1": b"x"}, steps, "f", _no_transform) == {"c1": b"x"}


def test_transform_uses_the_given_renderer() -> None:
    out = apply_rewrites({"k": b"v"}, [_rw(transform={"template": "T"})], "f", lambda t, k: f"{t}-{k}")
    assert out == {"T-k": b"v"}


def test_invalid_regexp_names_the_field() -> None:
    with pytest.raises(SpecError) as err:
        apply_rewrites(
            {"k": b"v"}, [_rw(regexp={"source": "(?=x)", "target": ""})], "spec.dataFrom[2]", _no_transform
        )
    assert "spec.dataFrom[2].rewrite[0].regexp.source" in str(err.value)


def test_merge_extract_and_conflicts() -> None:
    data = {"a": json.dumps({"x": 1, "y": "s"}).encode(), "b": json.dumps({"z": True, "n": None}).encode()}
    out = apply_rewrites(data, [_rw(merge={})], "f", _no_transform)
    assert out == {"x": b"1", "y": b"s", "z": b"true", "n": b""}
    clash = {"a": b'{"x": 1}', "b": b'{"x": 2}'}
    with pytest.raises(SpecError, match="conflicts: x"):
        apply_rewrites(clash, [_rw(merge={})], "f", _no_transform)
    ignored = apply_rewrites(
        clash, [_rw(merge={"conflictPolicy": "Ignore", "priority": ["a"]})], "f", _no_transform
    )
    assert ignored == {"x": b"1"}


def test_merge_json_strategy_keeps_inputs_and_adds_into() -> None:
    data = {"a": b'{"x": 1}', "b": b'{"y": "<"}'}
    out = apply_rewrites(data, [_rw(merge={"strategy": "JSON", "into": "all"})], "f", _no_transform)
    assert out["all"] == b'{"x":1,"y":"<"}'
    assert out["a"] == data["a"]
