"""Leader failover under load: two ``eso run`` replicas, the leader freezes, the other takes over.

Proves (issue 8.4): with 500 ExternalSecrets refreshing every 20 s, the leader is frozen
with SIGSTOP (a stalled process, a long GC pause or a partition: it can neither renew nor
release its Lease). The follower takes the Lease once it expires and carries on: every
ExternalSecret is refreshed again. Then the old leader is resumed (SIGCONT): it must
notice that it lost the Lease and write **nothing** — not even a request it had queued
before it froze — and exit. The proof is server-side: each replica has its own client
certificate, and the API server's audit log records every write with its user and the
time it was received.

ESO's default Lease timings (15 s / 10 s / 2 s) are used. The replicas' client rate limit
(30 qps, burst 5) is the bottleneck under this load, so when the leader freezes some of its
writes are waiting for a token: those must be refused after the wake-up, not sent.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eso.api.resources import EXTERNAL_SECRET, NAMESPACE, SECRET_STORE
from tests.chaos.harness import (
    EsoProcess,
    PrivateCluster,
    es_table,
    eso_run_args,
    load_es,
    load_store,
    namespace_objects,
    parse_time,
    private_cluster,
    replica_kubeconfig,
    synced,
    wait_for,
)

NAMESPACES = [f"leader-{i}" for i in range(5)]
PER_NAMESPACE = 100
TOTAL = len(NAMESPACES) * PER_NAMESPACE
REFRESH = 20.0
LEASE, LEASE_NS = "eso-chaos-leader", "eso-system"
LOAD = 25.0
FROZEN_AFTER_TAKEOVER = 10.0
QPS, BURST = 30, 5  # the client rate limit is the bottleneck: writes queue in it when the leader freezes


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateCluster]:
    with private_cluster(tmp_path_factory, "leader", audit=True) as c:
        yield c


def _lease(cluster: PrivateCluster) -> dict[str, Any]:
    lease = cluster.kubectl.get("lease", LEASE, LEASE_NS) or {}
    return dict(lease.get("spec") or {})


def _writes_by(cluster: PrivateCluster, user: str, since: float) -> list[dict[str, Any]]:
    """Audit events of mutating requests by ``user`` received at or after ``since`` (epoch s)."""
    out = []
    for event in cluster.audit_events():
        if event.get("user", {}).get("username") != user:
            continue
        received = parse_time(str(event.get("requestReceivedTimestamp", ""))) or 0.0
        if received >= since:
            out.append(event)
    return out


def test_leader_failover_under_load_takes_over_and_the_old_leader_writes_nothing(
    cluster: PrivateCluster, tmp_path: Path, figures: Any
) -> None:
    api = cluster.api()
    api.create(NAMESPACE, namespace_objects([*NAMESPACES, LEASE_NS]))
    api.create(SECRET_STORE, [load_store(ns, PER_NAMESPACE) for ns in NAMESPACES])
    api.create(
        EXTERNAL_SECRET,
        [
            load_es(ns, f"es-{i}", f"k-{i}", refresh=f"{REFRESH:.0f}s")
            for ns in NAMESPACES
            for i in range(PER_NAMESPACE)
        ],
    )
    replicas: dict[str, EsoProcess] = {}
    users = {name: f"eso-replica-{name}" for name in ("alpha", "beta")}
    try:
        for name, user in users.items():
            kubeconfig = replica_kubeconfig(cluster, user, tmp_path / f"{name}.kubeconfig")
            argv = eso_run_args(
                kubeconfig,
                "--enable-leader-election",
                "true",
                "--leader-election-id",
                LEASE,
                "--leader-election-namespace",
                LEASE_NS,
                "--leader-election-identity",
                name,
                "--client-qps",
                str(QPS),
                "--client-burst",
                str(BURST),
            )
            replicas[name] = EsoProcess(argv, cluster.env, tmp_path / f"{name}.log")
        leader, _ = wait_for(lambda: _lease(cluster).get("holderIdentity"), timeout=60, what="a leader")
        follower = "beta" if leader == "alpha" else "alpha"
        _, initial = wait_for(
            lambda: synced(es_table(api, NAMESPACES)) == TOTAL, timeout=300, interval=2, what="initial sync"
        )
        # its attempts at the Lease are leader election itself (at start both create it; one gets 409)
        follower_writes = [
            e
            for e in _writes_by(cluster, users[follower], 0.0)
            if e.get("objectRef", {}).get("resource") != "leases"
        ]
        assert not follower_writes, "the follower writes nothing while it follows"
        time.sleep(LOAD)  # refreshes under way: the leader is busy when it freezes

        frozen_wall, frozen_at = time.time(), time.monotonic()
        replicas[leader].signal(signal.SIGSTOP)
        lease, takeover = wait_for(
            lambda: (spec := _lease(cluster)).get("holderIdentity") == follower and spec,
            timeout=60,
            interval=0.25,
            what="takeover",
        )
        acquired = parse_time(str(lease.get("acquireTime", ""))) or time.time()
        _, first_write = wait_for(
            lambda: [
                e
                for e in _writes_by(cluster, users[follower], acquired)
                if e["objectRef"]["resource"] != "leases"
            ],
            timeout=60,
            interval=0.25,
            what="the new leader's first write",
        )
        time.sleep(FROZEN_AFTER_TAKEOVER)
        resumed_at = time.monotonic()
        replicas[leader].signal(signal.SIGCONT)
        code = replicas[leader].proc.wait(60)
        exited_after = time.monotonic() - resumed_at

        def all_refreshed() -> bool:
            rows = es_table(api, NAMESPACES)
            return len(rows) == TOTAL and all(
                (parse_time(r.refresh_time) or 0) > frozen_wall for r in rows.values()
            )

        wait_for(all_refreshed, timeout=REFRESH * 3 + 60, interval=2, what="every ES refreshed")
        refreshed = time.monotonic() - frozen_at
        late = _writes_by(cluster, users[leader], acquired)
        old_lines = replicas[leader].lines()
        refused = sum(1 for line in old_lines if "not the leader" in str(line.get("error", "")))
        assert code == 1, "a replica that lost its Lease exits non-zero"
        assert not late, f"the old leader wrote after losing the Lease: {[_describe(e) for e in late[:5]]}"
        assert synced(es_table(api, NAMESPACES)) == TOTAL
        figures(
            "4. leader failover under load (leader frozen with SIGSTOP)",
            {
                "external_secrets": TOTAL,
                "refresh_interval_s": REFRESH,
                "lease_duration_renew_retry_s": "15/10/2 (ESO defaults)",
                "client_qps_burst": f"{QPS}/{BURST}",
                "initial_sync_s": round(initial, 1),
                "takeover_after_freeze_s": round(takeover, 1),
                "new_leader_first_write_after_freeze_s": round(takeover + first_write, 1),
                "every_es_refreshed_after_freeze_s": round(refreshed, 1),
                "old_leader_frozen_s": round(resumed_at - frozen_at, 1),
                "old_leader_writes_after_losing_lease": len(late),
                "old_leader_writes_refused_by_guard": refused,
                "old_leader_exit_code": code,
                "old_leader_exited_after_resume_s": round(exited_after, 1),
            },
        )
    finally:
        for process in replicas.values():
            process.stop()


def _describe(event: dict[str, Any]) -> str:
    ref, code = event.get("objectRef", {}), event.get("responseStatus", {}).get("code")
    return (
        f"{event.get('verb')} {ref.get('resource')}/{ref.get('subresource', '')} {ref.get('namespace')}/"
        f"{ref.get('name')} at {event.get('requestReceivedTimestamp')} -> {code}"
    )
