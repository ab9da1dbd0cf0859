"""Bad input gets one clear error naming the field and index, and never the offending value."""

from __future__ import annotations

from typing import Any

import pytest

from eso.api import parse, parse_model
from eso.api.externalsecret import ExternalSecret
from eso.api.providers.aws import AWSProvider
from eso.api.pushsecret import PushSecret
from eso.errors import SpecError

SECRET = "s3cr3t-Value-42"


def _es(spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "e", **metadata},
        "spec": spec,
    }


def _error(obj: Any) -> SpecError:
    with pytest.raises(SpecError) as info:
        parse(obj)
    return info.value


@pytest.mark.parametrize(
    ("spec", "path", "message"),
    [
        (
            {"data": [{"secretKey": "a", "remoteRef": {"key": "k"}}, {"secretKey": "b"}]},
            "spec.data[1].remoteRef",
            "is required",
        ),
        ({"data": [{"secretKey": "a", "remoteRef": {}}]}, "spec.data[0].remoteRef.key", "is required"),
        (
            {"data": [{"secretKey": SECRET + "!", "remoteRef": {"key": "k"}}]},
            "spec.data[0].secretKey",
            "should match pattern",
        ),
        (
            {"data": [{"secretKey": "a", "remoteRef": {"key": "k", "decodingStrategy": SECRET}}]},
            "spec.data[0].remoteRef.decodingStrategy",
            "'Auto', 'Base64', 'Base64URL' or 'None'",
        ),
        (
            {"dataFrom": [{}, {"extract": {"key": "k", "conversionStrategy": SECRET}}]},
            "spec.dataFrom[1].extract.conversionStrategy",
            "'Default' or 'Unicode'",
        ),
        ({"refreshInterval": SECRET}, "spec.refreshInterval", "invalid duration"),
        ({"target": {"creationPolicy": SECRET}}, "spec.target.creationPolicy", "'Owner'"),
        (
            {"target": {"template": {"data": {"tls.crt": 5}}}},
            "spec.target.template.data[tls.crt]",
            "valid string",
        ),
        (
            {
                "target": {
                    "template": {
                        "templateFrom": [{"configMap": {"name": "c", "items": [{"key": SECRET + " x"}]}}]
                    }
                }
            },
            "spec.target.template.templateFrom[0].configMap.items[0].key",
            "should match pattern",
        ),
        ({"syncWindows": {"kind": "allow", "windows": []}}, "spec.syncWindows.windows", "at least 1 item"),
        (
            {"dataFrom": [{"sourceRef": {"generatorRef": {"kind": SECRET, "name": "g"}}}]},
            "spec.dataFrom[0].sourceRef.generatorRef.kind",
            "'Password'",
        ),
        ({"data": SECRET}, "spec.data", "must be a list"),
        ({"secretStoreRef": SECRET}, "spec.secretStoreRef", "must be an object"),
    ],
)
def test_error_names_the_field_with_its_index_and_hides_the_value(
    spec: dict[str, Any], path: str, message: str
) -> None:
    error = _error(_es(spec))
    assert error.field == path
    assert str(error).startswith(f"{path}: ")
    assert message in str(error)
    assert SECRET not in str(error)
    assert SECRET not in repr(error.args)


def test_every_problem_is_listed_once() -> None:
    error = _error(_es({"data": [{"secretKey": "a"}, {"remoteRef": {"key": "k"}}], "refreshInterval": "x"}))
    text = str(error)
    assert "spec.data[0].remoteRef: is required" in text
    assert "spec.data[1].secretKey: is required" in text
    assert "spec.refreshInterval: invalid duration" in text
    assert text.count("; ") == 2


def test_metadata_map_keys_are_shown_in_brackets() -> None:
    error = _error(_es({}, labels={"team": 7}))
    assert error.field == "metadata.labels[team]"


def test_int_or_string_errors_are_merged_into_one_line() -> None:
    error = _error(
        {
            "apiVersion": "external-secrets.io/v1",
            "kind": "SecretStore",
            "metadata": {"name": "s"},
            "spec": {"refreshInterval": [SECRET], "provider": {"fake": {}}},
        }
    )
    assert (
        str(error)
        == "spec.refreshInterval: input should be a valid integer or input should be a valid string"
    )


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        ({"kind": "ExternalSecret"}, "apiVersion"),
        ({"apiVersion": "external-secrets.io/v1"}, "kind"),
        ({"apiVersion": "external-secrets.io/v9", "kind": "ExternalSecret"}, "kind"),
        ({"apiVersion": "v1", "kind": "Secret"}, "kind"),
    ],
)
def test_unknown_kinds_and_versions_are_refused(obj: dict[str, Any], field: str) -> None:
    assert _error(obj).field == field


def test_non_objects_are_refused() -> None:
    assert "must be an object" in str(_error([1, 2]))
    assert _error(_es(SECRET)).field == "spec"  # type: ignore[arg-type]


def test_parse_dispatches_on_kind_and_accepts_both_served_versions() -> None:
    for version in ("v1", "v1beta1"):
        es = parse({**_es({"data": []}), "apiVersion": f"external-secrets.io/{version}"})
        assert isinstance(es, ExternalSecret)
        assert es.api_version == f"external-secrets.io/{version}"
    ps = parse(
        {
            "apiVersion": "external-secrets.io/v1alpha1",
            "kind": "PushSecret",
            "metadata": {"name": "p"},
            "spec": {"secretStoreRefs": []},
        }
    )
    assert isinstance(ps, PushSecret)


def test_parse_model_prefixes_paths_for_provider_plugins() -> None:
    with pytest.raises(SpecError) as info:
        parse_model(AWSProvider, {"service": SECRET, "region": "r"}, prefix="spec.provider.aws")
    assert info.value.field == "spec.provider.aws.service"
    assert SECRET not in str(info.value)
    with pytest.raises(SpecError, match=r"^spec\.provider\.aws: must be an object"):
        parse_model(AWSProvider, "x", prefix="spec.provider.aws")
    aws = parse_model(AWSProvider, {"service": "SecretsManager", "region": "r"})
    assert aws.region == "r"


def test_snake_case_names_are_accepted_in_code_but_paths_use_wire_names() -> None:
    with pytest.raises(SpecError) as info:
        parse_model(AWSProvider, {"service": "SecretsManager", "region": "r", "auth": {"secret_ref": 3}})
    assert info.value.field == "auth.secretRef"
