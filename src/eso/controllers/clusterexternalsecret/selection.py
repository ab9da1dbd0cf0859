"""Which namespaces a ClusterExternalSecret targets (pure functions over cached Namespaces).

The target set is the union, without duplicates, of every namespace matched by:

* ``spec.namespaces[]`` — each name, as ESO's ``kubernetes.io/metadata.name=<name>`` selector;
* ``spec.namespaceSelector`` (deprecated);
* each ``spec.namespaceSelectors[]`` entry.

An empty selector (``{}``) matches every namespace, as in Kubernetes; an unset one
matches none. Namespaces come from the operator's Namespace cache instead of one
LIST call per selector, so re-checking costs nothing. Terminating namespaces are
reported apart: nothing is created in them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eso.api import constants
from eso.api.clusterexternalsecret import ClusterExternalSecretSpec
from eso.api.meta import LabelSelector
from eso.errors import SpecError
from eso.kube import selectors

__all__ = ["NamespaceSelection", "namespace_selectors", "select_namespaces", "selects"]

Obj = dict[str, Any]


@dataclass(frozen=True)
class NamespaceSelection:
    """The selected namespaces, sorted: the live ones and the terminating ones."""

    active: list[str] = field(default_factory=list)
    terminating: list[str] = field(default_factory=list)


def namespace_selectors(spec: ClusterExternalSecretSpec) -> list[tuple[str, LabelSelector]]:
    """Every selector of ``spec`` with the field it comes from, in spec order."""
    found: list[tuple[str, LabelSelector]] = []
    for i, name in enumerate(spec.namespaces):
        found.append(
            (f"spec.namespaces[{i}]", LabelSelector(match_labels={constants.LABEL_NAMESPACE_NAME: name}))
        )
    if spec.namespace_selector is not None:
        found.append(("spec.namespaceSelector", spec.namespace_selector))
    for i, selector in enumerate(spec.namespace_selectors):
        found.append((f"spec.namespaceSelectors[{i}]", selector))
    return found


def _labels(namespace: Obj) -> dict[str, str]:
    meta = namespace.get("metadata") or {}
    labels = dict(meta.get("labels") or {})
    # Kubernetes sets this label itself; a namespace listed by name matches even without it
    labels.setdefault(constants.LABEL_NAMESPACE_NAME, str(meta.get("name", "")))
    return labels


def selects(spec: ClusterExternalSecretSpec, labels: Mapping[str, str]) -> bool:
    """True when any selector of ``spec`` matches a namespace with ``labels``.

    A selector with an unknown operator is a :class:`SpecError` naming its field.
    """
    for where, selector in namespace_selectors(spec):
        try:
            if selectors.matches(selector, labels):
                return True
        except SpecError as exc:
            raise SpecError(exc.message, field=where) from None
    return False


def select_namespaces(spec: ClusterExternalSecretSpec, namespaces: Iterable[Obj]) -> NamespaceSelection:
    """The namespaces ``spec`` targets, deduplicated and sorted."""
    active: set[str] = set()
    terminating: set[str] = set()
    for namespace in namespaces:
        meta = namespace.get("metadata") or {}
        name = str(meta.get("name", ""))
        if not name or not selects(spec, _labels(namespace)):
            continue
        is_terminating = bool(meta.get("deletionTimestamp")) or (
            (namespace.get("status") or {}).get("phase") == "Terminating"
        )
        (terminating if is_terminating else active).add(name)
    return NamespaceSelection(sorted(active), sorted(terminating))
