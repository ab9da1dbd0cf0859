"""The controller core against the real API server: informer events, relist on 410, label-filtered cache."""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.request
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from eso.api.resources import CONFIG_MAP, NAMESPACE, SECRET
from eso.errors import Gone
from eso.kube.client import KubeClient
from eso.kube.config import load_connection
from eso.kube.informer import Informer
from eso.sandbox import Sandbox
from tests.support import Kubectl, OperatorRunner, wait_until


@pytest.fixture(scope="module")
def uncached_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A second, private sandbox whose API server serves watches from etcd (no watch cache),
    so that an etcd compaction makes old resourceVersions really expire (410 Gone)."""
    sandbox = Sandbox(tmp_path_factory.mktemp("uncached"), apiserver_args=["--watch-cache=false"])
    try:
        sandbox.up()
        yield sandbox
    finally:
        sandbox.down()


@pytest.fixture
async def client(uncached_sandbox: Sandbox) -> AsyncIterator[KubeClient]:
    kube = KubeClient(load_connection(str(uncached_sandbox.kubeconfig)).http_client())
    try:
        yield kube
    finally:
        await kube.close()


def _cm(namespace: str, name: str, value: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {"watched": "yes"}},
        "data": {"v": value},
    }


async def _until(predicate: Any, limit: float = 15.0) -> None:
    """Poll ``predicate`` (informer state changes come from another task, not an event we own)."""
    async with asyncio.timeout(limit):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


def _compact_etcd(url: str) -> None:
    """Compact etcd's history up to now through its JSON gateway."""

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result

    revision = post("/v3/kv/range", {"key": base64.b64encode(b"/").decode()})["header"]["revision"]
    post("/v3/kv/compaction", {"revision": revision, "physical": True})


