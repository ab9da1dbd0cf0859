"""Settings of ``eso webhook``: one frozen object built by the CLI and passed down.

:class:`CertSettings` configures certificate management (the Secret, the names the
serving certificate covers, validity and renewal); :class:`WebhookSettings` the HTTPS
server, the health and metrics listeners. Durations are seconds.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from eso.errors import ConfigError
from eso.webhook.certs import CertPolicy, service_dns_names

__all__ = ["WEBHOOK_COMPONENT_LABEL", "CertSettings", "WebhookSettings"]

WEBHOOK_COMPONENT_LABEL = ("external-secrets.io/component", "webhook")
"""The label of the ValidatingWebhookConfigurations (and the Secret) the webhook manages."""


@dataclass(frozen=True)
class CertSettings:
    """Certificate management (ESO's cert-controller, built into the webhook)."""

    service_name: str = "external-secrets-webhook"
    service_namespace: str = "default"
    secret_name: str = "external-secrets-webhook"
    secret_namespace: str = "default"
    dns_names: tuple[str, ...] = ()
    """``--dns-name``: extra DNS names the serving certificate covers."""
    ip_addresses: tuple[str, ...] = ()
    """``--extra-ip``: IP addresses the serving certificate covers (127.0.0.1 for local runs)."""
    validity: float = 10 * 365 * 24 * 3600.0
    lookahead: float = 2160 * 3600.0
    check_interval: float = 300.0
    manage: bool = True
    """False: serve whatever is in the cert dir (cert-manager, a mounted Secret); touch nothing."""
    inject_ca_bundle: bool = True
    config_selector: str = "=".join(WEBHOOK_COMPONENT_LABEL)
    """``--webhook-config-selector``: label selector of the configurations that get the ``caBundle``.

    Narrow it (``external-secrets.io/component=webhook,app.kubernetes.io/instance=eso-a``)
    when several installations share a cluster, so they never overwrite each other's.
    """

    def __post_init__(self) -> None:
        for ip in self.ip_addresses:
            try:
                ipaddress.ip_address(ip)
            except ValueError:
                raise ConfigError(f"--extra-ip: {ip!r} is not an IP address") from None
        if self.validity <= self.lookahead:
            raise ConfigError("--cert-validity must be longer than --lookahead-interval")
        if "=".join(WEBHOOK_COMPONENT_LABEL) not in self.config_selector.split(","):
            raise ConfigError("--webhook-config-selector must include external-secrets.io/component=webhook")
        if self.check_interval <= 0 or self.lookahead <= 0:
            raise ConfigError("--check-interval and --lookahead-interval must be positive")

    @property
    def required_dns_names(self) -> tuple[str, ...]:
        """The Service's names, then ``--dns-name`` values (duplicates removed)."""
        names = service_dns_names(self.service_name, self.service_namespace) + self.dns_names
        return tuple(dict.fromkeys(names))

    def policy(self) -> CertPolicy:
        """The :class:`CertPolicy` these settings describe."""
        return CertPolicy(
            dns_names=self.required_dns_names,
            ip_addresses=self.ip_addresses,
            validity=datetime.timedelta(seconds=self.validity),
            lookahead=datetime.timedelta(seconds=self.lookahead),
        )

    @property
    def label_selector(self) -> str:
        """The configurations to inject into (default ``external-secrets.io/component=webhook``)."""
        return self.config_selector


@dataclass(frozen=True)
class WebhookSettings:
    """Everything ``eso webhook`` is configured with."""

    bind_address: str = "127.0.0.1"
    port: int = 10250
    cert_dir: Path = Path("/tmp/k8s-webhook-server/serving-certs")  # noqa: S108  (ESO's default)
    healthz_addr: str = "127.0.0.1:8081"
    metrics_addr: str = "127.0.0.1:8080"
    tls_min_version: str = "1.2"
    reload_interval: float = 2.0
    """How often the cert dir is checked for new files (seconds)."""
    ready_min_remaining: float = 3600.0
    """``/readyz`` fails when the serving certificate expires within this many seconds (ESO: 1h)."""
    certs: CertSettings = field(default_factory=CertSettings)

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"--port must be between 0 and 65535, got {self.port}")
        if self.tls_min_version not in ("1.2", "1.3"):
            raise ConfigError("--tls-min-version must be 1.2 or 1.3 (VersionTLS12, VersionTLS13)")
