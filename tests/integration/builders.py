"""Manifest builders and waits shared by the integration tests."""

from __future__ import annotations

import base64
from typing import Any

from tests.support import Kubectl, ready_condition, wait_until

ROLE_ARN = "arn:aws:iam::123456789012:role/eso-test"


def fake_store(namespace: str, data: dict[str, str], name: str = "fake", **spec: Any) -> dict[str, Any]:
    """A SecretStore with the fake provider."""
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "SecretStore",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"provider": {"fake": {"data": [{"key": k, "value": v} for k, v in data.items()]}}, **spec},
    }


def aws_store(
    namespace: str,
    name: str = "aws",
    *,
    service: str = "SecretsManager",
    auth: dict[str, Any] | None = None,
    kind: str = "SecretStore",
    **provider: Any,
) -> dict[str, Any]:
    """An AWS store; default auth is IRSA-style jwt with the ServiceAccount ``eso-sa`` of ``namespace``."""
    spec: dict[str, Any] = {"service": service, "region": "eu-west-1", **provider}
    spec["auth"] = auth if auth is not None else {"jwt": {"serviceAccountRef": {"name": "eso-sa"}}}
    meta: dict[str, Any] = {"name": name}
    if kind == "SecretStore":
        meta["namespace"] = namespace
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": kind,
        "metadata": meta,
        "spec": {"provider": {"aws": spec}},
    }


def irsa_service_account(namespace: str, name: str = "eso-sa") -> dict[str, Any]:
    """A ServiceAccount annotated with an IAM role, as IRSA needs."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": {"eks.amazonaws.com/role-arn": ROLE_ARN},
        },
    }


def external_secret(namespace: str, name: str, spec: dict[str, Any], **meta: Any) -> dict[str, Any]:
    """An ExternalSecret (v1)."""
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": namespace, **meta},
        "spec": spec,
    }


def secret(namespace: str, name: str, data: dict[str, str], **meta: Any) -> dict[str, Any]:
    """A plain Secret."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace, **meta},
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
    }


def wait_store_ready(kubectl: Kubectl, kind: str, name: str, namespace: str | None) -> dict[str, Any]:
    """Wait until a store reports Ready=True."""

    def ready() -> dict[str, Any] | None:
        obj = kubectl.get(kind, name, namespace)
        return obj if (ready_condition(obj) or {}).get("status") == "True" else None

    return wait_until(ready, what=f"{kind} {name} Ready")


def wait_es(
    kubectl: Kubectl, name: str, namespace: str, reason: str = "SecretSynced", timeout: float = 30
) -> dict[str, Any]:
    """Wait until an ExternalSecret's Ready reason is ``reason``; return the object."""

    def check() -> dict[str, Any] | None:
        obj = kubectl.get("externalsecret", name, namespace)
        return obj if (ready_condition(obj) or {}).get("reason") == reason else None

    return wait_until(check, timeout=timeout, what=f"ExternalSecret {name} reason {reason}")


def wait_es_message(
    kubectl: Kubectl, name: str, namespace: str, fragment: str, timeout: float = 30
) -> dict[str, Any]:
    """Wait until the Ready message of an ExternalSecret contains ``fragment``."""

    def check() -> dict[str, Any] | None:
        obj = kubectl.get("externalsecret", name, namespace)
        cond = ready_condition(obj) or {}
        return cond if fragment in str(cond.get("message", "")) else None

    return wait_until(check, timeout=timeout, what=f"ExternalSecret {name} message containing {fragment!r}")


def events_for(kubectl: Kubectl, namespace: str, name: str) -> list[dict[str, Any]]:
    """Events about the object ``name`` in ``namespace``."""
    result = kubectl.run("get", "events", "-n", namespace, "-o", "json")
    import json

    items = json.loads(result.stdout).get("items", [])
    return [e for e in items if (e.get("involvedObject") or {}).get("name") == name]
