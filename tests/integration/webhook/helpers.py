"""Helpers shared by the webhook integration tests: manifests, kubectl applies, TLS peeks."""

from __future__ import annotations

import base64
import datetime
import socket
import ssl
import time
from typing import Any

import yaml
from cryptography import x509

from tests.integration.webhook.conftest import WebhookProcess
from tests.support import Kubectl, wait_until

MEASURED: dict[str, float] = {}


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def report(name: str, seconds: float) -> None:
    MEASURED[name] = round(seconds, 3)
    print(f"measured: {name} = {seconds:.3f}s")


def es(name: str, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "secretStoreRef": {"name": "fake", "kind": "SecretStore"},
        "target": {"name": name},
        "data": [{"secretKey": "k", "remoteRef": {"key": "k"}}],
    }
    body.update(spec)
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": name},
        "spec": {k: v for k, v in body.items() if v is not None},
    }


def apply(kubectl: Kubectl, obj: dict[str, Any] | str, namespace: str | None) -> tuple[int, str, float]:
    text = obj if isinstance(obj, str) else yaml.safe_dump(obj)
    args = ["apply", "-f", "-"] + (["-n", namespace] if namespace else [])
    started = time.monotonic()
    result = kubectl.run(*args, stdin=text, check=False)
    return result.returncode, result.stdout + result.stderr, time.monotonic() - started


def selector(namespace: str) -> dict[str, Any]:
    return {"matchLabels": {"kubernetes.io/metadata.name": namespace}}


def injected(kubectl: Kubectl, name: str, ca: bytes) -> bool:
    obj = kubectl.get("validatingwebhookconfiguration", name)
    want = base64.b64encode(ca).decode()
    hooks = (obj or {}).get("webhooks") or []
    return bool(hooks) and all(h["clientConfig"].get("caBundle") == want for h in hooks)


def wait_injected(kubectl: Kubectl, webhook: WebhookProcess, *names: str, what: str) -> float:
    started = time.monotonic()
    for name in names:

        def done(n: str = name) -> bool:
            return injected(kubectl, n, webhook.ca())

        wait_until(done, timeout=30, interval=0.05, what=what)
    return time.monotonic() - started


def served_certificate(port: int) -> x509.Certificate:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, ctx.wrap_socket(raw) as tls:
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)
