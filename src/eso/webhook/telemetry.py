"""Prometheus metrics of the webhook, in their own registry (served on ``--metrics-addr``).

The request metrics carry controller-runtime's names, which ESO's webhook exposes, so
existing dashboards keep working: ``controller_runtime_webhook_requests_total{webhook,code}``,
``controller_runtime_webhook_requests_in_flight{webhook}`` and
``controller_runtime_webhook_latency_seconds{webhook}`` (``webhook`` is the URL path).
eso adds ``eso_webhook_admission_total{kind,operation,allowed}``, the certificates'
expiry (``eso_webhook_certificate_expiration_timestamp_seconds{certificate}``, with
``certificate`` ``ca`` or ``serving``) and ``eso_webhook_certificate_rotations_total{action}``
(``reissue`` or ``renew``). No label ever holds an object name or a value.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["WebhookMetrics"]


class WebhookMetrics:
    """The webhook's metrics; one instance per process, passed to the server and cert manager."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "controller_runtime_webhook_requests",
            "Total number of admission requests by HTTP status code.",
            ("webhook", "code"),
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "controller_runtime_webhook_requests_in_flight",
            "Current number of admission requests being served.",
            ("webhook",),
            registry=self.registry,
        )
        self.latency = Histogram(
            "controller_runtime_webhook_latency_seconds",
            "Histogram of the latency of processing admission requests.",
            ("webhook",),
            registry=self.registry,
        )
        self.admissions = Counter(
            "eso_webhook_admission",
            "Admission decisions by kind, operation and outcome.",
            ("kind", "operation", "allowed"),
            registry=self.registry,
        )
        self.cert_expiry = Gauge(
            "eso_webhook_certificate_expiration_timestamp_seconds",
            "Expiry (Unix time) of the CA and of the serving certificate in use.",
            ("certificate",),
            registry=self.registry,
        )
        self.rotations = Counter(
            "eso_webhook_certificate_rotations",
            "Certificates written to the webhook Secret by this process, by action.",
            ("action",),
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        """The text exposition of every metric."""
        return generate_latest(self.registry)
