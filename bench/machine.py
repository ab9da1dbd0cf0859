"""What the figures were measured on: machine, load, versions."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["load_average", "machine", "versions"]


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_mb() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError):
        pass
    return 0


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model, kernel, and the load when asked."""
    return {
        "cores": os.cpu_count(),
        "memory_mb": _mem_total_mb(),
        "cpu_model": _cpu_model(),
        "kernel": platform.release(),
        "load_average_at_start": load_average(),
    }


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(root: Path) -> str:
    if os.environ.get("ESO_BENCH_COMMIT"):
        return os.environ["ESO_BENCH_COMMIT"]  # a snapshot without .git (``git archive``)
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "src"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+modified-src" if dirty else "")


def versions(sandbox_versions: dict[str, str]) -> dict[str, str]:
    """eso (and its commit), Python, the control plane, and the libraries on the hot path."""
    root = Path(__file__).resolve().parent.parent
    return {
        "eso": _version("eso"),
        "eso_commit": _git(root),
        "python": sys.version.split()[0],
        "kube_apiserver": sandbox_versions.get("kubernetes", "unknown"),
        "etcd": sandbox_versions.get("etcd", "unknown"),
        "aiobotocore": _version("aiobotocore"),
        "botocore": _version("botocore"),
        "aiohttp": _version("aiohttp"),
        "httpx2": _version("httpx2"),
        "pydantic": _version("pydantic"),
    }
