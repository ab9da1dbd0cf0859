"""Provider outage: the AWS emulator goes away for minutes while 500 ExternalSecrets refresh.

Proves (issue 8.1, DESIGN "a provider outage never deletes or empties a Secret"):

* no Secret is changed or deleted during the outage, nor after it (same uid, same
  resourceVersion: the recovery writes nothing either, the data did not change);
* every ExternalSecret turns Ready=False naming the real cause (``connection refused``)
  at its first failed refresh;
* provider calls during the outage are bounded by the per-key backoff (the count is
  reported next to the calls of a healthy period of the same length);
* everything is Ready again within one backoff cap after the emulator is back.

The emulator keeps its state in memory, so "back" means restarted on its port *and*
re-seeded with the same secrets (a real provider does not lose data in an outage).
Layout: 5 namespaces x 100 ExternalSecrets, each reading its own Secrets Manager secret
through a SecretStore with IRSA-style auth (the seed tutorial's), refreshInterval 20s.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eso.api.resources import EXTERNAL_SECRET, NAMESPACE, SECRET_STORE, SERVICE_ACCOUNT
from tests.chaos.harness import (
    InProcessOperator,
    PrivateCluster,
    counts,
    es_table,
    parse_time,
    private_cluster,
    scaled,
    secret_table,
    seed_secrets,
    synced,
    wait_for,
)
from tests.integration.builders import aws_store, external_secret, irsa_service_account
from tests.support import operator_settings

NAMESPACES = [f"outage-{i}" for i in range(5)]
PER_NAMESPACE = 100
TOTAL = len(NAMESPACES) * PER_NAMESPACE
REFRESH = 20.0
JITTER = 0.1
BACKOFF_BASE, BACKOFF_CAP = 1.0, 20.0
STORE_INTERVAL = 10.0
HEALTHY = scaled(60.0)
OUTAGE = scaled(150.0)
CAUSES = ("connection refused", "timeout")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateCluster]:
    with private_cluster(tmp_path_factory, "outage") as c:
        yield c


def _remote(ns: str, i: int) -> str:
    return f"/chaos/{ns}/db-{i}"


def _values() -> dict[str, str]:
    return {
        _remote(ns, i): f'{{"password":"pw-{ns}-{i}"}}' for ns in NAMESPACES for i in range(PER_NAMESPACE)
    }


def _provider_calls(op: InProcessOperator) -> dict[str, float]:
    text = op.operator.metrics.exposition().decode()
    name = "externalsecret_provider_api_calls_count"
    return {
        "success": counts(text, name, provider="AWS/SecretsManager", status="success"),
        "error": counts(text, name, provider="AWS/SecretsManager", status="error"),
        "sts": counts(text, name, provider="AWS/STS"),
    }


def _reconciles(op: InProcessOperator) -> float:
    text = op.operator.metrics.exposition().decode()
    return counts(text, "controller_runtime_reconcile_total", controller="externalsecret")


def _secret_writes(op: InProcessOperator) -> int:
    return sum(v for (method, plural), v in op.operator.wiring.client.writes.items() if plural == "secrets")


def _first_failures(op: InProcessOperator, since: float) -> dict[tuple[str, str], tuple[float, str]]:
    """Per ExternalSecret: seconds after ``since`` of its first failed sync, and the error it logged."""
    first: dict[tuple[str, str], tuple[float, str]] = {}
    for line in op.lines():
        if line.get("event") != "sync failed":
            continue
        at = parse_time(str(line.get("timestamp", ""))) or 0.0
        key = (str(line.get("namespace")), str(line.get("name")))
        if at >= since and key not in first:
            first[key] = (at - since, str(line.get("error", "")))
    return first


def test_provider_outage_changes_no_secret_reports_the_cause_and_recovers_within_one_backoff(
    cluster: PrivateCluster, tmp_path: Path, figures: Any
) -> None:
    api = cluster.api()
    seed_seconds = seed_secrets(cluster.aws_endpoint_url, _values())
    api.create(
        NAMESPACE, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in NAMESPACES]
    )
    api.create(SERVICE_ACCOUNT, [irsa_service_account(ns) for ns in NAMESPACES])
    api.create(SECRET_STORE, [aws_store(ns) for ns in NAMESPACES])
    api.create(
        EXTERNAL_SECRET,
        [
            external_secret(
                ns,
                f"db-{i}",
                {
                    "refreshInterval": f"{REFRESH:.0f}s",
                    "secretStoreRef": {"name": "aws"},
                    "data": [
                        {
                            "secretKey": "password",
                            "remoteRef": {"key": _remote(ns, i), "property": "password"},
                        }
                    ],
                },
            )
            for ns in NAMESPACES
            for i in range(PER_NAMESPACE)
        ],
    )
    settings = operator_settings(
        cluster.kubeconfig,
        cluster.env,
        backoff_base=BACKOFF_BASE,
        backoff_cap=BACKOFF_CAP,
        store_requeue_interval=STORE_INTERVAL,
        refresh_jitter=JITTER,
    )
    op = InProcessOperator(settings, tmp_path / "operator.log")
    started = time.monotonic()
    op.start()
    try:
        _, initial_sync = wait_for(
            lambda: synced(es_table(api, NAMESPACES)) == TOTAL, timeout=240, interval=2, what="initial sync"
        )
        before = secret_table(api, NAMESPACES)
        assert len(before) == TOTAL
        assert all(row.data == {"password": f"pw-{k[0]}-{k[1][3:]}".encode()} for k, row in before.items())

        # -- a healthy period of the same kind: refreshes only
        calls0, rec0, writes0 = _provider_calls(op), _reconciles(op), _secret_writes(op)
        time.sleep(HEALTHY)
        calls1, rec1, writes1 = _provider_calls(op), _reconciles(op), _secret_writes(op)
        api_writes1 = dict(op.operator.wiring.client.writes)
        healthy_calls = (calls1["success"] + calls1["error"]) - (calls0["success"] + calls0["error"])
        healthy_per_min = healthy_calls * 60 / HEALTHY
        assert secret_table(api, NAMESPACES) == before, "steady state writes no Secret"
        assert writes1 == writes0

        # -- outage
        down_wall, down_at = time.time(), time.monotonic()
        cluster.sandbox.stop_component("moto")
        changed: list[str] = []
        while time.monotonic() - down_at < OUTAGE:
            time.sleep(5)
            now = secret_table(api, NAMESPACES)
            if now != before:
                changed = sorted(f"{k[0]}/{k[1]}" for k in set(before) ^ set(now)) or [
                    f"{k[0]}/{k[1]}" for k in before if now.get(k) != before[k]
                ]
                break
        calls2, rec2 = _provider_calls(op), _reconciles(op)
        api_writes = {
            f"{m} {p}": n - api_writes1.get((m, p), 0)
            for (m, p), n in sorted(op.operator.wiring.client.writes.items())
            if n - api_writes1.get((m, p), 0)
        }
        rows = es_table(api, NAMESPACES)
        assert not changed, f"Secrets changed or deleted during the outage: {changed[:10]}"
        not_false = [f"{k[0]}/{k[1]}" for k, r in rows.items() if r.ready != "False"]
        assert not not_false, f"still Ready=True after {OUTAGE:.0f} s of outage: {not_false[:5]}"
        vague = {
            f"{k[0]}/{k[1]}": r.message for k, r in rows.items() if not any(c in r.message for c in CAUSES)
        }
        assert not vague, f"Ready=False without the real cause: {list(vague.items())[:3]}"
        outage_calls = (calls2["success"] + calls2["error"]) - (calls1["success"] + calls1["error"])
        outage_reconciles = rec2 - rec1
        # per key: the first failure, then base * 2**n up to the cap, then one try per cap
        ramp = math.ceil(math.log2(BACKOFF_CAP / BACKOFF_BASE)) + 1
        bound_per_key = ramp + OUTAGE / BACKOFF_CAP + 1
        assert outage_reconciles <= TOTAL * bound_per_key, "reconciles during the outage follow the backoff"
        assert outage_calls <= TOTAL * bound_per_key, "provider calls during the outage follow the backoff"
        first = _first_failures(op, down_wall)
        assert len(first) == TOTAL, "every ExternalSecret failed (and said so) during the outage"
        vague_first = [m for _, m in first.values() if not any(c in m for c in CAUSES)]
        assert not vague_first, f"a first failure without the cause: {vague_first[:3]}"
        detect = sorted(t for t, _ in first.values())
        # noticed at the first refresh after the outage began, not later
        assert detect[-1] <= 2 * REFRESH * (1 + JITTER) + 10, "the first refresh that failed reported it"

        # -- the emulator comes back (restarted on its port, then re-seeded)
        cluster.sandbox.start_component("moto")
        reseed = seed_secrets(cluster.aws_endpoint_url, _values())
        _, recovery = wait_for(
            lambda: synced(es_table(api, NAMESPACES)) == TOTAL,
            timeout=BACKOFF_CAP * 4,
            interval=1,
            what="recovery",
        )
        after = secret_table(api, NAMESPACES)
        assert after == before, "the recovery rewrote no Secret (same data, same resourceVersion)"
        assert recovery <= BACKOFF_CAP + 15, f"recovered in {recovery:.1f} s, more than one backoff cap"
        writes_total = _secret_writes(op) - writes0
        assert writes_total == 0
        figures(
            "1. provider outage (AWS emulator stopped)",
            {
                "external_secrets": TOTAL,
                "refresh_interval_s": REFRESH,
                "backoff_base_cap_s": f"{BACKOFF_BASE:g}/{BACKOFF_CAP:g}",
                "emulator_seed_s": round(seed_seconds, 1),
                "initial_sync_s": round(initial_sync, 1),
                "healthy_window_s": HEALTHY,
                "healthy_provider_calls": int(healthy_calls),
                "healthy_provider_calls_per_min": round(healthy_per_min, 1),
                "healthy_reconciles": int(rec1 - rec0),
                "outage_s": OUTAGE,
                "outage_provider_calls": int(outage_calls),
                "outage_provider_calls_per_min": round(outage_calls * 60 / OUTAGE, 1),
                "outage_vs_healthy_call_rate": round(
                    (outage_calls / OUTAGE) / max(healthy_calls / HEALTHY, 1e-9), 2
                ),
                "outage_reconciles": int(outage_reconciles),
                "outage_reconcile_bound": int(TOTAL * bound_per_key),
                "outage_api_writes": api_writes,
                "first_failure_names_cause": f"{len(first) - len(vague_first)}/{len(first)}",
                "ready_false_after_s_median": round(detect[len(detect) // 2], 1),
                "ready_false_after_s_max": round(detect[-1], 1),
                "cause_in_message": sorted(
                    {next(c for c in CAUSES if c in r.message) for r in rows.values()}
                ),
                "sample_message": next(iter(rows.values())).message[:200],
                "secrets_changed_or_deleted": 0,
                "secret_writes_outage_and_recovery": writes_total,
                "emulator_reseed_s": round(reseed, 1),
                "recovery_after_return_s": round(recovery, 1),
                "total_s": round(time.monotonic() - started, 1),
            },
        )
    finally:
        op.stop()
