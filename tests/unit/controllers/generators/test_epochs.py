"""One value per refresh epoch: the same refresh seen twice reuses, anything new regenerates."""

from __future__ import annotations

from typing import Any

from eso.api.externalsecret import ExternalSecret
from eso.controllers.generators.epochs import Epochs, epoch_of


def _es(**meta: Any) -> ExternalSecret:
    status = meta.pop("status", None)
    obj: dict[str, Any] = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "e", "namespace": "n", "uid": "u1", "generation": 1, **meta},
        "spec": {},
    }
    if status:
        obj["status"] = status
    return ExternalSecret.model_validate(obj)


def test_a_stale_view_of_the_same_refresh_has_the_same_epoch() -> None:
    before_finalizer = _es(resourceVersion="1")
    after_finalizer = _es(resourceVersion="2", finalizers=["x"])
    assert epoch_of(before_finalizer, 0, "g", "5") == epoch_of(after_finalizer, 0, "g", "5")


def test_everything_that_asks_for_a_new_value_changes_the_epoch() -> None:
    base = epoch_of(_es(), 0, "g", "5")
    synced = _es(status={"refreshTime": "2026-01-01T00:00:00Z", "syncedResourceVersion": "1-abc"})
    assert epoch_of(synced, 0, "g", "5") != base  # a refresh after a sync
    assert epoch_of(_es(annotations={"external-secrets.io/force-sync": "1"}), 0, "g", "5") != base
    assert epoch_of(_es(generation=2), 0, "g", "5") != base  # spec change
    assert epoch_of(_es(uid="u2"), 0, "g", "5") != base  # recreated ExternalSecret
    assert epoch_of(_es(), 1, "g", "5") != base  # another entry
    assert epoch_of(_es(), 0, "g", "6") != base  # the generator changed


def test_values_expire_and_are_bounded() -> None:
    now = [0.0]
    epochs = Epochs(ttl=10, max_entries=2, clock=lambda: now[0])
    epochs.put(("a",), {"k": b"1"})
    assert epochs.get(("a",)) == {"k": b"1"}
    now[0] = 10.0
    assert epochs.get(("a",)) is None
    epochs.put(("b",), {"k": b"2"})
    epochs.put(("c",), {"k": b"3"})
    epochs.put(("d",), {"k": b"4"})
    assert epochs.get(("b",)) is None
    assert epochs.get(("d",)) == {"k": b"4"}
    assert epochs.reused == 2
