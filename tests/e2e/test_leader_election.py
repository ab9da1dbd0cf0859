"""Two `eso run` replicas with leader election: one works, the other takes over after SIGKILL.

The replicas use their own controller class, so the session's in-process operator (class
``default``) leaves their objects alone, and they watch only the test namespace.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.builders import external_secret, fake_store, wait_es
from tests.support import Kubectl, wait_until

pytestmark = pytest.mark.e2e
LEASE = "eso-le-test"


class Replica:
    def __init__(self, name: str, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.name, self.proc, self.log = name, proc, log

    def lines(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log.read_text(errors="replace").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out


@pytest.fixture
def replicas(sandbox: Any, namespace: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, Replica]]]:
    klass = f"le-{uuid.uuid4().hex[:6]}"
    started: dict[str, Replica] = {}
    for name in ("alpha", "beta"):
        log = tmp_path / f"{name}.log"
        env = {**os.environ, **sandbox.env, "POD_NAME": name}
        argv = [
            sys.executable,
            "-m",
            "eso",
            "run",
            "--kubeconfig",
            str(sandbox.kubeconfig),
            "--namespace",
            namespace,
            "--controller-class",
            klass,
            "--enable-leader-election",
            "--leader-election-id",
            LEASE,
            "--leader-election-namespace",
            namespace,
            "--leader-election-lease-duration",
            "4s",
            "--leader-election-renew-deadline",
            "3s",
            "--leader-election-retry-period",
            "500ms",
            "--metrics-addr",
            "0",
            "--live-addr",
            "0",
            "--log-format",
            "json",
            "--loglevel",
            "debug",
        ]
        with log.open("wb") as fh:
            proc = subprocess.Popen(argv, env=env, stdout=fh, stderr=subprocess.STDOUT)
        started[name] = Replica(name, proc, log)
    try:
        yield klass, started
    finally:
        for replica in started.values():
            if replica.proc.poll() is None:
                replica.proc.terminate()
                try:
                    replica.proc.wait(15)
                except subprocess.TimeoutExpired:
                    replica.proc.kill()


def _holder(kubectl: Kubectl, namespace: str) -> str | None:
    lease = kubectl.get("lease", LEASE, namespace)
    return ((lease or {}).get("spec") or {}).get("holderIdentity") or None


def test_only_the_leader_reconciles_and_the_other_takes_over_after_sigkill(
    kubectl: Kubectl, namespace: str, replicas: tuple[str, dict[str, Replica]]
) -> None:
    klass, reps = replicas
    leader = wait_until(lambda: _holder(kubectl, namespace), timeout=30, what="a leader")
    follower = "beta" if leader == "alpha" else "alpha"
    kubectl.apply(fake_store(namespace, {"k": "v"}, controller=klass))
    kubectl.apply(
        external_secret(
            namespace,
            "le",
            {"secretStoreRef": {"name": "fake"}, "data": [{"secretKey": "k", "remoteRef": {"key": "k"}}]},
        )
    )
    wait_es(kubectl, "le", namespace)
    time.sleep(1)
    assert any(e.get("event") == "secret synced" for e in reps[leader].lines())
    assert not any(e.get("event") in ("secret synced", "store status") for e in reps[follower].lines()), (
        "the follower never reconciles"
    )

    killed_at = time.monotonic()
    reps[leader].proc.send_signal(signal.SIGKILL)
    wait_until(lambda: _holder(kubectl, namespace) == follower, timeout=30, what="takeover")
    takeover = time.monotonic() - killed_at
    kubectl.apply(
        external_secret(
            namespace,
            "after",
            {"secretStoreRef": {"name": "fake"}, "data": [{"secretKey": "k", "remoteRef": {"key": "k"}}]},
        )
    )
    wait_es(kubectl, "after", namespace)
    synced_by_new_leader = time.monotonic() - killed_at
    print(
        f"\nleader failover: lease taken over {takeover:.1f} s after SIGKILL, "
        f"new ExternalSecret synced {synced_by_new_leader:.1f} s after SIGKILL (lease 4s, retry 0.5s)"
    )


def test_a_leader_that_loses_its_lease_stops_writing_and_exits(
    kubectl: Kubectl, namespace: str, replicas: tuple[str, dict[str, Replica]]
) -> None:
    klass, reps = replicas
    leader = wait_until(lambda: _holder(kubectl, namespace), timeout=30, what="a leader")
    follower = "beta" if leader == "alpha" else "alpha"
    reps[follower].proc.terminate()  # only the leader is left
    reps[follower].proc.wait(15)
    kubectl.apply(fake_store(namespace, {"k": "v"}, controller=klass))

    # Another party takes the Lease: the leader can no longer renew it.
    def steal() -> bool:
        lease = kubectl.get("lease", LEASE, namespace) or {}
        lease["spec"]["holderIdentity"] = "someone-else"
        lease["spec"]["leaseDurationSeconds"] = 3600
        lease["spec"]["renewTime"] = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
        return kubectl.run("replace", "-f", "-", stdin=json.dumps(lease), check=False).returncode == 0

    wait_until(steal, timeout=20, what="the Lease taken over")  # the leader renews meanwhile: retry on 409
    stolen_at = time.monotonic()
    code = reps[leader].proc.wait(30)
    lost_after = time.monotonic() - stolen_at
    assert code == 1, "a replica that lost its Lease exits non-zero"
    events = reps[leader].lines()
    lost = next(i for i, e in enumerate(events) if e.get("event") == "lost leadership")
    assert not any(e.get("event") in ("secret synced", "store status") for e in events[lost:]), (
        "no write after the lease was lost"
    )
    print(f"\nlease lost: leader stopped {lost_after:.1f} s after the Lease was taken (renew deadline 3s)")
