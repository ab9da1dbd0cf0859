"""The HTTPS listener on 127.0.0.1: TLS 1.2+, certificates swapped when the cert dir changes."""

from __future__ import annotations

import asyncio
import datetime
import json
import ssl
import warnings
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography import x509

from eso.webhook.certs import Action, CertBundle, CertPolicy, rotate
from eso.webhook.certsync import write_cert_dir
from eso.webhook.server import WebhookServer
from eso.webhook.telemetry import WebhookMetrics
from eso.webhook.tlsreload import ServingCertificate
from eso.webhook.validators import AdmissionValidator
from tests.unit.webhook.helpers import es, registry, review

NOW = datetime.datetime.now(datetime.UTC)
POLICY = CertPolicy(dns_names=("webhook.eso.svc",), ip_addresses=("127.0.0.1",))


def _bundle() -> CertBundle:
    return rotate(None, POLICY, NOW, Action.RENEW)


async def _peer(port: int, ca: bytes, **versions: ssl.TLSVersion) -> x509.Certificate:
    ctx = ssl.create_default_context(cadata=ca.decode())
    for name, value in versions.items():
        setattr(ctx, name, value)
    _, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    writer.close()
    await writer.wait_closed()
    return x509.load_der_x509_certificate(der)


async def _https_review(port: int, ca: bytes, body: bytes) -> dict[str, object]:
    ctx = ssl.create_default_context(cadata=ca.decode())
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
    head = (
        f"POST /validate-external-secrets-io-v1-externalsecret HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body)
    raw = await reader.read()
    writer.close()
    payload: dict[str, object] = json.loads(raw.split(b"\r\n\r\n", 1)[1])
    return payload


class Listener:
    def __init__(self, certificate: ServingCertificate, server: WebhookServer, port: int) -> None:
        self.certificate, self.server, self.port = certificate, server, port


async def _listen(cert_dir: Path, min_version: str = "1.2") -> Listener:
    certificate = ServingCertificate(cert_dir, min_version=min_version, dns_names=POLICY.dns_names)
    assert certificate.reload()
    server = WebhookServer(AdmissionValidator(registry()), certificate, WebhookMetrics())
    port = await server.start_https("127.0.0.1", 0)
    return Listener(certificate, server, port)


@pytest.fixture
async def listener(tmp_path: Path) -> AsyncIterator[tuple[Listener, CertBundle]]:
    bundle = _bundle()
    write_cert_dir(tmp_path, bundle)
    running = await _listen(tmp_path)
    try:
        yield running, bundle
    finally:
        await running.server.stop()


async def test_serves_admission_reviews_over_tls(listener: tuple[Listener, CertBundle]) -> None:
    running, bundle = listener
    body = json.dumps(review(es({"secretStoreRef": {"name": "s"}}))).encode()
    answer = await _https_review(running.port, bundle.ca_cert, body)
    response = answer["response"]
    assert isinstance(response, dict)
    assert response["allowed"] is False
    assert running.certificate.problem() is None


async def test_a_new_certificate_is_used_for_the_next_handshake(
    listener: tuple[Listener, CertBundle], tmp_path: Path
) -> None:
    running, first = listener
    assert (await _peer(running.port, first.ca_cert)) == x509.load_pem_x509_certificate(first.tls_cert)
    second = _bundle()
    write_cert_dir(tmp_path, second)
    assert running.certificate.reload()
    assert not running.certificate.reload()  # unchanged files are not loaded twice
    assert (await _peer(running.port, second.ca_cert)) == x509.load_pem_x509_certificate(second.tls_cert)
    with pytest.raises(ssl.SSLCertVerificationError):
        await _peer(running.port, first.ca_cert)


async def test_a_broken_pair_never_replaces_a_good_one(
    listener: tuple[Listener, CertBundle], tmp_path: Path
) -> None:
    running, first = listener
    other = _bundle()
    (tmp_path / "tls.key").write_bytes(other.tls_key)  # key of another certificate
    assert not running.certificate.reload()
    (tmp_path / "tls.crt").write_bytes(b"not a certificate")
    assert not running.certificate.reload()
    assert (await _peer(running.port, first.ca_cert)) == x509.load_pem_x509_certificate(first.tls_cert)
    assert running.certificate.problem() is None


async def test_tls_below_1_2_is_refused(listener: tuple[Listener, CertBundle]) -> None:
    running, bundle = listener
    ctx = ssl.create_default_context(cadata=bundle.ca_cert.decode())
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # a client that would speak TLS 1.1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises((ssl.SSLError, ConnectionError)):
        await asyncio.open_connection("127.0.0.1", running.port, ssl=ctx)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # the same client, one version up, is served
    _, writer = await asyncio.open_connection("127.0.0.1", running.port, ssl=ctx)
    writer.close()
    assert await _peer(running.port, bundle.ca_cert, maximum_version=ssl.TLSVersion.TLSv1_2)


async def test_min_version_1_3(tmp_path: Path) -> None:
    bundle = _bundle()
    write_cert_dir(tmp_path, bundle)
    running = await _listen(tmp_path, min_version="1.3")
    try:
        with pytest.raises((ssl.SSLError, ConnectionError)):
            await _peer(running.port, bundle.ca_cert, maximum_version=ssl.TLSVersion.TLSv1_2)
        assert await _peer(running.port, bundle.ca_cert)
    finally:
        await running.server.stop()


def test_readiness_names_the_problem(tmp_path: Path) -> None:
    certificate = ServingCertificate(tmp_path, dns_names=("other.svc",))
    assert "no valid serving certificate" in str(certificate.problem())
    write_cert_dir(tmp_path, _bundle())
    assert certificate.reload()
    assert certificate.problem() == "the serving certificate does not cover other.svc"
