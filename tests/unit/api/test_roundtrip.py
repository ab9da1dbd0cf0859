"""Parsing then dumping gives back exactly what was written: no defaulted field appears."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from eso.api import parse
from eso.api.externalsecret import ExternalSecret, ExternalSecretSpec, SecretStoreRef
from eso.api.generators import ClusterGenerator
from eso.api.meta import ObjectMeta
from eso.api.secretstore import PROVIDER_KEYS, ClusterSecretStore, SecretStoreProvider
from eso.errors import SpecError

FULL_ES: dict[str, Any] = {
    "apiVersion": "external-secrets.io/v1",
    "kind": "ExternalSecret",
    "metadata": {"name": "full", "namespace": "ns", "labels": {"a": "b"}, "annotations": {"force-sync": "1"}},
    "spec": {
        "refreshInterval": "15m",
        "refreshPolicy": "Periodic",
        "secretStoreRef": {"name": "store", "kind": "ClusterSecretStore"},
        "syncWindows": {"kind": "deny", "windows": [{"schedule": "0 22 * * 1-5", "duration": "8h"}]},
        "target": {
            "name": "out",
            "creationPolicy": "CreateOrMerge",
            "deletionPolicy": "Merge",
            "immutable": False,
            "template": {
                "type": "kubernetes.io/tls",
                "engineVersion": "v2",
                "mergePolicy": "Merge",
                "metadata": {"labels": {"x": "{{ .a }}"}, "annotations": {}, "finalizers": ["f"]},
                "data": {"tls.crt": "{{ .cert }}"},
                "templateFrom": [
                    {"configMap": {"name": "cm", "items": [{"key": "k", "templateAs": "KeysAndValues"}]}},
                    {"secret": {"name": "s", "items": [{"key": "k"}]}, "target": "Annotations"},
                    {"literal": "{{ .x }}", "valuesDecodingStrategy": "Base64"},
                ],
            },
        },
        "data": [
            {
                "secretKey": "k1",
                "remoteRef": {
                    "key": "a",
                    "property": "p",
                    "version": "v",
                    "metadataPolicy": "Fetch",
                    "conversionStrategy": "Default",
                    "decodingStrategy": "Auto",
                    "nullBytePolicy": "Fail",
                },
                "sourceRef": {"storeRef": {"name": "other"}},
            }
        ],
        "dataFrom": [
            {"extract": {"key": "all"}, "rewrite": [{"regexp": {"source": "^(.*)$", "target": "x_$1"}}]},
            {
                "find": {"path": "/p", "name": {"regexp": "^db-"}, "tags": {"env": "prod"}},
                "rewrite": [{"transform": {"template": "{{ .value | upper }}"}}, {"merge": {"into": "j"}}],
            },
            {"sourceRef": {"generatorRef": {"kind": "Password", "name": "pw"}}},
        ],
    },
    "status": {
        "refreshTime": "2024-01-01T00:00:00Z",
        "syncedResourceVersion": "1-abc",
        "conditions": [
            {"type": "Ready", "status": "True", "reason": "SecretSynced", "message": "secret synced"}
        ],
        "binding": {"name": "out"},
    },
}

OTHERS: list[dict[str, Any]] = [
    {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": "vault"},
        "spec": {
            "controller": "dev",
            "refreshInterval": 300,
            "retrySettings": {"maxRetries": 3, "retryInterval": "10s"},
            "conditions": [{"namespaces": ["a"], "namespaceRegexes": ["^team-"], "namespaceSelector": {}}],
            "provider": {
                "vault": {"server": "https://v", "auth": {"tokenSecretRef": {"name": "t", "key": "k"}}}
            },
        },
        "status": {"capabilities": "ReadWrite", "conditions": [{"type": "Ready", "status": "True"}]},
    },
    {
        "apiVersion": "external-secrets.io/v1beta1",
        "kind": "SecretStore",
        "metadata": {"name": "fake", "namespace": "ns"},
        "spec": {"refreshInterval": "1m", "provider": {"fake": {"data": [{"key": "k", "value": "v"}]}}},
    },
    {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterExternalSecret",
        "metadata": {"name": "ces"},
        "spec": {
            "externalSecretName": "child",
            "externalSecretMetadata": {"labels": {"l": "v"}},
            "namespaceSelectors": [{"matchLabels": {"team": "a"}}],
            "refreshTime": "1m",
            "externalSecretSpec": {
                "secretStoreRef": {"name": "s"},
                "data": [{"secretKey": "k", "remoteRef": {"key": "r"}}],
            },
        },
    },
    {
        "apiVersion": "external-secrets.io/v1alpha1",
        "kind": "PushSecret",
        "metadata": {"name": "ps", "namespace": "ns"},
        "spec": {
            "secretStoreRefs": [
                {"labelSelector": {"matchLabels": {"push": "yes"}}, "kind": "ClusterSecretStore"}
            ],
            "selector": {"secret": {"name": "src"}},
            "updatePolicy": "IfNotExists",
            "deletionPolicy": "Delete",
            "data": [
                {
                    "match": {"secretKey": "k", "remoteRef": {"remoteKey": "r", "property": "p"}},
                    "metadata": {
                        "apiVersion": "kubernetes.external-secrets.io/v1alpha1",
                        "kind": "PushSecretMetadata",
                        "spec": {"kmsKeyID": "alias/x", "tags": {"a": "b"}},
                    },
                }
            ],
            "dataTo": [
                {
                    "storeRef": {"name": "s"},
                    "match": {"regexp": "^db"},
                    "rewrite": [{"regexp": {"source": "a", "target": "b"}}],
                }
            ],
        },
        "status": {
            "syncedPushSecrets": {
                "SecretStore/s": {"r": {"match": {"secretKey": "k", "remoteRef": {"remoteKey": "r"}}}}
            }
        },
    },
    {
        "apiVersion": "external-secrets.io/v1alpha1",
        "kind": "ClusterPushSecret",
        "metadata": {"name": "cps"},
        "spec": {
            "pushSecretSpec": {"secretStoreRefs": [{"name": "s"}], "selector": {"secret": {"name": "x"}}},
            "namespaceSelectors": [{"matchExpressions": [{"key": "k", "operator": "Exists"}]}],
        },
    },
    {
        "apiVersion": "generators.external-secrets.io/v1alpha1",
        "kind": "Password",
        "metadata": {"name": "pw", "namespace": "ns"},
        "spec": {"length": 32, "symbols": 0, "noUpper": True, "secretKeys": ["a", "b"], "encoding": "hex"},
    },
    {
        "apiVersion": "generators.external-secrets.io/v1alpha1",
        "kind": "UUID",
        "metadata": {"name": "u"},
        "spec": {},
    },
    {
        "apiVersion": "generators.external-secrets.io/v1alpha1",
        "kind": "Fake",
        "metadata": {"name": "f", "namespace": "ns"},
        "spec": {"data": {"k": "v"}},
    },
    {
        "apiVersion": "generators.external-secrets.io/v1alpha1",
        "kind": "ClusterGenerator",
        "metadata": {"name": "cg"},
        "spec": {"kind": "SSHKey", "generator": {"sshKeySpec": {"keyType": "ed25519"}}},
    },
    {
        "apiVersion": "generators.external-secrets.io/v1alpha1",
        "kind": "GeneratorState",
        "metadata": {"generateName": "gen-es-x-", "namespace": "ns"},
        "spec": {
            "garbageCollectionDeadline": "2024-01-01T00:00:00Z",
            "resource": {"kind": "Password"},
            "state": {"a": [1, 2]},
        },
    },
]


@pytest.mark.parametrize("manifest", [FULL_ES, *OTHERS], ids=lambda m: f"{m['kind']}")
def test_dump_gives_back_exactly_the_manifest(manifest: dict[str, Any]) -> None:
    original = copy.deepcopy(manifest)
    assert parse(manifest).dump() == original
    assert manifest == original


def test_python_defaults_are_available_but_never_dumped() -> None:
    es = parse(
        {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ExternalSecret",
            "metadata": {"name": "e"},
            "spec": {"data": [{"secretKey": "k", "remoteRef": {"key": "r"}}]},
        }
    )
    assert isinstance(es, ExternalSecret)
    assert es.spec.target.creation_policy.value == "Owner"
    assert es.spec.data[0].remote_ref.decoding_strategy.value == "None"
    assert es.refresh_seconds() == 3600.0
    assert es.target_name() == "e"
    assert es.dump()["spec"] == {"data": [{"secretKey": "k", "remoteRef": {"key": "r"}}]}


def test_an_object_built_in_code_dumps_with_api_version_and_kind() -> None:
    es = ExternalSecret(
        metadata=ObjectMeta(name="x", namespace="ns"),
        spec=ExternalSecretSpec(secret_store_ref=SecretStoreRef(name="s")),
    )
    assert es.dump() == {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "x", "namespace": "ns"},
        "spec": {"secretStoreRef": {"name": "s"}},
    }


def test_model_copy_keeps_the_set_fields() -> None:
    es = parse(FULL_ES)
    changed = es.model_copy(update={"status": None})
    dumped = changed.dump()
    assert dumped["apiVersion"] == "external-secrets.io/v1"
    assert dumped["status"] is None


@pytest.mark.parametrize("key", [k for k in PROVIDER_KEYS if k not in ("aws", "fake")])
def test_every_unmodelled_provider_survives_a_round_trip(key: str) -> None:
    manifest = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": "s"},
        "spec": {"provider": {key: {"some": {"nested": ["config", 1, True]}}}},
    }
    store = parse(manifest)
    assert isinstance(store, ClusterSecretStore)
    assert store.dump() == manifest
    assert store.spec.provider.provider_name() == key
    assert store.spec.provider.provider_raw() == {"some": {"nested": ["config", 1, True]}}


def test_provider_raw_of_a_modelled_provider_is_its_wire_form() -> None:
    provider = SecretStoreProvider.model_validate(
        {"aws": {"service": "ParameterStore", "region": "eu-west-1"}}
    )
    assert provider.provider_name() == "aws"
    assert provider.provider_raw() == {"service": "ParameterStore", "region": "eu-west-1"}


@pytest.mark.parametrize("provider", [{}, {"aws": {"service": "SecretsManager", "region": "r"}, "vault": {}}])
def test_provider_name_needs_exactly_one_key(provider: dict[str, Any]) -> None:
    with pytest.raises(SpecError, match=r"^spec\.provider: exactly one provider must be set"):
        SecretStoreProvider.model_validate(provider).provider_name()


def test_cluster_generator_keeps_unmodelled_generator_specs_raw() -> None:
    cg = parse(OTHERS[8])
    assert isinstance(cg, ClusterGenerator)
    assert cg.spec.generator.only_key(field="spec.generator") == "sshKeySpec"
    assert cg.spec.generator.raw("sshKeySpec") == {"keyType": "ed25519"}
