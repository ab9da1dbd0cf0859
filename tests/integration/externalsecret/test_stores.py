"""Store rules: namespace isolation, ClusterSecretStore conditions, controller classes, client reuse."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.integration.builders import (
    aws_store,
    external_secret,
    fake_store,
    irsa_service_account,
    secret,
    wait_es,
    wait_es_message,
    wait_store_ready,
)
from tests.sandbox_fixtures import AwsHelper
from tests.support import Kubectl, OperatorRunner, ready_condition, wait_until


def _es(namespace: str, name: str, store: str, kind: str = "SecretStore", key: str = "k") -> dict[str, Any]:
    return external_secret(
        namespace,
        name,
        {
            "refreshInterval": "1h",
            "secretStoreRef": {"name": store, "kind": kind},
            "data": [{"secretKey": "v", "remoteRef": {"key": key}}],
        },
    )


def _store_condition(
    kubectl: Kubectl, kind: str, name: str, namespace: str | None, fragment: str
) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        cond = ready_condition(kubectl.get(kind, name, namespace)) or {}
        return cond if fragment in str(cond.get("message", "")) else None

    return wait_until(check, what=f"{kind} {name} message {fragment!r}")


def _namespace(kubectl: Kubectl, labels: dict[str, str]) -> str:
    name = f"eso-css-{uuid.uuid4().hex[:8]}"
    kubectl.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
    return name


def test_secret_store_cannot_read_credentials_from_another_namespace(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    other = _namespace(kubectl, {"eso-test": "true"})
    try:
        kubectl.apply(secret(other, "creds", {"id": "a", "key": "b"}))
        auth = {
            "secretRef": {
                "accessKeyIDSecretRef": {"name": "creds", "key": "id", "namespace": other},
                "secretAccessKeySecretRef": {"name": "creds", "key": "key", "namespace": other},
            }
        }
        kubectl.apply(aws_store(namespace, "cross", auth=auth))
        cond = _store_condition(
            kubectl, "secretstore", "cross", namespace, "namespace should either be empty"
        )
        assert cond["status"] == "False"
        assert f"{other}/creds" in cond["message"]
        assert "ClusterSecretStore" in cond["message"], "the message says how to fix it"
    finally:
        kubectl.delete("namespace", other)


def test_secret_store_may_name_the_operators_own_service_account(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    kubectl.run("create", "namespace", "external-secrets", check=False)
    kubectl.apply(irsa_service_account("external-secrets", "external-secrets"))
    remote = aws.name("own")
    aws.put_secret(remote, "via-operator-identity")
    auth = {"jwt": {"serviceAccountRef": {"name": "external-secrets", "namespace": "external-secrets"}}}
    kubectl.apply(aws_store(namespace, "own", auth=auth))
    wait_store_ready(kubectl, "secretstore", "own", namespace)
    kubectl.apply(_es(namespace, "own", "own", key=remote))
    wait_es(kubectl, "own", namespace)
    assert kubectl.secret_data("own", namespace) == {"v": b"via-operator-identity"}
    kubectl.apply(irsa_service_account("external-secrets", "someone-else"))
    auth = {"jwt": {"serviceAccountRef": {"name": "someone-else", "namespace": "external-secrets"}}}
    kubectl.apply(aws_store(namespace, "other-sa", auth=auth))
    cond = _store_condition(kubectl, "secretstore", "other-sa", namespace, "namespace should either be empty")
    assert cond["status"] == "False"


def test_external_secret_cannot_use_another_namespaces_store(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    other = _namespace(kubectl, {"eso-test": "true"})
    try:
        kubectl.apply(fake_store(other, {"k": "theirs"}, name="private"))
        wait_store_ready(kubectl, "secretstore", "private", other)
        kubectl.apply(_es(namespace, "thief", "private"))
        cond = wait_es_message(kubectl, "thief", namespace, 'SecretStore "private" not found')
        assert cond["status"] == "False"
        assert kubectl.get("secret", "thief", namespace) is None
    finally:
        kubectl.delete("namespace", other)


def test_cluster_secret_store_conditions_are_enforced_on_every_use(
    operator: OperatorRunner, kubectl: Kubectl
) -> None:
    tag = uuid.uuid4().hex[:8]
    allowed = _namespace(kubectl, {"eso-test": "true", "team": f"a-{tag}"})
    denied = _namespace(kubectl, {"eso-test": "true", "team": f"b-{tag}"})
    css = f"css-{tag}"
    store = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": css},
        "spec": {
            "provider": {"fake": {"data": [{"key": "k", "value": "shared"}]}},
            "conditions": [{"namespaceSelector": {"matchLabels": {"team": f"a-{tag}"}}}],
        },
    }
    try:
        kubectl.apply(store)
        wait_store_ready(kubectl, "clustersecretstore", css, None)
        kubectl.apply(_es(allowed, "ok", css, kind="ClusterSecretStore"))
        kubectl.apply(_es(denied, "no", css, kind="ClusterSecretStore"))
        wait_es(kubectl, "ok", allowed)
        cond = wait_es_message(kubectl, "no", denied, "denied by spec.condition")
        assert cond["status"] == "False"
        kubectl.run("label", "namespace", allowed, f"team=b-{tag}", "--overwrite")
        kubectl.run("annotate", "externalsecret", "ok", "-n", allowed, "force-sync=1")
        wait_es_message(kubectl, "ok", allowed, "denied by spec.condition")
        assert kubectl.secret_data("ok", allowed) == {"v": b"shared"}, "nothing synced before is removed"
    finally:
        kubectl.delete("clustersecretstore", css)
        kubectl.delete("namespace", allowed)
        kubectl.delete("namespace", denied)


def test_cluster_secret_store_conditions_by_name_and_unanchored_regex(
    operator: OperatorRunner, kubectl: Kubectl
) -> None:
    tag = uuid.uuid4().hex[:8]
    by_name = _namespace(kubectl, {"eso-test": "true"})
    by_regex = _namespace(kubectl, {"eso-test": "true"})
    denied = _namespace(kubectl, {"eso-test": "true"})
    css = f"css-names-{tag}"
    store = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": css},
        "spec": {
            "provider": {"fake": {"data": [{"key": "k", "value": "shared"}]}},
            "conditions": [{"namespaces": [by_name]}, {"namespaceRegexes": [by_regex[-8:]]}],
        },
    }
    try:
        kubectl.apply(store)
        wait_store_ready(kubectl, "clustersecretstore", css, None)
        for ns in (by_name, by_regex, denied):
            kubectl.apply(_es(ns, "use", css, kind="ClusterSecretStore"))
        wait_es(kubectl, "use", by_name)
        wait_es(kubectl, "use", by_regex)  # the regex matches the end of the name: unanchored, like Go
        wait_es_message(kubectl, "use", denied, "denied by spec.condition")
    finally:
        kubectl.delete("clustersecretstore", css)
        for ns in (by_name, by_regex, denied):
            kubectl.delete("namespace", ns)


def test_stores_of_another_controller_class_are_ignored(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    kubectl.apply(fake_store(namespace, {"k": "v"}, name="foreign", controller="other-class"))
    kubectl.apply(_es(namespace, "ignored", "foreign"))
    time.sleep(3)
    assert ready_condition(kubectl.get("secretstore", "foreign", namespace)) is None
    assert ready_condition(kubectl.get("externalsecret", "ignored", namespace)) is None
    assert kubectl.get("secret", "ignored", namespace) is None


def test_provider_client_is_reused_across_reconciles(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    remote = aws.name("reuse")
    aws.put_secret(remote, json.dumps({"a": "1"}))
    kubectl.apply(irsa_service_account(namespace))
    kubectl.apply(aws_store(namespace))
    wait_store_ready(kubectl, "secretstore", "aws", namespace)
    cache = operator.operator.wiring.cache
    metrics = operator.operator.metrics
    created_before = cache.created
    sts_before = metrics.provider_calls("AWS/STS", "AssumeRoleWithWebIdentity")
    for i in range(5):
        kubectl.apply(
            external_secret(
                namespace,
                f"r{i}",
                {
                    "refreshInterval": "1s",
                    "secretStoreRef": {"name": "aws"},
                    "data": [{"secretKey": "a", "remoteRef": {"key": remote, "property": "a"}}],
                },
            )
        )
    for i in range(5):
        wait_es(kubectl, f"r{i}", namespace)
    time.sleep(3)  # several refreshes of five ExternalSecrets
    assert cache.created - created_before == 1, "one client for the store, reused by every reconcile"
    sts_calls = metrics.provider_calls("AWS/STS", "AssumeRoleWithWebIdentity") - sts_before
    assert metrics.provider_calls("AWS/STS", "AssumeRoleWithWebIdentity") >= 1, "the counter is the right one"
    assert sts_calls <= 1, (
        f"assumed-role credentials are reused, got {sts_calls} AssumeRoleWithWebIdentity calls"
    )
