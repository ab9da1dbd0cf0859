"""``eso webhook`` flags and the settings they build."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from eso.cli import main
from eso.cli.webhook import build_webhook_settings, command

FLAGS = [
    "--port",
    "--bind-address",
    "--dns-name",
    "--extra-ip",
    "--cert-dir",
    "--check-interval",
    "--lookahead-interval",
    "--cert-validity",
    "--healthz-addr",
    "--metrics-addr",
    "--tls-min-version",
    "--loglevel",
    "--kubeconfig",
    "--service-name",
    "--service-namespace",
    "--secret-name",
    "--secret-namespace",
    "--manage-certs",
    "--service-account",
]


def _defaults(**overrides: object) -> dict[str, object]:
    ctx = command.make_context("webhook", [])
    return {**ctx.params, **overrides}


def test_registered_and_documented() -> None:
    result = CliRunner().invoke(main, ["webhook", "--help"])
    assert result.exit_code == 0, result.output
    for flag in FLAGS:
        assert flag in result.output


def test_defaults_are_esos_except_the_bind_address() -> None:
    settings = build_webhook_settings(**_defaults())
    assert settings.port == 10250
    assert settings.bind_address == "127.0.0.1"
    assert settings.cert_dir == Path("/tmp/k8s-webhook-server/serving-certs")
    assert settings.tls_min_version == "1.2"
    certs = settings.certs
    assert (certs.service_name, certs.service_namespace) == ("external-secrets-webhook", "default")
    assert (certs.secret_name, certs.secret_namespace) == ("external-secrets-webhook", "default")
    assert certs.check_interval == 300
    assert certs.lookahead == 2160 * 3600
    assert certs.validity == 87600 * 3600
    assert certs.label_selector == "external-secrets.io/component=webhook"
    assert certs.required_dns_names[2] == "external-secrets-webhook.default.svc"


def test_repeatable_names_and_ips() -> None:
    ctx = command.make_context(
        "webhook",
        [
            "--dns-name",
            "a.example",
            "--dns-name",
            "b.example",
            "--extra-ip",
            "127.0.0.1",
            "--tls-min-version",
            "VersionTLS13",
        ],
    )
    settings = build_webhook_settings(**ctx.params)
    assert settings.certs.dns_names == ("a.example", "b.example")
    assert settings.certs.ip_addresses == ("127.0.0.1",)
    assert settings.tls_min_version == "1.3"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--extra-ip", "localhost"], "not an IP address"),
        (["--check-interval", "soon"], "--check-interval"),
        (["--lookahead-interval", "100000h"], "longer than --lookahead-interval"),
        (["--service-account", "nope"], "NAMESPACE/NAME"),
    ],
)
def test_bad_flags_are_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["webhook", "--no-manage-certs", "--cert-dir", "/nonexistent", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
