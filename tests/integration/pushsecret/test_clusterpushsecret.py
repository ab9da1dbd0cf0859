"""ClusterPushSecret fan-out against a real API server (with the garbage collector running).

Children appear in the namespaces the selectors pick, follow label changes, are renamed
with ``pushSecretName``, never replace a foreign PushSecret, and go with their owner.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.integration.builders import fake_store, secret, wait_store_ready
from tests.integration.pushsecret.helpers import entry, push_secret, store_ref, wait_ps
from tests.support import Kubectl, OperatorRunner, ready_condition, wait_until


@pytest.fixture
def namespaces(kubectl: Kubectl, namespace: str) -> Iterator[Callable[[dict[str, str]], str]]:
    """Makes extra namespaces (deleted after the test)."""
    made: list[str] = []

    def make(labels: dict[str, str]) -> str:
        name = f"{namespace[:40]}-{uuid.uuid4().hex[:6]}"
        manifest = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
        kubectl.apply(manifest)
        made.append(name)
        return name

    try:
        yield make
    finally:
        for name in made:
            kubectl.delete("namespace", name)


@pytest.fixture
def cluster_store(kubectl: Kubectl, namespace: str) -> Iterator[str]:
    name = f"cps-{namespace}"[:63].rstrip("-")
    store = fake_store(namespace, {"static": "x"}, name=name)
    store["kind"] = "ClusterSecretStore"
    del store["metadata"]["namespace"]
    kubectl.apply(store)
    wait_store_ready(kubectl, "clustersecretstore", name, None)
    try:
        yield name
    finally:
        kubectl.delete("clustersecretstore", name)


def _cps(name: str, selector: dict[str, str], store: str, **spec: Any) -> dict[str, Any]:
    child = push_secret("unused", "unused", stores=[store_ref(store, "ClusterSecretStore")], source="src")
    child["spec"]["data"] = [entry("k", f"{name}-remote")]
    return {
        "apiVersion": "external-secrets.io/v1alpha1",
        "kind": "ClusterPushSecret",
        "metadata": {"name": name},
        "spec": {
            "namespaceSelectors": [{"matchLabels": selector}],
            "pushSecretSpec": child["spec"],
            "pushSecretMetadata": {"labels": {"from": "cps"}, "annotations": {"note": "fan-out"}},
            **spec,
        },
    }


def _status(kubectl: Kubectl, name: str) -> dict[str, Any]:
    return dict(((kubectl.get("clusterpushsecret", name) or {}).get("status")) or {})


def test_cluster_push_secret_fans_out_follows_namespaces_and_cleans_up(
    operator: OperatorRunner,
    kubectl: Kubectl,
    namespace: str,
    namespaces: Callable[[dict[str, str]], str],
    cluster_store: str,
) -> None:
    tag = {"cps-test": namespace[-8:]}
    first, second = namespaces(tag), namespaces(tag)
    outside = namespaces({})
    for ns in (first, second, outside):
        kubectl.apply(secret(ns, "src", {"k": "v"}))
    # a foreign PushSecret with the child's name: never replaced
    kubectl.apply(
        push_secret(second, "fan", stores=[store_ref(cluster_store, "ClusterSecretStore")], source="src")
    )
    name = f"cps-{namespace[-8:]}"
    kubectl.apply(_cps(name, tag, cluster_store, pushSecretName="fan"))
    try:
        status = wait_until(
            lambda: _status(kubectl, name).get("pushSecretName") and _status(kubectl, name), what="CPS status"
        )
        assert status["provisionedNamespaces"] == [first]
        assert status["failedNamespaces"] == [
            {
                "namespace": second,
                "reason": "a PushSecret of that name already exists in the namespace "
                "and is not managed by this ClusterPushSecret",
            }
        ]
        cond = ready_condition({"status": status}) or {}
        assert (cond["status"], cond["reason"], cond["message"]) == (
            "False",
            "Errored",
            "one or more namespaces failed",
        )
        child = wait_ps(kubectl, "fan", first)
        owner = child["metadata"]["ownerReferences"][0]
        assert (owner["kind"], owner["name"], owner["controller"]) == ("ClusterPushSecret", name, True)
        assert child["metadata"]["labels"]["from"] == "cps"
        assert child["metadata"]["annotations"]["note"] == "fan-out"
        assert "ownerReferences" not in (kubectl.get("pushsecret", "fan", second) or {})["metadata"]

        # the foreign one goes away: the namespace is provisioned
        kubectl.delete("pushsecret", "fan", second)
        wait_until(
            lambda: _status(kubectl, name).get("provisionedNamespaces") == sorted([first, second]),
            what="both",
        )
        assert (ready_condition({"status": _status(kubectl, name)}) or {}).get("reason") == "Synced"
        # a namespace joins, then one leaves
        kubectl.run("label", "namespace", outside, f"cps-test={tag['cps-test']}")
        wait_until(lambda: kubectl.get("pushsecret", "fan", outside), what="child in the joining namespace")
        kubectl.run("label", "namespace", first, "cps-test-")
        wait_until(
            lambda: kubectl.get("pushsecret", "fan", first) is None,
            what="child removed from leaving namespace",
        )
        wait_until(
            lambda: _status(kubectl, name).get("provisionedNamespaces") == sorted([second, outside]),
            what="status",
        )
        # a new child name: old children deleted, new ones created
        kubectl.apply(_cps(name, tag, cluster_store, pushSecretName="fan2"))
        wait_until(lambda: kubectl.get("pushsecret", "fan2", outside), what="renamed child")
        wait_until(lambda: kubectl.get("pushsecret", "fan", outside) is None, what="old-named child deleted")
        wait_until(lambda: _status(kubectl, name).get("pushSecretName") == "fan2", what="status name")
    finally:
        kubectl.delete("clusterpushsecret", name)
    wait_until(
        lambda: kubectl.get("pushsecret", "fan2", outside) is None, timeout=60, what="children collected"
    )
