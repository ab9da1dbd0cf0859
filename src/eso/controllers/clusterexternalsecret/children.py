"""The child ExternalSecrets of a ClusterExternalSecret (pure functions on wire objects).

A child is named ``externalSecretName`` (default: the ClusterExternalSecret's name),
has ``externalSecretSpec`` as its spec — copied as the user wrote it, nothing
defaulted is added — and carries exactly ``externalSecretMetadata``'s labels and
annotations, plus the ClusterExternalSecret's ``external-secrets.io/force-sync``
annotation when it has one (so forcing a refresh of the parent refreshes every child).
Its controller ownerReference is the ClusterExternalSecret, so Kubernetes garbage
collection removes children with their parent.

An ExternalSecret of the same name that is not controlled by this ClusterExternalSecret
is never modified (:func:`controlled_by`).
"""

from __future__ import annotations

import copy
from typing import Any

from eso.api import constants
from eso.api.clusterexternalsecret import ClusterExternalSecret
from eso.api.resources import CLUSTER_EXTERNAL_SECRET, EXTERNAL_SECRET

__all__ = [
    "CONTROLLER_UID_INDEX",
    "child_annotations",
    "child_labels",
    "controlled_by",
    "controller_of",
    "controller_uids",
    "desired_child",
    "needs_update",
    "owner_reference",
    "updated_child",
]

Obj = dict[str, Any]


def owner_reference(ces: ClusterExternalSecret) -> Obj:
    """The controller ownerReference children carry."""
    return {
        "apiVersion": CLUSTER_EXTERNAL_SECRET.api_version,
        "kind": CLUSTER_EXTERNAL_SECRET.kind,
        "name": ces.name,
        "uid": ces.metadata.uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }


def controller_of(obj: Obj) -> Obj | None:
    """The controller ownerReference of ``obj``, if any."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("controller"):
            return ref
    return None


CONTROLLER_UID_INDEX = "controller-uid"
"""Index of the ExternalSecret cache by the uid of each object's controller."""


def controller_uids(obj: Obj) -> list[str]:
    """Index function for :data:`CONTROLLER_UID_INDEX`."""
    ref = controller_of(obj)
    uid = ref.get("uid") if ref else None
    return [uid] if isinstance(uid, str) and uid else []


def controlled_by(obj: Obj, uid: str) -> bool:
    """True when ``obj``'s controller is the object with ``uid``."""
    ref = controller_of(obj)
    return ref is not None and bool(uid) and ref.get("uid") == uid


def child_labels(ces: ClusterExternalSecret) -> dict[str, str]:
    """``externalSecretMetadata.labels`` (they replace the child's labels)."""
    meta = ces.spec.external_secret_metadata
    return dict(meta.labels) if meta else {}


def child_annotations(ces: ClusterExternalSecret) -> dict[str, str]:
    """``externalSecretMetadata.annotations``, with the parent's force-sync annotation copied or removed."""
    meta = ces.spec.external_secret_metadata
    annotations = dict(meta.annotations) if meta else {}
    force = ces.metadata.annotations.get(constants.ANNOTATION_FORCE_SYNC)
    if force is None:
        annotations.pop(constants.ANNOTATION_FORCE_SYNC, None)
    else:
        annotations[constants.ANNOTATION_FORCE_SYNC] = force
    return annotations


def desired_child(ces_raw: Obj, ces: ClusterExternalSecret, namespace: str) -> Obj:
    """The child ExternalSecret for ``namespace``, as it should be created."""
    spec = copy.deepcopy(((ces_raw.get("spec") or {}).get("externalSecretSpec")) or {})
    metadata: Obj = {
        "name": ces.external_secret_name(),
        "namespace": namespace,
        "ownerReferences": [owner_reference(ces)],
    }
    labels, annotations = child_labels(ces), child_annotations(ces)
    if labels:
        metadata["labels"] = labels
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": EXTERNAL_SECRET.api_version,
        "kind": EXTERNAL_SECRET.kind,
        "metadata": metadata,
        "spec": spec,
    }


def needs_update(existing: Obj, desired: Obj) -> bool:
    """True when ``existing`` differs from ``desired`` in spec, labels, annotations or controller."""
    have, want = existing.get("metadata") or {}, desired["metadata"]
    if (existing.get("spec") or {}) != desired["spec"]:
        return True
    if (have.get("labels") or {}) != want.get("labels", {}):
        return True
    if (have.get("annotations") or {}) != want.get("annotations", {}):
        return True
    ours = want["ownerReferences"][0]
    current = controller_of(existing)
    return current is None or any(current.get(k) != ours[k] for k in ("uid", "name", "kind", "apiVersion"))


def updated_child(existing: Obj, desired: Obj) -> Obj:
    """``existing`` brought to ``desired`` (a full replacement body; resourceVersion kept).

    Finalizers and other owners' references stay; labels, annotations and spec are replaced.
    """
    body = copy.deepcopy(existing)
    body.pop("status", None)
    meta = body.setdefault("metadata", {})
    want = desired["metadata"]
    ours = want["ownerReferences"][0]
    others = [
        r
        for r in meta.get("ownerReferences") or []
        if not r.get("controller") and r.get("uid") != ours["uid"]
    ]
    meta["ownerReferences"] = [*others, ours]
    meta["labels"] = dict(want.get("labels", {}))
    meta["annotations"] = dict(want.get("annotations", {}))
    body["spec"] = copy.deepcopy(desired["spec"])
    return body
