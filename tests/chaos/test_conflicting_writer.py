"""Conflicting writer: another client keeps overwriting a managed Secret.

Proves (issue 8.5, users-and-peers §2.3 "write loops", ESO#3817): a second writer (a
controller that "owns" the same keys) rewrites the value of 10 managed Secrets every time
it sees eso's value, as fast as it can, for a minute. eso restores the Secret — drift is
repaired at once the first time — but backs off when the same Secret is overwritten
again and again, so its writes stay bounded (no hot loop between the two writers), and it
says so in a Warning Event on the ExternalSecret. When the other writer stops, the Secret
is back to the provider's value within one backoff cap.
"""

from __future__ import annotations

import asyncio
import base64
import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eso.api.resources import EVENT, EXTERNAL_SECRET, NAMESPACE, SECRET, SECRET_STORE
from eso.controllers.externalsecret.drift import REASON_OVERWRITTEN
from eso.errors import KubeAPIError
from eso.kube.client import KubeClient, PatchType
from tests.chaos.harness import (
    Api,
    InProcessOperator,
    PrivateCluster,
    es_table,
    fake_value,
    load_es,
    load_store,
    namespace_objects,
    private_cluster,
    secret_table,
    synced,
    wait_for,
)
from tests.support import operator_settings

NS = "conflict"
COUNT = 10
FIGHT = 60.0
THEIRS = base64.b64encode(b"written-by-someone-else").decode()
BACKOFF_BASE, BACKOFF_CAP = 1.0, 20.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateCluster]:
    with private_cluster(tmp_path_factory, "conflict") as c:
        yield c


class Fighter:
    """Overwrites ``value`` of each Secret whenever it is not its own, as fast as it can."""

    def __init__(self, api: Api, names: list[str], seconds: float) -> None:
        self.api, self.names, self.seconds = api, names, seconds
        self.edits = 0
        self.thread = threading.Thread(target=self._run, name="fighter", daemon=True)

    def _run(self) -> None:
        async def fight(client: KubeClient) -> None:
            deadline = time.monotonic() + self.seconds
            while time.monotonic() < deadline:
                for name in self.names:
                    secret = await client.get(SECRET, name, NS)
                    if (secret.get("data") or {}).get("value") == THEIRS:
                        continue
                    try:
                        await client.patch(
                            SECRET,
                            name,
                            NS,
                            {"data": {"value": THEIRS}},
                            patch_type=PatchType.MERGE,
                            field_manager="other-writer",
                        )
                        self.edits += 1
                    except KubeAPIError:
                        continue
                await asyncio.sleep(0.05)

        self.api.run(fight)


def _secret_writes(op: InProcessOperator) -> int:
    return sum(v for (_, plural), v in op.operator.wiring.client.writes.items() if plural == "secrets")


def test_a_conflicting_writer_gets_a_bounded_number_of_restores_and_an_event(
    cluster: PrivateCluster, tmp_path: Path, figures: Any
) -> None:
    api = cluster.api()
    api.create(NAMESPACE, namespace_objects([NS]))
    api.create(SECRET_STORE, [load_store(NS, COUNT)])
    names = [f"es-{i}" for i in range(COUNT)]
    api.create(EXTERNAL_SECRET, [load_es(NS, n, f"k-{i}") for i, n in enumerate(names)])
    settings = operator_settings(
        cluster.kubeconfig, cluster.env, backoff_base=BACKOFF_BASE, backoff_cap=BACKOFF_CAP
    )
    op = InProcessOperator(settings, tmp_path / "operator.log")
    op.start()
    try:
        wait_for(lambda: synced(es_table(api, [NS])) == COUNT, timeout=60, what="sync")
        writes0 = _secret_writes(op)
        fighter = Fighter(api, names, FIGHT)
        fighter.thread.start()
        fighter.thread.join(FIGHT + 30)
        fight_writes = _secret_writes(op) - writes0

        def restored() -> bool:
            rows = secret_table(api, [NS])
            return all(
                rows[(NS, n)].data.get("value") == fake_value(NS, f"k-{i}") for i, n in enumerate(names)
            )

        _, restore_after = wait_for(restored, timeout=BACKOFF_CAP * 3, interval=0.5, what="restored")
        events = [
            e
            for e in api.list(EVENT, NS)
            if e.get("type") == "Warning" and e.get("involvedObject", {}).get("kind") == "ExternalSecret"
        ]
        overwritten = {
            e["involvedObject"]["name"]: e for e in events if e.get("reason") == REASON_OVERWRITTEN
        }
        ramp = math.ceil(math.log2(BACKOFF_CAP / BACKOFF_BASE)) + 1
        bound = COUNT * (ramp + FIGHT / BACKOFF_CAP + 2)
        figures(
            "5. conflicting writer",
            {
                "managed_secrets": COUNT,
                "fight_s": FIGHT,
                "other_writer_edits": fighter.edits,
                "eso_secret_writes_during_fight": fight_writes,
                "eso_secret_write_bound": int(bound),
                "restored_after_writer_stopped_s": round(restore_after, 1),
                "es_with_overwritten_warning": len(overwritten),
                "overwritten_warning_count_total": sum(int(e.get("count", 1)) for e in overwritten.values()),
                "sample_event": next((f"{e['reason']}: {e['message']}" for e in overwritten.values()), ""),
            },
        )
        assert fight_writes <= bound, f"{fight_writes} restores in {FIGHT:.0f} s: a write loop"
        assert len(overwritten) == COUNT, "each conflict is reported in a Warning Event on its ExternalSecret"
        assert restore_after <= BACKOFF_CAP + 5, "restored within one backoff cap once the writer stopped"
    finally:
        op.stop()
