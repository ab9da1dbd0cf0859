"""``eso webhook`` in one process: certificate management, the HTTPS server and its watchers.

:class:`WebhookApp` wires the parts together:

* the health and metrics listeners start first (``/readyz`` says why it is not ready);
* with certificate management on, a :class:`~eso.webhook.certsync.CertManager` keeps
  the Secret, the cert dir and the ``caBundle`` right, every ``--check-interval`` and at
  once when the webhook Secret or a labelled ValidatingWebhookConfiguration changes
  (both are watched, so another replica's rotation or a ``helm upgrade`` that blanks the
  ``caBundle`` is handled within a second);
* the cert dir is polled every ``reload_interval`` (and reloaded at once after the
  manager wrote it); the HTTPS listener starts as soon as a valid certificate is there,
  and later certificates are swapped in without restarting it.

:meth:`WebhookApp.start` returns once the listeners and background tasks are running;
:meth:`WebhookApp.wait_serving` waits for the HTTPS listener; :meth:`WebhookApp.stop`
stops everything it started. A fatal error (the port is taken) sets :attr:`failure`
and the ``stopped`` event.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from eso.api.resources import SECRET
from eso.api.resources import VALIDATING_WEBHOOK_CONFIGURATION as VWC
from eso.errors import ConfigError
from eso.kube.client import KubeClient
from eso.kube.informer import Informer
from eso.logging import get_logger
from eso.providers.registry import ProviderRegistry
from eso.webhook.certs import CertBundle
from eso.webhook.certsync import CertManager
from eso.webhook.inject import needs_injection
from eso.webhook.server import WebhookServer
from eso.webhook.settings import WebhookSettings
from eso.webhook.telemetry import WebhookMetrics
from eso.webhook.tlsreload import ServingCertificate
from eso.webhook.validators import AdmissionValidator
from eso.webhook.waiting import wait_any

__all__ = ["WebhookApp"]

_log = get_logger("eso.webhook")


class WebhookApp:
    """The running webhook."""

    def __init__(
        self,
        settings: WebhookSettings,
        registry: ProviderRegistry,
        kube: KubeClient | None = None,
        *,
        metrics: WebhookMetrics | None = None,
    ) -> None:
        if settings.certs.manage and kube is None:
            raise ConfigError("certificate management needs a Kubernetes client")
        certs = settings.certs
        self.settings = settings
        self.metrics = metrics or WebhookMetrics()
        ready_names = (f"{certs.service_name}.{certs.service_namespace}.svc", *certs.dns_names)
        self.certificate = ServingCertificate(
            settings.cert_dir,
            min_version=settings.tls_min_version,
            dns_names=ready_names if certs.manage else certs.dns_names,
            ip_addresses=certs.ip_addresses,
        )
        self.server = WebhookServer(AdmissionValidator(registry), self.certificate, self.metrics)
        self.manager: CertManager | None = None
        if certs.manage and kube is not None:
            self.manager = CertManager(
                kube, certs, settings.cert_dir, metrics=self.metrics, on_change=self._cert_written
            )
        self._kube = kube
        self._informers: list[Informer] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._files_changed = asyncio.Event()
        self.stopped = asyncio.Event()
        self.serving = asyncio.Event()
        self.failure: BaseException | None = None
        self.port: int | None = None

    def _cert_written(self) -> None:
        self._files_changed.set()

    async def start(self) -> None:
        """Start the listeners, the certificate manager, the watches and the cert dir poller."""
        await self.server.start_plain(self.settings.healthz_addr, self.settings.metrics_addr)
        if self.manager is not None:
            self._tasks.append(asyncio.create_task(self.manager.run(self.stopped), name="webhook-certs"))
            self._watch()
        self._tasks.append(asyncio.create_task(self._tls_loop(), name="webhook-tls"))

    def _watch(self) -> None:
        assert self._kube is not None
        assert self.manager is not None
        certs = self.settings.certs
        secret = Informer(
            self._kube,
            SECRET,
            namespace=certs.secret_namespace,
            field_selector=f"metadata.name={certs.secret_name}",
        )
        secret.add_handler(self._on_secret)
        self._informers.append(secret)
        if certs.inject_ca_bundle:
            configurations = Informer(self._kube, VWC, label_selector=certs.label_selector)
            configurations.add_handler(self._on_configuration)
            self._informers.append(configurations)
        for informer in self._informers:
            informer.start()

    def _on_secret(self, _event: str, new: dict[str, Any], _old: dict[str, Any] | None) -> None:
        assert self.manager is not None
        stored = CertBundle.from_secret_data(new.get("data"))
        if _event == "DELETED" or stored != self.manager.bundle:
            self.manager.kick()

    def _on_configuration(self, event: str, new: dict[str, Any], _old: dict[str, Any] | None) -> None:
        assert self.manager is not None
        bundle = self.manager.bundle
        if event != "DELETED" and bundle is not None and needs_injection(new, bundle.ca_cert):
            self.manager.kick()

    async def _tls_loop(self) -> None:
        while not self.stopped.is_set():
            self._files_changed.clear()
            if self.certificate.reload() and not self.serving.is_set():
                try:
                    self.port = await self.server.start_https(self.settings.bind_address, self.settings.port)
                except OSError as exc:
                    self.failure = ConfigError(
                        f"cannot listen on {self.settings.bind_address}:{self.settings.port}: {exc}"
                    )
                    _log.error("webhook cannot listen", error=str(exc))
                    self.stopped.set()
                    return
                self.serving.set()
            if self.certificate.loaded:
                expiry = self.certificate.not_after()
                if expiry is not None:
                    self.metrics.cert_expiry.labels("serving").set(expiry.timestamp())
            await wait_any(self.stopped, self._files_changed, self.settings.reload_interval)

    async def wait_serving(self, timeout: float | None = None) -> int:  # noqa: ASYNC109
        """Wait until the HTTPS listener is up; return its port (ConfigError on a fatal failure)."""
        serving = asyncio.ensure_future(self.serving.wait())
        stopped = asyncio.ensure_future(self.stopped.wait())
        try:
            await asyncio.wait([serving, stopped], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            serving.cancel()
            stopped.cancel()
        if self.failure is not None:
            raise self.failure
        if self.port is None:
            raise ConfigError(f"the webhook is not serving after {timeout}s: {self.certificate.problem()}")
        return self.port

    async def stop(self) -> None:
        """Stop the tasks, watches and listeners this app started."""
        self.stopped.set()
        for informer in self._informers:
            await informer.stop()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.server.stop()
