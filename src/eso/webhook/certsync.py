"""Certificate management: the webhook Secret, the cert dir and the ``caBundle``, kept in step.

:class:`CertManager` is ESO's cert-controller, built into ``eso webhook``. Each
:meth:`~CertManager.ensure`:

1. reads the Secret ``--secret-namespace/--secret-name`` (keys ``ca.crt``, ``ca.key``,
   ``tls.crt``, ``tls.key``);
2. asks :func:`eso.webhook.certs.plan` whether to keep, reissue or renew, and writes a
   new bundle back with the resourceVersion it read (create when absent). Several
   replicas converge on one certificate: the loser of a write race gets a conflict,
   reads the winner's bundle and uses it;
3. injects the CA into the labelled ValidatingWebhookConfigurations (before the new
   serving certificate is used, so the API server trusts it first);
4. writes ``tls.crt``, ``tls.key`` and ``ca.crt`` into ``--cert-dir`` (atomically, keys
   mode 0600) when they differ, and calls ``on_change`` so the server reloads at once.

:meth:`~CertManager.run` repeats this every ``--check-interval``, at once when
:meth:`~CertManager.kick` is called (a watched Secret or configuration changed), and
with capped backoff after an API error.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eso.api.resources import SECRET
from eso.errors import Conflict, EsoError
from eso.kube.client import KubeClient
from eso.logging import get_logger
from eso.webhook.certs import Action, CertBundle, inspect, plan, rotate
from eso.webhook.inject import CABundleInjector
from eso.webhook.settings import WEBHOOK_COMPONENT_LABEL, CertSettings
from eso.webhook.telemetry import WebhookMetrics
from eso.webhook.waiting import wait_any

__all__ = ["CERT_DIR_FILES", "CertManager", "write_cert_dir"]

_log = get_logger("eso.webhook.certs")
_ATTEMPTS = 5
_FIELD_MANAGER = "eso-webhook"
_BACKOFF_START = 1.0
_BACKOFF_CAP = 60.0
CERT_DIR_FILES = ("tls.crt", "tls.key", "ca.crt")


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _write_if_changed(path: Path, content: bytes, mode: int) -> bool:
    try:
        if path.read_bytes() == content:
            return False
    except OSError:
        pass
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
    return True


def write_cert_dir(cert_dir: Path, bundle: CertBundle) -> bool:
    """Write the serving pair and the CA into ``cert_dir``; True when a file changed."""
    cert_dir.mkdir(parents=True, exist_ok=True)
    changed = _write_if_changed(cert_dir / "tls.key", bundle.tls_key, 0o600)
    changed = _write_if_changed(cert_dir / "tls.crt", bundle.tls_cert, 0o644) or changed
    return _write_if_changed(cert_dir / "ca.crt", bundle.ca_cert, 0o644) or changed


class CertManager:
    """Keeps the webhook Secret, the cert dir and the caBundles right."""

    def __init__(
        self,
        kube: KubeClient,
        settings: CertSettings,
        cert_dir: Path,
        *,
        metrics: WebhookMetrics | None = None,
        on_change: Callable[[], None] | None = None,
        clock: Callable[[], datetime.datetime] = _utcnow,
    ) -> None:
        self._kube = kube
        self._settings = settings
        self._cert_dir = cert_dir
        self._metrics = metrics
        self._on_change = on_change
        self._clock = clock
        self._policy = settings.policy()
        self._kick = asyncio.Event()
        self.injector = CABundleInjector(kube, settings.label_selector)
        self.bundle: CertBundle | None = None
        self.secret_writes = 0

    def kick(self) -> None:
        """Run the next check now (a watched object changed)."""
        self._kick.set()

    async def ensure(self) -> CertBundle:
        """One full check (see the module docstring); returns the bundle in use."""
        bundle = await self._converge()
        failure: EsoError | None = None
        if self._settings.inject_ca_bundle:
            try:
                await self.injector.inject_all(bundle.ca_cert)
            except EsoError as exc:  # still serve the certificate; the error is raised below
                failure = exc
        changed = write_cert_dir(self._cert_dir, bundle)
        self.bundle = bundle
        self._record(bundle)
        if changed:
            info = inspect(bundle.tls_cert)
            _log.info(
                "serving certificate written to the cert dir",
                cert_dir=str(self._cert_dir),
                fingerprint=info.fingerprint if info else "",
                not_after=info.not_after.isoformat() if info else "",
            )
            if self._on_change is not None:
                self._on_change()
        if failure is not None:
            raise failure
        return bundle

    async def _converge(self) -> CertBundle:
        name, namespace = self._settings.secret_name, self._settings.secret_namespace
        for _ in range(_ATTEMPTS):
            obj = await self._kube.get_or_none(SECRET, name, namespace)
            stored = CertBundle.from_secret_data((obj or {}).get("data"))
            decision = plan(stored, self._policy, self._clock())
            if decision.action is Action.KEEP:
                assert stored is not None
                return stored
            # key generation takes a while: keep the event loop (admission requests) free meanwhile
            new = await asyncio.to_thread(rotate, stored, self._policy, self._clock(), decision.action)
            try:
                await self._write(obj, new)
            except Conflict:
                _log.info("another replica wrote the webhook Secret first; reading it again", object=name)
                continue
            self.secret_writes += 1
            if self._metrics is not None:
                self._metrics.rotations.labels(decision.action.value).inc()
            _log.info(
                "webhook certificate written",
                action=decision.action.value,
                reason=decision.reason,
                object=f"{namespace}/{name}",
            )
            return new
        raise Conflict(f"webhook Secret {namespace}/{name} kept changing; will retry", status=409)

    async def _write(self, obj: dict[str, Any] | None, bundle: CertBundle) -> None:
        name, namespace = self._settings.secret_name, self._settings.secret_namespace
        if obj is None:
            key, value = WEBHOOK_COMPONENT_LABEL
            secret = {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": name, "namespace": namespace, "labels": {key: value}},
                "type": "Opaque",
                "data": bundle.to_secret_data(),
            }
            await self._kube.create(SECRET, secret, namespace, field_manager=_FIELD_MANAGER)
            return
        updated = copy.deepcopy(obj)
        updated.get("metadata", {}).pop("managedFields", None)
        updated["data"] = {**(obj.get("data") or {}), **bundle.to_secret_data()}
        await self._kube.replace(SECRET, updated, field_manager=_FIELD_MANAGER)

    def _record(self, bundle: CertBundle) -> None:
        if self._metrics is None:
            return
        for label, pem in (("ca", bundle.ca_cert), ("serving", bundle.tls_cert)):
            info = inspect(pem)
            if info is not None:
                self._metrics.cert_expiry.labels(label).set(info.not_after.timestamp())

    async def run(self, stop: asyncio.Event) -> None:
        """Check every ``check_interval`` (or when kicked) until ``stop`` is set."""
        delay = self._settings.check_interval
        backoff = _BACKOFF_START
        while not stop.is_set():
            self._kick.clear()
            try:
                await self.ensure()
                delay, backoff = self._settings.check_interval, _BACKOFF_START
            except (EsoError, OSError) as exc:
                _log.warning("certificate check failed; retrying", error=str(exc), retry_in=backoff)
                delay, backoff = backoff, min(backoff * 2, _BACKOFF_CAP)
            except Exception:  # a bug must not end certificate management for the process
                _log.exception("certificate check failed unexpectedly; retrying", retry_in=backoff)
                delay, backoff = backoff, min(backoff * 2, _BACKOFF_CAP)
            await wait_any(stop, self._kick, delay)
