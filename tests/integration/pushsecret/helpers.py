"""PushSecret manifests, waits and checks shared by the PushSecret integration tests."""

from __future__ import annotations

import json
from typing import Any

from eso.errors import SecretNotFound
from eso.providers.base import PushEntry, RemoteRef
from tests.integration.builders import events_for
from tests.support import SENSITIVE, Kubectl, OperatorRunner, ready_condition, wait_until

PS_API = "external-secrets.io/v1alpha1"


def push_secret(
    namespace: str,
    name: str,
    *,
    stores: list[dict[str, Any]],
    source: str | None = None,
    data: list[dict[str, Any]] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    """A PushSecret; ``source`` names the source Secret (``selector.secret.name``)."""
    body: dict[str, Any] = {"secretStoreRefs": stores, **spec}
    if source is not None:
        body["selector"] = {"secret": {"name": source}}
    if data is not None:
        body["data"] = data
    return {
        "apiVersion": PS_API,
        "kind": "PushSecret",
        "metadata": {"name": name, "namespace": namespace},
        "spec": body,
    }


def entry(secret_key: str | None, remote_key: str, prop: str | None = None, **extra: Any) -> dict[str, Any]:
    """One ``data[]`` entry."""
    remote: dict[str, Any] = {"remoteKey": remote_key}
    if prop:
        remote["property"] = prop
    match: dict[str, Any] = {"remoteRef": remote}
    if secret_key is not None:
        match["secretKey"] = secret_key
    return {"match": match, **extra}


def store_ref(name: str, kind: str = "SecretStore") -> dict[str, Any]:
    return {"name": name, "kind": kind}


def wait_ps(
    kubectl: Kubectl, name: str, namespace: str, reason: str = "Synced", timeout: float = 30
) -> dict[str, Any]:
    """Wait until the PushSecret's Ready reason is ``reason``; return the object."""

    def check() -> dict[str, Any] | None:
        obj = kubectl.get("pushsecret", name, namespace)
        return obj if (ready_condition(obj) or {}).get("reason") == reason else None

    return wait_until(check, timeout=timeout, what=f"PushSecret {name} reason {reason}")


def wait_ps_message(
    kubectl: Kubectl, name: str, namespace: str, fragment: str, timeout: float = 30
) -> dict[str, Any]:
    """Wait until the PushSecret's Ready message contains ``fragment``; return the condition."""

    def check() -> dict[str, Any] | None:
        cond = ready_condition(kubectl.get("pushsecret", name, namespace)) or {}
        return cond if fragment in str(cond.get("message", "")) else None

    return wait_until(check, timeout=timeout, what=f"PushSecret {name} message containing {fragment!r}")


def wait_version_change(
    kubectl: Kubectl, name: str, namespace: str, before: str, timeout: float = 30
) -> dict[str, Any]:
    """Wait until ``status.syncedResourceVersion`` differs from ``before`` (a new push), Ready Synced."""

    def check() -> dict[str, Any] | None:
        obj = kubectl.get("pushsecret", name, namespace) or {}
        version = (obj.get("status") or {}).get("syncedResourceVersion")
        synced = (ready_condition(obj) or {}).get("reason") == "Synced"
        return obj if version and version != before and synced else None

    return wait_until(check, timeout=timeout, what=f"PushSecret {name} pushed again")


def synced_map(obj: dict[str, Any] | None) -> dict[str, Any]:
    return dict(((obj or {}).get("status") or {}).get("syncedPushSecrets") or {})


def assert_no_value_in_status_or_events(kubectl: Kubectl, name: str, namespace: str, *values: str) -> None:
    """No secret value (the given ones and the suite's sensitive set) in the status or the events."""
    obj = kubectl.get("pushsecret", name, namespace) or {}
    texts = json.dumps(obj.get("status") or {}) + json.dumps(events_for(kubectl, namespace, name))
    for value in {*values, *SENSITIVE}:
        assert value not in texts, f"a secret value appears in the status or events of PushSecret {name}"


def fake_exists(operator: OperatorRunner, namespace: str, store: str, remote_key: str) -> bool:
    """Whether the fake store ``store`` of ``namespace`` holds ``remote_key`` (asked through its client)."""

    async def ask() -> bool:
        resolver = operator.operator.wiring.store_resolver()
        resolved = await resolver.resolve("SecretStore", store, namespace, field="test", require_ready=False)
        return bool(await resolved.client.secret_exists(PushEntry(remote_key)))

    return bool(operator.call(ask()))


def fake_value(operator: OperatorRunner, namespace: str, store: str, remote_key: str) -> bytes | None:
    """The value the fake store ``store`` of ``namespace`` holds under ``remote_key`` (None if absent)."""

    async def read() -> bytes | None:
        resolver = operator.operator.wiring.store_resolver()
        resolved = await resolver.resolve("SecretStore", store, namespace, field="test", require_ready=False)
        try:
            return bytes(await resolved.client.get_secret(RemoteRef(remote_key)))
        except SecretNotFound:
            return None

    result: bytes | None = operator.call(read())
    return result


def calls(operator: OperatorRunner, provider: str, call: str) -> float:
    """``externalsecret_provider_api_calls_count`` for one successful call."""
    return operator.operator.metrics.provider_calls(provider, call)
