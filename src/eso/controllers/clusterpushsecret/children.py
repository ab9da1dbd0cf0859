"""The PushSecrets a ClusterPushSecret wants, and where (pure functions, no I/O).

* Namespaces: those whose labels match any of ``namespaceSelectors`` (ORed); none
  selects nothing. Terminating namespaces are left out.
* A child: ``pushSecretSpec`` as stored in the ClusterPushSecret (never a defaulted
  copy), ``pushSecretMetadata`` labels and annotations, a controller ownerReference.
* A child is ours only when its controller ownerReference is this ClusterPushSecret
  (same uid); an existing PushSecret of the same name that is not ours is never touched.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from eso.api.clusterpushsecret import ClusterPushSecret
from eso.api.meta import LabelSelector
from eso.kube import selectors

__all__ = [
    "FIELD_MANAGER",
    "child_manifest",
    "controlled_by",
    "needs_write",
    "owner_reference",
    "selected_namespaces",
]

Obj = dict[str, Any]
FIELD_MANAGER = "externalsecrets.external-secrets.io/clusterpushsecret"
"""Field manager of child PushSecret writes (server-side apply)."""


def _meta(obj: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return (obj or {}).get("metadata") or {}


def selected_namespaces(
    selector_list: list[LabelSelector], namespaces: Iterable[Mapping[str, Any]]
) -> list[str]:
    """Names of the namespaces any selector matches, sorted; terminating ones are left out."""
    out: set[str] = set()
    for ns in namespaces:
        meta = _meta(ns)
        if meta.get("deletionTimestamp") or (ns.get("status") or {}).get("phase") == "Terminating":
            continue
        labels = dict(meta.get("labels") or {})
        if any(selectors.matches(selector, labels) for selector in selector_list):
            out.add(str(meta.get("name", "")))
    return sorted(out)


def owner_reference(cps: ClusterPushSecret) -> Obj:
    """The controller ownerReference every child carries."""
    return {
        "apiVersion": cps.api_version,
        "kind": "ClusterPushSecret",
        "name": cps.name,
        "uid": cps.metadata.uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }


def controlled_by(child: Mapping[str, Any] | None, uid: str) -> bool:
    """True when ``child``'s controller ownerReference is the ClusterPushSecret ``uid``."""
    return any(
        ref.get("controller") and ref.get("uid") == uid for ref in _meta(child).get("ownerReferences") or []
    )


def child_manifest(cps: ClusterPushSecret, raw: Mapping[str, Any], namespace: str) -> Obj:
    """The child PushSecret for ``namespace`` (``raw`` is the stored ClusterPushSecret)."""
    metadata = cps.spec.push_secret_metadata
    meta: Obj = {
        "name": cps.push_secret_name(),
        "namespace": namespace,
        "ownerReferences": [owner_reference(cps)],
    }
    if metadata is not None and metadata.labels:
        meta["labels"] = dict(sorted(metadata.labels.items()))
    if metadata is not None and metadata.annotations:
        meta["annotations"] = dict(sorted(metadata.annotations.items()))
    spec = copy.deepcopy(((raw.get("spec") or {}).get("pushSecretSpec")) or {})
    return {
        "apiVersion": "external-secrets.io/v1alpha1",
        "kind": "PushSecret",
        "metadata": meta,
        "spec": spec,
    }


def needs_write(existing: Mapping[str, Any] | None, desired: Mapping[str, Any], uid: str) -> bool:
    """False when ``existing`` already has the desired spec, labels, annotations and owner."""
    if existing is None:
        return True
    if existing.get("spec") != desired.get("spec"):
        return True
    have, want = _meta(existing), _meta(desired)
    for part in ("labels", "annotations"):
        current = have.get(part) or {}
        if any(current.get(k) != v for k, v in (want.get(part) or {}).items()):
            return True
    return not controlled_by(existing, uid)
