"""``eso webhook`` end to end: the real kube-apiserver calls it while kubectl applies manifests.

Each test starts its own webhook process and its own ValidatingWebhookConfigurations,
restricted to the test's namespace (``namespaceSelector``) and, for cluster-scoped
kinds, to objects carrying the test's label (``objectSelector``), so no other test is
ever affected; the configurations are deleted at the end.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from eso.webhook.certs import Action, CertPolicy, rotate
from eso.webhook.configuration import render_validating_webhook_configuration
from tests.integration.webhook.conftest import WebhookProcess, free_port
from tests.integration.webhook.helpers import (
    apply,
    es,
    injected,
    now,
    report,
    selector,
    wait_injected,
)
from tests.support import Kubectl, wait_until

SEED_PUSH_SECRET = "tests/fixtures/seed/push-secret.yaml"
NAMESPACED = ["ExternalSecret", "SecretStore", "PushSecret"]
CLUSTER = ["ClusterSecretStore", "ClusterExternalSecret"]


@pytest.fixture
def configured(
    start_webhook: Callable[..., WebhookProcess],
    webhook_configs: Callable[[dict[str, Any]], str],
    kubectl: Kubectl,
    namespace: str,
    test_label: tuple[str, str],
) -> tuple[WebhookProcess, list[str]]:
    """A running webhook and its two configurations (namespaced kinds, cluster kinds), injected."""
    webhook = start_webhook()
    report("webhook process start to ready", webhook.ready_after)
    suffix = uuid.uuid4().hex[:8]
    names = [
        webhook_configs(
            render_validating_webhook_configuration(
                name=f"eso-test-ns-{suffix}",
                url=webhook.url,
                kinds=NAMESPACED,
                namespace_selector=selector(namespace),
            )
        ),
        webhook_configs(
            render_validating_webhook_configuration(
                name=f"eso-test-cluster-{suffix}",
                url=webhook.url,
                kinds=CLUSTER,
                object_selector={"matchLabels": {test_label[0]: test_label[1]}},
            )
        ),
    ]
    report(
        "caBundle injected after the configuration was created",
        wait_injected(kubectl, webhook, *names, what="caBundle injection"),
    )
    return webhook, names


def test_kubectl_apply_is_validated_by_the_webhook(
    configured: tuple[WebhookProcess, list[str]],
    kubectl: Kubectl,
    namespace: str,
    test_label: tuple[str, str],
) -> None:
    webhook, _ = configured
    secret = kubectl.get("secret", webhook.secret_name, namespace)
    assert secret is not None
    assert sorted(secret["data"]) == ["ca.crt", "ca.key", "tls.crt", "tls.key"]
    assert sorted(p.name for p in webhook.cert_dir.iterdir()) == ["ca.crt", "tls.crt", "tls.key"]

    code, out, _ = apply(
        kubectl, es("bad-policy", target={"creationPolicy": "Merge", "deletionPolicy": "Delete"}), namespace
    )
    assert code != 0
    assert 'admission webhook "validate.externalsecret.external-secrets.io" denied the request' in out
    assert "spec.target.deletionPolicy: deletionPolicy=Delete must not be used" in out

    code, out, _ = apply(kubectl, es("no-data", data=None), namespace)
    assert code != 0
    assert "spec: either data or dataFrom should be specified" in out

    code, out, took = apply(kubectl, es("good"), namespace)
    assert code == 0, out
    report("kubectl apply of a valid ExternalSecret through the webhook", took)

    # UPDATE is validated too: the same object made invalid is refused, and left as it was
    code, out, _ = apply(
        kubectl, es("good", target={"creationPolicy": "None", "deletionPolicy": "Merge"}), namespace
    )
    assert code != 0
    assert "deletionPolicy=Merge must not be used with creationPolicy=None" in out
    stored = kubectl.get("externalsecret", "good", namespace)
    assert stored is not None
    assert "deletionPolicy" not in stored["spec"].get("target", {})

    store: dict[str, Any] = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "SecretStore",
        "metadata": {"name": "fake"},
        "spec": {"provider": {"fake": {"data": [{"key": "k", "value": "do-not-echo-this"}]}}},
    }
    code, out, _ = apply(kubectl, store, namespace)
    assert code == 0, out
    assert (
        "Warning: store uses the fake provider, which is meant for tests and isn't currently maintained"
        in out
    )

    store["metadata"]["name"] = "fake-bad"
    store["spec"]["provider"]["fake"]["data"].append({"key": "", "value": "do-not-echo-this"})
    code, out, _ = apply(kubectl, store, namespace)
    assert code != 0
    assert "spec.provider.fake.data[1].key" in out
    assert "do-not-echo-this" not in out

    with open(SEED_PUSH_SECRET, encoding="utf-8") as fh:
        push = yaml.safe_load(fh)
    push["metadata"]["namespace"] = namespace
    code, out, _ = apply(kubectl, push, namespace)
    assert code != 0
    assert 'admission webhook "validate.pushsecret.external-secrets.io" denied the request' in out
    assert "spec.selector: is missing" in out
    assert "spec.selector.secret.name: <name of the Secret holding the key>" in out

    cluster_store = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": f"eso-test-{test_label[1]}", "labels": {test_label[0]: test_label[1]}},
        "spec": {"provider": {"vault": {"server": "https://vault.example"}}},
    }
    code, out, _ = apply(kubectl, cluster_store, None)
    assert code != 0
    assert (
        "spec.provider.vault: provider is known to ESO but not available in eso; available: aws, fake" in out
    )

    # server-side dry runs are validated as well (sideEffects: None)
    result = kubectl.run(
        "apply",
        "--dry-run=server",
        "-n",
        namespace,
        "-f",
        "-",
        stdin=yaml.safe_dump(es("dry", data=None)),
        check=False,
    )
    assert result.returncode != 0
    assert "either data or dataFrom" in result.stderr
    assert "do-not-echo-this" not in webhook.logs()


def test_a_changed_ca_bundle_is_injected_again(
    configured: tuple[WebhookProcess, list[str]], kubectl: Kubectl
) -> None:
    """With --check-interval 5m, the watch re-injects within a second."""
    webhook, names = configured
    started = time.monotonic()
    kubectl.run(
        "patch", "validatingwebhookconfiguration", names[0], "--type=json",
        "-p", json.dumps([{"op": "replace", "path": "/webhooks/0/clientConfig/caBundle", "value": ""}]),
    )  # fmt: skip
    wait_until(
        lambda: injected(kubectl, names[0], webhook.ca()), timeout=20, interval=0.05, what="re-injection"
    )
    report("caBundle re-injected after someone blanked it", time.monotonic() - started)


def test_when_the_webhook_is_down(
    start_webhook: Callable[..., WebhookProcess],
    webhook_configs: Callable[[dict[str, Any]], str],
    kubectl: Kubectl,
    namespace: str,
) -> None:
    """failurePolicy Fail refuses applies while the webhook is down; Ignore lets them through."""
    webhook = start_webhook()
    name = webhook_configs(
        render_validating_webhook_configuration(
            name=f"eso-test-down-{uuid.uuid4().hex[:8]}",
            url=webhook.url,
            kinds=["ExternalSecret"],
            namespace_selector=selector(namespace),
            failure_policy="Fail",
        )
    )
    wait_injected(kubectl, webhook, name, what="caBundle injection")
    code, out, _ = apply(kubectl, es("while-up"), namespace)
    assert code == 0, out

    webhook.stop()
    code, out, took = apply(kubectl, es("while-down-fail"), namespace)
    assert code != 0
    assert 'failed calling webhook "validate.externalsecret.external-secrets.io"' in out
    assert "connection refused" in out
    report("apply refused, webhook down, failurePolicy Fail", took)
    print(f"kubectl said: {out.strip()}")
    assert kubectl.get("externalsecret", "while-down-fail", namespace) is None

    _set_failure_policy(kubectl, name, "Ignore")
    code, out, took = _apply_once_accepted(kubectl, es("while-down-ignore"), namespace)
    assert code == 0, out
    report("apply accepted, webhook down, failurePolicy Ignore", took)
    # Ignore admits what the webhook would have refused: the controller reports it instead
    code, out, _ = apply(
        kubectl, es("unchecked", target={"creationPolicy": "Merge", "deletionPolicy": "Delete"}), namespace
    )
    assert code == 0, out


def test_when_the_webhook_hangs(
    webhook_configs: Callable[[dict[str, Any]], str], kubectl: Kubectl, namespace: str
) -> None:
    """A webhook that accepts connections but never answers costs timeoutSeconds per apply."""
    port = free_port()
    listener = socket.socket()
    listener.bind(("127.0.0.1", port))
    listener.listen(64)  # connections complete in the kernel; nobody ever answers
    try:
        name = webhook_configs(
            render_validating_webhook_configuration(
                name=f"eso-test-hang-{uuid.uuid4().hex[:8]}",
                url=f"https://127.0.0.1:{port}",
                ca_bundle=rotate(None, CertPolicy(("x",), ("127.0.0.1",)), now(), Action.RENEW).ca_cert,
                kinds=["ExternalSecret"],
                namespace_selector=selector(namespace),
                timeout_seconds=2,
            )
        )
        code, out, took = apply(kubectl, es("hang-fail"), namespace)
        assert code != 0
        assert 'failed calling webhook "validate.externalsecret.external-secrets.io"' in out
        report("apply refused, webhook hangs, failurePolicy Fail, timeoutSeconds 2", took)
        print(f"kubectl said: {out.strip()}")
        _set_failure_policy(kubectl, name, "Ignore")
        code, out, took = _apply_once_accepted(kubectl, es("hang-ignore"), namespace)
        assert code == 0, out
        report("apply accepted, webhook hangs, failurePolicy Ignore, timeoutSeconds 2", took)
    finally:
        listener.close()


def _set_failure_policy(kubectl: Kubectl, name: str, policy: str) -> None:
    kubectl.run(
        "patch", "validatingwebhookconfiguration", name, "--type=json",
        "-p", json.dumps([{"op": "replace", "path": "/webhooks/0/failurePolicy", "value": policy}]),
    )  # fmt: skip


def _apply_once_accepted(kubectl: Kubectl, obj: dict[str, Any], namespace: str) -> tuple[int, str, float]:
    """Apply until accepted: the API server picks up a configuration change asynchronously."""
    deadline = time.monotonic() + 30
    while True:
        code, out, took = apply(kubectl, obj, namespace)
        if code == 0 or time.monotonic() > deadline:
            return code, out, took
