"""PushSecret, Secret and store events map to the right keys; store usage for the finalizer."""

from __future__ import annotations

from typing import Any

from eso.controllers.pushsecret.index import PushSecretIndex, StoreKey, changed_meaningfully
from eso.controllers.pushsecret.push import KeyedLocks, write_error
from eso.errors import NotManagedError, ProviderError
from eso.kube.workqueue import WorkQueue

Key = tuple[str, str]


def _ps(name: str, *, source: dict[str, Any], stores: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    spec = {"selector": {"secret": source}, "secretStoreRefs": stores, **extra.pop("spec", {})}
    return {"metadata": {"namespace": "ns", "name": name, "generation": 1}, "spec": spec, **extra}


def _secret(
    name: str, labels: dict[str, str] | None = None, namespace: str = "ns", data: str = "a"
) -> dict[str, Any]:
    return {"metadata": {"namespace": namespace, "name": name, "labels": labels or {}}, "data": {"k": data}}


def _drain(queue: WorkQueue[Key], keys: set[Key]) -> set[Key]:
    return {k for k in keys if k in queue}


async def test_sources_by_name_and_by_label_map_to_their_push_secrets() -> None:
    queue: WorkQueue[Key] = WorkQueue()
    index = PushSecretIndex(queue)
    index.on_push_secret("ADDED", _ps("named", source={"name": "src"}, stores=[{"name": "s"}]), None)
    selector = {"selector": {"matchLabels": {"push": "yes"}}}
    index.on_push_secret("ADDED", _ps("labelled", source=selector, stores=[{"name": "s"}]), None)
    assert index.push_secrets_reading(_secret("src")) == {("ns", "named")}
    assert index.push_secrets_reading(_secret("x", {"push": "yes"})) == {("ns", "labelled")}
    assert index.push_secrets_reading(_secret("x", {}), _secret("x", {"push": "yes"})) == {("ns", "labelled")}
    assert index.push_secrets_reading(_secret("src", namespace="elsewhere")) == set(), "own namespace only"


def test_only_meaningful_changes_count() -> None:
    old = _ps("a", source={"name": "s"}, stores=[])
    assert not changed_meaningfully({**old, "status": {"refreshTime": "t"}}, old)
    assert changed_meaningfully({**old, "metadata": {**old["metadata"], "generation": 2}}, old)


async def test_stores_by_name_by_label_and_synced_usage() -> None:
    queue: WorkQueue[Key] = WorkQueue()
    usage: list[StoreKey] = []
    index = PushSecretIndex(queue, on_usage=usage.append)
    by_label = [{"kind": "ClusterSecretStore", "labelSelector": {"matchLabels": {"team": "a"}}}]
    synced = {"syncedPushSecrets": {"SecretStore/aws": {"r": {}}}}
    ps = _ps(
        "p", source={"name": "s"}, stores=[{"name": "aws"}, *by_label], spec={"deletionPolicy": "Delete"}
    )
    index.on_push_secret("ADDED", {**ps, "status": synced}, None)
    assert usage == [("SecretStore", "ns", "aws")]
    assert index.users_of_store("SecretStore", "ns", "aws") == {("ns", "p")}
    css = {"metadata": {"name": "shared", "labels": {"team": "a"}}}
    assert index.push_secrets_using("ClusterSecretStore", css) == {("ns", "p")}
    assert index.push_secrets_using("ClusterSecretStore", {"metadata": {"name": "other"}}) == set()
    assert index.push_secrets_using("SecretStore", {"metadata": {"namespace": "ns", "name": "aws"}}) == {
        ("ns", "p")
    }
    index.on_push_secret("MODIFIED", {**ps, "status": {}}, {**ps, "status": synced})
    assert usage[-1] == ("SecretStore", "ns", "aws")
    assert index.users_of_store("SecretStore", "ns", "aws") == set()


async def test_delete_policy_none_never_pins_a_store() -> None:
    queue: WorkQueue[Key] = WorkQueue()
    usage: list[StoreKey] = []
    index = PushSecretIndex(queue, on_usage=usage.append)
    ps = _ps("p", source={"name": "s"}, stores=[{"name": "aws"}])
    index.on_push_secret(
        "ADDED", {**ps, "status": {"syncedPushSecrets": {"SecretStore/aws": {"r": {}}}}}, None
    )
    assert usage == []
    assert index.users_of_store("SecretStore", "ns", "aws") == set()


async def test_keyed_locks_are_dropped_when_free() -> None:
    locks = KeyedLocks()
    async with locks.hold("a"):
        assert len(locks) == 1
    assert len(locks) == 0


def test_write_errors_name_store_and_key_and_say_how_to_fix_unmanaged_ones() -> None:
    text = write_error("SecretStore/aws", "db", NotManagedError("secret not managed by external-secrets"))
    assert text.startswith(
        "could not write remote ref db to target secretstore SecretStore/aws: secret not managed"
    )
    assert "delete the remote secret, or tag it managed-by=external-secrets" in text
    plain = write_error("SecretStore/aws", "db", ProviderError("throttled"))
    assert plain == "could not write remote ref db to target secretstore SecretStore/aws: throttled"
