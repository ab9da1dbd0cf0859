"""Operator settings: one frozen object, grouped by concern, validated once at start.

Each field maps to an ESO command-line flag (``eso run --help`` lists them); the CLI
builds :class:`OperatorSettings` and hands it to the operator, which passes the parts
down. Nothing reads flags or environment variables after start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eso.errors import ConfigError

__all__ = [
    "ControllerSettings",
    "KubeSettings",
    "LeaderElectionSettings",
    "LoggingSettings",
    "MetricsSettings",
    "OperatorSettings",
    "ProviderSettings",
    "TemplateSettings",
]


@dataclass(frozen=True)
class KubeSettings:
    """How eso reaches the API server."""

    kubeconfig: str | None = None
    """``--kubeconfig``: path; default $KUBECONFIG, then in-cluster, then ~/.kube/config."""
    context: str | None = None
    client_qps: float = 300.0
    """``--client-qps``: average requests per second to the API server (0 = unlimited)."""
    client_burst: int = 600
    """``--client-burst``: requests allowed in a burst above the average."""
    max_connections: int = 100
    request_timeout: float = 30.0


@dataclass(frozen=True)
class ControllerSettings:
    """Which reconcilers run and how."""

    concurrent: int = 10
    """``--concurrent``: workers per controller (ESO defaults to 1)."""
    namespace: str | None = None
    """``--namespace``: watch only this namespace (all when None)."""
    controller_class: str = "default"
    """``--controller-class``: stores whose spec.controller differs are ignored."""
    enable_cluster_store_reconciler: bool = True
    enable_secret_store_reconciler: bool = True
    enable_cluster_external_secret_reconciler: bool = True
    enable_push_secret_reconciler: bool = True
    enable_cluster_push_secret_reconciler: bool = True
    enable_flood_gate: bool = True
    """``--enable-flood-gate``: an ExternalSecret waits until its store is Ready."""
    store_requeue_interval: float = 300.0
    """``--store-requeue-interval``: how often stores are re-validated (seconds)."""
    default_refresh_interval: float = 3600.0
    backoff_base: float = 1.0
    backoff_cap: float = 300.0
    refresh_jitter: float = 0.1
    """Fraction of refreshInterval added at random to spread refreshes (0 disables)."""
    refresh_tick: float = 1.0
    """Delayed re-queues fire on a grid of this many seconds: refreshes due within the same
    tick run together, so their provider reads share batches (0 disables)."""
    read_batch_window: float = 0.02
    """Seconds a provider read waits for others to the same store to batch with (0 = no wait)."""
    permanent_error_retry: float = 300.0
    """Safety-net re-check of objects that failed permanently (seconds, 0 = never)."""
    client_max_age: float = 900.0
    """Provider clients are rebuilt after this many seconds (picks up rotated credentials)."""
    service_account: tuple[str, str] | None = None
    """``--service-account NAMESPACE/NAME``: the identity eso runs as, outside a pod."""
    enable_generator_state: bool = True
    share_reads: bool = True
    """Share identical provider reads across ExternalSecrets within a refresh window."""
    batch_reads: bool = True
    """Use BatchGetSecretValue / GetParameters for many keys at once."""
    check_versions: bool = True
    """Metadata-first change detection (Secrets Manager): reuse a value while a fresh
    ListSecrets shows its version still current, when listing costs fewer calls."""
    version_listing_ttl: float = 10.0
    """Seconds a version listing is trusted (bounds how late a change is seen)."""
    version_max_reuse: float = 600.0
    """Seconds a value may be served by version checks before it is read again (a lost
    permission or a lagging listing surfaces within this time)."""
    provider_rate_limits: bool = True
    """Per-store token bucket at the provider's default rate (see Provider.rate_limit)."""
    circuit_breaker: bool = True
    """Fail fast while a store's provider keeps failing (see eso.providers.guard)."""


@dataclass(frozen=True)
class LeaderElectionSettings:
    """Lease-based leader election."""

    enabled: bool = False
    lease_id: str = "external-secrets-controller"
    namespace: str = "external-secrets"
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0
    identity: str = ""


@dataclass(frozen=True)
class MetricsSettings:
    """Where metrics and health endpoints listen ("0" disables)."""

    metrics_addr: str = "127.0.0.1:8080"
    health_addr: str = "127.0.0.1:8082"
    enable_extended_metric_labels: bool = False


@dataclass(frozen=True)
class LoggingSettings:
    """``--loglevel`` and ``--log-format``."""

    level: str = "info"
    format: str = "auto"


@dataclass(frozen=True)
class TemplateSettings:
    """Template engine options."""

    left_delimiter: str = "{{"
    right_delimiter: str = "}}"


@dataclass(frozen=True)
class ProviderSettings:
    """Provider-wide options."""

    env: dict[str, str] = field(default_factory=dict)
    """Environment seen by providers (endpoint overrides), captured once at start."""


@dataclass(frozen=True)
class OperatorSettings:
    """Everything ``eso run`` is configured with."""

    kube: KubeSettings = field(default_factory=KubeSettings)
    controller: ControllerSettings = field(default_factory=ControllerSettings)
    leader_election: LeaderElectionSettings = field(default_factory=LeaderElectionSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    template: TemplateSettings = field(default_factory=TemplateSettings)
    providers: ProviderSettings = field(default_factory=ProviderSettings)

    def __post_init__(self) -> None:
        c = self.controller
        if c.concurrent < 1:
            raise ConfigError(f"--concurrent must be at least 1, got {c.concurrent}")
        if self.kube.client_qps < 0 or self.kube.client_burst < 1:
            raise ConfigError("--client-qps must be >= 0 and --client-burst >= 1")
        if c.store_requeue_interval <= 0:
            raise ConfigError("--store-requeue-interval must be positive")
        if not 0 <= c.refresh_jitter <= 1:
            raise ConfigError("refresh jitter must be between 0 and 1")
        if c.refresh_tick < 0 or c.read_batch_window < 0:
            raise ConfigError("refresh tick and read batch window must not be negative")
        if c.version_listing_ttl < 0 or c.version_max_reuse < 0:
            raise ConfigError("version listing ttl and max reuse must not be negative")
        le = self.leader_election
        if le.enabled and not (le.lease_duration > le.renew_deadline > le.retry_period > 0):
            raise ConfigError("leader election needs lease-duration > renew-deadline > retry-period > 0")
