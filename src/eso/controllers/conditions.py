"""Status conditions, set by type as Kubernetes and ESO do.

:func:`set_condition` replaces the condition of the same type and keeps its
``lastTransitionTime`` when the status did not flip. When type, status, reason and
message are all unchanged the list is returned as is, so callers can tell that nothing
needs writing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["find_condition", "now_rfc3339", "set_condition"]

Condition = dict[str, Any]


def now_rfc3339() -> str:
    """The current time as the API server formats metav1.Time."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def find_condition(conditions: list[Condition] | None, type_: str) -> Condition | None:
    """The condition of ``type_``, or None."""
    for cond in conditions or []:
        if cond.get("type") == type_:
            return cond
    return None


def set_condition(
    conditions: list[Condition] | None,
    type_: str,
    status: str,
    reason: str | None,
    message: str | None,
    now: str | None = None,
) -> tuple[list[Condition], bool]:
    """Return ``(new_conditions, changed)`` with the condition of ``type_`` set."""
    current = find_condition(conditions, type_)
    if (
        current is not None
        and current.get("status") == status
        and current.get("reason") == reason
        and current.get("message") == message
    ):
        return list(conditions or []), False
    transition = now or now_rfc3339()
    if current is not None and current.get("status") == status and current.get("lastTransitionTime"):
        transition = current["lastTransitionTime"]
    new: Condition = {"type": type_, "status": status, "lastTransitionTime": transition}
    if reason is not None:
        new["reason"] = reason
    if message is not None:
        new["message"] = message
    others = [c for c in conditions or [] if c.get("type") != type_]
    return [*others, new], True
