"""/metrics with ESO's names while an ExternalSecret syncs, /healthz and /readyz, log context."""

from __future__ import annotations

import json
import urllib.request

from tests.integration.builders import external_secret, fake_store, wait_es, wait_store_ready
from tests.support import LOG_BUFFER, Kubectl, OperatorRunner


def _get(host_port: tuple[str, int], path: str) -> tuple[int, str]:
    with urllib.request.urlopen(f"http://{host_port[0]}:{host_port[1]}{path}", timeout=10) as response:
        return response.status, response.read().decode()


def test_metrics_health_and_log_context(operator: OperatorRunner, kubectl: Kubectl, namespace: str) -> None:
    kubectl.apply(fake_store(namespace, {"k": "v"}))
    wait_store_ready(kubectl, "secretstore", "fake", namespace)
    kubectl.apply(
        external_secret(
            namespace,
            "observed",
            {"secretStoreRef": {"name": "fake"}, "data": [{"secretKey": "k", "remoteRef": {"key": "k"}}]},
        )
    )
    wait_es(kubectl, "observed", namespace)
    endpoints = operator.operator.endpoints
    status, text = _get(endpoints["metrics"], "/metrics")
    assert status == 200
    labels = f'name="observed",namespace="{namespace}"'
    assert f"externalsecret_sync_calls_total{{{labels}}}" in text
    assert f'externalsecret_status_condition{{condition="Ready",{labels},status="True"}} 1.0' in text
    assert f"externalsecret_reconcile_duration{{{labels}}}" in text
    assert (
        'externalsecret_provider_api_calls_count{call="GetSecret",provider="Fake",status="success"}' in text
    )
    assert (
        f'secretstore_status_condition{{condition="Ready",name="fake",namespace="{namespace}",'
        'status="True"} 1.0' in text
    )
    for family in (
        "workqueue_depth",
        "workqueue_adds_total",
        "workqueue_queue_duration_seconds_bucket",
        "controller_runtime_reconcile_total",
        "externalsecret_sync_calls_error",
        "clustersecretstore_status_condition",
        "pushsecret_status_condition",
    ):
        assert f"# TYPE {family.removesuffix('_bucket')}" in text or family in text, family
    assert _get(endpoints["health"], "/healthz")[0] == 200
    assert _get(endpoints["health"], "/readyz")[0] == 200

    lines = [json.loads(line) for line in LOG_BUFFER.getvalue().splitlines() if line.startswith("{")]
    synced = [e for e in lines if e.get("event") == "secret synced" and e.get("name") == "observed"]
    assert synced, "a reconcile line for the ExternalSecret"
    assert {"kind", "namespace", "name", "store", "level", "timestamp"} <= set(synced[0])
    assert synced[0]["store"] == "SecretStore/fake"
