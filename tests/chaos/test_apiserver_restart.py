"""API-server restart in the middle of an initial sync: watches resume and nothing is missed.

Proves (issue 8.2): while 500 ExternalSecrets are being synced, kube-apiserver is stopped
(SIGTERM, SIGKILL after 3 s) and started again on its port. Right after it is back, and
before eso has reconnected (its informers back off), the cluster changes under it: new
ExternalSecrets, deleted ExternalSecrets, edited specs, deleted Secrets. Every one of
these changes is picked up (the informers resume from their resourceVersion or relist on
410 Gone) and the cluster converges to exactly the expected state.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eso.api.resources import EXTERNAL_SECRET, NAMESPACE, SECRET, SECRET_STORE
from tests.chaos.harness import (
    InProcessOperator,
    PrivateCluster,
    counts,
    es_table,
    load_es,
    load_store,
    namespace_objects,
    private_cluster,
    secret_table,
    state_problems,
    synced,
    wait_for,
)
from tests.support import operator_settings

NAMESPACES = [f"restart-{i}" for i in range(5)]
PER_NAMESPACE = 100
KEYS = 130
DOWN = 20.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateCluster]:
    with private_cluster(tmp_path_factory, "apiserver") as c:
        yield c


def test_apiserver_restart_mid_sync_resumes_watches_and_misses_nothing(
    cluster: PrivateCluster, tmp_path: Path, figures: Any
) -> None:
    api = cluster.api()
    api.create(NAMESPACE, namespace_objects(NAMESPACES))
    api.create(SECRET_STORE, [load_store(ns, KEYS) for ns in NAMESPACES])
    settings = operator_settings(cluster.kubeconfig, cluster.env, backoff_base=1.0, backoff_cap=20.0)
    op = InProcessOperator(settings, tmp_path / "operator.log")
    op.start()
    started = time.monotonic()
    try:
        batch_a = [load_es(ns, f"es-{i}", f"k-{i}") for ns in NAMESPACES for i in range(PER_NAMESPACE)]
        api.create(EXTERNAL_SECRET, batch_a)
        synced_before, _ = wait_for(
            lambda: (n := len(secret_table(api, NAMESPACES))) >= 250 and n,
            timeout=120,
            interval=0.5,
            what="half of the Secrets",
        )
        down_at = time.monotonic()
        cluster.sandbox.stop_component("kube-apiserver", timeout=3)
        stopped = time.monotonic() - down_at
        time.sleep(max(0.0, DOWN - stopped))
        cluster.sandbox.start_component("kube-apiserver")
        up_at = time.monotonic()
        downtime = up_at - down_at

        # -- the cluster changes before eso has reconnected
        existing = sorted(secret_table(api, NAMESPACES))
        gone_es = [k for k in existing if int(k[1].split("-")[1]) % 10 == 0][:50]
        edited = [k for k in existing if int(k[1].split("-")[1]) % 10 == 1][:50]
        hand_deleted = [k for k in existing if int(k[1].split("-")[1]) % 10 == 2][:50]
        batch_b = [load_es(ns, f"new-{i}", f"k-{100 + i}") for ns in NAMESPACES for i in range(20)]
        api.create(EXTERNAL_SECRET, batch_b)
        api.delete(EXTERNAL_SECRET, gone_es)
        api.merge_patch(EXTERNAL_SECRET, [(ns, n, {"spec": {"data": [_ref("k-129")]}}) for ns, n in edited])
        api.delete(SECRET, hand_deleted)
        changed_in = time.monotonic() - up_at

        live: list[dict[str, Any]] = []
        for es in batch_a + batch_b:
            key = (es["metadata"]["namespace"], es["metadata"]["name"])
            if key in gone_es:
                continue
            live.append({**es, "spec": {**es["spec"], "data": [_ref("k-129")]}} if key in edited else es)
        new_keys = {(e["metadata"]["namespace"], e["metadata"]["name"]) for e in batch_b}
        _, first_new = wait_for(
            lambda: any(
                r.reason == "SecretSynced" for k, r in es_table(api, NAMESPACES).items() if k in new_keys
            ),
            timeout=120,
            interval=0.5,
            what="a new ExternalSecret synced (the ExternalSecret watch resumed)",
        )
        _, converged = wait_for(
            lambda: not state_problems(api, NAMESPACES, live) or None,
            timeout=240,
            interval=2,
            what="convergence",
        )
        problems = state_problems(api, NAMESPACES, live)
        assert not problems, problems
        relists = {info[0]: informer.relists for info, informer in op.operator.wiring.informers.items()}
        log = op.lines()
        watch_failures = sum(1 for line in log if line.get("event") == "watch failed, retrying")
        expired = sum(1 for line in log if line.get("event") == "watch expired, relisting")
        text = op.operator.metrics.exposition().decode()
        errors = counts(
            text, "controller_runtime_reconcile_total", controller="externalsecret", result="error"
        )
        assert synced(es_table(api, NAMESPACES)) == len(live)
        figures(
            "2. kube-apiserver restart mid-sync",
            {
                "external_secrets_initial": len(batch_a),
                "secrets_synced_when_stopped": synced_before,
                "apiserver_down_s": round(downtime, 1),
                "changes_after_restart": (
                    f"{len(batch_b)} created, {len(gone_es)} ES deleted, {len(edited)} edited, "
                    f"{len(hand_deleted)} Secrets deleted (within {changed_in:.1f} s of the restart)"
                ),
                "first_new_es_synced_after_restart_s": round(first_new + changed_in, 1),
                "converged_after_restart_s": round(converged + first_new + changed_in, 1),
                "watch_reconnect_failures_logged": watch_failures,
                "watch_expired_relists_logged": expired,
                "informer_lists_per_kind": relists,
                "reconcile_errors_during_restart": int(errors),
                "secret_writes_total": sum(
                    v for (m, p), v in op.operator.wiring.client.writes.items() if p == "secrets"
                ),
                "total_s": round(time.monotonic() - started, 1),
            },
        )
    finally:
        op.stop()


def _ref(key: str) -> dict[str, Any]:
    return {"secretKey": "value", "remoteRef": {"key": key}}
