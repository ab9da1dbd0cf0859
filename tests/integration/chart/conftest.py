"""Fixtures for installing the chart into the session sandbox's real API server.

Every install is a fresh release (``eso-<random>``) in a fresh namespace. The webhook
configuration it creates can never touch another test's objects: failurePolicy Ignore,
a namespaceSelector for the test namespace and an objectSelector on a label no other test
sets. Cluster-scoped objects (ClusterRoles, bindings, the webhook configuration) are
deleted after the test; the shared CRDs are never written (server-side dry-run only) and
never deleted.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml
from lightkube import ApiError, Client
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

from tests.support import Kubectl
from tests.unit.chart.chartlib import render

CLUSTER_KINDS = {
    "ClusterRole",
    "ClusterRoleBinding",
    "ValidatingWebhookConfiguration",
    "CustomResourceDefinition",
}
TEST_LABEL = "eso-chart-test"


def isolated_webhook(namespace: str) -> dict[str, Any]:
    """Webhook values that make the installed configuration inert for everyone else."""
    return {
        "failurePolicy": "Ignore",
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}},
        "objectSelector": {"matchLabels": {TEST_LABEL: namespace}},
    }


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = (
            merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def kind_arg(obj: dict[str, Any]) -> str:
    """``kind.group`` as kubectl wants it (``deployment.apps``, ``secret``)."""
    group = obj["apiVersion"].rpartition("/")[0]
    return f"{obj['kind'].lower()}.{group}" if group else obj["kind"].lower()


def keep(obj: dict[str, Any]) -> bool:
    return (obj["metadata"].get("annotations") or {}).get("helm.sh/resource-policy") == "keep"


@dataclass
class Release:
    """One rendered release of the chart and what it put into the cluster."""

    kubectl: Kubectl
    name: str
    namespace: str
    values: dict[str, Any]
    objects: list[dict[str, Any]] = field(default_factory=list)

    @property
    def crds(self) -> list[dict[str, Any]]:
        return [o for o in self.objects if o["kind"] == "CustomResourceDefinition"]

    @property
    def resources(self) -> list[dict[str, Any]]:
        return [o for o in self.objects if o["kind"] != "CustomResourceDefinition"]

    def render(self) -> list[dict[str, Any]]:
        self.objects = render(self.values, name=self.name, namespace=self.namespace)
        return self.objects

    def apply(self) -> str:
        """CRDs: server-side dry-run (they are shared); everything else: server-side apply."""
        crds = self.crds
        apply = ("apply", "--server-side", "--field-manager=eso-chart-test", "-f", "-")
        if crds:
            self.kubectl.run(*apply, "--force-conflicts", "--dry-run=server", stdin=yaml.safe_dump_all(crds))
        return self.kubectl.run(*apply, stdin=yaml.safe_dump_all(self.resources)).stdout

    def live(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        return self.kubectl.get(kind_arg(obj), obj["metadata"]["name"], obj["metadata"].get("namespace"))

    def can_i(self, service_account: str, *query: str) -> bool:
        result = self.kubectl.run(
            "auth",
            "can-i",
            *query,
            f"--as=system:serviceaccount:{self.namespace}:{service_account}",
            check=False,
        )
        answer = result.stdout.strip()
        assert answer in ("yes", "no"), result.stderr
        return answer == "yes"

    def delete_cluster_objects(self) -> None:
        """Remove what this release created outside namespaces (never a CRD)."""
        for obj in self.objects:
            if obj["kind"] in CLUSTER_KINDS and obj["kind"] != "CustomResourceDefinition":
                self.kubectl.delete(kind_arg(obj), obj["metadata"]["name"])


@pytest.fixture
def release(kubectl: Kubectl, namespace: str) -> Iterator[Release]:
    """A chart release ``eso-<random>`` in the test namespace; cluster objects removed after."""
    rel = Release(
        kubectl,
        name=f"eso-{uuid.uuid4().hex[:6]}",
        namespace=namespace,
        values={"webhook": isolated_webhook(namespace)},
    )
    try:
        yield rel
    finally:
        rel.delete_cluster_objects()


@pytest.fixture
def extra_namespace(kube: Client) -> Iterator[str]:
    """A second fresh namespace (the scope of a namespaced install)."""
    name = f"eso-chart-scope-{uuid.uuid4().hex[:8]}"
    kube.create(Namespace(metadata=ObjectMeta(name=name, labels={"eso-test": "true"})))
    try:
        yield name
    finally:
        with contextlib.suppress(ApiError):
            kube.delete(Namespace, name)


def dump(obj: Any) -> str:
    return json.dumps(obj, indent=1, sort_keys=True)
