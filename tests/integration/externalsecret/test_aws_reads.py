"""Secrets Manager reads through the operator: extract, binary, versions, decoding, tags, batching."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.integration.builders import (
    aws_store,
    external_secret,
    irsa_service_account,
    wait_es,
    wait_store_ready,
)
from tests.sandbox_fixtures import AwsHelper
from tests.support import Kubectl, OperatorRunner, wait_until


def _ready(kubectl: Kubectl, namespace: str) -> None:
    kubectl.apply(irsa_service_account(namespace))
    kubectl.apply(aws_store(namespace))
    wait_store_ready(kubectl, "secretstore", "aws", namespace)


def _es(namespace: str, name: str, **spec: Any) -> dict[str, Any]:
    return external_secret(
        namespace, name, {"refreshInterval": "1h", "secretStoreRef": {"name": "aws"}, **spec}
    )


def test_extract_explodes_json_keeping_raw_values(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    remote = aws.name("doc")
    aws.put_secret(remote, '{"user":"u","port":5432,"nested":{"a": [1, 2]},"nothing":null,"ratio":1.50}')
    _ready(kubectl, namespace)
    kubectl.apply(_es(namespace, "ex", dataFrom=[{"extract": {"key": remote}}]))
    wait_es(kubectl, "ex", namespace)
    assert kubectl.secret_data("ex", namespace) == {
        "user": b"u",
        "port": b"5432",
        "nested": b'{"a": [1, 2]}',
        "nothing": b"",
        "ratio": b"1.50",
    }


def test_binary_secret_is_copied_byte_for_byte_and_base64_decoding(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    blob = bytes(range(256))
    binary, encoded = aws.name("bin"), aws.name("b64")
    aws.put_secret(binary, blob)
    aws.put_secret(encoded, base64.b64encode(b"\x00\xffraw").decode())
    _ready(kubectl, namespace)
    kubectl.apply(
        _es(
            namespace,
            "bin",
            data=[
                {"secretKey": "blob", "remoteRef": {"key": binary}},
                {"secretKey": "decoded", "remoteRef": {"key": encoded, "decodingStrategy": "Base64"}},
            ],
        )
    )
    wait_es(kubectl, "bin", namespace)
    assert kubectl.secret_data("bin", namespace) == {"blob": blob, "decoded": b"\x00\xffraw"}


def test_versions_by_stage_and_by_id(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    remote = aws.name("versions")
    aws.put_secret(remote, "v1")
    first = aws.secretsmanager.get_secret_value(SecretId=remote)["VersionId"]
    aws.put_secret(remote, "v2")
    _ready(kubectl, namespace)
    kubectl.apply(
        _es(
            namespace,
            "ver",
            data=[
                {"secretKey": "current", "remoteRef": {"key": remote}},
                {"secretKey": "previous", "remoteRef": {"key": remote, "version": "AWSPREVIOUS"}},
                {"secretKey": "pinned", "remoteRef": {"key": remote, "version": f"uuid/{first}"}},
            ],
        )
    )
    wait_es(kubectl, "ver", namespace)
    assert kubectl.secret_data("ver", namespace) == {"current": b"v2", "previous": b"v1", "pinned": b"v1"}


def test_metadata_policy_fetch_reads_tags(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    remote = aws.name("tagged")
    aws.put_secret(
        remote, "value", Tags=[{"Key": "team", "Value": "payments"}, {"Key": "env", "Value": "prod"}]
    )
    _ready(kubectl, namespace)
    kubectl.apply(
        _es(
            namespace,
            "tags",
            data=[
                {"secretKey": "all", "remoteRef": {"key": remote, "metadataPolicy": "Fetch"}},
                {
                    "secretKey": "team",
                    "remoteRef": {"key": remote, "metadataPolicy": "Fetch", "property": "team"},
                },
            ],
        )
    )
    wait_es(kubectl, "tags", namespace)
    data = kubectl.secret_data("tags", namespace) or {}
    assert json.loads(data["all"]) == {"env": "prod", "team": "payments"}
    assert data["team"] == b"payments"


def test_many_keys_of_many_external_secrets_cost_few_calls(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    remote = aws.name("shared")
    aws.put_secret(remote, json.dumps({f"k{i}": f"v{i}" for i in range(4)}))
    _ready(kubectl, namespace)
    metrics = operator.operator.metrics

    def calls() -> float:
        return sum(
            metrics.provider_calls("AWS/SecretsManager", c) for c in ("GetSecretValue", "BatchGetSecretValue")
        )

    before = calls()
    for n in range(5):
        kubectl.apply(
            _es(
                namespace,
                f"many{n}",
                data=[
                    {"secretKey": f"k{i}", "remoteRef": {"key": remote, "property": f"k{i}"}}
                    for i in range(4)
                ],
            )
        )
    for n in range(5):
        wait_until(lambda n=n: len(kubectl.secret_data(f"many{n}", namespace) or {}) == 4, what=f"many{n}")
    used = calls() - before
    assert used <= 5, f"20 data entries over one remote secret took {used} calls (ESO: 20)"
