"""Starting the benchmark's child processes (the stub, the operator) from the repository root."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import IO, Any

__all__ = ["ROOT", "spawn"]

ROOT = Path(__file__).resolve().parent.parent
"""The repository root: the children run there, with it on PYTHONPATH (for ``bench.*``)."""


def spawn(argv: list[str], env: dict[str, str], *, stdout: Any, log: Path | None) -> subprocess.Popen[bytes]:
    """Start ``argv`` with stdin from /dev/null and stderr to ``log`` (appended) or /dev/null.

    ``stdout`` is ``subprocess.PIPE``, ``"stderr"`` (same file as stderr) or None (/dev/null).
    """
    full_env = {**env, "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")}
    err: IO[bytes] | int = subprocess.DEVNULL
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        err = log.open("ab")
    try:
        out = err if stdout == "stderr" else (subprocess.DEVNULL if stdout is None else stdout)
        return subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=full_env, cwd=str(ROOT)
        )
    finally:
        if not isinstance(err, int):
            err.close()
