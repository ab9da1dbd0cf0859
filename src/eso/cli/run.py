"""``eso run``: the operator. Flag names follow ESO's (``cmd/controller/root.go``).

Flags that ESO has but eso does not implement are accepted only where they are
harmless no-ops and listed in ``docs/flags.md``; an unknown flag is an error.
"""

from __future__ import annotations

import os
import socket
from typing import Any

import click

from eso.cli import _options
from eso.errors import ConfigError
from eso.settings import (
    ControllerSettings,
    KubeSettings,
    LeaderElectionSettings,
    LoggingSettings,
    MetricsSettings,
    OperatorSettings,
    ProviderSettings,
    TemplateSettings,
)

__all__ = ["build_settings", "command"]


def build_settings(
    *,
    kubeconfig: str | None = None,
    context: str | None = None,
    concurrent: int = 10,
    client_qps: float = 300.0,
    client_burst: int = 600,
    namespace: str = "",
    controller_class: str = "default",
    metrics_addr: str = "127.0.0.1:8080",
    live_addr: str = "127.0.0.1:8082",
    loglevel: str = "info",
    log_format: str = "auto",
    enable_leader_election: bool = False,
    leader_election_id: str = "external-secrets-controller",
    leader_election_namespace: str = "external-secrets",
    leader_election_identity: str = "",
    leader_election_lease_duration: str = "15s",
    leader_election_renew_deadline: str = "10s",
    leader_election_retry_period: str = "2s",
    store_requeue_interval: str = "5m",
    service_account: str | None = None,
    template_left_delimiter: str = "{{",
    template_right_delimiter: str = "}}",
    enable_cluster_store_reconciler: bool = True,
    enable_secret_store_reconciler: bool = True,
    enable_cluster_external_secret_reconciler: bool = True,
    enable_push_secret_reconciler: bool = True,
    enable_cluster_push_secret_reconciler: bool = True,
    enable_flood_gate: bool = True,
) -> OperatorSettings:
    """Turn the parsed flags into OperatorSettings (raises click errors on bad values)."""
    identity = leader_election_identity or f"{socket.gethostname()}_{os.getpid()}"
    env = _options.endpoint_env()
    duration = _options.seconds
    try:
        return OperatorSettings(
            kube=KubeSettings(
                kubeconfig=kubeconfig or None,
                context=context or None,
                client_qps=client_qps,
                client_burst=client_burst,
            ),
            controller=ControllerSettings(
                concurrent=concurrent,
                namespace=namespace or None,
                controller_class=controller_class,
                enable_cluster_store_reconciler=enable_cluster_store_reconciler,
                enable_secret_store_reconciler=enable_secret_store_reconciler,
                enable_cluster_external_secret_reconciler=enable_cluster_external_secret_reconciler,
                enable_push_secret_reconciler=enable_push_secret_reconciler,
                enable_cluster_push_secret_reconciler=enable_cluster_push_secret_reconciler,
                enable_flood_gate=enable_flood_gate,
                store_requeue_interval=duration(store_requeue_interval, "--store-requeue-interval"),
                service_account=_options.service_account(service_account),
            ),
            leader_election=LeaderElectionSettings(
                enabled=enable_leader_election,
                lease_id=leader_election_id,
                namespace=leader_election_namespace,
                lease_duration=_options.seconds(
                    leader_election_lease_duration, "--leader-election-lease-duration"
                ),
                renew_deadline=_options.seconds(
                    leader_election_renew_deadline, "--leader-election-renew-deadline"
                ),
                retry_period=duration(leader_election_retry_period, "--leader-election-retry-period"),
                identity=identity,
            ),
            metrics=MetricsSettings(
                metrics_addr=metrics_addr,
                health_addr=live_addr,
            ),
            logging=LoggingSettings(level=loglevel, format=log_format),
            template=TemplateSettings(
                left_delimiter=template_left_delimiter, right_delimiter=template_right_delimiter
            ),
            providers=ProviderSettings(env=env),
        )
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def _flag(name: str, default: bool, help_: str) -> click.Option:
    """A Go-style bool flag: ``--name`` alone means true, ``--name=false`` / ``--name=true`` set it."""
    return click.Option(
        [f"--{name}"],
        type=click.BOOL,
        is_flag=False,
        flag_value=True,
        default=default,
        show_default=True,
        help=help_,
    )


