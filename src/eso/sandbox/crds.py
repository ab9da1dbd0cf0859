"""Install CustomResourceDefinitions into the sandbox with the built kubectl.

:func:`install_crds` applies the given CRDs server-side (idempotent: run it again after a
change to the models) and waits until every one is ``Established``. :func:`project_crds`
returns eso's own CRDs when :mod:`eso.api.crds` provides ``all_crds()``, and ``None``
when that module is not there yet.
"""

from __future__ import annotations

import importlib
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from eso.errors import EsoError

__all__ = ["FIELD_MANAGER", "install_crds", "project_crds"]

FIELD_MANAGER = "eso-sandbox"


def project_crds() -> list[dict[str, Any]] | None:
    """eso's CRDs from ``eso.api.crds.all_crds()``, or ``None`` when it does not exist."""
    try:
        module = importlib.import_module("eso.api.crds")
    except ModuleNotFoundError as exc:
        if exc.name in {"eso.api.crds", "eso.api"}:
            return None
        raise
    all_crds = getattr(module, "all_crds", None)
    if not callable(all_crds):
        return None
    return list(all_crds())


def install_crds(
    kubeconfig: Path,
    crds: Sequence[dict[str, Any]],
    *,
    kubectl: Path | None = None,
    timeout: float = 60.0,
) -> list[str]:
    """Apply ``crds`` and wait for them to be Established; return their names."""
    if not crds:
        return []
    if kubectl is None:
        from eso.sandbox.testbin import find_testbin

        kubectl = find_testbin().kubectl
    names = [str(crd["metadata"]["name"]) for crd in crds]
    base = [str(kubectl), f"--kubeconfig={kubeconfig}"]
    _run(
        [*base, "apply", "--server-side", "--force-conflicts", f"--field-manager={FIELD_MANAGER}", "-f", "-"],
        stdin=yaml.safe_dump_all(list(crds), sort_keys=False),
        what="applying the CRDs",
        timeout=timeout,
    )
    _run(
        [
            *base,
            "wait",
            "--for=condition=Established",
            f"--timeout={int(timeout)}s",
            *(f"customresourcedefinition/{name}" for name in names),
        ],
        stdin="",
        what="waiting for the CRDs to be Established",
        timeout=timeout + 10,
    )
    return names


def _run(argv: list[str], *, stdin: str, what: str, timeout: float) -> None:
    try:
        result = subprocess.run(  # noqa: S603 - the built kubectl, fixed argv
            argv, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise EsoError(f"{what} timed out after {timeout:.0f} s") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise EsoError(f"{what} failed (kubectl exit {result.returncode}): {detail}")
