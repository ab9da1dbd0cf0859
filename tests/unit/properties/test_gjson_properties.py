"""Property: ``remoteRef.property`` lookups and the JSON explosion of ``dataFrom.extract`` never crash.

Over arbitrary payloads (JSON documents whose values are secrets, broken JSON, plain text,
bytes that are not UTF-8) and arbitrary gjson paths (keys, escapes, wildcards, ``#``
queries, modifiers, multipaths and random text):

* :func:`eso.providers._gjson.get_path` / :func:`get_property` return ``None`` or a string,
  never raise, and answer within a bounded time;
* a plain key of a JSON object gives that member's value (the basic promise);
* :func:`eso.providers._jsonmap.explode_json_object` returns bytes per member or raises
  eso's :class:`~eso.errors.ProviderError`, whose message repeats no secret;
* the fake provider's read (the full path an ExternalSecret takes) returns bytes or raises
  one of eso's errors, again without a secret in the message.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eso.api.providers.fake import FakeProvider, FakeProviderData
from eso.errors import EsoError, ProviderError
from eso.providers._gjson import get_path, get_property
from eso.providers._jsonmap import explode_json_object
from eso.providers.base import RemoteRef
from eso.providers.fake.provider import FakeSecretsClient
from tests.unit.properties.conftest import BOUNDED, QUIET_ABOUT_RANDOM, attempt, echoed, secrets

pytestmark = [pytest.mark.timeout(120), QUIET_ABOUT_RANDOM]

WALL_CLOCK = 5.0
"""Seconds one lookup may take (they take microseconds): a hang, not a slow machine."""

_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-", min_size=1, max_size=8)
_scalars = st.one_of(
    secrets,
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.just(""),
    st.just("1e3"),
)
json_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_names, inner, max_size=4)),
    max_leaves=12,
)
documents = st.dictionaries(_names, json_values, min_size=1, max_size=6)

_segment = st.one_of(
    _names,
    st.sampled_from(
        ["*", "?", "#", "0", "1", "-1", "a\\.b", "a\\*", "@reverse", "@this", "@flatten", "@keys"]
    ),
    st.builds(lambda k, v: f'#({k}=="{v}")', _names, _names),
    st.builds(lambda k: f'#({k}%"*")#', _names),
    st.builds(lambda k, n: f"#({k}>{n})#", _names, st.integers(-5, 5)),
)
paths = st.one_of(
    st.lists(_segment, min_size=1, max_size=5).map(".".join),
    st.lists(_segment, min_size=2, max_size=4).map("|".join),
    st.lists(_names, min_size=1, max_size=3).map(lambda ks: "[" + ",".join(ks) + "]"),
    st.lists(_names, min_size=1, max_size=3).map(lambda ks: "{" + ",".join(ks) + "}"),
    st.text(max_size=20),
)


def _secrets_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if len(value) >= 10 else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _secrets_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in _secrets_in(v)]
    return []


payloads = st.one_of(
    documents.map(json.dumps),
    documents.map(lambda d: json.dumps(d)[:-1]),  # truncated
    st.text(max_size=60),
    st.binary(max_size=60),
    st.lists(json_values, max_size=3).map(json.dumps),
)


def _timed(fn: Any, *args: Any) -> Any:
    started = time.monotonic()
    try:
        return fn(*args)
    finally:
        assert time.monotonic() - started < WALL_CLOCK, f"{fn.__name__}{args!r} took too long"


@settings(BOUNDED, max_examples=250)
@given(payload=payloads, path=paths)
def test_lookups_never_raise_and_answer_none_or_text(payload: str | bytes, path: str) -> None:
    for lookup in (get_path, get_property):
        result = _timed(lookup, payload, path)
        assert result is None or isinstance(result, str)


@settings(BOUNDED, max_examples=100)
@given(document=documents)
def test_a_plain_key_gives_its_member(document: dict[str, Any]) -> None:
    payload = json.dumps(document)
    for key, value in document.items():
        got = get_property(payload, key)
        assert got is not None
        if isinstance(value, str):
            assert got == value
        elif value is None:
            assert got == ""
        elif isinstance(value, bool):
            assert got == ("true" if value else "false")


@settings(BOUNDED, max_examples=200)
@given(payload=payloads, key=_names)
def test_json_explosion_is_typed_and_echoes_no_secret(payload: str | bytes, key: str) -> None:
    members, error = attempt(_timed, explode_json_object, payload, key, expected=ProviderError)
    if error is not None:
        assert error.__cause__ is None
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        assert not echoed(str(error), _candidate_secrets(text)), str(error)
        return
    assert all(isinstance(k, str) and isinstance(v, bytes) for k, v in members.items())


def _candidate_secrets(text: str) -> list[str]:
    try:
        return _secrets_in(json.loads(text))
    except ValueError:
        return [text] if len(text) >= 10 else []


@settings(BOUNDED, max_examples=150)
@given(document=documents, key=_names, prop=st.one_of(st.none(), paths))
def test_the_fake_providers_read_is_typed_and_echoes_no_secret(
    document: dict[str, Any], key: str, prop: str | None
) -> None:
    payload = json.dumps(document)
    spec = FakeProvider(data=[FakeProviderData(key=key, value=payload)])
    client = FakeSecretsClient({key: payload.encode()}, {key: payload.encode()}, {}, spec, None)
    for call in (client.get_secret, client.get_secret_map):
        ref = RemoteRef(key=key, property=prop)
        result, error = attempt(lambda: asyncio.run(call(ref)), expected=EsoError)  # noqa: B023
        if error is not None:
            assert not echoed(str(error), _secrets_in(document)), str(error)
        else:
            assert isinstance(result, bytes | dict)
