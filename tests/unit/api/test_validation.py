"""ESO's admission rules (and eso's additions): each error names its field and index."""

from __future__ import annotations

from typing import Any

import pytest

from eso.api import parse
from eso.api.clusterexternalsecret import ClusterExternalSecret
from eso.api.externalsecret import ExternalSecret
from eso.api.pushsecret import PushSecret
from eso.api.secretstore import ClusterSecretStore, SecretStore
from eso.api.validation import (
    ValidationResult,
    validate_cluster_external_secret,
    validate_external_secret,
    validate_push_secret,
    validate_secret_store,
)
from eso.errors import SpecError

DATA = [{"secretKey": "k", "remoteRef": {"key": "r"}}]


def _es(spec: dict[str, Any]) -> ExternalSecret:
    es = parse(
        {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ExternalSecret",
            "metadata": {"name": "e"},
            "spec": spec,
        }
    )
    assert isinstance(es, ExternalSecret)
    return es


def _errors(spec: dict[str, Any]) -> list[str]:
    return validate_external_secret(_es(spec)).errors


def test_a_plain_external_secret_is_valid() -> None:
    result = validate_external_secret(_es({"secretStoreRef": {"name": "s"}, "data": DATA}))
    assert result.ok
    assert result.warnings == []


@pytest.mark.parametrize("creation", ["Merge", "None", "CreateOrMerge"])
def test_delete_policy_needs_an_owned_secret(creation: str) -> None:
    errors = _errors({"data": DATA, "target": {"creationPolicy": creation, "deletionPolicy": "Delete"}})
    assert errors == [
        "spec.target.deletionPolicy: deletionPolicy=Delete must not be used when the controller doesn't own "
        "the secret. Please set creationPolicy=Owner"
    ]


def test_merge_deletion_policy_needs_a_secret() -> None:
    errors = _errors({"data": DATA, "target": {"creationPolicy": "None", "deletionPolicy": "Merge"}})
    assert len(errors) == 1
    assert errors[0].startswith("spec.target.deletionPolicy: deletionPolicy=Merge must not be used")


def test_data_or_data_from_is_required() -> None:
    assert _errors({"secretStoreRef": {"name": "s"}}) == ["spec: either data or dataFrom should be specified"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"extract": {"key": "a"}, "find": {"path": "/"}},
            "spec.dataFrom[1]: extract, find, or generatorRef cannot",
        ),
        (
            {"extract": {"key": "a"}, "sourceRef": {"generatorRef": {"kind": "UUID", "name": "u"}}},
            "spec.dataFrom[1]: extract, find, or generatorRef cannot be set at the same time",
        ),
        ({"rewrite": []}, "spec.dataFrom[1]: either extract, find, or sourceRef must be set to dataFrom"),
        (
            {"extract": {"key": "a"}, "sourceRef": {}},
            "spec.dataFrom[1].sourceRef: generatorRef or storeRef must be set",
        ),
        (
            {"find": {"name": {"regexp": "(?=x)"}}},
            "spec.dataFrom[1].find.name.regexp: look-around assertions",
        ),
        (
            {"extract": {"key": "a"}, "rewrite": [{"regexp": {"source": "(a)\\1", "target": "b"}}]},
            "spec.dataFrom[1].rewrite[0].regexp.source: back-references are not supported",
        ),
        ({"extract": {"key": "a"}, "rewrite": [{}]}, "spec.dataFrom[1].rewrite[0]: set exactly one of merge"),
        (
            {"sourceRef": {"generatorRef": {"apiVersion": "other.io/v1", "kind": "UUID", "name": "u"}}},
            "spec.dataFrom[1].sourceRef.generatorRef.apiVersion: must be in group generators.",
        ),
        (
            {"extract": {"key": "a"}, "rewrite": [{"merge": {"strategy": "JSON"}}]},
            "spec.dataFrom[1].rewrite[0].merge.into: is required when strategy is JSON",
        ),
    ],
)
def test_data_from_entry_rules_name_the_index(entry: dict[str, Any], message: str) -> None:
    errors = _errors({"dataFrom": [{"extract": {"key": "ok"}}, entry]})
    assert any(e.startswith(message) for e in errors), errors


def test_duplicate_secret_keys_are_refused_with_retain() -> None:
    data = [
        *DATA,
        {"secretKey": "other", "remoteRef": {"key": "r"}},
        {"secretKey": "k", "remoteRef": {"key": "x"}},
    ]
    assert _errors({"data": data}) == [
        "spec.data[2].secretKey: duplicate secretKey (already used by spec.data[0])"
    ]
    assert _errors({"data": data, "target": {"deletionPolicy": "Delete"}}) == []


