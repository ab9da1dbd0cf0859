"""Label selectors: match them locally, or render them for a LIST ``labelSelector``."""

from __future__ import annotations

from collections.abc import Mapping

from eso.api.meta import LabelSelector
from eso.errors import SpecError

__all__ = ["matches", "to_query"]


def matches(selector: LabelSelector | None, labels: Mapping[str, str]) -> bool:
    """True when ``labels`` satisfy ``selector``. An empty selector matches everything;
    a None selector matches nothing (Kubernetes' convention for optional selectors)."""
    if selector is None:
        return False
    for key, value in (selector.match_labels or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.match_expressions or []:
        values = set(expr.values or [])
        present = expr.key in labels
        op = expr.operator
        if op == "In" and not (present and labels[expr.key] in values):
            return False
        if op == "NotIn" and present and labels[expr.key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise SpecError(f"unknown label selector operator {op!r}")
    return True


def to_query(selector: LabelSelector) -> str:
    """The ``labelSelector`` query string for ``selector`` (``a=b,c in (d,e),!f``)."""
    parts = [f"{k}={v}" for k, v in sorted((selector.match_labels or {}).items())]
    for expr in selector.match_expressions or []:
        values = ",".join(sorted(expr.values or []))
        if expr.operator == "In":
            parts.append(f"{expr.key} in ({values})")
        elif expr.operator == "NotIn":
            parts.append(f"{expr.key} notin ({values})")
        elif expr.operator == "Exists":
            parts.append(expr.key)
        elif expr.operator == "DoesNotExist":
            parts.append(f"!{expr.key}")
        else:
            raise SpecError(f"unknown label selector operator {expr.operator!r}")
    return ",".join(parts)
