"""Refresh, force-sync, drift repair through the Secret watch, and no writes in steady state."""

from __future__ import annotations

import time
from typing import Any

from tests.integration.builders import (
    aws_store,
    external_secret,
    fake_store,
    irsa_service_account,
    wait_es,
    wait_store_ready,
)
from tests.sandbox_fixtures import AwsHelper
from tests.support import Kubectl, OperatorRunner, wait_until


def _es(name: str, namespace: str, key: str, **spec: Any) -> dict[str, Any]:
    body = {
        "refreshInterval": "1h",
        "secretStoreRef": {"name": spec.pop("store", "fake"), "kind": "SecretStore"},
        "target": {"name": name},
        "data": [{"secretKey": "value", "remoteRef": {"key": key}}],
        **spec,
    }
    return external_secret(namespace, name, body)


def test_remote_change_is_picked_up_after_refresh_interval(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    remote = aws.name("rotating")
    aws.put_secret(remote, "first")
    kubectl.apply(irsa_service_account(namespace))
    kubectl.apply(aws_store(namespace))
    wait_store_ready(kubectl, "secretstore", "aws", namespace)
    kubectl.apply(_es("rot", namespace, remote, store="aws", refreshInterval="2s"))
    wait_until(lambda: kubectl.secret_data("rot", namespace) == {"value": b"first"}, what="first value")
    aws.put_secret(remote, "second")
    started = time.monotonic()
    wait_until(
        lambda: kubectl.secret_data("rot", namespace) == {"value": b"second"},
        timeout=20,
        what="rotated value",
    )
    assert time.monotonic() - started < 15


def test_hand_edit_and_deletion_are_repaired_within_seconds_not_at_the_next_refresh(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    kubectl.apply(fake_store(namespace, {"k": "truth"}))
    wait_store_ready(kubectl, "secretstore", "fake", namespace)
    kubectl.apply(_es("drift", namespace, "k", refreshInterval="1h"))
    wait_until(lambda: kubectl.secret_data("drift", namespace) == {"value": b"truth"}, what="synced")
    kubectl.run(
        "patch", "secret", "drift", "-n", namespace, "--type=merge", "-p", '{"data":{"value":"bGll"}}'
    )
    wait_until(
        lambda: kubectl.secret_data("drift", namespace) == {"value": b"truth"},
        timeout=10,
        what="edit repaired",
    )
    kubectl.run(
        "patch", "secret", "drift", "-n", namespace, "--type=merge", "-p", '{"data":{"extra":"eA=="}}'
    )
    wait_until(
        lambda: kubectl.secret_data("drift", namespace) == {"value": b"truth"},
        timeout=10,
        what="extra removed",
    )
    kubectl.delete("secret", "drift", namespace, wait=True)
    wait_until(
        lambda: kubectl.secret_data("drift", namespace) == {"value": b"truth"}, timeout=10, what="recreated"
    )


def test_force_sync_annotation_refreshes_and_created_once_does_not(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    kubectl.apply(fake_store(namespace, {"k": "one"}))
    wait_store_ready(kubectl, "secretstore", "fake", namespace)
    kubectl.apply(_es("periodic", namespace, "k"))
    kubectl.apply(_es("once", namespace, "k", refreshPolicy="CreatedOnce"))
    kubectl.apply(_es("onchange", namespace, "k", refreshPolicy="OnChange"))
    for name in ("periodic", "once", "onchange"):
        wait_until(
            lambda n=name: kubectl.secret_data(n, namespace) == {"value": b"one"}, what=f"{name} synced"
        )
    kubectl.apply(fake_store(namespace, {"k": "two"}))
    for name in ("periodic", "once", "onchange"):
        kubectl.run("annotate", "externalsecret", name, "-n", namespace, "force-sync=1", "--overwrite")
    wait_until(
        lambda: kubectl.secret_data("periodic", namespace) == {"value": b"two"}, what="periodic forced"
    )
    wait_until(
        lambda: kubectl.secret_data("onchange", namespace) == {"value": b"two"}, what="onchange forced"
    )
    time.sleep(2)
    assert kubectl.secret_data("once", namespace) == {"value": b"one"}, "CreatedOnce never refreshes"


def test_steady_state_writes_nothing_and_a_refresh_writes_only_status(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    kubectl.apply(fake_store(namespace, {"k": "stable"}))
    wait_store_ready(kubectl, "secretstore", "fake", namespace)
    kubectl.apply(_es("steady", namespace, "k", refreshInterval="2s"))
    wait_es(kubectl, "steady", namespace)
    secret_rv = (kubectl.get("secret", "steady", namespace) or {})["metadata"]["resourceVersion"]
    es_before = kubectl.get("externalsecret", "steady", namespace) or {}
    time.sleep(6.5)  # three refresh intervals
    secret_after = kubectl.get("secret", "steady", namespace) or {}
    es_after = kubectl.get("externalsecret", "steady", namespace) or {}
    assert secret_after["metadata"]["resourceVersion"] == secret_rv, (
        "an unchanged refresh never writes the Secret"
    )
    assert es_after["status"]["conditions"] == es_before["status"]["conditions"], (
        "the condition is not rewritten"
    )
    assert es_after["status"]["refreshTime"] != es_before["status"]["refreshTime"], (
        "refreshTime moves on a refresh"
    )
    assert es_after["metadata"]["generation"] == es_before["metadata"]["generation"]


def test_a_reconcile_without_refresh_writes_nothing(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    kubectl.apply(fake_store(namespace, {"k": "stable"}))
    wait_store_ready(kubectl, "secretstore", "fake", namespace)
    kubectl.apply(_es("quiet", namespace, "k"))
    wait_es(kubectl, "quiet", namespace)
    time.sleep(1)
    es_rv = (kubectl.get("externalsecret", "quiet", namespace) or {})["metadata"]["resourceVersion"]
    kubectl.run(
        "label", "secret", "quiet", "-n", namespace, "unrelated=touch"
    )  # a Secret event → a reconcile
    secret_rv = (kubectl.get("secret", "quiet", namespace) or {})["metadata"]["resourceVersion"]
    time.sleep(2)
    assert (kubectl.get("externalsecret", "quiet", namespace) or {})["metadata"]["resourceVersion"] == es_rv
    after = kubectl.get("secret", "quiet", namespace) or {}
    assert after["metadata"]["labels"]["unrelated"] == "touch", "a foreign label is left alone"
    assert after["metadata"]["resourceVersion"] == secret_rv, "the Secret was not rewritten"
