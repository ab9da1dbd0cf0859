"""Property: any manifest, however mangled, parses or is refused naming a field, never a value.

Starting points are real manifests: the seed tutorial's, every case of the bad-manifest
corpus and its environment, and a few more kinds (ClusterSecretStore with conditions,
ClusterExternalSecret, ClusterPushSecret, generators). Each is then mutated at random
places (a value replaced by one of another type or by a secret, a key removed, an unknown
key added, a list emptied or doubled). Then:

* :func:`eso.api.parse` returns a model or raises :class:`~eso.errors.SpecError` whose
  ``field`` is set and whose message repeats no secret placed in the manifest;
* the admission rules of a parsed model (:mod:`eso.api.validation`) never raise, and none
  of their messages repeats a secret;
* the webhook's verdict on the same object (:class:`eso.webhook.validators.AdmissionValidator`,
  the provider checks included) never raises and repeats no secret either.

``apiVersion`` and ``kind`` are left as they are: the API server only admits objects of its
registered kinds, so the webhook never sees others; :func:`parse` itself is also fed
arbitrary objects (last test).
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eso.api import parse
from eso.api.clusterexternalsecret import ClusterExternalSecret
from eso.api.externalsecret import ExternalSecret
from eso.api.pushsecret import PushSecret
from eso.api.secretstore import ClusterSecretStore, SecretStore
from eso.api.validation import (
    validate_cluster_external_secret,
    validate_external_secret,
    validate_push_secret,
    validate_secret_store,
)
from eso.errors import SpecError
from eso.providers.builtin import builtin_registry
from eso.webhook.admission import AdmissionRequest
from eso.webhook.validators import AdmissionValidator
from tests.security.corpus import load_cases
from tests.unit.properties.conftest import BOUNDED, QUIET_ABOUT_RANDOM, attempt, echoed, secrets

pytestmark = [pytest.mark.timeout(120), QUIET_ABOUT_RANDOM]

WALL_CLOCK = 5.0
SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed"
EXTRA = [
    {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": "shared"},
        "spec": {
            "conditions": [
                {"namespaceSelector": {"matchLabels": {"team": "a"}}, "namespaceRegexes": ["^a-"]}
            ],
            "refreshInterval": 60,
            "retrySettings": {"maxRetries": 3, "retryInterval": "10s"},
            "provider": {"aws": {"service": "ParameterStore", "region": "eu-west-1", "role": "arn:x"}},
        },
    },
    {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterExternalSecret",
        "metadata": {"name": "fan"},
        "spec": {
            "namespaceSelectors": [{"matchLabels": {"team": "a"}}],
            "refreshTime": "1m",
            "externalSecretSpec": {
                "secretStoreRef": {"name": "shared", "kind": "ClusterSecretStore"},
                "target": {"template": {"data": {"k": "{{ .v }}"}, "templateFrom": [{"literal": "x: y"}]}},
                "dataFrom": [
                    {"find": {"name": {"regexp": "^app"}, "conversionStrategy": "Unicode"}},
                    {"extract": {"key": "doc"}, "rewrite": [{"regexp": {"source": "a", "target": "b"}}]},
                ],
            },
        },
    },
    {
        "apiVersion": "external-secrets.io/v1alpha1",
        "kind": "ClusterPushSecret",
        "metadata": {"name": "up"},
        "spec": {
            "namespaceSelectors": [{"matchLabels": {"team": "a"}}],
            "pushSecretSpec": {
                "secretStoreRefs": [{"name": "shared", "kind": "ClusterSecretStore"}],
                "selector": {"secret": {"name": "src"}},
                "data": [{"match": {"secretKey": "k", "remoteRef": {"remoteKey": "r", "property": "p"}}}],
            },
        },
    },
    {
        "apiVersion": "generators.external-secrets.io/v1alpha1",
        "kind": "Password",
        "metadata": {"name": "pw", "namespace": "ns"},
        "spec": {"length": 32, "digits": 5, "symbols": 5, "symbolCharacters": "-_$@", "noUpper": False},
    },
]


def _bases() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(SEED.glob("*.yaml")):
        found += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d and "spec" in d]
    for case in load_cases():
        if not case.raw:
            found.append(case.subject("ns", {"binary": "remote"}))
    return [
        d for d in found if str(d.get("apiVersion", "")).startswith(("external-secrets", "generators"))
    ] + EXTRA


BASES = _bases()


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(alphabet="abcxyz", min_size=1, max_size=4), st.integers(), max_size=3),
    st.sampled_from(["", "0", "-1s", "1h", "99999999999h", "(?=x)", "([", "Owner", "SecretStore", "{{ .x "]),
)
_ops = st.sampled_from(["replace", "secret", "delete", "unknown", "empty", "double"])


@st.composite
def mangled(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    """A base manifest after 1 to 4 mutations, and the secrets placed in it."""
    obj = copy.deepcopy(draw(st.sampled_from(BASES)))
    placed: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(obj) if p and p not in (("apiVersion",), ("kind",))]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = obj
        for step in path[:-1]:
            parent = parent[step]
        last, op = path[-1], draw(_ops)
        if op == "secret":
            value = draw(secrets)
            placed.append(value)
            parent[last] = value
        elif op == "delete" and isinstance(parent, dict):
            del parent[last]
        elif op == "unknown" and isinstance(parent[last], dict):
            parent[last]["unknownField"] = draw(_junk)
        elif op == "empty" and isinstance(parent[last], list | dict):
            parent[last] = type(parent[last])()
        elif op == "double" and isinstance(parent[last], list):
            parent[last] = parent[last] * 2
        else:
            parent[last] = draw(_junk)
    return obj, placed


REGISTRY = builtin_registry({}, ("external-secrets", "external-secrets"))
WEBHOOK = AdmissionValidator(REGISTRY)


def _rules(model: Any) -> list[str]:
    if isinstance(model, ExternalSecret):
        result = validate_external_secret(model)
    elif isinstance(model, ClusterExternalSecret):
        result = validate_cluster_external_secret(model)
    elif isinstance(model, SecretStore | ClusterSecretStore):
        result = validate_secret_store(model, registered=list(REGISTRY))
    elif isinstance(model, PushSecret):
        result = validate_push_secret(model)
    else:
        return []
    return [*result.errors, *result.warnings]


# too_slow: drawing paths through the larger corpus manifests is the slow part, not the check.
@settings(BOUNDED, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=mangled())
def test_a_mangled_manifest_parses_or_is_refused_naming_a_field_not_a_value(
    drawn: tuple[dict[str, Any], list[str]],
) -> None:
    obj, placed = drawn
    started = time.monotonic()
    model, error = attempt(parse, obj, expected=SpecError)
    if error is not None:
        assert isinstance(error, SpecError)
        assert error.field, f"no field named: {error}"
        assert error.__cause__ is None
        assert not echoed(str(error), placed), f"parse echoes a value: {error}"
    else:
        messages = _rules(model)
        assert not echoed(" ".join(messages), placed), f"the admission rules echo a value: {messages}"
    request = AdmissionRequest(
        api_version="admission.k8s.io/v1",
        uid="u",
        operation="CREATE",
        kind=str(obj.get("kind", "")),
        name="n",
        namespace="ns",
        object=json.loads(json.dumps(obj)),
        old_object=None,
    )
    verdict = WEBHOOK.review(request)
    said = " ".join([verdict.message, *verdict.warnings])
    assert not echoed(said, placed), f"the webhook echoes a value: {said}"
    assert "internal error" not in said, f"a webhook check crashed on {obj}"
    assert time.monotonic() - started < WALL_CLOCK


@settings(BOUNDED, max_examples=150)
@given(
    obj=st.recursive(
        _junk, lambda inner: st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=10
    )
)
def test_anything_at_all_is_refused_typed(obj: Any) -> None:
    try:
        parse(obj)
    except SpecError:
        return