@pytest.mark.parametrize(
    ("template", "field"),
    [
        ({"type": "bootstrap.kubernetes.io/token"}, "spec.target.template.type"),
        (
            {
                "type": "kubernetes.io/service-account-token",
                "metadata": {"annotations": {"kubernetes.io/service-account.name": "admin"}},
            },
            "spec.target.template.metadata.annotations",
        ),
        (
            {
                "type": "kubernetes.io/service-account-token",
                "templateFrom": [{"literal": "x", "target": "annotations"}],
            },
            "spec.target.template.templateFrom[0].target",
        ),
        (
            {"templateFrom": [{"literal": "x"}, {"literal": "y", "target": "spec.x"}]},
            "spec.target.template.templateFrom[1].target",
        ),
    ],
)
def test_privileged_and_bad_templates_are_refused(template: dict[str, Any], field: str) -> None:
    errors = _errors({"data": DATA, "target": {"template": template}})
    assert [e.split(": ", 1)[0] for e in errors] == [field]


def test_template_from_targets_are_case_insensitive_and_free_for_generic_targets() -> None:
    ok = {"templateFrom": [{"literal": "x", "target": "labels"}, {"literal": "y", "target": "DATA"}]}
    assert _errors({"data": DATA, "target": {"template": ok}}) == []
    generic = {
        "manifest": {"apiVersion": "v1", "kind": "ConfigMap"},
        "template": {"templateFrom": [{"literal": "x", "target": "spec.data"}]},
    }
    assert _errors({"data": DATA, "target": generic}) == []


def test_cluster_external_secret_checks_the_child_spec_under_its_own_path() -> None:
    ces = parse(
        {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ClusterExternalSecret",
            "metadata": {"name": "c"},
            "spec": {"externalSecretSpec": {}, "namespaces": ["a"]},
        }
    )
    assert isinstance(ces, ClusterExternalSecret)
    result = validate_cluster_external_secret(ces)
    assert result.errors == ["spec.externalSecretSpec: either data or dataFrom should be specified"]
    assert result.warnings == ["spec.namespaces: is deprecated; use spec.namespaceSelectors"]


def test_cluster_external_secret_without_namespaces_warns() -> None:
    ces = parse(
        {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ClusterExternalSecret",
            "metadata": {"name": "c"},
            "spec": {"externalSecretSpec": {"data": DATA}},
        }
    )
    assert isinstance(ces, ClusterExternalSecret)
    assert validate_cluster_external_secret(ces).warnings[0].startswith("spec.namespaceSelectors: selects no")


def _store(spec: dict[str, Any], kind: str = "ClusterSecretStore") -> SecretStore | ClusterSecretStore:
    obj = parse(
        {
            "apiVersion": "external-secrets.io/v1",
            "kind": kind,
            "metadata": {"name": "s", "namespace": "n"},
            "spec": spec,
        }
    )
    assert isinstance(obj, (SecretStore, ClusterSecretStore))
    return obj


FAKE: dict[str, Any] = {"fake": {"data": []}}


def test_a_plain_store_is_valid() -> None:
    assert validate_secret_store(_store({"provider": FAKE, "refreshInterval": "5m"})).ok


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"provider": {}}, "spec.provider: exactly one provider must be set"),
        (
            {"provider": {**FAKE, "vault": {}}},
            "spec.provider: exactly one provider must be set (found 2: fake, vault)",
        ),
        ({"provider": FAKE, "refreshInterval": -1}, "spec.refreshInterval: must not be negative"),
        ({"provider": FAKE, "refreshInterval": "often"}, "spec.refreshInterval: invalid duration"),
        (
            {"provider": FAKE, "conditions": [{}, {"namespaceRegexes": ["ok", "(?<=a)b"]}]},
            "spec.conditions[1].namespaceRegexes[1]: look-around assertions are not supported by Go RE2",
        ),
        (
            {"provider": FAKE, "conditions": [{"namespaceRegexes": ["("]}]},
            "spec.conditions[0].namespaceRegexes[0]: invalid",
        ),
        (
            {"provider": FAKE, "retrySettings": {"maxRetries": -2}},
            "spec.retrySettings.maxRetries: must not be negative",
        ),
    ],
)
def test_store_rules(spec: dict[str, Any], expected: str) -> None:
    errors = validate_secret_store(_store(spec)).errors
    assert any(e.startswith(expected) for e in errors), errors


def test_store_provider_must_be_registered_when_a_registry_is_given() -> None:
    store = _store({"provider": {"vault": {}}})
    assert validate_secret_store(store).ok
    errors = validate_secret_store(store, registered={"aws", "fake"}).errors
    assert errors == [
        "spec.provider.vault: provider is known to ESO but not available in eso; available: aws, fake"
    ]


def test_conditions_on_a_namespaced_store_are_a_warning() -> None:
    result = validate_secret_store(
        _store({"provider": FAKE, "conditions": [{"namespaces": ["a"]}]}, "SecretStore")
    )
    assert result.ok
    assert result.warnings == [
        "spec.conditions: only a ClusterSecretStore uses conditions; they are ignored here"
    ]


def _ps(spec: dict[str, Any]) -> PushSecret:
    ps = parse(
        {
            "apiVersion": "external-secrets.io/v1alpha1",
            "kind": "PushSecret",
            "metadata": {"name": "p"},
            "spec": spec,
        }
    )
    assert isinstance(ps, PushSecret)
    return ps


PS_OK: dict[str, Any] = {
    "secretStoreRefs": [{"name": "s"}],
    "selector": {"secret": {"name": "src"}},
    "data": [{"match": {"secretKey": "k", "remoteRef": {"remoteKey": "r"}}}],
}


