"""ExternalSecret → Secret with the fake provider: the core sync loop against a real API server."""

from __future__ import annotations

from typing import Any

from tests.support import Kubectl, OperatorRunner, ready_condition, wait_until


def fake_store(namespace: str, data: dict[str, str], name: str = "fake") -> dict[str, Any]:
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "SecretStore",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"provider": {"fake": {"data": [{"key": k, "value": v} for k, v in data.items()]}}},
    }


def external_secret(namespace: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def test_fake_store_becomes_ready_and_external_secret_syncs(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    kubectl.apply(fake_store(namespace, {"db": '{"user":"admin","port":5432}', "token": "t0k"}))
    wait_until(
        lambda: (
            (ready_condition(kubectl.get("secretstore", "fake", namespace)) or {}).get("status") == "True"
        ),
        what="store Ready",
    )
    kubectl.apply(
        external_secret(
            namespace,
            "app",
            {
                "refreshInterval": "1h",
                "secretStoreRef": {"name": "fake", "kind": "SecretStore"},
                "target": {"name": "app-secret"},
                "data": [
                    {"secretKey": "user", "remoteRef": {"key": "db", "property": "user"}},
                    {"secretKey": "port", "remoteRef": {"key": "db", "property": "port"}},
                    {"secretKey": "token", "remoteRef": {"key": "token"}},
                ],
            },
        )
    )
    data = wait_until(lambda: kubectl.secret_data("app-secret", namespace), what="target Secret")
    assert data == {"user": b"admin", "port": b"5432", "token": b"t0k"}

    def synced() -> dict[str, Any] | None:
        obj = kubectl.get("externalsecret", "app", namespace)
        return obj if (ready_condition(obj) or {}).get("reason") == "SecretSynced" else None

    es = wait_until(synced, what="ES Ready")
    assert ready_condition(es)["status"] == "True"
    assert es["status"]["binding"] == {"name": "app-secret"}
    secret = kubectl.get("secret", "app-secret", namespace)
    assert secret is not None
    labels = secret["metadata"]["labels"]
    assert labels["reconcile.external-secrets.io/managed"] == "true"
    owners = secret["metadata"]["ownerReferences"]
    assert owners[0]["kind"] == "ExternalSecret"
    assert owners[0]["controller"] is True
    assert "creationPolicy" not in es["spec"].get("target", {}), "defaults must not be written back"
