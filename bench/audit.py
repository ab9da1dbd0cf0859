"""Who wrote what: the API server's audit log, attributed by user agent.

The sandbox's API server runs with a policy that records every write request (create,
update, patch, delete, deletecollection) at ``Metadata`` level, one JSON line each. The
benchmark's own client sends ``User-Agent: eso-bench``; the controller manager and the
API server send their own; everything else is the operator. So the operator's writes in
a window are exact — a namespace the benchmark deletes, which the controller manager
empties meanwhile, is not charged to eso.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

__all__ = ["BENCH_AGENT", "AuditLog", "policy_args"]

BENCH_AGENT = "eso-bench"
_POLICY = """apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
    verbs: ["create", "update", "patch", "delete", "deletecollection"]
  - level: None
"""


def policy_args(workdir: Path) -> tuple[list[str], Path]:
    """kube-apiserver flags for the write-only audit log, and the log's path."""
    policy = workdir / "audit-policy.yaml"
    policy.write_text(_POLICY)
    log = workdir / "audit.log"
    return [f"--audit-policy-file={policy}", f"--audit-log-path={log}", "--audit-log-maxsize=0"], log


def _who(agent: str) -> str:
    if agent.startswith(BENCH_AGENT):
        return "benchmark"
    if agent.startswith(("kube-controller-manager", "kube-apiserver")):
        return "control-plane"
    return "operator"


class AuditLog:
    """Reads the audit log from a remembered offset."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def offset(self) -> int:
        """The current end of the log (the start of a window)."""
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def writes_since(self, offset: int) -> dict[str, dict[str, int]]:
        """Writes after ``offset``: ``{who: {"VERB resource[/sub]": n}}``; failed ones as ``who:failed``."""
        out: dict[str, Counter[str]] = {}
        try:
            with self.path.open("rb") as fh:
                fh.seek(offset)
                data = fh.read()
        except OSError:
            return {}
        for line in data.splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            ref = event.get("objectRef") or {}
            resource = str(ref.get("resource", "")) + (
                f"/{ref['subresource']}" if ref.get("subresource") else ""
            )
            who = _who(str(event.get("userAgent", "")))
            code = int((event.get("responseStatus") or {}).get("code", 0) or 0)
            if code >= 400:
                who += ":failed"
            out.setdefault(who, Counter())[f"{str(event.get('verb', '')).upper()} {resource}"] += 1
        return {who: dict(sorted(c.items())) for who, c in sorted(out.items())}