def test_a_plain_push_secret_is_valid() -> None:
    result = validate_push_secret(_ps(PS_OK))
    assert result.ok
    assert result.warnings == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"selector": None}, "spec.selector: is missing"),
        ({"selector": {"secret": {}}}, "spec.selector.secret: set name or selector"),
        (
            {"selector": {"secret": {"name": "a"}, "generatorRef": {"kind": "UUID", "name": "u"}}},
            "spec.selector: set exactly one of secret or generatorRef",
        ),
        ({"secretStoreRefs": []}, "spec.secretStoreRefs: at least one store is required"),
        (
            {"secretStoreRefs": [{"name": "s"}, {"kind": "ClusterSecretStore"}]},
            "spec.secretStoreRefs[1]: set name or",
        ),
        ({"data": [{"match": {"secretKey": "k"}}]}, "spec.data[0].match.remoteRef: is required"),
        (
            {
                "data": [
                    {
                        "match": {"secretKey": "k", "remoteRef": {"remoteKey": "r"}},
                        "remoteRef": {"remoteKey": "r"},
                    }
                ]
            },
            "spec.data[0].remoteRef: set either spec.data[0].match.remoteRef or",
        ),
        (
            {
                "data": [
                    {"match": {"secretKey": "k"}, "remoteRef": {"remoteKey": "r"}},
                    {"match": {"secretKey": "x", "remoteRef": {"remoteKey": "r"}}},
                ]
            },
            "spec.data[1].match.remoteRef: same destination as spec.data[0]",
        ),
        (
            {"data": [*PS_OK["data"], {"match": {"secretKey": "x", "remoteRef": {"remoteKey": "r"}}}]},
            "spec.data[1].match.remoteRef: same destination as spec.data[0]",
        ),
        (
            {"dataTo": [{"storeRef": {"kind": "SecretStore"}}]},
            "spec.dataTo[0].storeRef: storeRef must specify",
        ),
        (
            {"dataTo": [{"storeRef": {"name": "unlisted"}}]},
            "spec.dataTo[0].storeRef: names a store that is not listed",
        ),
        (
            {"dataTo": [{"storeRef": {"name": "s"}, "match": {"regexp": "a++"}}]},
            "spec.dataTo[0].match.regexp: possessive",
        ),
        (
            {
                "dataTo": [
                    {
                        "storeRef": {"name": "s"},
                        "remoteKey": "b",
                        "rewrite": [{"transform": {"template": "x"}}],
                    }
                ]
            },
            "spec.dataTo[0]: remoteKey and rewrite are mutually exclusive",
        ),
        (
            {"dataTo": [{"storeRef": {"name": "s"}, "rewrite": [{}]}]},
            "spec.dataTo[0].rewrite[0]: exactly one of",
        ),
    ],
)
def test_push_secret_rules(change: dict[str, Any], expected: str) -> None:
    spec = {**PS_OK, **change}
    if change.get("selector", "") is None:
        del spec["selector"]
    errors = validate_push_secret(_ps(spec)).errors
    assert any(e.startswith(expected) for e in errors), errors


def test_misplaced_data_remote_ref_is_a_lenient_alias_with_a_warning() -> None:
    spec = {**PS_OK, "data": [{"match": {"secretKey": "k"}, "remoteRef": {"remoteKey": "r"}}]}
    result = validate_push_secret(_ps(spec))
    assert result.ok, result.errors
    (warning,) = result.warnings
    assert warning.startswith(
        "spec.data[0].remoteRef: belongs under match: move it to spec.data[0].match.remoteRef"
    )


def test_missing_selector_message_shows_how_to_name_the_source_secret() -> None:
    spec = {k: v for k, v in PS_OK.items() if k != "selector"}
    (error,) = validate_push_secret(_ps(spec)).errors
    assert "spec.selector.secret.name: <name of the Secret holding the key>" in error


def test_raise_for_errors_joins_every_error_and_names_the_first_field() -> None:
    result = ValidationResult(errors=["spec.a: x", "spec.b: y"])
    with pytest.raises(SpecError) as info:
        result.raise_for_errors()
    assert str(info.value) == "spec.a: x; spec.b: y"
    assert info.value.field == "spec.a"
    ValidationResult(warnings=["w"]).raise_for_errors()


def test_validation_messages_never_quote_values() -> None:
    es = _es(
        {
            "data": [{"secretKey": "k", "remoteRef": {"key": "hunter2-secret"}}] * 2,
            "dataFrom": [{"find": {"name": {"regexp": "(?=hunter2)"}}}],
        }
    )
    text = " ".join(validate_external_secret(es).errors)
    assert "hunter2" not in text


def test_generator_ref_in_data_is_deprecated() -> None:
    data = [
        {
            "secretKey": "k",
            "remoteRef": {"key": "r"},
            "sourceRef": {"generatorRef": {"kind": "UUID", "name": "u"}},
        }
    ]
    result = validate_external_secret(_es({"data": data}))
    assert result.ok
    assert result.warnings == ["spec.data[0].sourceRef.generatorRef: is deprecated and ignored in data[]"]