async def test_informer_sees_adds_updates_deletes_and_relists_after_410(
    client: KubeClient, uncached_sandbox: Sandbox
) -> None:
    namespace = "informer-test"
    await client.create(NAMESPACE, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    events: list[tuple[str, str]] = []
    informer = Informer(
        client, CONFIG_MAP, namespace=namespace, label_selector="watched=yes", watch_timeout=2
    )
    informer.add_handler(lambda etype, obj, old: events.append((etype, obj["metadata"]["name"])))
    await client.create(CONFIG_MAP, _cm(namespace, "before", "1"), namespace)
    informer.start()
    try:
        async with asyncio.timeout(15):
            await informer.wait_synced()
        assert ("ADDED", "before") in events, "listed objects are delivered as ADDED"
        await client.create(CONFIG_MAP, _cm(namespace, "after", "1"), namespace)
        await client.create(CONFIG_MAP, _cm(namespace, "ignored", "1", labels={"watched": "no"}), namespace)
        await client.patch(CONFIG_MAP, "after", namespace, {"data": {"v": "2"}})
        await client.delete(CONFIG_MAP, "before", namespace)
        await _until(lambda: ("DELETED", "before") in events and ("MODIFIED", "after") in events)
        assert informer.get(namespace, "ignored") is None, "only selected objects are cached"
        assert (informer.get(namespace, "after") or {})["data"] == {"v": "2"}

    finally:
        await informer.stop()
    # While the informer is down an object appears and etcd compacts its history, so the
    # informer's resume point is gone: the API server answers 410 and a relist must follow.
    await client.create(CONFIG_MAP, _cm(namespace, "while-down", "1"), namespace)
    info = uncached_sandbox.info()
    assert info is not None
    _compact_etcd(info.components["etcd"].url)
    informer._resource_version = "1"
    with pytest.raises(Gone):
        async with asyncio.timeout(15):
            await informer._watch_once()
    await informer._relist()
    assert ("ADDED", "while-down") in events, "the relist after 410 delivers what was missed"
    assert informer.get(namespace, "while-down") is not None


def _group(obj: dict[str, Any]) -> list[str]:
    group = (obj["metadata"].get("labels") or {}).get("group")
    return [group] if group else []


def _names(objs: list[dict[str, Any]]) -> list[str]:
    return [o["metadata"]["name"] for o in objs]


async def test_informer_index_follows_adds_relabels_deletes_and_relists(client: KubeClient) -> None:
    namespace = "informer-index"
    await client.create(NAMESPACE, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    informer = Informer(
        client, CONFIG_MAP, namespace=namespace, label_selector="watched=yes", watch_timeout=2
    )
    await client.create(CONFIG_MAP, _cm(namespace, "a", "1", {"watched": "yes", "group": "g1"}), namespace)
    informer.add_index("group", _group)  # an index added before the start is filled by the list
    informer.start()
    try:
        async with asyncio.timeout(15):
            await informer.wait_synced()
        assert _names(informer.by_index("group", "g1")) == ["a"]
        labels = {"watched": "yes", "group": "g1"}
        await client.create(CONFIG_MAP, _cm(namespace, "b", "1", labels), namespace)
        await _until(lambda: len(informer.by_index("group", "g1")) == 2)
        await client.patch(CONFIG_MAP, "a", namespace, {"metadata": {"labels": {"group": "g2"}}})
        await _until(lambda: _names(informer.by_index("group", "g2")) == ["a"])
        assert _names(informer.by_index("group", "g1")) == ["b"], "a relabelled object leaves its old value"
        await client.delete(CONFIG_MAP, "b", namespace)
        await _until(lambda: informer.by_index("group", "g1") == [])
        assert informer.by_index("group", "nothing") == []
        with pytest.raises(ValueError, match="already has an index"):
            informer.add_index("group", _group)
    finally:
        await informer.stop()
    await client.create(CONFIG_MAP, _cm(namespace, "c", "1", {"watched": "yes", "group": "g2"}), namespace)
    await informer._relist()
    assert _names(informer.by_index("group", "g2")) == ["a", "c"], "a relist rebuilds the index"
    late: list[str] = []
    informer.add_index("late", lambda obj: late.append(obj["metadata"]["name"]) or ["all"])
    assert sorted(late) == ["a", "c"], "an index added later covers what is cached"
    assert len(informer.by_index("late", "all")) == 2


async def test_informer_readers_get_copies_and_a_paged_relist_misses_nothing(client: KubeClient) -> None:
    namespace = "informer-copies"
    await client.create(NAMESPACE, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    names = [f"cm-{i:03d}" for i in range(520)]  # more than one page of 500
    await asyncio.gather(*(client.create(CONFIG_MAP, _cm(namespace, n, n), namespace) for n in names))
    informer = Informer(client, CONFIG_MAP, namespace=namespace, label_selector="watched=yes")
    seen: list[tuple[str, str]] = []
    informer.add_handler(lambda etype, obj, old: seen.append((etype, obj["metadata"]["name"])))
    await informer._relist()
    assert len(informer) == 520
    assert sorted(n for _, n in seen) == names, "every object of every page is announced once"
    first = informer.get(namespace, "cm-000") or {}
    assert first["data"] == {"v": "cm-000"}
    first["data"]["v"] = "changed by a reader"
    again = informer.get(namespace, "cm-000") or {}
    assert again["data"] == {"v": "cm-000"}, "a reader cannot change the cache"
    assert again is not first
    seen.clear()
    await client.patch(CONFIG_MAP, "cm-519", namespace, {"data": {"v": "new"}})
    await client.delete(CONFIG_MAP, "cm-001", namespace)
    await informer._relist()
    assert sorted(seen) == [("DELETED", "cm-001"), ("MODIFIED", "cm-519")], "only what changed is announced"
    assert (informer.get(namespace, "cm-519") or {})["data"] == {"v": "new"}


def test_unrelated_secrets_never_enter_the_operators_cache(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    for i in range(5):
        kubectl.run(
            "create", "secret", "generic", f"unrelated-{i}", "-n", namespace, f"--from-literal=k=v{i}"
        )
    informer = operator.operator.wiring.managed_secrets()
    assert informer.info is SECRET
    wait_until(lambda: kubectl.get("secret", "unrelated-4", namespace), what="secrets created")
    import time

    time.sleep(1)
    assert all(informer.get(namespace, f"unrelated-{i}") is None for i in range(5))
    assert all(
        (obj["metadata"].get("labels") or {}).get("reconcile.external-secrets.io/managed") == "true"
        for obj in informer.items()
    )
