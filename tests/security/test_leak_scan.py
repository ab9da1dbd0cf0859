"""The end-of-suite leak scan looks where it says it looks (``tests/operator_fixtures.py``).

The scan is only as good as what it reads: these tests check that the recorder really
captures Events and statuses of objects in namespaces that are then deleted, that values
are registered without a test having to, and that a value is found as is and base64-encoded.
"""

from __future__ import annotations

import base64

from tests.integration.builders import external_secret, fake_store, secret, wait_es
from tests.operator_fixtures import LeakRecorder
from tests.support import (
    SENSITIVE,
    Kubectl,
    OperatorRunner,
    find_leaks,
    register_manifest_values,
    wait_until,
)


def test_values_are_registered_and_found_as_is_and_base64() -> None:
    value = "scan-check-value-8e2d"
    assert value not in SENSITIVE
    register_manifest_values(secret("ns", "s", {"k": value}))
    register_manifest_values(fake_store("ns", {"k": "scan-check-fake-8e2d", "short": "tiny"}))
    assert value in SENSITIVE
    assert "scan-check-fake-8e2d" in SENSITIVE
    assert "tiny" not in SENSITIVE, "short values are not registered (they are everywhere)"
    encoded = base64.b64encode(value.encode()).decode()
    assert find_leaks({"a": f"x {value} y"}) == [f"a: {value} (…x {value} y…)"]
    [hit] = find_leaks({"b": f'{{"data":{{"k":"{encoded}"}}}}'})
    assert hit.startswith(f"b: {value} (…")
    assert find_leaks({"c": "nothing here"}) == []
    SENSITIVE.discard(value)  # it was never given to the cluster: keep the real scan quiet
    SENSITIVE.discard("scan-check-fake-8e2d")


def test_the_recorder_keeps_events_and_statuses_of_deleted_namespaces(
    operator: OperatorRunner, leak_recorder: LeakRecorder, kubectl: Kubectl, namespace: str
) -> None:
    kubectl.apply(fake_store(namespace, {"k": "recorded-value-31f0"}))
    kubectl.apply(
        external_secret(
            namespace,
            "recorded",
            {"secretStoreRef": {"name": "fake"}, "data": [{"secretKey": "v", "remoteRef": {"key": "k"}}]},
        )
    )
    wait_es(kubectl, "recorded", namespace)
    assert "recorded-value-31f0" in SENSITIVE, "Kubectl.apply registered the fake store's value"

    def seen() -> bool:
        texts = leak_recorder.texts()
        statuses = texts.get("recorded externalsecrets", "")
        events = texts.get("recorded events", "")
        return (
            f"{namespace}/recorded " in statuses
            and "secret synced" in statuses
            and "store validated" in events
        )

    wait_until(seen, timeout=15, what="the recorder saw the status and the events")
