"""Certificate management against the real API server: replicas converge, rotation keeps serving.

* Several cert managers racing on one fresh Secret write it once and end up with the
  same certificate (read-modify-write with resourceVersion; the losers re-read).
* A running ``eso webhook`` whose stored CA is about to expire renews it, injects the
  new CA (keeping the old one in the bundle), serves the new certificate and keeps
  validating; a serving certificate near expiry is reissued by the same CA, so the
  ``caBundle`` does not change at all.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509

from eso.api.resources import SECRET
from eso.kube.client import KubeClient
from eso.kube.config import load_connection
from eso.webhook.certs import Action, CertBundle, CertPolicy, inspect, rotate
from eso.webhook.certsync import CertManager
from eso.webhook.configuration import render_validating_webhook_configuration
from eso.webhook.settings import CertSettings
from tests.integration.webhook.conftest import WebhookProcess
from tests.integration.webhook.helpers import apply, es, report, selector, served_certificate
from tests.support import Kubectl, wait_until

DAY = datetime.timedelta(days=1)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@pytest.fixture
async def kube_client(sandbox: Any) -> AsyncIterator[KubeClient]:
    client = KubeClient(load_connection(str(sandbox.kubeconfig)).http_client())
    try:
        yield client
    finally:
        await client.close()


def _settings(namespace: str, secret: str, **extra: Any) -> CertSettings:
    return CertSettings(
        service_namespace=namespace,
        secret_name=secret,
        secret_namespace=namespace,
        ip_addresses=("127.0.0.1",),
        inject_ca_bundle=False,
        **extra,
    )


async def test_replicas_converge_on_one_certificate(
    kube_client: KubeClient, namespace: str, tmp_path: Path
) -> None:
    secret = f"wh-{uuid.uuid4().hex[:8]}"
    managers = [CertManager(kube_client, _settings(namespace, secret), tmp_path / f"r{i}") for i in range(4)]
    started = time.monotonic()
    bundles = await asyncio.gather(*(m.ensure() for m in managers))
    report("4 replicas racing on a fresh Secret converged", time.monotonic() - started)
    assert len(set(bundles)) == 1
    assert sum(m.secret_writes for m in managers) == 1
    served = {(tmp_path / f"r{i}" / "tls.crt").read_bytes() for i in range(4)}
    assert served == {bundles[0].tls_cert}
    stored = await kube_client.get(SECRET, secret, namespace)
    assert CertBundle.from_secret_data(stored["data"]) == bundles[0]

    # a replica that needs one more name reissues once (same CA); the others keep that certificate
    wider = CertManager(
        kube_client, _settings(namespace, secret, dns_names=("extra.example",)), tmp_path / "w"
    )
    reissued = await wider.ensure()
    assert wider.secret_writes == 1
    assert reissued.ca_cert == bundles[0].ca_cert
    info = inspect(reissued.tls_cert)
    assert info is not None
    assert "extra.example" in info.dns_names
    again = await asyncio.gather(*(m.ensure() for m in managers))
    assert set(again) == {reissued}
    assert sum(m.secret_writes for m in managers) == 1


async def test_a_chart_made_empty_secret_is_filled_keeping_its_type_and_labels(
    kube_client: KubeClient, namespace: str, tmp_path: Path
) -> None:
    secret = f"wh-{uuid.uuid4().hex[:8]}"
    await kube_client.create(
        SECRET,
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": secret, "namespace": namespace, "labels": {"app": "chart"}},
            "type": "Opaque",
        },
        namespace,
    )
    bundle = await CertManager(kube_client, _settings(namespace, secret), tmp_path).ensure()
    stored = await kube_client.get(SECRET, secret, namespace)
    assert stored["metadata"]["labels"] == {"app": "chart"}
    assert stored["type"] == "Opaque"
    assert CertBundle.from_secret_data(stored["data"]) == bundle


def _issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
    except Exception:
        return False
    return True


def _policy(namespace: str) -> CertPolicy:
    return _settings(namespace, "x").policy()


def _replace_secret(kubectl: Kubectl, process: WebhookProcess, bundle: CertBundle) -> None:
    secret = kubectl.get("secret", process.secret_name, process.namespace)
    assert secret is not None
    secret["data"] = bundle.to_secret_data()
    kubectl.run("replace", "-f", "-", stdin=yaml.safe_dump(secret))


def _ca_bundle(kubectl: Kubectl, name: str) -> bytes:
    obj = kubectl.get("validatingwebhookconfiguration", name)
    assert obj is not None
    return base64.b64decode(obj["webhooks"][0]["clientConfig"].get("caBundle", ""))


def test_rotation_in_a_running_webhook(
    start_webhook: Callable[..., WebhookProcess],
    webhook_configs: Callable[[dict[str, Any]], str],
    kubectl: Kubectl,
    namespace: str,
) -> None:
    webhook = start_webhook()
    name = webhook_configs(
        render_validating_webhook_configuration(
            name=f"eso-test-rotate-{uuid.uuid4().hex[:8]}",
            url=webhook.url,
            kinds=["ExternalSecret"],
            namespace_selector=selector(namespace),
        )
    )
    wait_until(lambda: _ca_bundle(kubectl, name) == webhook.ca(), timeout=30, what="first injection")

    # 1. the stored CA expires within the lookahead window: everything is renewed
    old = rotate(None, _policy(namespace), _now() - 3640 * DAY, Action.RENEW)  # CA valid for 10 more days
    started = time.monotonic()
    _replace_secret(kubectl, webhook, old)

    def renewed_bundle() -> bytes | None:
        found = _ca_bundle(kubectl, name)
        return found if len(x509.load_pem_x509_certificates(found)) == 2 else None

    renewed = wait_until(
        renewed_bundle,
        timeout=30,
        interval=0.05,
        what="the renewed CA in caBundle",
    )
    report("expiring CA renewed and injected (Secret change seen by the watch)", time.monotonic() - started)
    authorities = x509.load_pem_x509_certificates(renewed)
    assert authorities[1] == x509.load_pem_x509_certificate(old.ca_cert), "the old CA stays trusted meanwhile"
    served = wait_until(
        lambda: _issued_by(c := served_certificate(webhook.port), authorities[0]) and c,
        timeout=30,
        interval=0.05,
        what="the renewed serving certificate",
    )
    report("renewed certificate served", time.monotonic() - started)
    code, out, _ = apply(kubectl, es("after-renew", data=None), namespace)
    assert code != 0
    assert "either data or dataFrom" in out

    # 2. only the serving certificate is near expiry: reissued by the same CA, caBundle unchanged
    current = CertBundle.from_secret_data(
        (kubectl.get("secret", webhook.secret_name, namespace) or {})["data"]
    )
    assert current is not None
    short = rotate(
        current,
        CertPolicy(_policy(namespace).dns_names, ("127.0.0.1",), 30 * DAY, 90 * DAY),
        _now(),
        Action.REISSUE,
    )
    started = time.monotonic()
    _replace_secret(kubectl, webhook, short)
    wait_until(
        lambda: (
            (c := served_certificate(webhook.port))
            not in (served, x509.load_pem_x509_certificate(short.tls_cert))
            and c.not_valid_after_utc > _now() + 1000 * DAY
            and _issued_by(c, authorities[0])
        ),
        timeout=30,
        interval=0.05,
        what="the reissued serving certificate",
    )
    report("near-expiry serving certificate reissued and served", time.monotonic() - started)
    assert _ca_bundle(kubectl, name) == current.ca_cert
    code, out, _ = apply(kubectl, es("after-reissue"), namespace)
    assert code == 0, out
