"""Stop one component of a running sandbox and start it again, in place.

Fault tests take one component away (the AWS emulator, the API server) while the rest
keeps running, then bring it back on the **same port with the same flags**, so every
client configured with the sandbox's URLs reconnects without being told anything.

:func:`stop_component` stops the process named by ``DIR/pids/<name>.pid`` (SIGTERM, then
SIGKILL after the stop timeout) and keeps its record as ``DIR/pids/<name>.stopped``;
:func:`start_component` spawns exactly that argv again, waits for the component's
readiness probe and records the new pid (pid file and ``sandbox.json``). Data survive a
restart where the component keeps it on disk (etcd's data directory, hence everything the
API server serves); moto keeps its state in memory, so a restarted emulator is empty.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path

from eso.errors import ConfigError, EsoError
from eso.sandbox import components as comp
from eso.sandbox import files, processes
from eso.sandbox.pki import Pki
from eso.sandbox.ports import is_port_clash
from eso.sandbox.status import probe

__all__ = ["start_component", "stop_component", "stopped_components"]


def _stopped_path(root: Path, name: str) -> Path:
    return processes.pid_dir(root) / f"{name}.stopped"


def _check_name(name: str) -> None:
    if name not in comp.ORDER:
        raise ConfigError(f"unknown sandbox component {name!r}; one of {', '.join(comp.ORDER)}")


def stopped_components(root: Path) -> list[str]:
    """Components stopped with :func:`stop_component` and not started again."""
    return sorted(p.stem for p in processes.pid_dir(root).glob("*.stopped"))


def stop_component(root: Path, name: str, *, timeout: float) -> str:
    """Stop component ``name``; returns what happened (one line). Idempotent."""
    _check_name(name)
    record = processes.read_record(root, name)
    if record is None:
        if _stopped_path(root, name).exists():
            return f"{name}: already stopped"
        raise EsoError(f"{name} is not running in {root} (no pid file); start the sandbox first")
    _stopped_path(root, name).write_text(record.to_json())
    notes = processes.stop_all([record], root=root, timeout=timeout)
    return "; ".join(notes)


def start_component(root: Path, name: str, *, pki: Pki, info_file: Path, timeout: float) -> str:
    """Start a component stopped by :func:`stop_component` again; wait until it is ready."""
    _check_name(name)
    saved = _stopped_path(root, name)
    if not saved.exists():
        record = processes.read_record(root, name)
        if record is not None and processes.is_running(record):
            return f"{name}: already running (pid {record.pid})"
        raise EsoError(f"{name} was not stopped with stop_component in {root}; nothing to restart")
    info = files.SandboxInfo.read(info_file)
    argv = tuple(str(a) for a in json.loads(saved.read_text())["argv"])
    started = time.monotonic()
    record = processes.spawn(name, argv, root=root, env=dict(os.environ))
    log = processes.log_path(root, name)
    deadline = started + timeout
    while not probe(name, info, pki):
        if not processes.is_running(record):
            tail = processes.log_since_start(log)
            why = "its port was taken while it was stopped" if is_port_clash(tail) else "it exited"
            processes.remove_record(root, name)
            raise EsoError(f"{name} could not be restarted: {why}; last lines of {log}:\n{tail}")
        if time.monotonic() > deadline:
            raise EsoError(f"{name} was not ready {timeout:.0f} s after its restart; see {log}")
        time.sleep(0.05)
    saved.unlink()
    component = dataclasses.replace(info.components[name], pid=record.pid)
    dataclasses.replace(info, components={**info.components, name: component}).write(info_file)
    return f"{name}: restarted (pid {record.pid}) and ready in {time.monotonic() - started:.1f} s"
