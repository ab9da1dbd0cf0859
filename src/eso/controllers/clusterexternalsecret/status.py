"""The ClusterExternalSecret's status: child name, provisioned and failed namespaces, Ready.

Lists are sorted (``provisionedNamespaces`` by name, ``failedNamespaces`` by namespace)
and left out when empty, as ESO does. Ready is False with ESO's message "one or more
namespaces failed" when any namespace failed; True otherwise, with a message saying
where the ExternalSecret was provisioned — or that no namespace matched, which is
not an error (matching namespaces may come later). The status is written only when
it changed, so a re-check that finds everything in place writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eso.api import constants
from eso.api.resources import CLUSTER_EXTERNAL_SECRET
from eso.controllers.clusterexternalsecret.context import ClusterExternalSecretContext
from eso.controllers.conditions import set_condition
from eso.errors import NotFound

__all__ = ["FAILED_MESSAGE", "NO_NAMESPACE_MESSAGE", "StatusReport", "desired_status", "write_status"]

Obj = dict[str, Any]

FAILED_MESSAGE = "one or more namespaces failed"
NO_NAMESPACE_MESSAGE = (
    "no namespace matches spec.namespaceSelectors, spec.namespaceSelector or spec.namespaces; "
    "nothing is provisioned"
)


@dataclass(frozen=True)
class StatusReport:
    """What one reconcile found."""

    external_secret_name: str | None
    provisioned: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    matched: bool = True
    invalid_message: str | None = None

    @classmethod
    def invalid(cls, message: str) -> StatusReport:
        """The spec could not be acted on; lists and name are kept as they were."""
        return cls(None, invalid_message=message)

    def condition(self) -> tuple[str, str]:
        """``(status, message)`` of the Ready condition."""
        if self.invalid_message is not None:
            return "False", self.invalid_message
        if self.failed:
            return "False", FAILED_MESSAGE
        if not self.matched:
            return "True", NO_NAMESPACE_MESSAGE
        count = len(self.provisioned)
        plural = "" if count == 1 else "s"
        return (
            "True",
            f'ExternalSecret "{self.external_secret_name}" provisioned in {count} namespace{plural}',
        )


def desired_status(old: Obj, report: StatusReport) -> Obj:
    """The new status object (lists sorted, empty lists left out)."""
    new = dict(old)
    if report.invalid_message is None:
        new["externalSecretName"] = report.external_secret_name
        new.pop("provisionedNamespaces", None)
        new.pop("failedNamespaces", None)
        if report.provisioned:
            new["provisionedNamespaces"] = sorted(report.provisioned)
        if report.failed:
            new["failedNamespaces"] = [
                {"namespace": ns, "reason": report.failed[ns]} for ns in sorted(report.failed)
            ]
    status, message = report.condition()
    conditions, _ = set_condition(
        new.get("conditions"), constants.ConditionType.READY.value, status, None, message
    )
    new["conditions"] = conditions
    return new


def new_failures(old: Obj, report: StatusReport) -> dict[str, str]:
    """Failed namespaces that the stored status did not already report with the same reason."""
    known = {
        (f.get("namespace"), f.get("reason"))
        for f in old.get("failedNamespaces") or []
        if isinstance(f, dict)
    }
    return {ns: reason for ns, reason in report.failed.items() if (ns, reason) not in known}


async def write_status(ctx: ClusterExternalSecretContext, raw: Obj, report: StatusReport) -> None:
    """Merge-patch the status subresource when it changed (a vanished object is ignored)."""
    old = dict(raw.get("status") or {})
    new = desired_status(old, report)
    if new == old:
        return
    patch: Obj = {k: new.get(k) for k in set(old) | set(new)}
    name = str((raw.get("metadata") or {}).get("name", ""))
    try:
        await ctx.client.patch(CLUSTER_EXTERNAL_SECRET, name, None, {"status": patch}, subresource="status")
    except NotFound:
        return
