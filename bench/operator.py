"""The operator under test, as its own process, with its memory and CPU sampled.

:class:`OperatorProcess` starts ``eso run`` (or :mod:`bench.launch_operator` when a
feature is switched off) against the sandbox, with the AWS endpoints of the stub, metrics
and health on free 127.0.0.1 ports. A sampler reads ``VmRSS`` from ``/proc/<pid>/status``
every ``interval`` seconds; :meth:`OperatorProcess.rss` summarises any time window (peak,
mean, last), and ``VmHWM`` gives the whole-life peak. With ``profile``, the
operator runs under cProfile; :func:`profile_summary` prints the hot spots. ``/metrics`` is scraped for the
operator's own counters (provider calls — a cross-check of the stub's counts —, work-queue
adds, reconciles).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.procs import spawn

__all__ = ["Features", "OperatorProcess", "profile_summary", "read_status_kb"]

_CLK_TCK = os.sysconf("SC_CLK_TCK")
_COUNTER = re.compile(
    r"^(?P<name>externalsecret_provider_api_calls_count|workqueue_adds_total|workqueue_retries_total"
    r"|controller_runtime_reconcile_total)\{(?P<labels>[^}]*)\}\s+(?P<value>\S+)",
    re.M,
)
_KEEP_LABELS = ("provider", "call", "status", "name", "controller", "result")
_LABEL = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class Features:
    """Which efficiency features the operator runs with."""

    share: bool = True
    batch: bool = True
    jitter: bool = True
    tick: bool = True
    versions: bool = True

    @classmethod
    def parse(cls, text: str) -> Features:
        """``all``, ``none``, or ``+``-joined names of the features that are on (``share+batch``)."""
        text = text.strip().lower()
        if text == "all":
            return cls()
        if text == "none":
            return cls(False, False, False, False, False)
        names = set(text.split("+"))
        unknown = names - {"share", "batch", "jitter", "tick", "versions"}
        if unknown:
            raise ValueError(
                f"unknown feature(s) {sorted(unknown)}: use share, batch, jitter, tick, versions, all or none"
            )
        return cls(*(name in names for name in ("share", "batch", "jitter", "tick", "versions")))

    @property
    def label(self) -> str:
        """``all``, ``none`` or ``share+batch`` …"""
        flags = (
            ("share", self.share),
            ("batch", self.batch),
            ("jitter", self.jitter),
            ("tick", self.tick),
            ("versions", self.versions),
        )
        on = [n for n, v in flags if v]
        return "all" if len(on) == len(flags) else "+".join(on) or "none"

    def launcher_flags(self) -> list[str]:
        """``--bench-*`` flags for :mod:`bench.launch_operator` (empty when all are on)."""
        if self.label == "all":
            return []
        return [
            f"--bench-share-reads={str(self.share).lower()}",
            f"--bench-batch-reads={str(self.batch).lower()}",
            f"--bench-refresh-jitter={0.1 if self.jitter else 0.0}",
            f"--bench-refresh-tick={1.0 if self.tick else 0.0}",
            f"--bench-check-versions={str(self.versions).lower()}",
        ]


def read_status_kb(pid: int, field_name: str) -> int:
    """A ``kB`` field of ``/proc/<pid>/status`` (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLK_TCK
    except (OSError, ValueError, IndexError):
        return 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class OperatorProcess:
    """One operator process and its samples."""

    kubeconfig: str
    env: dict[str, str]
    log: Path
    features: Features = field(default_factory=Features)
    namespace: str = ""
    concurrent: int = 10
    client_qps: float = 50.0
    client_burst: int = 100
    sample_interval: float = 0.5
    tracemalloc: Path | None = None
    """Trace allocations (slower, more memory); :meth:`memory_breakdown` reads a snapshot."""
    profile: Path | None = None
    """Run under cProfile (CPU-time clock) and write the profile here; the run is then slower."""

    def __post_init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.samples: list[tuple[float, int]] = []
        self.started_at = 0.0
        self.ready_at = 0.0
        self.hwm_kb = 0
        self.final_cpu = 0.0
        self._sampler: asyncio.Task[None] | None = None
        self._metrics_port = 0
        self._health_port = 0

    @property
    def pid(self) -> int:
        """The operator's pid (0 before start)."""
        return self.proc.pid if self.proc else 0

    def argv(self) -> list[str]:
        """The command line."""
        flags = self.features.launcher_flags()
        head = [sys.executable]
        if self.profile is not None:
            flags = [*flags, f"--bench-profile={self.profile}"]
        if self.tracemalloc is not None:
            flags = [*flags, f"--bench-tracemalloc={self.tracemalloc}"]
        head += ["-m", "bench.launch_operator", *flags, "--"] if flags else ["-m", "eso", "run"]
        args = [
            "--kubeconfig", self.kubeconfig,
            "--concurrent", str(self.concurrent),
            "--client-qps", str(self.client_qps),
            "--client-burst", str(self.client_burst),
            "--metrics-addr", f"127.0.0.1:{self._metrics_port}",
            "--live-addr", f"127.0.0.1:{self._health_port}",
            "--log-format", "json",
        ]  # fmt: skip
        if self.namespace:
            args += ["--namespace", self.namespace]
        return head + args

    async def start(self, within: float = 120.0) -> float:
        """Start it and wait until ``/readyz`` answers (caches synced); returns the seconds that took."""
        self._metrics_port, self._health_port = _free_port(), _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KUBECONFIG"}
        env.update(self.env)
        self.proc = spawn(self.argv(), env, stdout="stderr", log=self.log)
        self.started_at = time.monotonic()
        self.samples = []
        self._sampler = asyncio.create_task(self._sample())
        deadline = self.started_at + within
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the operator exited with {self.proc.returncode}; see {self.log}")
                with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                    async with session.get(f"http://127.0.0.1:{self._health_port}/readyz") as resp:
                        if resp.status == 200:
                            self.ready_at = time.monotonic()
                            return self.ready_at - self.started_at
                await asyncio.sleep(0.1)
        raise RuntimeError(f"the operator was not ready after {within:.0f} s; see {self.log}")

    async def _sample(self) -> None:
        while self.proc is not None and self.proc.poll() is None:
            rss = read_status_kb(self.proc.pid, "VmRSS")
            if rss:
                self.samples.append((time.monotonic(), rss))
            self.hwm_kb = max(self.hwm_kb, read_status_kb(self.proc.pid, "VmHWM"))
            await asyncio.sleep(self.sample_interval)

    def rss(self, since: float = 0.0, until: float = float("inf")) -> dict[str, float]:
        """RSS in MB over a window: peak, mean, last, and how many samples."""
        window = [kb for t, kb in self.samples if since <= t <= until]
        if not window:
            return {"peak_mb": 0.0, "mean_mb": 0.0, "last_mb": 0.0, "samples": 0}
        return {
            "peak_mb": round(max(window) / 1024, 1),
            "mean_mb": round(sum(window) / len(window) / 1024, 1),
            "last_mb": round(window[-1] / 1024, 1),
            "samples": len(window),
        }

    def cpu(self) -> float:
        """CPU seconds used so far."""
        return cpu_seconds(self.pid) if self.proc and self.proc.poll() is None else self.final_cpu

    async def counters(self) -> dict[str, int]:
        """The operator's own counters: provider calls, queue adds, reconciles (``name{labels}`` keys)."""
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
                session.get(f"http://127.0.0.1:{self._metrics_port}/metrics") as resp,
            ):
                text = await resp.text()
        except (TimeoutError, aiohttp.ClientError):
            return {}
        out: dict[str, int] = {}
        for match in _COUNTER.finditer(text):
            labels = dict(_LABEL.findall(match["labels"]))
            parts = [labels[k] for k in _KEEP_LABELS if k in labels]
            key = f"{match['name']}{{{','.join(parts)}}}"
            out[key] = out.get(key, 0) + int(float(match["value"]))
        return out

    async def memory_breakdown(self, label: str, since: str | None = None, limit: int = 30) -> dict[str, Any]:
        """Live Python allocations now (or their growth since snapshot ``since``) by owner.

        The owner of an allocation is the innermost frame of its traceback inside eso or a
        library (so a dict decoded by ``json`` is charged to whoever called ``json``).
        """
        if self.tracemalloc is None or self.proc is None:
            return {}
        path = str(self.tracemalloc)
        done = path + ".done"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(done)
        self.proc.send_signal(signal.SIGUSR2)
        for _ in range(1200):
            if await asyncio.to_thread(os.path.exists, done):
                break
            await asyncio.sleep(0.1)
        else:
            return {"error": "no snapshot after 120 s"}
        await asyncio.to_thread(os.replace, path, f"{path}.{label}")
        base = f"{path}.{since}" if since else None
        return await asyncio.to_thread(_breakdown, f"{path}.{label}", base, limit)

    async def stop(self, grace: float = 30.0) -> dict[str, Any]:
        """SIGTERM (SIGKILL after ``grace`` s); returns exit code, stop time, whole-life peak RSS."""
        proc = self.proc
        if proc is None:
            return {}
        self.final_cpu = cpu_seconds(proc.pid)
        self.hwm_kb = max(self.hwm_kb, read_status_kb(proc.pid, "VmHWM"))
        started = time.monotonic()
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(proc.wait, grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                await asyncio.to_thread(proc.wait, 10)
        if self._sampler is not None:
            self._sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sampler
        self.proc = None
        return {
            "exit_code": proc.returncode,
            "stop_seconds": round(time.monotonic() - started, 2),
            "vm_hwm_mb": round(self.hwm_kb / 1024, 1),
            "cpu_seconds": round(self.final_cpu, 1),
        }


def _owner(frames: Any) -> str:
    for frame in reversed(frames):  # most recent first
        name = frame.filename
        for marker in ("/src/eso/", "/site-packages/"):
            if marker in name:
                return f"{name.split(marker, 1)[1]}:{frame.lineno}"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"


def _breakdown(path: str, base: str | None, limit: int) -> dict[str, Any]:
    import tracemalloc

    snap = tracemalloc.Snapshot.load(path)
    sizes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    if base is None:
        for stat in snap.statistics("traceback"):
            sizes[_owner(stat.traceback)] += stat.size
            counts[_owner(stat.traceback)] += stat.count
    else:
        for diff in snap.compare_to(tracemalloc.Snapshot.load(base), "traceback"):
            sizes[_owner(diff.traceback)] += diff.size_diff
            counts[_owner(diff.traceback)] += diff.count_diff
    return {
        "traced_kb" if base is None else "traced_growth_kb": round(sum(sizes.values()) / 1024),
        "by_owner_kb_count": [
            [owner, round(size / 1024), counts[owner]] for owner, size in sizes.most_common(limit)
        ],
    }


def profile_summary(path: Path, limit: int = 40) -> str:
    """The top functions of a cProfile file, by own time and by cumulative time."""
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)
    return out.getvalue()
