"""Fixtures that run eso against the session sandbox (registered from tests/conftest.py).

* ``kubectl``: the sandbox's kubectl on the admin kubeconfig.
* ``operator``: one in-process operator for the whole session, watching every
  namespace, running as ServiceAccount external-secrets/external-secrets (the seed's).
* ``start_operator``: a factory for tests that need their own settings; every operator
  it starts is stopped after the test.
* ``leak_recorder``: from the first use of ``operator`` to the end of the session, kubectl
  watches record every Event message and every status of the eso kinds (namespaces are
  deleted after each test, with their Events and objects: the end-of-session scan would
  not see them otherwise).

At the end of the session, ``scan_for_leaks`` looks for every registered secret value
(:data:`tests.support.SENSITIVE`, as is and base64) in the log lines of in-process
operators and of registered log files, in the metrics of every operator, in the recorded
Events and statuses, and in what is left in the cluster. Secrets themselves are never read.
Values put into the AWS emulator through the ``aws`` fixture are registered too.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox_fixtures import AwsHelper
from tests.support import (
    LOG_BUFFER,
    LOG_FILES,
    METRICS_SEEN,
    Kubectl,
    OperatorRunner,
    find_leaks,
    operator_settings,
    secret_like,
    sensitive,
)

ESO_KINDS = (
    "externalsecrets",
    "secretstores",
    "clustersecretstores",
    "pushsecrets",
    "clusterexternalsecrets",
    "clusterpushsecrets",
)


@pytest.fixture(scope="session")
def kubectl(sandbox: Any) -> Kubectl:
    return Kubectl(Path(sandbox.info.testbin) / "kubectl", sandbox.kubeconfig)


@pytest.fixture(scope="session")
def operator_env(sandbox: Any) -> dict[str, str]:
    return dict(sandbox.env)


class LeakRecorder:
    """kubectl watches (restarted when the server ends them) writing Event messages and eso statuses."""

    def __init__(self, kubectl: Kubectl, directory: Path) -> None:
        self._kubectl = kubectl
        self._directory = directory
        self._stopping = threading.Event()
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self) -> LeakRecorder:
        status = r'{.metadata.namespace}/{.metadata.name} {.status}{"\n"}'
        watches = {"events": ("events", r'{.reason} {.message}{"\n"}')}
        watches |= {kind: (kind, status) for kind in ESO_KINDS}
        for name, (resource, template) in watches.items():
            args = [self._kubectl.binary, "--kubeconfig", self._kubectl.kubeconfig, "get", resource, "-A"]
            args += ["--watch", "-o", f"jsonpath={template}"]
            thread = threading.Thread(target=self._watch, args=(name, args), daemon=True, name=f"leak-{name}")
            thread.start()
            self._threads.append(thread)
        return self

    def _watch(self, name: str, args: list[str]) -> None:
        pause = 1.0
        with (
            (self._directory / f"{name}.txt").open("ab") as out,
            (self._directory / f"{name}.err").open("ab") as err,
        ):
            while not self._stopping.is_set():
                with self._lock:
                    if self._stopping.is_set():
                        return
                    started = time.monotonic()
                    proc = subprocess.Popen(args, stdout=out, stderr=err)
                    self._procs[name] = proc
                proc.wait()
                # the server ends watches now and then: restart; a watch that fails at once backs off
                pause = min(30.0, pause * 2) if time.monotonic() - started < 5 else 1.0
                self._stopping.wait(pause)

    def texts(self) -> dict[str, str]:
        return {
            f"recorded {path.stem}": path.read_text(encoding="utf-8", errors="replace")
            for path in sorted(self._directory.glob("*.txt"))
        }

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            for proc in self._procs.values():
                if proc.poll() is None:
                    proc.terminate()
        for proc in self._procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for thread in self._threads:
            thread.join(10)


@pytest.fixture(scope="session")
def leak_recorder(kubectl: Kubectl, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LeakRecorder]:
    recorder = LeakRecorder(kubectl, tmp_path_factory.mktemp("leak-recorder")).start()
    try:
        yield recorder
    finally:
        recorder.stop()


@pytest.fixture(scope="session", autouse=True)
def _register_emulator_values() -> Iterator[None]:
    """Values the ``aws`` fixture puts into the emulator are secrets for the leak scan."""
    put_secret, put_parameter = AwsHelper.put_secret, AwsHelper.put_parameter

    def register(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                register(item)
        elif isinstance(value, str) and secret_like(value):
            sensitive(value)
            with contextlib.suppress(ValueError):
                register(json.loads(value))

    def secret(self: AwsHelper, name: str, value: Any, **extra: Any) -> str:
        register(value)
        return put_secret(self, name, value, **extra)

    def parameter(self: AwsHelper, name: str, value: str, type: str = "String", **extra: Any) -> int:
        register(value)
        return put_parameter(self, name, value, type, **extra)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AwsHelper, "put_secret", secret)
        patch.setattr(AwsHelper, "put_parameter", parameter)
        yield


@pytest.fixture(scope="session")
def operator(
    sandbox: Any, operator_env: dict[str, str], kubectl: Kubectl, leak_recorder: LeakRecorder
) -> Iterator[OperatorRunner]:
    runner = OperatorRunner(operator_settings(sandbox.kubeconfig, operator_env, serve=True)).start()
    try:
        yield runner
        scan_for_leaks(runner, kubectl, leak_recorder)
    finally:
        runner.stop()


def scan_for_leaks(runner: OperatorRunner, kubectl: Kubectl, recorder: LeakRecorder | None = None) -> None:
    """After the suite: no secret value in any log line, Event, status or metric."""
    texts = {
        "operator logs": LOG_BUFFER.getvalue(),
        "metrics": runner.operator.metrics.exposition().decode(),
        "metrics of stopped operators": "\n".join(METRICS_SEEN),
        "events": kubectl.run("get", "events", "-A", "-o", "json").stdout,
    }
    for path in LOG_FILES:
        if path.exists():
            texts[f"log {path}"] = path.read_text(encoding="utf-8", errors="replace")
    for kind in ESO_KINDS:
        result = kubectl.run("get", kind, "-A", "-o", "jsonpath={.items[*].status}", check=False)
        texts[f"{kind} status"] = result.stdout
    if recorder is not None:
        texts |= recorder.texts()
    leaks = find_leaks(texts)
    assert not leaks, f"secret values leaked: {leaks}"
    assert len(LOG_BUFFER.getvalue()) > 0, "the scan saw the operator's logs"


@pytest.fixture
def start_operator(sandbox: Any, operator_env: dict[str, str]) -> Iterator[Callable[..., OperatorRunner]]:
    started: list[OperatorRunner] = []

    def start(**controller: Any) -> OperatorRunner:
        runner = OperatorRunner(operator_settings(sandbox.kubeconfig, operator_env, **controller)).start()
        started.append(runner)
        return runner

    try:
        yield start
    finally:
        for runner in started:
            runner.stop()
