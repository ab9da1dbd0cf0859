"""ApplyTemplate: every asserted example of eso-api §3.4, plus ESO's order, scopes and targets."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

import pytest

from eso.api.secrettemplate import ExternalSecretTemplate
from eso.errors import SpecError, TemplateError
from eso.template import TemplateEngine
from eso.template.apply import RenderedSecret, apply_push_template, apply_template, render_key_transform


class FakeSources:
    """templateFrom sources held in memory; records what was asked for."""

    def __init__(
        self,
        config_maps: Mapping[str, Mapping[str, str]] | None = None,
        secrets: Mapping[str, Mapping[str, bytes]] | None = None,
    ) -> None:
        self.config_maps = dict(config_maps or {})
        self.secrets = dict(secrets or {})
        self.asked: list[str] = []

    async def get_config_map(self, name: str) -> Mapping[str, str]:
        self.asked.append(f"configmap/{name}")
        if name not in self.config_maps:
            raise SpecError(f'ConfigMap "{name}" not found')
        return self.config_maps[name]

    async def get_secret(self, name: str) -> Mapping[str, bytes]:
        self.asked.append(f"secret/{name}")
        if name not in self.secrets:
            raise SpecError(f'Secret "{name}" not found')
        return self.secrets[name]


def tpl(spec: dict[str, Any]) -> ExternalSecretTemplate:
    """A template model from its manifest form (camelCase)."""
    return ExternalSecretTemplate.model_validate(spec)


def b(data: Mapping[str, str]) -> dict[str, bytes]:
    return {k: v.encode() for k, v in data.items()}


def text(secret: RenderedSecret) -> dict[str, str]:
    return {k: v.decode() for k, v in secret.data.items()}


ONE_TWO = b({"one": "foo1-val", "two": "bar2-val"})


async def render(
    engine: TemplateEngine,
    template: ExternalSecretTemplate | None,
    data: Mapping[str, bytes],
    sources: FakeSources | None = None,
    base: RenderedSecret | None = None,
    **kwargs: Any,
) -> RenderedSecret:
    return await apply_template(
        template, data, base or RenderedSecret(), sources=sources or FakeSources(), engine=engine, **kwargs
    )


# --- eso-api §3.4, one test per asserted example


async def test_json_data_with_template(engine: TemplateEngine) -> None:
    template = tpl(
        {
            "data": {"my-data": "executed: {{ .one }}|{{ .two }}"},
            "metadata": {"labels": {"example": "label"}, "annotations": {"example": "annotation"}},
        }
    )
    secret = await render(engine, template, ONE_TWO)
    assert text(secret) == {"my-data": "executed: foo1-val|bar2-val"}
    assert secret.labels == {"example": "label"}
    assert secret.annotations == {"example": "annotation"}


async def test_template_v2_e2e(engine: TemplateEngine) -> None:
    # data: singlefoo<-foo, singlebaz<-baz, singlejson<-json; dataFrom: extract map
    provider = b(
        {
            "foo": "barmap",
            "bar": "bangmap",
            "singlefoo": "bar",
            "singlebaz": "bang",
            "singlejson": '{"foo":{"bar":"baz"}}',
        }
    )
    template = tpl(
        {
            "data": {
                "tplv2": "executed: {{ .singlefoo }}|{{ .singlebaz }}",
                "other": "{{ .foo }}|{{ .bar }}",
                "sprig-str": "{{ .foo | upper }}",
                "json-ex": "{{ $var := .singlejson | fromJson }}{{ $var.foo | toJson }}",
            }
        }
    )
    secret = await render(engine, template, provider)
    assert text(secret) == {
        "tplv2": "executed: bar|bang",
        "other": "barmap|bangmap",
        "sprig-str": "BARMAP",
        "json-ex": '{"bar":"baz"}',
    }
    assert secret.type is None  # no template.type: the Secret keeps Opaque


async def test_template_precedence(engine: TemplateEngine) -> None:
    # data[targetProperty]=someValue overrides the extract's targetProperty (done by the fetch step)
    provider = b({"targetProperty": "someValue", "bar": "map-bar-value"})
    sources = FakeSources(
        config_maps={
            "cm": {
                "tpl-from-key": "tpl-from-value: {{ .targetProperty | toString }} // {{ .bar | toString }}"
            }
        },
        secrets={
            "sec": {"tpl-from-sec-key": b"tpl-from-sec-value: {{ .targetProperty | toString }} // {{ .bar }}"}
        },
    )
    template = tpl(
        {
            "templateFrom": [
                {"configMap": {"name": "cm", "items": [{"key": "tpl-from-key"}]}},
                {"secret": {"name": "sec", "items": [{"key": "tpl-from-sec-key"}]}},
            ],
            "data": {"bar": "value from map: {{ .bar | toString }}", "tplstatickey": "tplstaticvalue"},
        }
    )
    secret = await render(engine, template, provider, sources)
    assert text(secret) == {
        "tpl-from-key": "tpl-from-value: someValue // map-bar-value",
        "tpl-from-sec-key": "tpl-from-sec-value: someValue // map-bar-value",
        "bar": "value from map: map-bar-value",
        "tplstatickey": "tplstaticvalue",
    }


async def test_keys_and_values(engine: TemplateEngine) -> None:
    sources = FakeSources(config_maps={"cm": {"tpl": "{{ .targetKey }}-cm: {{ .targetValue }}"}})
    template = tpl(
        {
            "templateFrom": [
                {"configMap": {"name": "cm", "items": [{"key": "tpl", "templateAs": "KeysAndValues"}]}}
            ]
        }
    )
    secret = await render(
        engine, template, b({"targetKey": "map-foo-value", "targetValue": "map-bar-value"}), sources
    )
    assert text(secret) == {"map-foo-value-cm": "map-bar-value"}


async def test_template_from_config_maps(engine: TemplateEngine) -> None:
    sources = FakeSources(
        config_maps={
            "test": {
                "config.json": "executed-{{ .one}}-{{ .two}}",
                "templated": "executed-{{ .one}}: {{ .two}}",
            }
        }
    )
    template = tpl(
        {
            "templateFrom": [
                {
                    "configMap": {
                        "name": "test",
                        "items": [
                            {"key": "config.json"},
                            {"key": "templated", "templateAs": "KeysAndValues"},
                        ],
                    }
                }
            ]
        }
    )
    secret = await render(engine, template, ONE_TWO, sources)
    assert text(secret) == {"config.json": "executed-foo1-val-bar2-val", "executed-foo1-val": "bar2-val"}
    assert sources.asked == ["configmap/test"]


async def test_literal(engine: TemplateEngine) -> None:
    template = tpl({"templateFrom": [{"literal": "executed-{{ .one }}: {{ .two }}", "target": "Data"}]})
    secret = await render(engine, template, ONE_TWO)
    assert text(secret) == {"executed-foo1-val": "bar2-val"}


# --- order, precedence and policies


async def test_data_overrides_template_from_and_entry_order(engine: TemplateEngine) -> None:
    sources = FakeSources(config_maps={"cm": {"k": "from-cm"}}, secrets={"s": {"k": b"from-secret"}})
    template = tpl(
        {
            "templateFrom": [
                {
                    "configMap": {"name": "cm", "items": [{"key": "k"}]},
                    "secret": {"name": "s", "items": [{"key": "k"}]},
                },
                {"literal": "lit: first"},
                {"literal": "lit: second"},
            ],
            "data": {"only": "data"},
        }
    )
    secret = await render(engine, template, {}, sources)
    assert text(secret) == {
        "k": "from-secret",
        "lit": "second",
        "only": "data",
    }  # secret items after configMap items
    template = tpl({"templateFrom": [{"literal": "k: from-literal"}], "data": {"k": "from-data"}})
    assert text(await render(engine, template, {})) == {"k": "from-data"}


async def test_merge_policy_keeps_provider_data(engine: TemplateEngine) -> None:
    template = tpl({"mergePolicy": "Merge", "data": {"one": "{{ .one | upper }}", "new": "x"}})
    secret = await render(engine, template, ONE_TWO)
    assert text(secret) == {"one": "FOO1-VAL", "two": "bar2-val", "new": "x"}
    replace = await render(engine, tpl({"data": {"new": "x"}}), ONE_TWO)
    assert text(replace) == {"new": "x"}


async def test_metadata_only_template_keeps_provider_data(engine: TemplateEngine) -> None:
    template = tpl(
        {"type": "kubernetes.io/tls", "metadata": {"labels": {"app": "{{ .one }}"}, "finalizers": ["x/y"]}}
    )
    secret = await render(engine, template, ONE_TWO)
    assert text(secret) == {"one": "foo1-val", "two": "bar2-val"}
    assert secret.labels == {"app": "foo1-val"}
    assert secret.type == "kubernetes.io/tls"
    assert secret.finalizers == ["x/y"]
    deleting = await render(engine, template, ONE_TWO, deleting=True)
    assert deleting.finalizers == []


async def test_no_template_copies_provider_data_over_base(engine: TemplateEngine) -> None:
    base = RenderedSecret(type="Opaque", data={"foreign": b"kept", "one": b"old"}, labels={"l": "v"})
    secret = await render(engine, None, ONE_TWO, base=base)
    assert text(secret) == {"foreign": "kept", "one": "foo1-val", "two": "bar2-val"}
    assert secret.labels == {"l": "v"}
    assert base.data == {"foreign": b"kept", "one": b"old"}  # the input is not modified


async def test_base_keys_survive_with_template(engine: TemplateEngine) -> None:
    base = RenderedSecret(data={"foreign": b"kept"}, annotations={"a": "1"}, finalizers=["x/y"])
    template = tpl(
        {"data": {"k": "v"}, "metadata": {"annotations": {"b": "{{ .one }}"}, "finalizers": ["x/y", "z/w"]}}
    )
    secret = await render(engine, template, ONE_TWO, base=base)
    assert text(secret) == {"foreign": "kept", "k": "v"}
    assert secret.annotations == {"a": "1", "b": "foo1-val"}
    assert secret.finalizers == ["x/y", "z/w"]


@pytest.mark.parametrize("target", ["Annotations", "annotations", "ANNOTATIONS"])
async def test_template_from_targets_are_case_insensitive(engine: TemplateEngine, target: str) -> None:
    template = tpl(
        {
            "templateFrom": [
                {"literal": "note: '{{ .one }}'", "target": target},
                {"literal": "tier: backend", "target": "lAbElS"},
            ],
            "data": {"k": "v"},
        }
    )
    secret = await render(engine, template, ONE_TWO)
    assert secret.annotations == {"note": "foo1-val"}
    assert secret.labels == {"tier": "backend"}
    assert text(secret) == {"k": "v"}


async def test_other_targets_are_refused_for_a_secret(engine: TemplateEngine) -> None:
    template = tpl({"templateFrom": [{"literal": "a: b", "target": "spec.x"}]})
    with pytest.raises(TemplateError) as caught:
        await render(engine, template, {})
    assert caught.value.field == "spec.target.template.templateFrom[0].literal"
    assert "Data, Annotations or Labels" in str(caught.value)


async def test_empty_target_means_data(engine: TemplateEngine) -> None:
    template = tpl({"templateFrom": [{"literal": "a: b", "target": ""}]})
    assert text(await render(engine, template, {})) == {"a": "b"}


# --- templateFrom sources


async def test_missing_config_map_key(engine: TemplateEngine) -> None:
    sources = FakeSources(config_maps={"cm": {"present": "x"}})
    template = tpl(
        {"templateFrom": [{"configMap": {"name": "cm", "items": [{"key": "present"}, {"key": "absent"}]}}]}
    )
    with pytest.raises(TemplateError) as caught:
        await render(engine, template, {}, sources)
    assert caught.value.message == "error in configmap cm: missing key absent"
    assert caught.value.field == "spec.target.template.templateFrom[0].configMap.items[1]"


async def test_missing_secret_key(engine: TemplateEngine) -> None:
    sources = FakeSources(secrets={"sec": {}})
    template = tpl({"templateFrom": [{"secret": {"name": "sec", "items": [{"key": "k"}]}}]})
    with pytest.raises(TemplateError, match="error in secret sec: missing key k"):
        await render(engine, template, {}, sources)


async def test_missing_source_object_error_passes_through(engine: TemplateEngine) -> None:
    template = tpl({"templateFrom": [{"configMap": {"name": "nope", "items": [{"key": "k"}]}}]})
    with pytest.raises(SpecError, match='ConfigMap "nope" not found'):
        await render(engine, template, {})


async def test_secret_template_source_may_hold_binary_bytes(engine: TemplateEngine) -> None:
    sources = FakeSources(secrets={"sec": {"bin": b"\xff\xfe{{ .one }}"}})
    template = tpl({"templateFrom": [{"secret": {"name": "sec", "items": [{"key": "bin"}]}}]})
    secret = await render(engine, template, ONE_TWO, sources)
    assert secret.data == {"bin": b"\xff\xfefoo1-val"}


# --- valuesDecodingStrategy


@pytest.mark.parametrize(
    ("strategy", "rendered", "expected"),
    [
        ("Base64", "aGVsbG8=", b"hello"),
        ("Base64", "aGVs\nbG8=", b"hello"),
        ("Base64URL", "_-8=", b"\xff\xef"),
        ("Auto", "aGVsbG8=", b"hello"),
        ("Auto", "_-8=", b"\xff\xef"),
        ("Auto", "not base64!", b"not base64!"),
        ("None", "aGVsbG8=", b"aGVsbG8="),
        (None, "aGVsbG8=", b"aGVsbG8="),
    ],
)
async def test_values_decoding_strategy(
    engine: TemplateEngine, strategy: str | None, rendered: str, expected: bytes
) -> None:
    entry: dict[str, Any] = {"literal": f"k: {rendered!r}".replace("'", '"').replace("\n", "\\n")}
    if strategy is not None:
        entry["valuesDecodingStrategy"] = strategy
    secret = await render(engine, tpl({"templateFrom": [entry]}), {})
    assert secret.data == {"k": expected}


async def test_values_decoding_applies_to_values_scope_items_too(engine: TemplateEngine) -> None:
    sources = FakeSources(config_maps={"cm": {"cert": "{{ .one | b64enc }}"}})
    template = tpl(
        {
            "templateFrom": [
                {"configMap": {"name": "cm", "items": [{"key": "cert"}]}, "valuesDecodingStrategy": "Base64"}
            ]
        }
    )
    assert text(await render(engine, template, ONE_TWO, sources)) == {"cert": "foo1-val"}


async def test_values_decoding_error_names_the_key_not_the_value(engine: TemplateEngine) -> None:
    template = tpl({"templateFrom": [{"literal": "k: '{{ .one }}=='", "valuesDecodingStrategy": "Base64"}]})
    with pytest.raises(TemplateError) as caught:
        await render(engine, template, ONE_TWO)
    message = str(caught.value)
    assert "key k" in message
    assert "illegal base64 data at input byte" in message
    assert "foo1-val" not in message


# --- KeysAndValues parsing (sigs.k8s.io/yaml into map[string]string)


async def test_keys_and_values_scalars_become_text(engine: TemplateEngine) -> None:
    literal = "port: 5432\nratio: 1.10\non: yes\nnothing: ~\noct: 0777\nbig: 1234567.0\nquoted: '5432'\n"
    secret = await render(engine, tpl({"templateFrom": [{"literal": literal}]}), {})
    assert text(secret) == {
        "port": "5432",
        "ratio": "1.1",
        "true": "true",
        "nothing": "",
        "oct": "511",
        "big": "1.234567e+06",
        "quoted": "5432",
    }


@pytest.mark.parametrize(
    ("literal", "why"),
    [
        ("a: {b: c}", "cannot unmarshal object into Go value of type string"),
        ("a: [1, 2]", "cannot unmarshal array into Go value of type string"),
        ("- a\n- b", "cannot unmarshal array into Go value of type map[string]string"),
        ("just text", "cannot unmarshal string into Go value of type map[string]string"),
        ("a: [", "yaml: line"),
    ],
)
async def test_keys_and_values_errors(engine: TemplateEngine, literal: str, why: str) -> None:
    with pytest.raises(TemplateError, match=re.escape(why)) as caught:
        await render(engine, tpl({"templateFrom": [{"literal": literal}]}), {})
    assert caught.value.field == "spec.target.template.templateFrom[0].literal"


async def test_keys_and_values_empty_output_adds_nothing(engine: TemplateEngine) -> None:
    template = tpl({"templateFrom": [{"literal": "{{ if false }}a: b{{ end }}"}], "data": {"k": "v"}})
    assert text(await render(engine, template, {})) == {"k": "v"}


# --- refusals and errors


async def test_engine_version_other_than_v2(engine: TemplateEngine) -> None:
    with pytest.raises(ValueError, match="engineVersion"):
        tpl({"engineVersion": "v1", "data": {"a": "b"}})
    template = ExternalSecretTemplate.model_construct(
        engine_version="v1",  # type: ignore[arg-type]  # bypasses the model's own refusal
        data={"a": "b"},
        template_from=[],
        metadata=tpl({}).metadata,
        type=None,
    )
    with pytest.raises(TemplateError, match="unsupported template engine version") as caught:
        await render(engine, template, {})
    assert caught.value.field == "spec.target.template.engineVersion"


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"type": "bootstrap.kubernetes.io/token"}, "spec.target.template.type"),
        (
            {
                "type": "kubernetes.io/service-account-token",
                "metadata": {"annotations": {"kubernetes.io/service-account.name": "default"}},
            },
            "spec.target.template.metadata.annotations",
        ),
        (
            {
                "type": "kubernetes.io/service-account-token",
                "templateFrom": [{"literal": "a: b", "target": "Annotations"}],
            },
            "spec.target.template.templateFrom[0].target",
        ),
    ],
)
async def test_privileged_templates_are_refused(
    engine: TemplateEngine, spec: dict[str, Any], field: str
) -> None:
    with pytest.raises(SpecError) as caught:
        await render(engine, tpl(spec), {})
    assert caught.value.field == field


async def test_render_error_names_key_and_position_never_the_value(engine: TemplateEngine) -> None:
    template = tpl({"data": {"good": "{{ .one }}", "bad.key": "x{{ fail .password }}"}})
    with pytest.raises(TemplateError) as caught:
        await render(engine, template, b({"one": "foo1-val", "password": "hunter2-secret"}))
    error = caught.value
    assert error.field == "spec.target.template.data[bad.key]"
    assert "bad.key:1:" in error.message
    assert "hunter2-secret" not in str(error)
    assert error.__cause__ is None
    assert error.__suppress_context__


async def test_missing_key_is_an_error(engine: TemplateEngine) -> None:
    with pytest.raises(TemplateError, match=r"data\[k\].*missing"):
        await render(engine, tpl({"data": {"k": "{{ .nope }}"}}), ONE_TWO)


async def test_label_template_errors_name_the_label(engine: TemplateEngine) -> None:
    with pytest.raises(TemplateError) as caught:
        await render(engine, tpl({"metadata": {"labels": {"app": "{{ .nope }}"}}}), ONE_TWO)
    assert caught.value.field == "spec.target.template.metadata.labels[app]"


async def test_field_prefix_is_configurable(engine: TemplateEngine) -> None:
    with pytest.raises(TemplateError) as caught:
        await render(engine, tpl({"data": {"k": "{{ .nope }}"}}), {}, field_prefix="spec.template")
    assert caught.value.field == "spec.template.data[k]"


# --- bytes


async def test_binary_provider_data_round_trips_byte_for_byte(engine: TemplateEngine) -> None:
    blob = bytes(range(256))
    template = tpl({"data": {"raw": "{{ .blob }}", "b64": "{{ .blob | b64enc }}", "len": "{{ len .blob }}"}})
    secret = await render(engine, template, {"blob": blob})
    assert secret.data["raw"] == blob
    assert base64.b64decode(secret.data["b64"]) == blob
    assert secret.data["len"] == b"256"


async def test_labels_with_invalid_utf8_become_replacement_characters(engine: TemplateEngine) -> None:
    secret = await render(
        engine, tpl({"metadata": {"labels": {"l": "{{ .bin }}"}}, "data": {}}), {"bin": b"a\xffb"}
    )
    assert secret.labels == {"l": "a\ufffdb"}


# --- PushSecret


async def test_push_template_keeps_existing_keys(engine: TemplateEngine) -> None:
    source = RenderedSecret(type="Opaque", data=b({"user": "admin", "pass": "pw"}), labels={"a": "1"})
    template = tpl(
        {
            "data": {"dsn": "{{ .user }}:{{ .pass }}@db", "user": "{{ .user | upper }}"},
            "metadata": {"labels": {"b": "{{ .user }}"}},
        }
    )
    pushed = await apply_push_template(template, source, sources=FakeSources(), engine=engine)
    assert text(pushed) == {"user": "ADMIN", "pass": "pw", "dsn": "admin:pw@db"}
    assert pushed.labels == {"a": "1", "b": "admin"}
    assert pushed.type is None  # ESO sets the template's (empty) type
    assert source.data == b({"user": "admin", "pass": "pw"})


async def test_push_template_merge_policy_plays_no_part(engine: TemplateEngine) -> None:
    source = RenderedSecret(data=b({"k": "v"}))
    template = tpl({"mergePolicy": "Replace", "data": {"n": "{{ .k }}"}, "type": "kubernetes.io/basic-auth"})
    pushed = await apply_push_template(template, source, sources=FakeSources(), engine=engine)
    assert text(pushed) == {"k": "v", "n": "v"}
    assert pushed.type == "kubernetes.io/basic-auth"


async def test_push_without_template_is_the_source(engine: TemplateEngine) -> None:
    source = RenderedSecret(data=b({"k": "v"}))
    pushed = await apply_push_template(None, source, sources=FakeSources(), engine=engine)
    assert pushed == source
    assert pushed is not source


# --- rewrite.transform


def test_render_key_transform(engine: TemplateEngine) -> None:
    assert render_key_transform(engine, "{{ .value | upper }}", "db-password") == "DB-PASSWORD"
    assert render_key_transform(engine, 'app_{{ .value | replace "-" "_" }}', "a-b") == "app_a_b"
    assert render_key_transform(engine, "{{ .other }}", "k") == "<no value>"  # Go's default missingkey


def test_render_key_transform_uses_default_delimiters() -> None:
    engine = TemplateEngine(left_delimiter="[[", right_delimiter="]]")
    assert render_key_transform(engine, "{{ .value }}-x", "k") == "k-x"
    assert engine.render("t", "[[ .one ]] {{ .one }}", {"one": "1"}) == "1 {{ .one }}"


def test_render_key_transform_errors(engine: TemplateEngine) -> None:
    with pytest.raises(TemplateError, match="transform"):
        render_key_transform(engine, "{{ .value", "k")
