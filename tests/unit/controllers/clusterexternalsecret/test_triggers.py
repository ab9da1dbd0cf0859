"""Which events re-queue which ClusterExternalSecret."""

from __future__ import annotations

from typing import Any

from eso.controllers.clusterexternalsecret.triggers import ClusterExternalSecretTriggers
from eso.kube.workqueue import WorkQueue


class Cache:
    """Stands in for an informer cache (only ``items()`` is read)."""

    def __init__(self, *objs: dict[str, Any]) -> None:
        self.objs = list(objs)

    def items(self) -> list[dict[str, Any]]:
        return list(self.objs)


def ces(name: str, selector: dict[str, Any] | None = None, rv: str = "1", **status: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"externalSecretSpec": {}}
    if selector is not None:
        spec["namespaceSelectors"] = [selector]
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterExternalSecret",
        "metadata": {"name": name, "resourceVersion": rv, "generation": 1},
        "spec": spec,
        "status": status,
    }


def namespace(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels, "resourceVersion": "1"}}


def setup(*objs: dict[str, Any]) -> tuple[WorkQueue[tuple[str, str]], ClusterExternalSecretTriggers]:
    queue: WorkQueue[tuple[str, str]] = WorkQueue()
    return queue, ClusterExternalSecretTriggers(queue, Cache(*objs))  # type: ignore[arg-type]


def queued(queue: WorkQueue[tuple[str, str]]) -> set[str]:
    return {key[1] for key in list(queue._queued)}


def test_namespace_events_queue_the_ces_that_select_it_now_or_before_or_list_it() -> None:
    queue, triggers = setup(
        ces("blue", {"matchLabels": {"team": "blue"}}),
        ces("red", {"matchLabels": {"team": "red"}}),
        ces("listed", {"matchLabels": {"team": "none"}}, provisionedNamespaces=["n1"]),
        ces("failed", {"matchLabels": {"team": "none"}}, failedNamespaces=[{"namespace": "n1"}]),
        ces("other", {"matchLabels": {"team": "green"}}),
    )
    triggers.on_namespace("ADDED", namespace("n1", team="blue"), None)
    assert queued(queue) == {"blue", "listed", "failed"}
    queue, triggers = setup(
        ces("blue", {"matchLabels": {"team": "blue"}}), ces("red", {"matchLabels": {"team": "red"}})
    )
    triggers.on_namespace("MODIFIED", namespace("n1", team="red"), namespace("n1", team="blue"))
    assert queued(queue) == {"blue", "red"}


def test_namespace_changes_that_do_not_matter_queue_nothing() -> None:
    queue, triggers = setup(ces("blue", {"matchLabels": {"team": "blue"}}))
    old = namespace("n1", team="blue")
    new = namespace("n1", team="blue")
    new["metadata"]["resourceVersion"] = "2"
    new["metadata"]["annotations"] = {"x": "y"}
    triggers.on_namespace("MODIFIED", new, old)
    assert queued(queue) == set()
    terminating = namespace("n1", team="blue")
    terminating["metadata"]["deletionTimestamp"] = "t"
    triggers.on_namespace("MODIFIED", terminating, old)
    assert queued(queue) == {"blue"}


def test_only_meaningful_ces_changes_queue_it() -> None:
    queue, triggers = setup()
    old = ces("a")
    status_only = ces("a", rv="2", provisionedNamespaces=["x"])
    triggers.on_cluster_external_secret("MODIFIED", status_only, old)
    assert queued(queue) == set()
    annotated = ces("a", rv="3")
    annotated["metadata"]["annotations"] = {"external-secrets.io/force-sync": "1"}
    triggers.on_cluster_external_secret("MODIFIED", annotated, old)
    assert queued(queue) == {"a"}


def child(name: str, parent: str | None, rv: str = "1", **meta: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": "ns",
        "resourceVersion": rv,
        "generation": 1,
        **meta,
    }
    if parent:
        metadata["ownerReferences"] = [
            {
                "apiVersion": "external-secrets.io/v1",
                "kind": "ClusterExternalSecret",
                "name": parent,
                "uid": "u",
                "controller": True,
            }
        ]
    return {"metadata": metadata, "spec": {}}


def test_child_events_queue_the_parent_but_status_writes_do_not() -> None:
    queue, triggers = setup()
    triggers.on_external_secret("MODIFIED", child("c", "p", rv="2"), child("c", "p"))
    assert queued(queue) == set()
    triggers.on_external_secret("MODIFIED", child("c", "p", rv="3", labels={"x": "y"}), child("c", "p"))
    assert queued(queue) == {"p"}
    queue, triggers = setup()
    triggers.on_external_secret("DELETED", child("c", "p"), child("c", "p"))
    assert queued(queue) == {"p"}
    queue, triggers = setup()
    triggers.on_external_secret("ADDED", child("c", None), None)
    assert queued(queue) == set()


def test_deleting_a_foreign_external_secret_queues_the_ces_it_blocked() -> None:
    queue, triggers = setup(
        ces("blocked", externalSecretName="c", failedNamespaces=[{"namespace": "ns", "reason": "r"}]),
        ces("elsewhere", externalSecretName="c", failedNamespaces=[{"namespace": "other", "reason": "r"}]),
        ces("other-name", externalSecretName="d", failedNamespaces=[{"namespace": "ns", "reason": "r"}]),
    )
    triggers.on_external_secret("DELETED", child("c", None), child("c", None))
    assert queued(queue) == {"blocked"}
