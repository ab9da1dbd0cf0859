"""Start and stop the sandbox's background processes, safely.

Each process runs in its own session (so a terminal's Ctrl-C or hang-up does not reach it),
with stdin from ``/dev/null`` and stdout+stderr appended to ``DIR/logs/<name>.log``. Its pid
file ``DIR/pids/<name>.pid`` is written the moment it is spawned and holds JSON: the pid,
the exact argv and the kernel start time of the process (``/proc/<pid>/stat`` field 22).

A pid is only ever signalled when ``/proc/<pid>/cmdline`` still equals the recorded argv and
its start time still matches, so a recycled pid that now belongs to someone else is never
touched; such a pid file is *stale* and is simply removed. Processes are spawned with
:func:`os.posix_spawn` (no :class:`subprocess.Popen` object that would outlive a detached
child); when the caller is the parent, stopped children are reaped with ``waitpid``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "START_MARKER",
    "ProcessRecord",
    "is_running",
    "log_path",
    "log_since_start",
    "log_tail",
    "pid_dir",
    "read_record",
    "read_records",
    "remove_record",
    "spawn",
    "stop_all",
]

START_MARKER = "--- eso sandbox: starting at "
_STAT_STATE, _STAT_PPID, _STAT_STARTTIME = 3, 4, 22  # 1-based field numbers in /proc/<pid>/stat (man 5 proc)


@dataclass(frozen=True)
class ProcessRecord:
    """What a pid file says about a process the sandbox started."""

    name: str
    pid: int
    argv: tuple[str, ...]
    start_ticks: int
    log: str

    def to_json(self) -> str:
        return json.dumps(
            {
                "name": self.name,
                "pid": self.pid,
                "argv": list(self.argv),
                "start_ticks": self.start_ticks,
                "log": self.log,
            },
            indent=2,
        )


def pid_dir(root: Path) -> Path:
    return root / "pids"


def log_path(root: Path, name: str) -> Path:
    return root / "logs" / f"{name}.log"


def spawn(name: str, argv: Sequence[str], *, root: Path, env: Mapping[str, str]) -> ProcessRecord:
    """Start ``argv`` in the background and write its pid file before returning."""
    log = log_path(root, name)
    log.parent.mkdir(parents=True, exist_ok=True)
    pid_dir(root).mkdir(parents=True, exist_ok=True)
    with log.open("ab") as handle:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        handle.write(f"{START_MARKER}{stamp}: {' '.join(argv)}\n".encode())
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(log), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    pid = os.posix_spawn(argv[0], list(argv), dict(env), file_actions=actions, setsid=True)
    record = ProcessRecord(name, pid, tuple(argv), _start_ticks(pid) or 0, str(log))
    _await_exec(record)
    _write_atomic(pid_dir(root) / f"{name}.pid", record.to_json())
    return record


def read_records(root: Path) -> list[ProcessRecord]:
    """Every pid file under ``root``; unreadable ones are returned as nothing."""
    records: list[ProcessRecord] = []
    directory = pid_dir(root)
    if not directory.is_dir():
        return records
    for path in sorted(directory.glob("*.pid")):
        try:
            raw = json.loads(path.read_text())
            records.append(
                ProcessRecord(
                    name=str(raw["name"]),
                    pid=int(raw["pid"]),
                    argv=tuple(str(a) for a in raw["argv"]),
                    start_ticks=int(raw["start_ticks"]),
                    log=str(raw.get("log", "")),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
    return records


def read_record(root: Path, name: str) -> ProcessRecord | None:
    """The pid file of component ``name``, or None."""
    return next((r for r in read_records(root) if r.name == name), None)


def remove_record(root: Path, name: str) -> None:
    (pid_dir(root) / f"{name}.pid").unlink(missing_ok=True)


def is_running(record: ProcessRecord) -> bool:
    """True when the recorded process is alive and is still the one we started."""
    _reap(record.pid)
    if _cmdline(record.pid) != record.argv:  # gone, a zombie, or someone else's process now
        return False
    ticks = _start_ticks(record.pid)
    return ticks is not None and record.start_ticks in {0, ticks}


def stop_all(records: Iterable[ProcessRecord], *, root: Path, timeout: float = 10.0) -> list[str]:
    """SIGTERM every live record, SIGKILL those still alive after ``timeout``; remove pid files.

    Returns one line per record saying what happened (for progress output).
    """
    notes: list[str] = []
    live: list[ProcessRecord] = []
    for record in records:
        if is_running(record):
            with contextlib.suppress(ProcessLookupError):
                os.kill(record.pid, signal.SIGTERM)
            live.append(record)
        else:
            notes.append(f"{record.name}: not running (pid {record.pid}), pid file removed")
            remove_record(root, record.name)
    deadline = time.monotonic() + timeout
    while live and time.monotonic() < deadline:
        time.sleep(0.05)
        for record in [r for r in live if not is_running(r)]:
            live.remove(record)
            notes.append(f"{record.name}: stopped (pid {record.pid})")
            remove_record(root, record.name)
    for record in live:
        if is_running(record):
            with contextlib.suppress(ProcessLookupError):
                os.kill(record.pid, signal.SIGKILL)
        _wait_gone(record, 5.0)
        notes.append(f"{record.name}: killed after {timeout:.0f} s (pid {record.pid})")
        remove_record(root, record.name)
    return notes


def log_tail(path: Path | str, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file (empty when there is none)."""
    try:
        with Path(path).open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            text = handle.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def log_since_start(path: Path | str, lines: int = 20) -> str:
    """Like :func:`log_tail`, but only what the latest start of the process wrote."""
    text = log_tail(path, 400)
    marker = text.rfind(START_MARKER)
    if marker >= 0:
        text = text[marker:].split("\n", 1)[1] if "\n" in text[marker:] else ""
    return "\n".join(text.splitlines()[-lines:])


def _cmdline(pid: int) -> tuple[str, ...] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if not raw:
        return None
    return tuple(part.decode(errors="replace") for part in raw.rstrip(b"\0").split(b"\0"))


def _await_exec(record: ProcessRecord, timeout: float = 2.0) -> None:
    """Wait until the kernel shows the new argv.

    ``posix_spawn`` returns as soon as the child has switched to its new memory image, a
    moment before the kernel fills in the argument area: ``/proc/<pid>/cmdline`` can still
    read empty then, which :func:`is_running` would take for a dead process.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _cmdline(record.pid) == record.argv or _start_ticks(record.pid) is None:
            return
        time.sleep(0.005)


def _wait_gone(record: ProcessRecord, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while is_running(record) and time.monotonic() < deadline:
        time.sleep(0.05)


def _reap(pid: int) -> None:
    """Collect the exit status of ``pid`` if it is a zombie child of this process."""
    try:
        fields = _stat_fields(Path(f"/proc/{pid}/stat").read_text())
    except OSError:
        return
    if len(fields) > 1 and fields[_STAT_STATE - 3] == "Z" and fields[_STAT_PPID - 3] == str(os.getpid()):
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)


def _start_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = _stat_fields(stat)
    if not fields or fields[_STAT_STATE - 3] == "Z":
        return None
    try:
        return int(fields[_STAT_STARTTIME - 3])
    except (IndexError, ValueError):
        return None


def _stat_fields(stat: str) -> list[str]:
    """Fields 3 onwards of a /proc/<pid>/stat line (the comm field may contain spaces)."""
    return stat[stat.rfind(")") + 2 :].split()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
