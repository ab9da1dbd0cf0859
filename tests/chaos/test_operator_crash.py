"""Operator crash: SIGKILL ``eso run`` 20 times at random moments of a 1,000-ExternalSecret sync.

Proves (issue 8.3): whatever moment the process dies at (importing, listing, between a
Secret write and its status write, in the middle of an orphan clean-up, …), the next
process finishes the job and the final state is exactly right: every ExternalSecret
Ready at its generation, one Secret per target with the right data and one controller
reference, no orphaned Secret (renamed targets are cleaned up), no duplicate, no
ExternalSecret stuck (deleted ones are gone, their finalizer handled).

While the kills go on, the spec changes under the operator: targets of 40 ExternalSecrets
are renamed (Owner: the old Secret must be deleted), 40 are deleted, 40 read another key.
The API server's audit log counts every Secret write of all 21 processes.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from eso.api.resources import EXTERNAL_SECRET, NAMESPACE, SECRET_STORE
from tests.chaos.harness import (
    EsoProcess,
    PrivateCluster,
    eso_run_args,
    load_es,
    load_store,
    namespace_objects,
    private_cluster,
    secret_table,
    state_problems,
    wait_for,
)

NAMESPACES = [f"crash-{i}" for i in range(4)]
PER_NAMESPACE = 250
KEYS = 260
KILLS = 20
STARTUP_KILLS = 4  # killed at a random moment of start-up (importing, listing, warming caches)
EARLY = (0.3, 3.0)  # ... this long after the process started (uniform)
LIFE = (0.0, 4.0)  # the others: this long after "controllers started", i.e. while writing (uniform)
CHANGED = 40


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateCluster]:
    with private_cluster(tmp_path_factory, "crash", audit=True) as c:
        yield c


def _working(process: EsoProcess) -> bool:
    return any(line.get("event") == "controllers started" for line in process.lines())


def _ref(key: str) -> list[dict[str, Any]]:
    return [{"secretKey": "value", "remoteRef": {"key": key}}]


def test_sigkill_at_random_moments_of_the_initial_sync_leaves_exactly_the_right_state(
    cluster: PrivateCluster, tmp_path: Path, figures: Any
) -> None:
    seed = int(os.environ.get("ESO_CHAOS_SEED", str(int(time.time()))))
    rng = random.Random(seed)
    api = cluster.api()
    api.create(NAMESPACE, namespace_objects(NAMESPACES))
    api.create(SECRET_STORE, [load_store(ns, KEYS) for ns in NAMESPACES])
    wanted = {
        (ns, f"es-{i}"): load_es(ns, f"es-{i}", f"k-{i}") for ns in NAMESPACES for i in range(PER_NAMESPACE)
    }
    api.create(EXTERNAL_SECRET, list(wanted.values()))
    args = eso_run_args(cluster.kubeconfig)
    started = time.monotonic()
    lives: list[dict[str, Any]] = []
    keys = sorted(wanted)
    renamed, deleted, rekeyed = keys[0::25][:CHANGED], keys[1::25][:CHANGED], keys[2::25][:CHANGED]
    process: EsoProcess | None = None
    try:
        for life in range(KILLS):
            process = EsoProcess(args, cluster.env, tmp_path / f"eso-{life:02d}.log")
            if life == 5:  # rename targets (Owner: the old Secret must go)
                api.merge_patch(
                    EXTERNAL_SECRET,
                    [(ns, n, {"spec": {"target": {"name": f"moved-{n}"}}}) for ns, n in renamed],
                )
                for key in renamed:
                    wanted[key]["spec"]["target"] = {"name": f"moved-{key[1]}"}
            if life == 10:
                api.delete(EXTERNAL_SECRET, deleted)
                for key in deleted:
                    wanted.pop(key)
            if life == 15:
                api.merge_patch(
                    EXTERNAL_SECRET, [(ns, n, {"spec": {"data": _ref("k-259")}}) for ns, n in rekeyed]
                )
                for key in rekeyed:
                    wanted[key]["spec"]["data"] = _ref("k-259")
            if life < STARTUP_KILLS:
                wait = rng.uniform(*EARLY)
            else:
                wait_for(partial(_working, process), timeout=120, interval=0.05, what="controllers started")
                wait = rng.uniform(*LIFE)
            time.sleep(wait)
            process.kill()
            lives.append(
                {
                    "life": life,
                    "killed_after_s": round(wait, 2),
                    "secrets": len(secret_table(api, NAMESPACES)),
                }
            )
        process = EsoProcess(args, cluster.env, tmp_path / "eso-final.log")
        _, converged = wait_for(
            lambda: not state_problems(api, NAMESPACES, wanted.values()) or None,
            timeout=300,
            interval=2,
            what="the final state",
        )
        problems = state_problems(api, NAMESPACES, wanted.values(), limit=30)
        assert not problems, problems
        time.sleep(3)  # a settled operator writes nothing more
        audit = [e for e in cluster.audit_events() if e.get("objectRef", {}).get("resource") == "secrets"]
        secret_writes: dict[str, int] = {}
        for event in audit:
            who = "eso" if event.get("user", {}).get("username") == "admin" else "garbage-collector"
            what = f"{who} {event.get('verb')}"
            secret_writes[what] = secret_writes.get(what, 0) + 1
        killed_during = sum(1 for life in lives if 0 < life["secrets"] < PER_NAMESPACE * len(NAMESPACES))
        assert process.proc.poll() is None, "the final process is still running"
        figures(
            "3. operator crash (SIGKILL x20 during the initial sync)",
            {
                "external_secrets": PER_NAMESPACE * len(NAMESPACES),
                "kills": KILLS,
                "random_seed": seed,
                "kill_moments": f"{STARTUP_KILLS} at uniform{EARLY} s after start, "
                f"{KILLS - STARTUP_KILLS} at uniform{LIFE} s after the workers started",
                "secrets_existing_at_each_kill": [life["secrets"] for life in lives],
                "kills_that_hit_mid_sync": killed_during,
                "spec_changes_during_kills": f"{CHANGED} renamed, {CHANGED} deleted, {CHANGED} re-keyed",
                "final_process_converged_s": round(converged, 1),
                "secret_writes_all_processes": secret_writes,
                "eso_secret_writes_per_final_secret": round(
                    secret_writes.get("eso patch", 0) / len(wanted), 2
                ),
                "orphaned_or_duplicate_secrets": 0,
                "stuck_external_secrets": 0,
                "total_s": round(time.monotonic() - started, 1),
            },
        )
    finally:
        if process is not None:
            process.stop()
