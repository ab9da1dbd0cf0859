"""Bad input gets a clear answer naming the field, a Warning event, a bounded retry, and loses nothing."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.integration.builders import (
    aws_store,
    events_for,
    external_secret,
    irsa_service_account,
    secret,
    wait_es,
    wait_es_message,
    wait_store_ready,
)
from tests.sandbox_fixtures import AwsHelper
from tests.support import Kubectl, OperatorRunner, ready_condition, wait_until

VALUE = "do-not-leak-4f9c2e"
DOC = {"user": "admin", "pass": VALUE}


def _store_message(kubectl: Kubectl, name: str, namespace: str, fragment: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        cond = ready_condition(kubectl.get("secretstore", name, namespace)) or {}
        return cond if fragment in str(cond.get("message", "")) else None

    return wait_until(check, timeout=30, what=f"store {name} message {fragment!r}")


def _static_auth(secret_name: str = "aws-creds", key: str = "access-key") -> dict[str, Any]:
    return {
        "secretRef": {
            "accessKeyIDSecretRef": {"name": secret_name, "key": key},
            "secretAccessKeySecretRef": {"name": secret_name, "key": "secret-key"},
        }
    }


@pytest.mark.parametrize(
    ("case", "store", "extra", "fragment"),
    [
        (
            "unknown provider",
            {"vault": {"server": "http://127.0.0.1:1"}},
            [],
            "spec.provider.vault: provider is known to ESO but not available in eso",
        ),
        ("missing credentials Secret", None, [], 'Secret "{ns}/aws-creds" not found'),
        ("missing credentials key", None, ["creds"], 'key "access-key" not found in Secret "{ns}/aws-creds"'),
        ("ServiceAccount without role", "jwt", ["plain-sa"], "eks.amazonaws.com/role-arn"),
        ("unknown region", "region", [], "region not found"),
    ],
)
def test_store_misconfiguration_is_reported_on_the_store(
    operator: OperatorRunner,
    kubectl: Kubectl,
    namespace: str,
    case: str,
    store: Any,
    extra: list[str],
    fragment: str,
) -> None:
    if "creds" in extra:
        kubectl.apply(secret(namespace, "aws-creds", {"wrong-key": "x", "secret-key": "y"}))
    if "plain-sa" in extra:
        kubectl.apply(
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {"name": "plain", "namespace": namespace},
            }
        )
    if isinstance(store, dict):
        manifest = {
            "apiVersion": "external-secrets.io/v1",
            "kind": "SecretStore",
            "metadata": {"name": "bad", "namespace": namespace},
            "spec": {"provider": store},
        }
    elif store == "jwt":
        manifest = aws_store(namespace, "bad", auth={"jwt": {"serviceAccountRef": {"name": "plain"}}})
    elif store == "region":
        manifest = aws_store(namespace, "bad", auth=_static_auth())
        manifest["spec"]["provider"]["aws"]["region"] = "mars-north-1"
    else:
        manifest = aws_store(namespace, "bad", auth=_static_auth())
    kubectl.apply(manifest)
    cond = _store_message(kubectl, "bad", namespace, fragment.format(ns=namespace))
    assert cond["status"] == "False", case
    assert any(e["type"] == "Warning" for e in events_for(kubectl, namespace, "bad")), case


def _aws_ready(kubectl: Kubectl, namespace: str) -> None:
    kubectl.apply(irsa_service_account(namespace))
    kubectl.apply(aws_store(namespace))
    wait_store_ready(kubectl, "secretstore", "aws", namespace)


def test_remote_errors_name_the_field_keep_the_secret_and_retry_with_backoff(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    doc, plain = aws.name("doc"), aws.name("plain")
    aws.put_secret(doc, json.dumps(DOC))
    aws.put_secret(plain, VALUE)
    _aws_ready(kubectl, namespace)
    spec: dict[str, Any] = {
        "refreshInterval": "1h",
        "secretStoreRef": {"name": "aws"},
        "target": {"name": "app"},
        "data": [
            {"secretKey": "user", "remoteRef": {"key": doc, "property": "user"}},
            {"secretKey": "pass", "remoteRef": {"key": doc, "property": "pass"}},
        ],
    }
    kubectl.apply(external_secret(namespace, "app", spec))
    wait_es(kubectl, "app", namespace)
    synced = kubectl.secret_data("app", namespace)
    assert synced == {"user": b"admin", "pass": VALUE.encode()}

    breakages = [
        (1, {"key": doc, "property": "absent"}, "spec.data[1].remoteRef", "key absent does not exist"),
        (1, {"key": plain, "property": "user"}, "spec.data[1].remoteRef", "does not exist"),
        (0, {"key": aws.name("missing")}, "spec.data[0].remoteRef", ""),
    ]
    for index, ref, field, detail in breakages:
        spec["data"][index]["remoteRef"] = ref
        kubectl.apply(external_secret(namespace, "app", spec))
        cond = wait_es_message(kubectl, "app", namespace, field)
        assert cond["status"] == "False"
        assert cond["reason"] == "SecretSyncedError"
        assert detail in cond["message"]
        assert VALUE not in cond["message"]
        assert kubectl.secret_data("app", namespace) == synced, "the Secret synced before stays as it was"
        spec["data"] = [
            {"secretKey": "user", "remoteRef": {"key": doc, "property": "user"}},
            {"secretKey": "pass", "remoteRef": {"key": doc, "property": "pass"}},
        ]

    metrics = operator.operator.metrics
    before = metrics.sync_errors(namespace, "app")
    time.sleep(6)
    retries = metrics.sync_errors(namespace, "app") - before
    assert 1 <= retries <= 6, f"bounded retry with backoff, got {retries} attempts in 6 s"
    warnings = [e for e in events_for(kubectl, namespace, "app") if e["type"] == "Warning"]
    assert warnings
    assert all(e["reason"] == "UpdateFailed" for e in warnings)
    assert all(VALUE not in e["message"] for e in events_for(kubectl, namespace, "app"))


def test_malformed_refresh_interval_is_refused_with_the_field(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    spec = {
        "refreshInterval": "one hour",
        "secretStoreRef": {"name": "none"},
        "data": [{"secretKey": "k", "remoteRef": {"key": "k"}}],
    }
    result = kubectl.run(
        "apply",
        "-f",
        "-",
        "-n",
        namespace,
        check=False,
        stdin=json.dumps(external_secret(namespace, "interval", spec)),
    )
    if result.returncode != 0:
        assert "refreshInterval" in result.stderr
        return
    cond = wait_es_message(kubectl, "interval", namespace, "spec.refreshInterval")
    assert cond["status"] == "False"
