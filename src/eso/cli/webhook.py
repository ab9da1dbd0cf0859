"""``eso webhook``: the admission webhook and its certificate management, in one process.

Flag names follow ESO's ``webhook`` and ``certcontroller`` commands (eso-api §2.19);
``--bind-address``, ``--extra-ip``, ``--cert-validity``, ``--service-account``,
``--manage-certs``, ``--inject-ca-bundle`` and ``--webhook-config-selector`` are eso's.
Everything that listens binds 127.0.0.1 unless told otherwise (the chart passes
``--bind-address 0.0.0.0``). See ``docs/webhook.md``.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from eso.cli import _options
from eso.errors import ConfigError

if TYPE_CHECKING:
    from eso.providers.registry import ProviderRegistry
    from eso.webhook.settings import WebhookSettings

__all__ = ["build_webhook_settings", "command"]

_DEFAULT_CERT_DIR = "/tmp/k8s-webhook-server/serving-certs"  # noqa: S108  (ESO's default)
_TLS_VERSIONS = {"1.2": "1.2", "1.3": "1.3", "VersionTLS12": "1.2", "VersionTLS13": "1.3"}


def build_webhook_settings(**opts: Any) -> WebhookSettings:
    """WebhookSettings from the parsed flags (click errors on bad values)."""
    from eso.webhook.settings import CertSettings, WebhookSettings

    try:
        certs = CertSettings(
            service_name=opts["service_name"],
            service_namespace=opts["service_namespace"],
            secret_name=opts["secret_name"],
            secret_namespace=opts["secret_namespace"],
            dns_names=tuple(opts["dns_name"]),
            ip_addresses=tuple(opts["extra_ip"]),
            validity=_options.seconds(opts["cert_validity"], "--cert-validity"),
            lookahead=_options.seconds(opts["lookahead_interval"], "--lookahead-interval"),
            check_interval=_options.seconds(opts["check_interval"], "--check-interval"),
            manage=opts["manage_certs"],
            inject_ca_bundle=opts["inject_ca_bundle"],
            config_selector=opts["webhook_config_selector"],
        )
        return WebhookSettings(
            bind_address=opts["bind_address"],
            port=opts["port"],
            cert_dir=Path(opts["cert_dir"]),
            healthz_addr=opts["healthz_addr"],
            metrics_addr=opts["metrics_addr"],
            tls_min_version=_TLS_VERSIONS[opts["tls_min_version"]],
            certs=certs,
        )
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def _registry(service_account: tuple[str, str] | None) -> ProviderRegistry:
    """The providers whose stores this webhook validates (the same set ``eso run`` serves)."""
    from eso.providers.builtin import builtin_registry

    env = _options.endpoint_env()
    return builtin_registry(env, service_account)


async def _serve(
    settings: WebhookSettings, registry: ProviderRegistry, kubeconfig: str | None, context: str | None
) -> None:
    from eso.kube.client import KubeClient
    from eso.kube.config import load_connection
    from eso.webhook.app import WebhookApp

    kube = None
    if settings.certs.manage:
        kube = KubeClient(load_connection(kubeconfig, context).http_client())
    app = WebhookApp(settings, registry, kube)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, app.stopped.set)
    try:
        await app.start()
        await app.stopped.wait()
    finally:
        await app.stop()
        if kube is not None:
            await kube.close()
    if app.failure is not None:
        raise app.failure


@click.command("webhook", context_settings={"show_default": True})
@click.option(
    "--port", default=10250, type=click.IntRange(0, 65535), help="HTTPS port of the admission endpoints."
)
@click.option(
    "--bind-address", default="127.0.0.1", help="Address the HTTPS listener binds (the chart passes 0.0.0.0)."
)
@click.option("--dns-name", multiple=True, help="Extra DNS name for the serving certificate (repeatable).")
@click.option(
    "--extra-ip", multiple=True, help="IP address for the serving certificate, e.g. 127.0.0.1 (repeatable)."
)
@click.option(
    "--cert-dir",
    default=_DEFAULT_CERT_DIR,
    help="Where tls.crt, tls.key and ca.crt are written and read.",
)
@click.option(
    "--check-interval", default="5m", help="How often the certificate and the caBundles are checked."
)
@click.option(
    "--lookahead-interval", default="2160h", help="Renew certificates that expire within this window."
)
@click.option(
    "--cert-validity", default="87600h", help="Validity of new certificates (eso; ESO uses 10 years)."
)
@click.option(
    "--healthz-addr", default="127.0.0.1:8081", help='/healthz and /readyz over HTTP ("0" disables).'
)
@click.option("--metrics-addr", default="127.0.0.1:8080", help='Metrics listen address ("0" disables).')
@click.option(
    "--tls-min-version", default="1.2", type=click.Choice(sorted(_TLS_VERSIONS)), help="Minimum TLS version."
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
    "--kubeconfig",
    envvar="KUBECONFIG",
    default=None,
    help="Path to a kubeconfig (default: $KUBECONFIG, in-cluster).",
)
@click.option("--context", default=None, help="Kubeconfig context to use.")
@click.option(
    "--service-name",
    default="external-secrets-webhook",
    help="Service in front of the webhook (certificate name).",
)
@click.option("--service-namespace", default="default", help="Namespace of that Service.")
@click.option(
    "--secret-name",
    default="external-secrets-webhook",
    help="Secret holding ca.crt, ca.key, tls.crt, tls.key.",
)
@click.option("--secret-namespace", default="default", help="Namespace of that Secret.")
@click.option(
    "--manage-certs/--no-manage-certs",
    default=True,
    help="Create, renew and inject certificates (off: serve --cert-dir as is, e.g. cert-manager).",
)
@click.option(
    "--inject-ca-bundle/--no-inject-ca-bundle",
    default=True,
    help="Inject the CA into labelled ValidatingWebhookConfigurations.",
)
@click.option(
    "--webhook-config-selector",
    default="external-secrets.io/component=webhook",
    help="Label selector of the webhook configurations that get the caBundle (keep the default in it).",
)
@click.option(
    "--service-account",
    default=None,
    envvar="ESO_OPERATOR_SERVICE_ACCOUNT",
    help="NAMESPACE/NAME of the operator's identity (a SecretStore may name it).",
)
def command(**opts: Any) -> None:
    """Serve admission validation for eso's kinds over HTTPS, managing its own certificates."""
    from eso.logging import configure

    settings = build_webhook_settings(**opts)
    registry = _registry(_options.service_account(opts["service_account"]))
    configure(opts["loglevel"], opts["log_format"])
    try:
        asyncio.run(_serve(settings, registry, opts["kubeconfig"], opts["context"]))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
