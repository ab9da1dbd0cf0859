"""``eso template``: esoctl's offline rendering, through click's CliRunner."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from eso.cli import main


def write(path: Path, doc: Any) -> Path:
    path.write_text(yaml.safe_dump(doc))
    return path


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def external_secret(template: dict[str, Any] | None, **metadata: Any) -> dict[str, Any]:
    target: dict[str, Any] = {"name": "rendered"}
    if template is not None:
        target["template"] = template
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "es", "namespace": "apps", **metadata},
        "spec": {"secretStoreRef": {"name": "store"}, "target": target, "data": []},
    }


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, ["template", *args], catch_exceptions=False)


def test_renders_an_external_secret_with_template_from(tmp_path: Path) -> None:
    es = write(
        tmp_path / "es.yaml",
        external_secret(
            {
                "type": "kubernetes.io/basic-auth",
                "metadata": {"labels": {"app": "{{ .user }}"}},
                "data": {"username": "{{ .user }}", "password": "{{ .pass | upper }}"},
                "templateFrom": [
                    {"configMap": {"name": "tpl", "items": [{"key": "dsn"}]}},
                    {"secret": {"name": "stpl", "items": [{"key": "kv", "templateAs": "KeysAndValues"}]}},
                ],
            }
        ),
    )
    data = write(tmp_path / "data.yaml", {"user": b64("admin"), "pass": b64("s3cret")})
    cm = write(
        tmp_path / "cm.yaml",
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "tpl"},
            "data": {"dsn": "{{ .user }}@db"},
        },
    )
    sec = write(
        tmp_path / "sec.yaml",
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "stpl"},
            "data": {"kv": b64("{{ .user }}-key: v")},
        },
    )
    result = invoke(
        "--source-templated-object", str(es), "--source-secret-data-file", str(data),
        "--template-from-config-map", str(cm), "--template-from-secret", str(sec),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    secret = yaml.safe_load(result.output)
    assert secret["apiVersion"] == "v1"
    assert secret["kind"] == "Secret"
    assert secret["metadata"] == {"name": "rendered", "namespace": "apps", "labels": {"app": "admin"}}
    assert secret["type"] == "kubernetes.io/basic-auth"
    decoded = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert decoded == {"admin-key": "v", "dsn": "admin@db", "password": "S3CRET", "username": "admin"}


def test_output_file_and_no_template(tmp_path: Path) -> None:
    es = write(tmp_path / "es.yaml", external_secret(None, labels={"team": "a"}))
    data = write(tmp_path / "data.yaml", {"k": base64.b64encode(b"\xff\x00").decode()})
    out = tmp_path / "out.yaml"
    result = invoke(
        "--source-templated-object", str(es), "--source-secret-data-file", str(data), "--output", str(out)
    )
    assert result.exit_code == 0
    assert result.output == ""
    secret = yaml.safe_load(out.read_text())
    assert secret["data"] == {"k": "/wA="}
    assert secret["type"] == "Opaque"
    assert secret["metadata"]["labels"] == {"team": "a"}


def test_push_secret(tmp_path: Path) -> None:
    ps = write(
        tmp_path / "ps.yaml",
        {
            "apiVersion": "external-secrets.io/v1alpha1",
            "kind": "PushSecret",
            "metadata": {"name": "ps", "namespace": "apps"},
            "spec": {
                "secretStoreRefs": [{"name": "store"}],
                "selector": {"secret": {"name": "source"}},
                "data": [{"match": {"secretKey": "k", "remoteRef": {"remoteKey": "r"}}}],
                "template": {"data": {"json": '{"k": {{ .k | quote }}}'}},
            },
        },
    )
    data = write(tmp_path / "data.yaml", {"k": b64("v")})
    result = invoke("--source-templated-object", str(ps), "--source-secret-data-file", str(data))
    assert result.exit_code == 0, result.output
    secret = yaml.safe_load(result.output)
    assert secret["metadata"]["name"] == "source"
    assert {k: base64.b64decode(v).decode() for k, v in secret["data"].items()} == {
        "json": '{"k": "v"}',
        "k": "v",
    }


def test_custom_delimiters(tmp_path: Path) -> None:
    es = write(tmp_path / "es.yaml", external_secret({"data": {"k": "[[ .a ]] {{ .a }}"}}))
    data = write(tmp_path / "data.yaml", {"a": b64("x")})
    result = invoke(
        "--source-templated-object", str(es), "--source-secret-data-file", str(data),
        "--template-left-delimiter", "[[", "--template-right-delimiter", "]]",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert base64.b64decode(yaml.safe_load(result.output)["data"]["k"]) == b"x {{ .a }}"


def test_errors_exit_non_zero_without_values(tmp_path: Path) -> None:
    es = write(tmp_path / "es.yaml", external_secret({"data": {"k": "{{ fail .password }}"}}))
    data = write(tmp_path / "data.yaml", {"password": b64("hunter2-secret")})
    result = invoke("--source-templated-object", str(es), "--source-secret-data-file", str(data))
    assert result.exit_code == 1
    assert "spec.target.template.data[k]" in result.output
    assert "hunter2-secret" not in result.output


def test_missing_template_from_source(tmp_path: Path) -> None:
    es = write(
        tmp_path / "es.yaml",
        external_secret({"templateFrom": [{"configMap": {"name": "absent", "items": [{"key": "k"}]}}]}),
    )
    result = invoke("--source-templated-object", str(es))
    assert result.exit_code == 1
    assert 'ConfigMap "absent" was not given' in result.output


def test_bad_inputs(tmp_path: Path) -> None:
    bad_es = write(
        tmp_path / "bad.yaml", {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "spec": []}
    )
    result = invoke("--source-templated-object", str(bad_es))
    assert result.exit_code == 1
    assert "spec" in result.output
    store_manifest = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "SecretStore",
        "metadata": {"name": "s"},
        "spec": {"provider": {"fake": {"data": []}}},
    }
    store = write(tmp_path / "store.yaml", store_manifest)
    result = invoke("--source-templated-object", str(store))
    assert result.exit_code == 1
    assert "ExternalSecret or a PushSecret" in result.output
    es = write(tmp_path / "es.yaml", external_secret({"data": {"k": "v"}}))
    data = write(tmp_path / "data.yaml", {"k": "%%%"})
    result = invoke("--source-templated-object", str(es), "--source-secret-data-file", str(data))
    assert result.exit_code == 1
    assert "is not valid base64" in result.output
    assert invoke("--source-templated-object", str(tmp_path / "nope.yaml")).exit_code == 2


def test_help_lists_the_esoctl_flags() -> None:
    result = invoke("--help")
    for flag in ("--source-templated-object", "--source-secret-data-file", "--template-from-config-map",
                 "--template-from-secret", "--output"):  # fmt: skip
        assert flag in result.output
