"""Fixtures for ClusterExternalSecret tests: labelled namespaces, cluster stores, CES objects.

Every test selects namespaces by a label value of its own (``eso-ces-test=<random>``),
never all namespaces: other tests share the sandbox. Everything cluster-scoped that a
test creates is deleted after it (and the CES deletion waits for its finalizer).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from lightkube import ApiError, Client
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

from tests.integration.builders import wait_store_ready
from tests.support import Kubectl, ready_condition, wait_until

LABEL = "eso-ces-test"


@dataclass
class Env:
    """What one test made; :meth:`cleanup` removes it."""

    kube: Client
    kubectl: Kubectl
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    namespaces: list[str] = field(default_factory=list)
    cluster_objects: list[tuple[str, str]] = field(default_factory=list)

    @property
    def selector(self) -> dict[str, Any]:
        """A namespace selector matching exactly this test's labelled namespaces."""
        return {"matchLabels": {LABEL: self.token}}

    def namespace(self, suffix: str, *, labelled: bool = True) -> str:
        """Create namespace ``ces-<token>-<suffix>``, labelled with this test's token unless told."""
        name = f"ces-{self.token}-{suffix}"
        labels = {"eso-test": "true", **({LABEL: self.token} if labelled else {})}
        self.kube.create(Namespace(metadata=ObjectMeta(name=name, labels=labels)))
        self.namespaces.append(name)
        return name

    def label(self, namespace: str, labelled: bool) -> None:
        value = f"{LABEL}={self.token}" if labelled else f"{LABEL}-"
        self.kubectl.run("label", "namespace", namespace, value, "--overwrite")

    def name(self, what: str) -> str:
        return f"{what}-{self.token}"

    def apply_cluster(self, obj: dict[str, Any]) -> str:
        self.kubectl.apply(obj)
        key = (obj["kind"].lower(), obj["metadata"]["name"])
        if key not in self.cluster_objects:
            self.cluster_objects.append(key)
        return key[1]

    def fake_cluster_store(self, data: dict[str, str], *, controller: str | None = None) -> str:
        spec: dict[str, Any] = {
            "provider": {"fake": {"data": [{"key": k, "value": v} for k, v in data.items()]}}
        }
        if controller:
            spec["controller"] = controller
        name = self.apply_cluster(
            {
                "apiVersion": "external-secrets.io/v1",
                "kind": "ClusterSecretStore",
                "metadata": {"name": self.name("store")},
                "spec": spec,
            }
        )
        wait_store_ready(self.kubectl, "clustersecretstore", name, None)
        return name

    def ces(self, name: str, spec: dict[str, Any], **meta: Any) -> str:
        return self.apply_cluster(
            {
                "apiVersion": "external-secrets.io/v1",
                "kind": "ClusterExternalSecret",
                "metadata": {"name": name, **meta},
                "spec": spec,
            }
        )

    def status(self, ces: str) -> dict[str, Any]:
        obj = self.kubectl.get("clusterexternalsecret", ces)
        return dict((obj or {}).get("status") or {})

    def wait_status(self, ces: str, check: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            obj = self.kubectl.get("clusterexternalsecret", ces) or {}
            status = dict(obj.get("status") or {})
            return status if status and check(status) else None

        result: dict[str, Any] = wait_until(probe, timeout=45, what=what)
        return result

    def wait_provisioned(self, ces: str, namespaces: list[str]) -> dict[str, Any]:
        want = sorted(namespaces)
        return self.wait_status(
            ces,
            lambda s: s.get("provisionedNamespaces", []) == want and bool(ready_condition({"status": s})),
            f"{ces} provisioned in {want}",
        )

    def cleanup(self) -> None:
        for kind, name in reversed(self.cluster_objects):
            wait = "--wait=true" if kind == "clusterexternalsecret" else "--wait=false"
            done = self.kubectl.run(
                "delete", kind, name, "--ignore-not-found", wait, "--timeout=30s", check=False
            )
            if done.returncode != 0:  # no operator left to remove the finalizer: do not leak the object
                self.kubectl.run(
                    "patch", kind, name, "--type=merge", "-p", '{"metadata":{"finalizers":null}}', check=False
                )
        for name in self.namespaces:
            with contextlib.suppress(ApiError):
                self.kube.delete(Namespace, name)


@pytest.fixture
def env(kube: Client, kubectl: Kubectl) -> Iterator[Env]:
    made = Env(kube, kubectl)
    try:
        yield made
    finally:
        made.cleanup()
