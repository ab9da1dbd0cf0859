"""Metadata-first change detection through the operator, against the AWS emulator.

Many ExternalSecrets over one Secrets Manager store refresh every 2 s: once in steady
state, unchanged secrets are re-checked with ListSecrets and cost no value call; a
changed secret still reaches its Kubernetes Secret. The store belongs to a private
operator (its own controller class, watching only the test's namespace), so the call
counters are this store's alone.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from tests.integration.builders import aws_store, external_secret, irsa_service_account, wait_store_ready
from tests.sandbox_fixtures import AwsHelper
from tests.support import Kubectl, OperatorRunner, wait_until

SM = "AWS/SecretsManager"
COUNT = 25  # more than one BatchGetSecretValue (20) needs, so one ListSecrets page is cheaper


def test_unchanged_secrets_cost_no_value_calls_and_a_change_still_arrives(
    start_operator: Callable[..., OperatorRunner], kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    base = aws.name()
    for i in range(COUNT):
        aws.put_secret(f"{base}/k{i}", f"value-{i}-{uuid.uuid4().hex[:6]}")
    klass = f"versions-{uuid.uuid4().hex[:8]}"
    private = start_operator(namespace=namespace, controller_class=klass)
    metrics = private.operator.metrics
    store = aws_store(namespace, prefix=f"{base}/")
    store["spec"]["controller"] = klass
    kubectl.apply([irsa_service_account(namespace), store])
    wait_store_ready(kubectl, "secretstore", "aws", namespace)
    kubectl.apply(
        [
            external_secret(
                namespace,
                f"es-{i}",
                {
                    "refreshInterval": "2s",
                    "secretStoreRef": {"name": "aws"},
                    "data": [{"secretKey": "value", "remoteRef": {"key": f"k{i}"}}],
                },
            )
            for i in range(COUNT)
        ]
    )
    expected = {
        i: aws.secretsmanager.get_secret_value(SecretId=f"{base}/k{i}")["SecretString"].encode()
        for i in range(COUNT)
    }

    def value_of(i: int) -> bytes | None:
        return (kubectl.secret_data(f"es-{i}", namespace) or {}).get("value")

    wait_until(lambda: all(value_of(i) == expected[i] for i in range(COUNT)), what="every Secret synced")

    def value_calls() -> float:
        return sum(
            metrics.provider_calls(SM, call, status)
            for call in ("GetSecretValue", "BatchGetSecretValue")
            for status in ("success", "error")
        )

    def listings() -> float:
        return metrics.provider_calls(SM, "ListSecrets")

    wait_until(lambda: listings() >= 1, timeout=60, what="the first version listing")
    time.sleep(3)  # one refresh cycle, so every cached value has been re-checked once
    values_before, listings_before = value_calls(), listings()
    unchanged_before = private.operator.wiring.shared_reads().unchanged
    time.sleep(12)  # about four refresh cycles, longer than one listing is trusted (10 s)
    assert value_calls() == values_before, "unchanged secrets were read again"
    assert listings() > listings_before, "the versions were re-checked with ListSecrets"
    assert private.operator.wiring.shared_reads().unchanged >= unchanged_before + COUNT, "refreshes happened"
    assert metrics.provider_calls(SM, "ListSecrets", "error") == 0

    aws.put_secret(f"{base}/k3", "rotated-value-3")
    wait_until(
        lambda: value_of(3) == b"rotated-value-3",
        timeout=40,
        what="the changed secret reached its Kubernetes Secret",
    )
    assert value_calls() > values_before, "the changed secret was read"
    assert value_of(4) == expected[4]
