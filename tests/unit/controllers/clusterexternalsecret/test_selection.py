"""Namespace selection: the union of names, the deprecated selector and the selectors, deduplicated."""

from __future__ import annotations

from typing import Any

import pytest

from eso.api.clusterexternalsecret import ClusterExternalSecretSpec
from eso.controllers.clusterexternalsecret.selection import namespace_selectors, select_namespaces
from eso.errors import SpecError


def ns(name: str, terminating: bool = False, **labels: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {"kubernetes.io/metadata.name": name, **labels}}
    obj: dict[str, Any] = {"metadata": meta}
    if terminating:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
        obj["status"] = {"phase": "Terminating"}
    return obj


CLUSTER = [
    ns("zeta", team="a"),
    ns("alpha", team="a", env="prod"),
    ns("beta", team="b"),
    ns("gamma"),
    ns("going", terminating=True, team="a"),
]


def spec(**fields: Any) -> ClusterExternalSecretSpec:
    return ClusterExternalSecretSpec.model_validate({"externalSecretSpec": {}, **fields})


def test_union_of_names_deprecated_selector_and_selectors_is_sorted_and_deduplicated() -> None:
    selection = select_namespaces(
        spec(
            namespaces=["gamma", "alpha", "missing"],
            namespaceSelector={"matchLabels": {"team": "b"}},
            namespaceSelectors=[{"matchLabels": {"team": "a"}}, {"matchLabels": {"env": "prod"}}],
        ),
        CLUSTER,
    )
    assert selection.active == ["alpha", "beta", "gamma", "zeta"]
    assert selection.terminating == ["going"]


def test_selectors_are_ored_and_expressions_work() -> None:
    selection = select_namespaces(
        spec(
            namespaceSelectors=[{"matchExpressions": [{"key": "team", "operator": "NotIn", "values": ["a"]}]}]
        ),
        CLUSTER,
    )
    assert selection.active == ["beta", "gamma"]


def test_nothing_set_selects_nothing_and_an_empty_selector_selects_everything() -> None:
    assert select_namespaces(spec(), CLUSTER).active == []
    assert select_namespaces(spec(namespaceSelectors=[{}]), CLUSTER).active == [
        "alpha",
        "beta",
        "gamma",
        "zeta",
    ]


def test_a_name_matches_even_if_the_metadata_name_label_is_missing() -> None:
    assert select_namespaces(spec(namespaces=["bare"]), [{"metadata": {"name": "bare"}}]).active == ["bare"]


def test_selectors_are_listed_with_their_fields() -> None:
    fields = [
        f
        for f, _ in namespace_selectors(
            spec(namespaces=["a"], namespaceSelector={}, namespaceSelectors=[{}, {}])
        )
    ]
    assert fields == [
        "spec.namespaces[0]",
        "spec.namespaceSelector",
        "spec.namespaceSelectors[0]",
        "spec.namespaceSelectors[1]",
    ]


def test_a_bad_operator_names_the_selector() -> None:
    bad = spec(
        namespaceSelectors=[
            {"matchLabels": {"team": "b"}},
            {"matchExpressions": [{"key": "k", "operator": "Near"}]},
        ]
    )
    with pytest.raises(SpecError) as err:
        select_namespaces(bad, [ns("x")])
    assert err.value.field == "spec.namespaceSelectors[1]"
    assert "Near" in err.value.message
