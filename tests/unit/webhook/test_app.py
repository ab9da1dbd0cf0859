"""``WebhookApp`` serving a cert dir it does not manage (cert-manager style): start, reload, failures."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import socket
import ssl
from pathlib import Path

import pytest
from cryptography import x509

from eso.errors import ConfigError
from eso.webhook.app import WebhookApp
from eso.webhook.certs import Action, CertPolicy, rotate
from eso.webhook.certsync import write_cert_dir
from eso.webhook.settings import CertSettings, WebhookSettings
from tests.unit.webhook.helpers import registry

POLICY = CertPolicy(dns_names=("webhook.example",), ip_addresses=("127.0.0.1",))


def _settings(cert_dir: Path, port: int = 0) -> WebhookSettings:
    return WebhookSettings(
        port=port,
        cert_dir=cert_dir,
        healthz_addr="127.0.0.1:0",
        metrics_addr="127.0.0.1:0",
        reload_interval=0.05,
        certs=CertSettings(manage=False, dns_names=("webhook.example",), ip_addresses=("127.0.0.1",)),
    )


async def _served(port: int) -> x509.Certificate:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    _, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    writer.close()
    return x509.load_der_x509_certificate(der)


async def _get(port: int, path: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    status = int((await reader.readline()).split()[1])
    writer.close()
    return status


def test_certificate_management_needs_a_client(tmp_path: Path) -> None:
    settings = dataclasses.replace(_settings(tmp_path), certs=CertSettings())
    with pytest.raises(ConfigError):
        WebhookApp(settings, registry())


async def test_serves_once_a_certificate_appears_and_swaps_it_on_change(tmp_path: Path) -> None:
    app = WebhookApp(_settings(tmp_path), registry())
    await app.start()
    try:
        health = app.server.bound["healthz"][1]
        assert await _get(health, "/readyz") == 503
        assert not app.serving.is_set()
        first = rotate(None, POLICY, datetime.datetime.now(datetime.UTC), Action.RENEW)
        write_cert_dir(tmp_path, first)
        port = await app.wait_serving(timeout=10)
        assert await _get(health, "/readyz") == 200
        assert await _get(app.server.bound["metrics"][1], "/metrics") == 200
        assert await _served(port) == x509.load_pem_x509_certificate(first.tls_cert)
        second = rotate(None, POLICY, datetime.datetime.now(datetime.UTC), Action.RENEW)
        write_cert_dir(tmp_path, second)
        want = x509.load_pem_x509_certificate(second.tls_cert)
        for _ in range(100):
            if await _served(port) == want:
                break
            await asyncio.sleep(0.05)
        assert await _served(port) == want
    finally:
        await app.stop()


async def test_a_taken_port_is_a_clear_failure(tmp_path: Path) -> None:
    write_cert_dir(tmp_path, rotate(None, POLICY, datetime.datetime.now(datetime.UTC), Action.RENEW))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        app = WebhookApp(_settings(tmp_path, port=taken.getsockname()[1]), registry())
        await app.start()
        try:
            with pytest.raises(ConfigError, match=r"cannot listen on 127\.0\.0\.1"):
                await app.wait_serving(timeout=10)
            assert app.stopped.is_set()
        finally:
            await app.stop()
