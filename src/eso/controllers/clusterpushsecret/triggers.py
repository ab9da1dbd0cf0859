"""ClusterPushSecret, child PushSecret and Namespace events → ClusterPushSecret keys.

* A ClusterPushSecret is queued when its generation, labels, annotations or deletion
  timestamp change (not on its own status writes).
* A child PushSecret that is changed (spec or metadata) or deleted queues its
  controller ClusterPushSecret, which repairs it; a foreign PushSecret of a child's
  name that appears or goes away queues the ClusterPushSecrets failing on it.
* A Namespace that appears, disappears or changes labels queues every
  ClusterPushSecret that selects it (before or after) or has provisioned it.
"""

from __future__ import annotations

from typing import Any

from eso.controllers.pushsecret.entries import selector_of
from eso.kube import selectors
from eso.kube.informer import Informer, object_key
from eso.kube.workqueue import WorkQueue

__all__ = ["ClusterPushSecretTriggers"]

Obj = dict[str, Any]
Key = tuple[str, str]


def _meta(obj: Obj | None) -> Obj:
    return (obj or {}).get("metadata") or {}


class ClusterPushSecretTriggers:
    """Informer handlers that feed the ClusterPushSecret queue."""

    def __init__(self, queue: WorkQueue[Key], clusterpushsecrets: Informer) -> None:
        self._queue = queue
        self._cps = clusterpushsecrets

    def on_cluster_push_secret(self, etype: str, obj: Obj, old: Obj | None) -> None:
        """Queue a ClusterPushSecret whose spec or metadata changed."""
        a, b = _meta(obj), _meta(old)
        fields = ("generation", "labels", "annotations", "deletionTimestamp")
        if etype == "DELETED" or old is None or any(a.get(f) != b.get(f) for f in fields):
            self._queue.add(("", str(a.get("name", ""))), priority=old is None)

    def on_push_secret(self, etype: str, obj: Obj, old: Obj | None) -> None:
        """Queue the controller of a child PushSecret that changed or went away."""
        a, b = _meta(obj), _meta(old)
        if etype == "MODIFIED" and old is not None:
            same = obj.get("spec") == old.get("spec") and all(
                a.get(f) == b.get(f) for f in ("labels", "annotations", "ownerReferences")
            )
            if same:
                return
        for ref in a.get("ownerReferences") or []:
            if ref.get("controller") and ref.get("kind") == "ClusterPushSecret":
                self._queue.add(("", str(ref.get("name", ""))))
        if etype in ("ADDED", "DELETED"):
            self._blocked_by(obj)

    def _blocked_by(self, ps: Obj) -> None:
        """A PushSecret of a child's name came or went: queue the ClusterPushSecrets it blocks(ed)."""
        namespace, name = object_key(ps)
        for cps in self._cps.items():
            status = cps.get("status") or {}
            wanted = (cps.get("spec") or {}).get("pushSecretName") or _meta(cps).get("name")
            failed = {
                str(f.get("namespace")) for f in status.get("failedNamespaces") or [] if isinstance(f, dict)
            }
            if wanted == name and namespace in failed:
                self._queue.add(object_key(cps))

    def on_namespace(self, etype: str, obj: Obj, old: Obj | None) -> None:
        """Queue the ClusterPushSecrets a namespace event concerns."""
        labels = dict(_meta(obj).get("labels") or {})
        old_labels = dict(_meta(old).get("labels") or {}) if old is not None else {}
        if (
            etype == "MODIFIED"
            and labels == old_labels
            and _meta(obj).get("deletionTimestamp") == _meta(old).get("deletionTimestamp")
        ):
            return
        name = object_key(obj)[1]
        for cps in self._cps.items():
            spec = cps.get("spec") or {}
            provisioned = name in ((cps.get("status") or {}).get("provisionedNamespaces") or [])
            chosen = False
            for raw in spec.get("namespaceSelectors") or []:
                selector = selector_of(raw)
                if selectors.matches(selector, labels) or selectors.matches(selector, old_labels):
                    chosen = True
                    break
            if chosen or provisioned:
                self._queue.add(object_key(cps))
