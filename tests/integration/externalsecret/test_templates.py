"""Every template example of eso-api §3.4, in the cluster, byte for byte."""

from __future__ import annotations

from typing import Any

from tests.integration.builders import (
    external_secret,
    fake_store,
    secret,
    wait_es,
    wait_es_message,
    wait_store_ready,
)
from tests.support import Kubectl, OperatorRunner

ESO_MARKS = ("reconcile.external-secrets.io/",)


def _user_meta(obj: dict[str, Any], part: str) -> dict[str, str]:
    return {k: v for k, v in (obj["metadata"].get(part) or {}).items() if not k.startswith(ESO_MARKS)}


def _store(kubectl: Kubectl, namespace: str, data: dict[str, str]) -> None:
    kubectl.apply(fake_store(namespace, data))
    wait_store_ready(kubectl, "secretstore", "fake", namespace)


def _spec(data: list[dict[str, Any]], template: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "refreshInterval": "1h",
        "secretStoreRef": {"name": "fake"},
        "target": {"template": template},
        "data": data,
        **extra,
    }


ONE_TWO = [
    {"secretKey": "one", "remoteRef": {"key": "one"}},
    {"secretKey": "two", "remoteRef": {"key": "two"}},
]


def test_json_data_with_template(operator: OperatorRunner, kubectl: Kubectl, namespace: str) -> None:
    _store(kubectl, namespace, {"one": "foo1-val", "two": "bar2-val"})
    template = {
        "metadata": {"labels": {"example": "label"}, "annotations": {"example": "annotation"}},
        "data": {"my-data": "executed: {{ .one }}|{{ .two }}"},
    }
    kubectl.apply(external_secret(namespace, "tpl", _spec(ONE_TWO, template)))
    wait_es(kubectl, "tpl", namespace)
    assert kubectl.secret_data("tpl", namespace) == {"my-data": b"executed: foo1-val|bar2-val"}
    obj = kubectl.get("secret", "tpl", namespace) or {}
    assert _user_meta(obj, "labels") == {"example": "label"}
    assert _user_meta(obj, "annotations") == {"example": "annotation"}


def test_template_v2_with_extract_and_sprig(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _store(
        kubectl,
        namespace,
        {
            "foo": "bar",
            "baz": "bang",
            "map": '{"foo": "barmap", "bar": "bangmap"}',
            "json": '{"foo":{"bar":"baz"}}',
        },
    )
    data = [
        {"secretKey": "singlefoo", "remoteRef": {"key": "foo"}},
        {"secretKey": "singlebaz", "remoteRef": {"key": "baz"}},
        {"secretKey": "singlejson", "remoteRef": {"key": "json"}},
    ]
    template = {
        "data": {
            "tplv2": "executed: {{ .singlefoo }}|{{ .singlebaz }}",
            "other": "{{ .foo }}|{{ .bar }}",
            "sprig-str": "{{ .foo | upper }}",
            "json-ex": "{{ $var := .singlejson | fromJson }}{{ $var.foo | toJson }}",
        }
    }
    kubectl.apply(
        external_secret(namespace, "v2", _spec(data, template, dataFrom=[{"extract": {"key": "map"}}]))
    )
    wait_es(kubectl, "v2", namespace)
    assert kubectl.secret_data("v2", namespace) == {
        "tplv2": b"executed: bar|bang",
        "other": b"barmap|bangmap",
        "sprig-str": b"BARMAP",
        "json-ex": b'{"bar":"baz"}',
    }
    assert (kubectl.get("secret", "v2", namespace) or {})["type"] == "Opaque"


def test_template_precedence(operator: OperatorRunner, kubectl: Kubectl, namespace: str) -> None:
    _store(
        kubectl,
        namespace,
        {"target": "someValue", "map": '{"targetProperty": "map-foo-value", "bar": "map-bar-value"}'},
    )
    kubectl.apply(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "tpl", "namespace": namespace},
            "data": {
                "tpl-from-key": "tpl-from-value: {{ .targetProperty | toString }} // {{ .bar | toString }}"
            },
        }
    )
    kubectl.apply(secret(namespace, "tpl-sec", {"tpl-from-sec-key": "sec: {{ .bar | toString }}"}))
    template = {
        "templateFrom": [
            {"configMap": {"name": "tpl", "items": [{"key": "tpl-from-key"}]}},
            {"secret": {"name": "tpl-sec", "items": [{"key": "tpl-from-sec-key"}]}},
        ],
        "data": {"bar": "value from map: {{ .bar | toString }}", "tplstatickey": "tplstaticvalue"},
    }
    data = [{"secretKey": "targetProperty", "remoteRef": {"key": "target"}}]
    kubectl.apply(
        external_secret(namespace, "prec", _spec(data, template, dataFrom=[{"extract": {"key": "map"}}]))
    )
    wait_es(kubectl, "prec", namespace)
    assert kubectl.secret_data("prec", namespace) == {
        "tpl-from-key": b"tpl-from-value: someValue // map-bar-value",
        "tpl-from-sec-key": b"sec: map-bar-value",
        "bar": b"value from map: map-bar-value",
        "tplstatickey": b"tplstaticvalue",
    }


def test_template_from_config_map_values_and_keys_and_values(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _store(kubectl, namespace, {"one": "foo1-val", "two": "bar2-val"})
    kubectl.apply(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "test", "namespace": namespace},
            "data": {
                "config.json": "executed-{{ .one}}-{{ .two}}",
                "templated": "executed-{{ .one}}: {{ .two}}",
            },
        }
    )
    template = {
        "templateFrom": [
            {
                "configMap": {
                    "name": "test",
                    "items": [{"key": "config.json"}, {"key": "templated", "templateAs": "KeysAndValues"}],
                }
            }
        ]
    }
    kubectl.apply(external_secret(namespace, "cm", _spec(ONE_TWO, template)))
    wait_es(kubectl, "cm", namespace)
    assert kubectl.secret_data("cm", namespace) == {
        "config.json": b"executed-foo1-val-bar2-val",
        "executed-foo1-val": b"bar2-val",
    }


def test_template_from_literal(operator: OperatorRunner, kubectl: Kubectl, namespace: str) -> None:
    _store(kubectl, namespace, {"one": "foo1-val", "two": "bar2-val"})
    template = {"templateFrom": [{"literal": "executed-{{ .one }}: {{ .two }}", "target": "Data"}]}
    kubectl.apply(external_secret(namespace, "lit", _spec(ONE_TWO, template)))
    wait_es(kubectl, "lit", namespace)
    assert kubectl.secret_data("lit", namespace) == {"executed-foo1-val": b"bar2-val"}


def test_a_broken_template_names_the_key_and_keeps_the_secret(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _store(kubectl, namespace, {"one": "do-not-leak-4f9c2e", "two": "bar2-val"})
    kubectl.apply(external_secret(namespace, "bad", _spec(ONE_TWO, {"data": {"good": "{{ .one }}"}})))
    wait_es(kubectl, "bad", namespace)
    kubectl.apply(external_secret(namespace, "bad", _spec(ONE_TWO, {"data": {"broken": "{{ .missing }}"}})))
    cond = wait_es_message(kubectl, "bad", namespace, "broken")
    assert cond["status"] == "False"
    assert "do-not-leak-4f9c2e" not in cond["message"]
    assert kubectl.secret_data("bad", namespace) == {"good": b"do-not-leak-4f9c2e"}
