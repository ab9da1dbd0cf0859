"""The :class:`Sandbox`: a real control plane and an AWS emulator in one directory.

``up`` starts etcd, kube-apiserver, (CRDs,) kube-controller-manager and moto on free
127.0.0.1 ports, waits until each is ready and writes ``kubeconfig``, ``env`` and
``sandbox.json``. It is idempotent: a directory whose processes are all alive is reused; one
with pid files of dead processes is stale and is cleaned first. ``down`` stops exactly the
processes named by the pid files (see :mod:`eso.sandbox.processes`), also after an ``up``
that died halfway. Logs stay in ``DIR/logs`` after ``down``. ``stop_component`` and
``start_component`` take one component away and bring it back on the same port (fault
tests; see :mod:`eso.sandbox.restart`).
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from eso.errors import ConfigError, EsoError
from eso.sandbox import components as comp
from eso.sandbox import crds, files, probes, processes, restart
from eso.sandbox.pki import Pki, make_pki
from eso.sandbox.ports import free_ports, is_port_clash
from eso.sandbox.status import SandboxStatus, collect_status, probe
from eso.sandbox.testbin import Testbin, find_testbin

__all__ = ["Sandbox", "default_dir"]

_OWN_ENTRIES = frozenset(
    {"pki", "etcd", "logs", "pids", "kubeconfig", "kcm.kubeconfig", "env", "sandbox.json", ".lock"}
)
_PORT_ATTEMPTS = 3
_STOP_WAVES = (
    (comp.KUBE_CONTROLLER_MANAGER, comp.MOTO, comp.KUBE_APISERVER),
    (comp.ETCD,),
)


def default_dir() -> Path:
    """``${XDG_CACHE_HOME:-~/.cache}/eso/sandbox/default``."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "eso" / "sandbox" / "default"


