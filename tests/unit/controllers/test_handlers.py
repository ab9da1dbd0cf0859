"""Informer events map to the right work-queue keys."""

from __future__ import annotations

from eso.kube.workqueue import WorkQueue
from eso.operator.handlers import ExternalSecretIndex, es_changed_meaningfully, store_refs_of


def _es(
    name: str, *, target: str | None = None, store: str = "s", gen: int = 1, status: dict | None = None
) -> dict:
    spec: dict = {"secretStoreRef": {"name": store, "kind": "SecretStore"}}
    if target:
        spec["target"] = {"name": target}
    obj = {"metadata": {"namespace": "ns", "name": name, "generation": gen}, "spec": spec}
    if status:
        obj["status"] = status
    return obj


def test_status_only_changes_do_not_enqueue() -> None:
    old = _es("a")
    new = _es("a", status={"refreshTime": "x"})
    assert not es_changed_meaningfully(new, old)
    assert es_changed_meaningfully(_es("a", gen=2), old)


async def test_never_synced_objects_get_priority_and_secret_events_map_to_targets() -> None:
    q: WorkQueue[tuple[str, str]] = WorkQueue()
    index = ExternalSecretIndex(q)
    index.on_external_secret("ADDED", _es("synced", status={"refreshTime": "t"}), None)
    index.on_external_secret("ADDED", _es("new", target="shared"), None)
    assert await q.get() == ("ns", "new")
    assert await q.get() == ("ns", "synced")
    q.done(("ns", "new"))
    q.done(("ns", "synced"))
    index.on_secret("DELETED", {"metadata": {"namespace": "ns", "name": "shared"}}, None)
    assert await q.get() == ("ns", "new")
    assert index.external_secrets_using("SecretStore", "ns", "s") == {("ns", "new"), ("ns", "synced")}


def test_store_refs_cover_source_refs_and_cluster_stores() -> None:
    es = _es("a")
    es["spec"]["data"] = [{"sourceRef": {"storeRef": {"name": "c", "kind": "ClusterSecretStore"}}}]
    assert store_refs_of(es) == {("SecretStore", "ns", "s"), ("ClusterSecretStore", "", "c")}
