"""Fixtures for the webhook against the sandbox's real kube-apiserver.

* ``start_webhook``: starts ``eso webhook`` as a subprocess on 127.0.0.1 (free ports,
  ``--extra-ip 127.0.0.1``), with its Secret in the test's namespace and a caBundle
  selector unique to the test, so concurrent tests never touch each other's objects.
  Every process is stopped after the test.
* ``webhook_configs``: applies ValidatingWebhookConfigurations (labelled for this test's
  webhook) and deletes them after the test: they are cluster-wide.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support import Kubectl, wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class WebhookProcess:
    """One running ``eso webhook``."""

    args: list[str]
    env: dict[str, str]
    port: int
    healthz_port: int
    cert_dir: Path
    log: Path
    namespace: str
    secret_name: str
    test_label: tuple[str, str]
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    ready_after: float = 0.0
    _handle: Any = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> WebhookProcess:
        self._handle = self.log.open("ab")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.args, env=self.env, stdout=self._handle, stderr=subprocess.STDOUT)
        wait_until(self._ready, timeout=timeout, interval=0.1, what=f"eso webhook /readyz\n{self.logs()}")
        self.ready_after = time.monotonic() - self.started
        return self

    def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"eso webhook exited with {self.proc.returncode}:\n{self.logs()}")
        request = urllib.request.Request(f"http://127.0.0.1:{self.healthz_port}/readyz")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=2) as response:
            return bool(response.status == 200)

    def ca(self) -> bytes:
        return (self.cert_dir / "ca.crt").read_bytes()

    def logs(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self._handle is not None:
            self._handle.close()
            self._handle = None


@pytest.fixture
def test_label() -> tuple[str, str]:
    return "eso-test-webhook", uuid.uuid4().hex[:10]


@pytest.fixture
def start_webhook(
    sandbox: Any, namespace: str, tmp_path: Path, test_label: tuple[str, str]
) -> Iterator[Callable[..., WebhookProcess]]:
    started: list[WebhookProcess] = []
    env = {**os.environ, **sandbox.env}

    def start(*extra: str, check_interval: str = "5m", name: str = "wh") -> WebhookProcess:
        port, healthz = free_port(), free_port()
        cert_dir = tmp_path / f"{name}-certs"
        args = [
            sys.executable,
            "-m",
            "eso",
            "webhook",
            "--port", str(port),
            "--extra-ip", "127.0.0.1",
            "--cert-dir", str(cert_dir),
            "--healthz-addr", f"127.0.0.1:{healthz}",
            "--metrics-addr", "0",
            "--check-interval", check_interval,
            "--service-namespace", namespace,
            "--secret-namespace", namespace,
            "--webhook-config-selector", f"external-secrets.io/component=webhook,{'='.join(test_label)}",
            "--service-account", "external-secrets/external-secrets",
            "--log-format", "json",
            *extra,
        ]  # fmt: skip
        process = WebhookProcess(
            args=args,
            env=env,
            port=port,
            healthz_port=healthz,
            cert_dir=cert_dir,
            log=tmp_path / f"{name}.log",
            namespace=namespace,
            secret_name="external-secrets-webhook",
            test_label=test_label,
        )
        started.append(process)
        return process.start()

    try:
        yield start
    finally:
        for process in started:
            process.stop()


@pytest.fixture
def webhook_configs(
    kubectl: Kubectl, test_label: tuple[str, str]
) -> Iterator[Callable[[dict[str, Any]], str]]:
    """Apply a configuration (adding this test's label); every one is deleted after the test."""
    names: list[str] = []

    def apply(obj: dict[str, Any]) -> str:
        obj["metadata"].setdefault("labels", {})[test_label[0]] = test_label[1]
        names.append(obj["metadata"]["name"])
        kubectl.apply(obj)
        return str(obj["metadata"]["name"])

    try:
        yield apply
    finally:
        for name in names:
            with contextlib.suppress(AssertionError):
                kubectl.delete("validatingwebhookconfiguration", name)
