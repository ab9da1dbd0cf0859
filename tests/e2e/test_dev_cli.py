"""``eso dev up|status|down`` through the real command line, next to the session sandbox.

Proves that a CLI sandbox coexists with the test session's one, that ``up`` is idempotent
and recovers a stale directory, and that ``down`` leaves no process behind, also after an
``up`` that was killed halfway.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lightkube import ApiError, Client, KubeConfig
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import ConfigMap

from tests.sandbox_fixtures import (
    SandboxSession,
    acquire_session_sandbox,
    announce,
    release_session_sandbox,
    source_env,
)

pytestmark = pytest.mark.e2e

COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "moto")
ENV_NAMES = (
    "KUBECONFIG",
    "AWS_ENDPOINT_URL",
    "AWS_SECRETSMANAGER_ENDPOINT",
    "AWS_SSM_ENDPOINT",
    "AWS_STS_ENDPOINT",
    "AWS_IAM_ENDPOINT",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
    "ESO_SANDBOX_DIR",
)


@pytest.fixture(scope="module")
def session_sandbox(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[SandboxSession]:
    """The test session's sandbox (shared with tests/integration when both run)."""
    session = acquire_session_sandbox(tmp_path_factory)
    try:
        announce(pytestconfig, session)
        yield session
    finally:
        release_session_sandbox()


def eso_argv() -> list[str]:
    script = Path(sys.executable).parent / "eso"
    return [str(script)] if script.exists() else [sys.executable, "-m", "eso"]


def eso(*args: str, timeout: float = 150) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ESO_SANDBOX_DIR"}
    return subprocess.run(
        [*eso_argv(), *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def alive(pid: int, argv: list[str] | None = None) -> bool:
    """True when ``pid`` is a live (non-zombie) process, with ``argv`` when given."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    if not raw:
        return False
    return argv is None or raw.rstrip(b"\0").split(b"\0") == [a.encode() for a in argv]


def processes_mentioning(text: str) -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if text in cmdline:
                found.append((int(entry.name), cmdline))
    return found


def recorded(directory: Path) -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in (directory / "pids").glob("*.pid")}


def assert_nothing_left(directory: Path, records: dict[str, dict[str, Any]]) -> None:
    for name, record in records.items():
        assert not alive(record["pid"], record["argv"]), f"{name} (pid {record['pid']}) still runs"
    assert processes_mentioning(str(directory)) == []
    assert list((directory / "pids").glob("*.pid")) == []


def test_up_status_down_next_to_the_session_sandbox(session_sandbox: SandboxSession, tmp_path: Path) -> None:
    directory = tmp_path / "cli-sandbox"
    records: dict[str, dict[str, Any]] = {}
    try:
        started = eso("dev", "up", "--dir", str(directory), "--timeout", "120")
        assert started.returncode == 0, started.stderr
        assert f"source {directory}/env" in started.stderr
        records = recorded(directory)
        assert set(records) == set(COMPONENTS)

        env = source_env(directory / "env")
        assert set(ENV_NAMES) <= set(env)
        info = json.loads((directory / "sandbox.json").read_text())
        assert env["KUBECONFIG"] == str(directory / "kubeconfig")
        assert env["AWS_ENDPOINT_URL"] == info["aws_endpoint_url"]

        # Two sandboxes side by side: distinct ports, distinct clusters, both healthy.
        session_urls = {c.url for c in session_sandbox.info.components.values()}
        assert session_urls.isdisjoint(c["url"] for c in info["components"].values())
        assert session_sandbox.sandbox.status().all_ready
        name = f"cli-{uuid.uuid4().hex[:8]}"
        client = Client(config=KubeConfig.from_file(directory / "kubeconfig"), field_manager="eso-tests")
        other = Client(config=KubeConfig.from_file(session_sandbox.kubeconfig), field_manager="eso-tests")
        try:
            client.create(ConfigMap(metadata=ObjectMeta(name=name, namespace="default"), data={"k": "v"}))
            assert client.get(ConfigMap, name, namespace="default").data == {"k": "v"}
            with pytest.raises(ApiError) as missing:
                other.get(ConfigMap, name, namespace="default")
            assert missing.value.status.code == 404
        finally:
            client.close()
            other.close()

        status = eso("dev", "status", "--dir", str(directory))
        assert status.returncode == 0, status.stdout + status.stderr
        for component in COMPONENTS:
            row = next(line for line in status.stdout.splitlines() if line.startswith(component + " "))
            assert str(records[component]["pid"]) in row
            assert row.split()[3:5] == ["yes", "yes"], row

        again = eso("dev", "up", "--dir", str(directory))
        assert again.returncode == 0, again.stderr
        assert "reusing" in again.stderr
        assert recorded(directory) == records

        # A dead component makes the directory stale: status fails, up cleans and restarts.
        os.kill(records["kube-controller-manager"]["pid"], signal.SIGKILL)
        deadline = time.monotonic() + 10
        while alive(records["kube-controller-manager"]["pid"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert eso("dev", "status", "--dir", str(directory)).returncode == 1
        restarted = eso("dev", "up", "--dir", str(directory), "--timeout", "120")
        assert restarted.returncode == 0, restarted.stderr
        assert "stale sandbox" in restarted.stderr
        for name, record in records.items():
            assert not alive(record["pid"], record["argv"]), f"old {name} survived the restart"
        records = recorded(directory)
        assert eso("dev", "status", "--dir", str(directory)).returncode == 0
    finally:
        records = recorded(directory) or records
        stopped = eso("dev", "down", "--dir", str(directory))
    assert stopped.returncode == 0, stopped.stderr

    assert_nothing_left(directory, records)
    assert eso("dev", "status", "--dir", str(directory)).returncode == 1
    assert session_sandbox.sandbox.status().all_ready


def test_down_after_up_was_killed_halfway(tmp_path: Path) -> None:
    directory = tmp_path / "half"
    env = {k: v for k, v in os.environ.items() if k != "ESO_SANDBOX_DIR"}
    up = subprocess.Popen(
        [*eso_argv(), "dev", "up", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while not (directory / "pids" / "kube-apiserver.pid").exists() and up.poll() is None:
            assert time.monotonic() < deadline, "eso dev up never started the API server"
            time.sleep(0.02)
    finally:
        up.kill()
        up.wait()
    records = recorded(directory)
    assert "etcd" in records
    assert "kube-apiserver" in records
    assert not (directory / "sandbox.json").exists()

    stopped = eso("dev", "down", "--dir", str(directory))

    assert stopped.returncode == 0, stopped.stderr
    assert_nothing_left(directory, records)
