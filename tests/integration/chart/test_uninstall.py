"""Uninstalling removes what the chart created, except what it marks keep: the CRDs, and
so the ExternalSecrets and the Secrets they own (users-and-peers §2.1: an uninstall that
deletes the CRDs garbage-collects every synced Secret).

The shared CRDs are never deleted here: "uninstall" deletes exactly the rendered objects
that lack ``helm.sh/resource-policy: keep`` (what ``helm uninstall`` deletes), and the
documented plain-manifest command (``kubectl delete -f FILE -l app.kubernetes.io/instance=R``)
is checked on a harmless pair of ConfigMaps.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import yaml

from tests.integration.chart.conftest import Release, keep, kind_arg
from tests.support import Kubectl, wait_until

STORE_CLASS = "eso-chart-test-nobody"  # no operator serves it, so nothing reconciles these objects


def _synced_secret(kubectl: Kubectl, namespace: str) -> dict[str, Any]:
    """A SecretStore, an ExternalSecret and a Secret owned by it, as a sync leaves them."""
    kubectl.apply(
        [
            {
                "apiVersion": "external-secrets.io/v1",
                "kind": "SecretStore",
                "metadata": {"name": "store", "namespace": namespace},
                "spec": {"controller": STORE_CLASS, "provider": {"fake": {"data": []}}},
            },
            {
                "apiVersion": "external-secrets.io/v1",
                "kind": "ExternalSecret",
                "metadata": {"name": "app", "namespace": namespace},
                "spec": {
                    "secretStoreRef": {"name": "store", "kind": "SecretStore"},
                    "target": {"name": "app-secret", "creationPolicy": "Owner"},
                    "data": [{"secretKey": "k", "remoteRef": {"key": "k"}}],
                },
            },
        ]
    )
    es = kubectl.get("externalsecret.external-secrets.io", "app", namespace)
    assert es is not None
    owner = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "name": "app",
        "uid": es["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
    kubectl.apply(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "app-secret", "namespace": namespace, "ownerReferences": [owner]},
            "stringData": {"k": "v"},
        }
    )
    return es


def _absent(release: Release, obj: dict[str, Any]) -> bool:
    return release.live(obj) is None


def test_uninstall_keeps_crds_external_secrets_and_secrets(release: Release, kubectl: Kubectl) -> None:
    release.render()
    release.apply()
    _synced_secret(kubectl, release.namespace)

    deleted = [obj for obj in release.objects if not keep(obj)]
    kept = [obj for obj in release.objects if keep(obj)]
    assert {obj["kind"] for obj in kept} == {"CustomResourceDefinition"}
    assert len(kept) == len(release.crds) == 11
    assert not [obj for obj in deleted if obj["kind"] == "CustomResourceDefinition"]

    kubectl.run("delete", "--wait=true", "-f", "-", stdin=yaml.safe_dump_all(deleted))
    for obj in deleted:
        wait_until(functools.partial(_absent, release, obj), timeout=30, what=f"{kind_arg(obj)} gone")

    for crd in kept:
        live = kubectl.get("customresourcedefinition", crd["metadata"]["name"])
        assert live is not None, crd["metadata"]["name"]
        assert live["metadata"].get("deletionTimestamp") is None
    time.sleep(2)  # give the garbage collector every chance to (wrongly) act
    assert kubectl.get("externalsecret.external-secrets.io", "app", release.namespace) is not None
    assert kubectl.secret_data("app-secret", release.namespace) == {"k": b"v"}


def test_plain_manifest_uninstall_command_filters_by_release_label(kubectl: Kubectl, namespace: str) -> None:
    """``kubectl delete -f FILE -l app.kubernetes.io/instance=R`` deletes only labelled objects."""
    labelled = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "release-object",
            "namespace": namespace,
            "labels": {"app.kubernetes.io/instance": "r"},
        },
    }
    unlabelled = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "like-a-crd", "namespace": namespace},
    }
    text = yaml.safe_dump_all([labelled, unlabelled])
    kubectl.run("apply", "-f", "-", stdin=text)
    kubectl.run("delete", "-f", "-", "-l", "app.kubernetes.io/instance=r", stdin=text)
    assert kubectl.get("configmap", "release-object", namespace) is None
    assert kubectl.get("configmap", "like-a-crd", namespace) is not None
