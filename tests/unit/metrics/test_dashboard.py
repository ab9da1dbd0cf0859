"""The Grafana dashboard reads only metrics eso exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

from eso.metrics import Metrics

DASHBOARD = Path(__file__).resolve().parents[3] / "deploy" / "grafana" / "eso-dashboard.json"


def test_every_panel_queries_an_exported_metric() -> None:
    m = Metrics()
    m.sync_call("ns", "n", error=True)
    m.provider_call("AWS/SecretsManager", "GetSecretValue", "success")
    m.set_condition("externalsecret", "ns", "n", "Ready", "True")
    m.queue("externalsecret").on_latency(0.1)
    m.queue("externalsecret").on_depth(1)
    m.on_reconcile("externalsecret", 0.1, "success")
    exported = {
        line.split("{")[0].split(" ")[0]
        for line in m.exposition().decode().splitlines()
        if line and not line.startswith("#")
    }
    exported |= {
        line.split()[2] for line in m.exposition().decode().splitlines() if line.startswith("# TYPE")
    }
    panels = json.loads(DASHBOARD.read_text())["panels"]
    assert len(panels) >= 8
    for panel in panels:
        for target in panel["targets"]:
            names = set(
                re.findall(
                    r"\b([a-z_]+(?:_total|_error|_count|_condition|_duration|_depth|_bucket))\b",
                    target["expr"],
                )
            )
            assert names, panel["title"]
            assert names <= exported, (panel["title"], names - exported)
