"""`eso run` takes ESO's flag names, Go-style booleans, and refuses flags it does not implement."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from eso.cli import run


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake_build(**kwargs: Any) -> Any:
        seen.update(kwargs)
        raise SystemExit(0)

    monkeypatch.setattr(run, "build_settings", fake_build)
    return seen


def test_go_style_booleans_and_eso_names(captured: dict[str, Any]) -> None:
    result = CliRunner().invoke(
        run.command,
        [
            "--enable-leader-election",
            "--enable-cluster-store-reconciler=false",
            "--enable-flood-gate",
            "false",
            "--concurrent",
            "20",
            "--client-qps",
            "100",
            "--controller-class",
            "c",
            "--namespace",
            "ns",
        ],
    )
    assert result.exit_code == 0, result.output
    assert captured["enable_leader_election"] is True
    assert captured["enable_cluster_store_reconciler"] is False
    assert captured["enable_flood_gate"] is False
    assert captured["concurrent"] == 20
    assert captured["client_qps"] == 100.0


@pytest.mark.parametrize(
    "flag",
    ["--enable-secrets-caching", "--metrics-secure", "--unsafe-allow-generic-targets", "--no-such-flag"],
)
def test_unimplemented_or_unknown_flags_are_errors(flag: str) -> None:
    result = CliRunner().invoke(run.command, [flag])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_settings_are_validated() -> None:
    settings = run.build_settings(
        concurrent=3, leader_election_lease_duration="15s", store_requeue_interval="1m"
    )
    assert settings.controller.concurrent == 3
    assert settings.controller.store_requeue_interval == 60.0
    with pytest.raises(Exception, match="lease-duration > renew-deadline"):
        run.build_settings(enable_leader_election=True, leader_election_lease_duration="1s")


def test_bad_duration_names_the_flag() -> None:
    result = CliRunner().invoke(run.command, ["--store-requeue-interval", "soon"])
    assert result.exit_code == 2
    assert "--store-requeue-interval" in result.output