@click.command("run", context_settings={"show_default": True})
@click.option(
    "--kubeconfig",
    envvar="KUBECONFIG",
    default=None,
    help="Path to a kubeconfig (default: $KUBECONFIG, in-cluster).",
)
@click.option("--context", default=None, help="Kubeconfig context to use.")
@click.option("--concurrent", default=10, type=click.IntRange(min=1), help="Workers per controller.")
@click.option(
    "--client-qps", default=300.0, type=float, help="Average API server requests per second (0 = no limit)."
)
@click.option("--client-burst", default=600, type=click.IntRange(min=1), help="API server request burst.")
@click.option("--namespace", default="", help="Watch only this namespace (default: all).")
@click.option(
    "--controller-class", default="default", help="Serve stores whose spec.controller is this or empty."
)
@click.option("--metrics-addr", default="127.0.0.1:8080", help='Metrics listen address ("0" disables).')
@click.option(
    "--live-addr",
    "--health-addr",
    "live_addr",
    default="127.0.0.1:8082",
    help="/healthz and /readyz address.",
)
@click.option(
    "--loglevel",
    default="info",
    type=click.Choice(["debug", "info", "warn", "error", "dpanic", "panic", "fatal"]),
)
@click.option(
    "--log-format", default="auto", type=click.Choice(["auto", "json", "console"]), help="Log format."
)
@click.option(
    "--enable-leader-election",
    type=click.BOOL,
    is_flag=False,
    flag_value=True,
    default=False,
    help="Run as one of several replicas (a Lease elects the active one).",
)
@click.option("--leader-election-id", default="external-secrets-controller", help="Name of the Lease.")
@click.option(
    "--leader-election-namespace",
    default="external-secrets",
    envvar="POD_NAMESPACE",
    help="Namespace of the Lease.",
)
@click.option(
    "--leader-election-identity",
    default="",
    envvar="POD_NAME",
    help="This replica's identity (default host_pid).",
)
@click.option("--leader-election-lease-duration", default="15s", help="Lease duration.")
@click.option(
    "--leader-election-renew-deadline",
    default="10s",
    help="Give up leadership after failing to renew this long.",
)
@click.option("--leader-election-retry-period", default="2s", help="Interval between Lease updates.")
@click.option("--store-requeue-interval", default="5m", help="How often stores are re-validated.")
@click.option(
    "--service-account", default=None, help="NAMESPACE/NAME of the identity eso runs as (outside a pod)."
)
@click.option("--template-left-delimiter", default="{{", help="Template left delimiter.")
@click.option("--template-right-delimiter", default="}}", help="Template right delimiter.")
def command(**opts: Any) -> None:
    """Run the operator against the cluster in --kubeconfig."""
    settings = build_settings(**opts)
    from eso.logging import configure
    from eso.operator.app import run_operator

    configure(settings.logging.level, settings.logging.format)
    raise SystemExit(run_operator(settings))


for _name, _default, _help in (
    ("enable-cluster-store-reconciler", True, "Reconcile ClusterSecretStores."),
    ("enable-secret-store-reconciler", True, "Reconcile SecretStores."),
    ("enable-cluster-external-secret-reconciler", True, "Reconcile ClusterExternalSecrets."),
    ("enable-push-secret-reconciler", True, "Reconcile PushSecrets."),
    ("enable-cluster-push-secret-reconciler", True, "Reconcile ClusterPushSecrets."),
    ("enable-flood-gate", True, "Wait for a store to be Ready before using it."),
):
    command.params.append(_flag(_name, _default, _help))
