"""Where the control-plane binaries are: the one place that decides it.

``hack/build-testbin.sh`` builds etcd, kube-apiserver, kube-controller-manager and kubectl
from pinned Go module versions into ``${ESO_TESTBIN_DIR:-~/.cache/eso/testbin}/k8s-<K>-etcd-<E>/``.
:func:`find_testbin` looks there (the pins below mirror the script's defaults and honour the
same ``K8S_VERSION`` / ``ETCD_VERSION`` overrides). ``ESO_TESTBIN_DIR`` may also name a
directory that holds the binaries directly. When nothing is found and a build is already
running, it is waited for (never a second build at once); else, when the script is reachable
(a repository checkout), it is run; otherwise the error says to run ``make testbin``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eso.errors import ConfigError

__all__ = ["BINARIES", "ETCD_VERSION", "K8S_VERSION", "Testbin", "build_script", "find_testbin"]

K8S_VERSION = "1.36.3"
ETCD_VERSION = "3.6.16"
BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager", "kubectl")


@dataclass(frozen=True)
class Testbin:
    """A directory holding the four control-plane binaries."""

    dir: Path

    @property
    def etcd(self) -> Path:
        return self.dir / "etcd"

    @property
    def kube_apiserver(self) -> Path:
        return self.dir / "kube-apiserver"

    @property
    def kube_controller_manager(self) -> Path:
        return self.dir / "kube-controller-manager"

    @property
    def kubectl(self) -> Path:
        return self.dir / "kubectl"


def _complete(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in BINARIES)


def _candidates() -> list[Path]:
    root = Path(os.environ.get("ESO_TESTBIN_DIR") or Path.home() / ".cache" / "eso" / "testbin")
    k8s = os.environ.get("K8S_VERSION") or K8S_VERSION
    etcd = os.environ.get("ETCD_VERSION") or ETCD_VERSION
    return [root / f"k8s-{k8s}-etcd-{etcd}", root]


def _build_running() -> bool:
    """True while some process runs ``build-testbin.sh`` (it has no lock of its own)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"build-testbin.sh" in (entry / "cmdline").read_bytes():
                    return True
            except OSError:
                continue
    return False


def _await_running_build(target: Path, echo: Callable[[str], None] | None) -> bool:
    """Wait for a build that is running right now; True when it completed ``target``."""
    if not _build_running():
        return False
    if echo:
        echo("a control-plane build (hack/build-testbin.sh) is running; waiting for it to finish")
    while _build_running() and not _complete(target):
        time.sleep(2)
    return _complete(target)


def build_script() -> Path | None:
    """``hack/build-testbin.sh`` of the checkout this package is installed from, if any."""
    for parent in Path(__file__).resolve().parents:
        script = parent / "hack" / "build-testbin.sh"
        if script.is_file() and (parent / "pyproject.toml").is_file():
            return script
    return None


def find_testbin(*, build: bool = True, echo: Callable[[str], None] | None = None) -> Testbin:
    """Return the binaries' directory, building it first when allowed and possible.

    Raises :class:`~eso.errors.ConfigError` with what to do when they cannot be found.
    """
    for candidate in _candidates():
        if _complete(candidate):
            return Testbin(candidate)
    if _await_running_build(_candidates()[0], echo):
        return Testbin(_candidates()[0])
    script = build_script()
    if build and script is not None:
        if echo:
            echo(f"control-plane binaries not found; building them with {script} (10-20 min the first time)")
        result = subprocess.run(  # noqa: S603 - our own script, fixed argv
            [shutil.which("bash") or "/bin/bash", str(script)], stdout=subprocess.PIPE, text=True, check=False
        )
        lines = result.stdout.strip().splitlines()
        if result.returncode == 0 and lines and _complete(Path(lines[-1])):
            return Testbin(Path(lines[-1]))
        raise ConfigError(f"building the control-plane binaries failed (exit {result.returncode}); see above")
    where = " or ".join(str(c) for c in _candidates())
    raise ConfigError(
        f"the control-plane binaries ({', '.join(BINARIES)}) were not found in {where}; "
        "run `make testbin` in an eso checkout (or set ESO_TESTBIN_DIR to a directory holding them)"
    )