class Sandbox:
    """One sandbox directory. Cheap to construct; nothing happens until :meth:`up`."""

    def __init__(
        self,
        root: Path | str,
        *,
        echo: Callable[[str], None] | None = None,
        timeout: float = 120.0,
        stop_timeout: float = 15.0,
        apiserver_args: Sequence[str] = (),
    ) -> None:
        self.root = Path(root).expanduser().absolute()
        self.apiserver_args = tuple(apiserver_args)
        self.timeout = timeout
        self.stop_timeout = stop_timeout
        self._user_echo = echo
        self.pki = Pki(self.root / "pki")
        self._t0 = time.monotonic()

    @property
    def kubeconfig(self) -> Path:
        """The admin kubeconfig (client certificate in ``system:masters``)."""
        return self.root / "kubeconfig"

    @property
    def env_file(self) -> Path:
        """The shell file to ``source``."""
        return self.root / "env"

    @property
    def info_file(self) -> Path:
        """Machine-readable state (:class:`~eso.sandbox.files.SandboxInfo`)."""
        return self.root / "sandbox.json"

    @property
    def logs_dir(self) -> Path:
        """One log file per component."""
        return self.root / "logs"

    # ------------------------------------------------------------------ public API

    def up(self) -> files.SandboxInfo:
        """Start the sandbox (or reuse the running one) and return its ``sandbox.json``."""
        started = time.monotonic()
        self.root.mkdir(parents=True, exist_ok=True)
        with self._locked():
            self._check_dir()
            info = self._reuse()
            if info is None:
                self._clean_stale()
                try:
                    info = self._start(started)
                except BaseException:
                    self._echo(f"start failed; stopping what was started (logs kept in {self.logs_dir})")
                    self._stop_recorded()
                    raise
            else:
                self._echo(f"sandbox already running in {self.root}; reusing it")
        self._echo(f"  kube-apiserver  {info.kube_apiserver_url}  (Kubernetes {info.versions['kubernetes']})")
        self._echo(f"  AWS emulator    {info.aws_endpoint_url}  (moto {info.versions['moto']})")
        self._echo(f"use it:   source {self.env_file}")
        self._echo(f"stop it:  eso dev down --dir {self.root}")
        return info

    def down(self) -> None:
        """Stop every process recorded in ``DIR/pids`` and remove the generated files."""
        started = time.monotonic()
        if not self.root.is_dir():
            self._echo(f"nothing to stop: {self.root} does not exist")
            return
        with self._locked():
            stopped = self._stop_recorded()
            self._remove_generated()
        what = f"stopped {stopped} process(es)" if stopped else "nothing was running"
        self._echo(
            f"sandbox in {self.root}: {what} in {time.monotonic() - started:.1f} s "
            f"(logs kept in {self.logs_dir})"
        )

    def status(self) -> SandboxStatus:
        """What runs, on which port, and whether each component answers its readiness probe."""
        return collect_status(self.root, self.info(), self.pki)

    def info(self) -> files.SandboxInfo | None:
        """``sandbox.json`` when a completed ``up`` wrote it."""
        try:
            return files.SandboxInfo.read(self.info_file)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def is_healthy(self) -> bool:
        return self.status().all_ready

    def stop_component(self, name: str, timeout: float | None = None) -> None:
        """Stop one component (``moto``, ``kube-apiserver``, …); SIGKILL after ``timeout`` s."""
        wait = self.stop_timeout if timeout is None else timeout
        with self._locked():
            self._echo(f"  {restart.stop_component(self.root, name, timeout=wait)}")

    def start_component(self, name: str, timeout: float | None = None) -> None:
        """Start a component stopped by :meth:`stop_component` again: same argv, same port."""
        with self._locked():
            note = restart.start_component(
                self.root, name, pki=self.pki, info_file=self.info_file, timeout=timeout or self.timeout
            )
        self._echo(f"  {note}")

    def _echo(self, line: str) -> None:
        """Progress output; a closed stdout/stderr (``| head``) must not stop a cleanup."""
        if self._user_echo is not None:
            with contextlib.suppress(OSError):
                self._user_echo(line)

    # ------------------------------------------------------------------ start

    def _start(self, started: float) -> files.SandboxInfo:
        deadline = started + self.timeout
        self._t0 = started
        bins = find_testbin(echo=self._echo)
        if importlib.util.find_spec("moto.server") is None:
            raise ConfigError(
                "the AWS emulator (moto[server]) is not installed in this Python; run `make install`"
            )
        self._echo(f"starting sandbox in {self.root} (binaries: {bins.dir})")
        self._rotate_logs()
        make_pki(self.pki.dir)
        moto_make = comp.moto_spec
        moto = self._spawn(moto_make, 1)
        etcd = self._ready(lambda p: comp.etcd_spec(bins, self.root, p), 2, deadline)
        api = self._ready(
            lambda p: comp.apiserver_spec(bins, self.pki, p, etcd.url, self.apiserver_args), 1, deadline
        )
        self._write_kubeconfigs(api.url)
        version = probes.api_get(api.url, self.pki, "/version")
        crd_names = self._install_project_crds(bins)
        kcm_kubeconfig = self.root / "kcm.kubeconfig"
        kcm = self._ready(lambda p: comp.kcm_spec(bins, self.pki, p, kcm_kubeconfig, api.url), 1, deadline)
        moto = self._ready(moto_make, 1, deadline, first=moto)
        specs = (etcd, api, kcm, moto)
        info = self._write_info(bins, specs, str(version.get("gitVersion", "unknown")), crd_names, started)
        self._echo(f"sandbox ready in {info.start_seconds:.1f} s: {self.root}")
        return info

    def _spawn(self, make: Callable[[Sequence[int]], comp.ComponentSpec], nports: int) -> comp.ComponentSpec:
        spec = make(free_ports(nports))
        processes.spawn(spec.name, spec.argv, root=self.root, env=dict(os.environ))
        self._echo(f"  {spec.name}: started on port {spec.port}")
        return spec

    def _ready(
        self,
        make: Callable[[Sequence[int]], comp.ComponentSpec],
        nports: int,
        deadline: float,
        *,
        first: comp.ComponentSpec | None = None,
    ) -> comp.ComponentSpec:
        """Spawn (unless ``first`` already was) and wait; retry with new ports on a clash."""
        spec = first or self._spawn(make, nports)
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            if self._wait(spec, deadline):
                self._echo(f"  {spec.name}: ready at {time.monotonic() - self._t0:.1f} s")
                return spec
            if attempt == _PORT_ATTEMPTS:
                break
            self._echo(f"  {spec.name}: port {spec.port} was taken meanwhile; retrying with new ports")
            spec = self._spawn(make, nports)
        raise EsoError(f"{spec.name} could not bind a free port after {_PORT_ATTEMPTS} attempts")

    def _wait(self, spec: comp.ComponentSpec, deadline: float) -> bool:
        """True when ready; False when it died of a port clash; raises otherwise."""
        record = self._record(spec.name)
        log = processes.log_path(self.root, spec.name)
        while True:
            if spec.ready():
                return True
            if record is None or not processes.is_running(record):
                tail = processes.log_since_start(log)
                if is_port_clash(tail):
                    return False
                raise EsoError(f"{spec.name} exited during start-up; last lines of {log}:\n{tail}")
            if time.monotonic() > deadline:
                tail = processes.log_since_start(log)
                raise EsoError(
                    f"{spec.name} was not ready within {self.timeout:.0f} s (--timeout); "
                    f"last lines of {log}:\n{tail}"
                )
            time.sleep(0.1)

    def _record(self, name: str) -> processes.ProcessRecord | None:
        return processes.read_record(self.root, name)

    def _write_kubeconfigs(self, api_url: str) -> None:
        files.write_kubeconfig(
            self.kubeconfig,
            server=api_url,
            pki=self.pki,
            cert=self.pki.admin_cert,
            key=self.pki.admin_key,
            user="admin",
        )
        files.write_kubeconfig(
            self.root / "kcm.kubeconfig",
            server=api_url,
            pki=self.pki,
            cert=self.pki.kcm_cert,
            key=self.pki.kcm_key,
            user="system:kube-controller-manager",
        )

    def _install_project_crds(self, bins: Testbin) -> list[str]:
        project = crds.project_crds()
        if project is None:
            self._echo("  CRDs: eso.api.crds.all_crds() is not available yet; skipped")
            return []
        names = crds.install_crds(self.kubeconfig, project, kubectl=bins.kubectl)
        self._echo(f"  CRDs: {len(names)} installed and Established")
        return names

    def _write_info(
        self,
        bins: Testbin,
        specs: Sequence[comp.ComponentSpec],
        kube_version: str,
        crd_names: list[str],
        started: float,
    ) -> files.SandboxInfo:
        records = {r.name: r for r in processes.read_records(self.root)}
        by_name = {spec.name: spec for spec in specs}
        aws_url = by_name[comp.MOTO].url
        env = files.env_values(root=self.root, kubeconfig=self.kubeconfig, aws_url=aws_url)
        files.write_env(self.env_file, env, path_prefix=str(bins.dir))
        info = files.SandboxInfo(
            dir=str(self.root),
            kubeconfig=str(self.kubeconfig),
            env=str(self.env_file),
            logs=str(self.logs_dir),
            testbin=str(bins.dir),
            kube_apiserver_url=by_name[comp.KUBE_APISERVER].url,
            aws_endpoint_url=aws_url,
            versions={
                "kubernetes": kube_version,
                "etcd": comp.etcd_version(bins),
                "moto": comp.moto_version(),
            },
            components={
                spec.name: files.ComponentInfo(
                    pid=records[spec.name].pid,
                    ports=dict(spec.ports),
                    url=spec.url,
                    log=records[spec.name].log,
                )
                for spec in specs
            },
            started_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            start_seconds=round(time.monotonic() - started, 2),
            extra={"crds": crd_names, "kcm_controllers": list(comp.KCM_CONTROLLERS)},
        )
        info.write(self.info_file)
        return info

    # ------------------------------------------------------------------ reuse, stale, stop

    def _reuse(self) -> files.SandboxInfo | None:
        info = self.info()
        records = {r.name: r for r in processes.read_records(self.root)}
        if info is None or set(records) != set(comp.ORDER):
            return None
        if not all(processes.is_running(r) for r in records.values()):
            return None
        deadline = time.monotonic() + min(self.timeout, 30.0)
        while time.monotonic() < deadline:
            if all(probe(name, info, self.pki) for name in comp.ORDER):
                return info
            time.sleep(0.2)
        raise EsoError(
            f"the sandbox in {self.root} is running but not ready; see {self.logs_dir} "
            f"or restart it with `eso dev down --dir {self.root}` and `eso dev up --dir {self.root}`"
        )

    def _clean_stale(self) -> None:
        records = processes.read_records(self.root)
        if records:
            dead = [r.name for r in records if not processes.is_running(r)]
            why = f"not running: {', '.join(dead)}" if dead else "an earlier start did not finish"
            self._echo(f"stale sandbox in {self.root} ({why}); cleaning it up")
            self._stop_recorded()
        self._remove_generated()

    def _stop_recorded(self) -> int:
        records = {r.name: r for r in processes.read_records(self.root)}
        alive = sum(1 for r in records.values() if processes.is_running(r))
        waves = [[records.pop(n) for n in wave if n in records] for wave in _STOP_WAVES]
        waves.append(list(records.values()))  # anything else recorded (older layouts)
        for wave in waves:
            for note in processes.stop_all(wave, root=self.root, timeout=self.stop_timeout):
                self._echo(f"  {note}")
        return alive

    def _remove_generated(self) -> None:
        for name in ("kubeconfig", "kcm.kubeconfig", "env", "sandbox.json"):
            (self.root / name).unlink(missing_ok=True)
        for name in ("etcd", "pki"):
            shutil.rmtree(self.root / name, ignore_errors=True)
        for stopped in processes.pid_dir(self.root).glob("*.stopped"):
            stopped.unlink(missing_ok=True)

    def _rotate_logs(self) -> None:
        if self.logs_dir.is_dir():
            for log in self.logs_dir.glob("*.log"):
                log.replace(log.with_name(log.name + ".prev"))

    def _check_dir(self) -> None:
        foreign = sorted(p.name for p in self.root.iterdir() if p.name not in _OWN_ENTRIES)
        if foreign:
            raise ConfigError(
                f"{self.root} is not empty and is not a sandbox directory (found {', '.join(foreign[:5])}); "
                "choose an empty or new directory for --dir"
            )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
