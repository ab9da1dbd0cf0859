"""Informer events → ClusterExternalSecret keys.

* A ClusterExternalSecret is queued when it appears or disappears, or when its spec
  (generation), labels, annotations (``force-sync``), finalizers or deletion
  timestamp change — never for its own status writes.
* A child ExternalSecret (controller ownerReference to a ClusterExternalSecret) queues
  its parent when it appears, is deleted, or its spec, labels, annotations or owners
  change: a deleted or hand-edited child is restored at once. Status writes of the
  ExternalSecret controller are ignored. The deletion of a foreign ExternalSecret that
  blocked a namespace (``failedNamespaces``) queues the ClusterExternalSecret it blocked.
* A Namespace that appears, disappears, starts terminating or changes labels queues
  every ClusterExternalSecret that selects it now, selected it before, or lists it
  in its status.
"""

from __future__ import annotations

from typing import Any

from eso.api.clusterexternalsecret import ClusterExternalSecret
from eso.api.resources import CLUSTER_EXTERNAL_SECRET
from eso.controllers.clusterexternalsecret.children import controller_of
from eso.controllers.clusterexternalsecret.selection import selects
from eso.errors import SpecError
from eso.kube.informer import Informer
from eso.kube.workqueue import WorkQueue

__all__ = ["ClusterExternalSecretTriggers", "changed"]

Obj = dict[str, Any]
Key = tuple[str, str]


def _meta(obj: Obj | None) -> Obj:
    return (obj or {}).get("metadata") or {}


def changed(new: Obj, old: Obj | None, fields: tuple[str, ...]) -> bool:
    """True when any of ``metadata.<fields>`` differs (always True without ``old``)."""
    if old is None:
        return True
    a, b = _meta(new), _meta(old)
    return any(a.get(f) != b.get(f) for f in fields)


_CES_FIELDS = ("generation", "labels", "annotations", "finalizers", "deletionTimestamp")
_CHILD_FIELDS = ("generation", "labels", "annotations", "ownerReferences", "deletionTimestamp")
_NAMESPACE_FIELDS = ("labels", "deletionTimestamp")


def _parent_of(obj: Obj | None) -> str | None:
    ref = controller_of(obj or {})
    if ref is None or ref.get("kind") != CLUSTER_EXTERNAL_SECRET.kind:
        return None
    if str(ref.get("apiVersion", "")).rpartition("/")[0] != CLUSTER_EXTERNAL_SECRET.group:
        return None
    return str(ref.get("name", "")) or None


class ClusterExternalSecretTriggers:
    """Event handlers for the ClusterExternalSecret, ExternalSecret and Namespace informers."""

    def __init__(self, queue: WorkQueue[Key], clusterexternalsecrets: Informer) -> None:
        self._queue = queue
        self._ces = clusterexternalsecrets
        self._parsed: dict[str, tuple[str, ClusterExternalSecret | None]] = {}

    def on_cluster_external_secret(self, etype: str, obj: Obj, old: Obj | None) -> None:
        """Handler for ClusterExternalSecrets."""
        name = str(_meta(obj).get("name", ""))
        if etype == "DELETED":
            self._parsed.pop(name, None)
            self._queue.cancel_delayed(("", name))
            self._queue.add(("", name))
        elif changed(obj, old, _CES_FIELDS):
            self._queue.add(("", name), priority=old is None and not obj.get("status"))

    def on_external_secret(self, etype: str, obj: Obj, old: Obj | None) -> None:
        """Handler for ExternalSecrets: re-queue the parent of a child that changed."""
        if etype == "MODIFIED" and not changed(obj, old, _CHILD_FIELDS):
            return
        parents = {_parent_of(obj), _parent_of(old)} - {None}
        for parent in parents:
            self._queue.add(("", str(parent)))
        if etype == "DELETED" and not parents:
            self._foreign_deleted(obj)

    def _foreign_deleted(self, obj: Obj) -> None:
        """A foreign ExternalSecret that blocked a namespace is gone: provision it now."""
        meta = _meta(obj)
        namespace, name = meta.get("namespace"), meta.get("name")
        for raw in self._ces.items():
            status = raw.get("status") or {}
            if status.get("externalSecretName") != name:
                continue
            failed = status.get("failedNamespaces") or []
            if any(isinstance(f, dict) and f.get("namespace") == namespace for f in failed):
                self._queue.add(("", str(_meta(raw).get("name", ""))))

    def on_namespace(self, etype: str, obj: Obj, old: Obj | None) -> None:
        """Handler for Namespaces: re-queue every ClusterExternalSecret the change concerns."""
        if etype == "MODIFIED" and not changed(obj, old, _NAMESPACE_FIELDS):
            return
        name = str(_meta(obj).get("name", ""))
        labels = self._labels(obj, name)
        old_labels = self._labels(old, name) if old is not None else None
        for raw in self._ces.items():
            if self._concerns(raw, name, labels, old_labels):
                self._queue.add(("", str(_meta(raw).get("name", ""))))

    @staticmethod
    def _labels(namespace: Obj | None, name: str) -> dict[str, str]:
        labels = dict(_meta(namespace).get("labels") or {})
        labels.setdefault("kubernetes.io/metadata.name", name)
        return labels

    def _concerns(
        self, raw: Obj, namespace: str, labels: dict[str, str], old_labels: dict[str, str] | None
    ) -> bool:
        status = raw.get("status") or {}
        if namespace in (status.get("provisionedNamespaces") or []):
            return True
        if any(
            isinstance(f, dict) and f.get("namespace") == namespace
            for f in status.get("failedNamespaces") or []
        ):
            return True
        ces = self._model(raw)
        if ces is None:
            return False
        try:
            return selects(ces.spec, labels) or (old_labels is not None and selects(ces.spec, old_labels))
        except SpecError:
            return True  # let the reconcile report the bad selector

    def _model(self, raw: Obj) -> ClusterExternalSecret | None:
        meta = _meta(raw)
        name, rv = str(meta.get("name", "")), str(meta.get("resourceVersion", ""))
        cached = self._parsed.get(name)
        if cached is not None and cached[0] == rv:
            return cached[1]
        try:
            model: ClusterExternalSecret | None = ClusterExternalSecret.model_validate(raw)
        except ValueError:
            model = None
        self._parsed[name] = (rv, model)
        return model
