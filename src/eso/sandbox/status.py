"""What a sandbox directory is running: pids, ports, liveness and readiness per component.

Liveness comes from the pid files (:func:`eso.sandbox.processes.is_running`), readiness from
each component's probe on the ports recorded in ``sandbox.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eso.sandbox import components as comp
from eso.sandbox import files, probes, processes
from eso.sandbox.pki import Pki

__all__ = ["ComponentStatus", "SandboxStatus", "collect_status", "probe"]


@dataclass(frozen=True)
class ComponentStatus:
    """One row of ``eso dev status``."""

    name: str
    pid: int | None
    port: int | None
    url: str
    alive: bool
    ready: bool
    log: str


@dataclass(frozen=True)
class SandboxStatus:
    """Every component of one sandbox directory, in start order."""

    dir: Path
    components: list[ComponentStatus]
    info: files.SandboxInfo | None

    @property
    def all_ready(self) -> bool:
        return self.info is not None and all(c.alive and c.ready for c in self.components)

    @property
    def anything_running(self) -> bool:
        return any(c.alive for c in self.components)


def probe(name: str, info: files.SandboxInfo, pki: Pki) -> bool:
    """Run the readiness probe of component ``name`` on the ports ``info`` records."""
    component = info.components.get(name)
    if component is None:
        return False
    port = next(iter(component.ports.values()))
    if name == comp.ETCD:
        return probes.etcd_ready(port)
    if name == comp.KUBE_APISERVER:
        return probes.apiserver_ready(component.url, pki)
    if name == comp.KUBE_CONTROLLER_MANAGER:
        return probes.kcm_ready(port)
    if name == comp.MOTO:
        return probes.moto_ready(port)
    return False


def collect_status(root: Path, info: files.SandboxInfo | None, pki: Pki) -> SandboxStatus:
    records = {r.name: r for r in processes.read_records(root)}
    rows: list[ComponentStatus] = []
    for name in comp.ORDER:
        record = records.get(name)
        alive = record is not None and processes.is_running(record)
        component = info.components.get(name) if info else None
        rows.append(
            ComponentStatus(
                name=name,
                pid=record.pid if record else None,
                port=next(iter(component.ports.values())) if component else None,
                url=component.url if component else "",
                alive=alive,
                ready=bool(alive and info is not None and probe(name, info, pki)),
                log=str(processes.log_path(root, name)),
            )
        )
    return SandboxStatus(root, rows, info)
