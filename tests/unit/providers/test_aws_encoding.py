"""Go-exact JSON, sjson-style property set/delete, RE2 translation and push metadata."""

from __future__ import annotations

import pytest

from eso.api import goregex
from eso.errors import SpecError
from eso.providers.aws.gojson import delete_path, go_string, marshal_string_map, set_string
from eso.providers.aws.metadata import parse_parameter_store, parse_secrets_manager


def test_marshal_string_map_like_go() -> None:
    assert marshal_string_map({"b": "2", "a": "1"}) == '{"a":"1","b":"2"}'
    assert marshal_string_map({"k": "<a&b>"}) == '{"k":"\\u003ca\\u0026b\\u003e"}'
    assert marshal_string_map({"k": "<a&b>"}, escape_html=False) == '{"k":"<a&b>"}'
    assert marshal_string_map({}) == "{}"
    assert go_string('é\n\t\x01\u2028"\\') == '"é\\n\\t\\u0001\\u2028\\"\\\\"'


@pytest.mark.parametrize(
    ("document", "path", "value", "expected"),
    [
        ("", "password", "v", '{"password":"v"}'),
        ("", "db.password", "v", '{"db":{"password":"v"}}'),
        ("", "a\\.b", "v", '{"a.b":"v"}'),
        ('{"a": 1.50, "b": {"c": true}}', "b.d", "x", '{"a":1.50,"b":{"c":true,"d":"x"}}'),
        ('{"a":"old"}', "a", "new", '{"a":"new"}'),
        ('{"list":["x","y"]}', "list.1", "z", '{"list":["x","z"]}'),
        ('{"list":["x"]}', "list.-1", "z", '{"list":["x","z"]}'),
        ('{"a":"scalar"}', "a.b", "v", '{"a":{"b":"v"}}'),
        ("", "k", 'q"é', '{"k":"q\\"é"}'),
        ("", "k", "<&>", '{"k":"<&>"}'),
    ],
)
def test_set_string(document: str, path: str, value: str, expected: str) -> None:
    assert set_string(document, path, value) == expected


def test_set_string_rejects_non_json() -> None:
    with pytest.raises(ValueError, match="Expecting value"):
        set_string("plain text", "a", "v")


def test_delete_path() -> None:
    assert delete_path('{"a":"1","b":{"c":"2","d":"3"}}', "b.c") == ('{"a":"1","b":{"d":"3"}}', True)
    assert delete_path('{"a":"1"}', "zz") == ('{"a":"1"}', False)
    assert delete_path('{"a":"1"}', "a") == ("{}", True)


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("db", "myapp-db-creds", True),  # unanchored
        ("^db$", "myapp-db", False),
        ("^/app/.*", "/app/x", True),
        ("(?i)MYAPP", "myapp-x", True),
        ("a(?i)b", "aB", True),
        ("a(?i)b", "AB", False),
        ("(x(?i)y)z", "xYz", True),
        ("(x(?i)y)z", "xYZ", False),
        ("[[:digit:]]+$", "v12", True),
        ("[[:alpha:]_]+", "_", True),
        ("\\Qa.b\\E", "a.b", True),
        ("\\Qa.b\\E", "axb", False),
        ("(?P<n>ab)c", "abc", True),
        ("(?<n>ab)c", "abc", True),
        ("end\\z", "the end", True),
        ("\\x{41}", "A", True),
        ("a{,2}", "a{,2}", True),
        ("\\d", "٣", False),
    ],
)
def test_re2_semantics(pattern: str, name: str, matches: bool) -> None:
    assert bool(goregex.compile(pattern).search(name)) is matches


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        ("a(?=b)", "look-ahead"),
        ("a(?!b)", "look-ahead"),
        ("(?<=a)b", "look-behind"),
        ("(a)\\1", "back-references"),
        ("(?>a)", "atomic"),
        ("a*+", "possessive"),
        ("\\pL", "Unicode classes"),
        ("(?U)a*", "ungreedy"),
        ("a\\Z", "\\Z"),
        ("(?#c)", "comments"),
    ],
)
def test_re2_refuses_what_re2_lacks(pattern: str, what: str) -> None:
    with pytest.raises(SpecError, match=r"not supported|only the flags"):
        goregex.compile(pattern)


def test_re2_invalid_pattern() -> None:
    with pytest.raises(SpecError, match="invalid regular expression"):
        goregex.compile("a(b")


ENVELOPE = {"apiVersion": "kubernetes.external-secrets.io/v1alpha1", "kind": "PushSecretMetadata"}


def test_secrets_manager_metadata_defaults_and_fields() -> None:
    meta = parse_secrets_manager(None)
    assert meta.secret_push_format == "binary"
    assert meta.description == "secret 'managed-by:external-secrets'"
    assert meta.kms_key_id == "alias/aws/secretsmanager"
    meta = parse_secrets_manager(
        {
            **ENVELOPE,
            "spec": {"secretPushFormat": "string", "kmsKeyId": "k", "tags": {"team": "a"}, "description": ""},
        }
    )
    assert (meta.secret_push_format, meta.kms_key_id, meta.tags) == ("string", "k", {"team": "a"})
    assert meta.description == "secret 'managed-by:external-secrets'"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({**ENVELOPE, "spec": {"secretPushFormat": "yaml"}}, "metadata.spec.secretPushFormat"),
        ({**ENVELOPE, "spec": {"kmsKeyID": "wrong-spelling"}}, "metadata.spec.kmsKeyID"),
        ({**ENVELOPE, "spec": {"tags": {"managed-by": "me"}}}, "metadata.spec.tags"),
        ({**ENVELOPE, "kind": "Other"}, "metadata.kind"),
        ({"apiVersion": "v1", "kind": "PushSecretMetadata"}, "metadata.apiVersion"),
        ({**ENVELOPE, "extra": 1}, "metadata"),
        ("not json", "metadata"),
    ],
)
def test_secrets_manager_metadata_is_strict(raw: object, field: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_secrets_manager(raw)
    assert info.value.field == field


def test_parameter_store_metadata() -> None:
    meta = parse_parameter_store(
        {**ENVELOPE, "spec": {"secretType": "SecureString", "kmsKeyID": "k", "encodeAsDecoded": True}}
    )
    assert (meta.secret_type, meta.kms_key_id, meta.encode_as_decoded) == ("SecureString", "k", True)
    assert parse_parameter_store(None).tier.type == "Standard"
    with pytest.raises(SpecError) as info:
        parse_parameter_store({**ENVELOPE, "spec": {"kmsKeyId": "sm-spelling"}})
    assert info.value.field == "metadata.spec.kmsKeyId"
