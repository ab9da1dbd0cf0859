"""Fixtures for tests against the real sandbox (kube-apiserver, etcd, kube-controller-manager, moto).

* ``sandbox`` (session): a :class:`SandboxSession`. Started once in a temporary directory and
  stopped at the end of the session; or, when ``$ESO_SANDBOX_DIR`` names a healthy running
  sandbox (``source DIR/env``), that one is reused and left running.
* ``kube`` (session): a synchronous ``lightkube.Client`` on the sandbox's admin kubeconfig.
* ``namespace`` (function): a fresh namespace name; deleted after the test (not awaited).
* ``aws_clients`` (session) / ``aws`` (function): boto3 clients bound to the emulator and an
  :class:`AwsHelper` that creates names unique to the test and removes what it created.

Registered for the whole suite from tests/conftest.py, so integration and e2e tests share
one session sandbox.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from lightkube import ApiError, Client, KubeConfig
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

from eso.sandbox import Sandbox, SandboxInfo

AWS_REGION = "eu-west-1"
AWS_SERVICES = ("secretsmanager", "ssm", "sts", "iam")


@dataclass
class SandboxSession:
    """What tests get from the ``sandbox`` fixture."""

    sandbox: Sandbox
    info: SandboxInfo
    owned: bool
    version: dict[str, Any]

    @property
    def dir(self) -> Path:
        return self.sandbox.root

    @property
    def kubeconfig(self) -> Path:
        return Path(self.info.kubeconfig)

    @property
    def aws_endpoint_url(self) -> str:
        return self.info.aws_endpoint_url

    @property
    def env(self) -> dict[str, str]:
        """What ``DIR/env`` exports (without PATH), for subprocesses such as ``eso run``."""
        return source_env(Path(self.info.env))


def source_env(path: Path) -> dict[str, str]:
    """The variables a POSIX shell has after ``source path`` that it did not have before."""
    script = 'env -0; printf "\\0--eso--\\0"; . "$1"; env -0'
    out = subprocess.run(
        ["/bin/sh", "-c", script, "sh", str(path)], capture_output=True, check=True, env={}
    ).stdout.decode()
    before, _, after = out.partition("\0--eso--\0")

    def parse(block: str) -> dict[str, str]:
        return dict(item.split("=", 1) for item in block.split("\0") if "=" in item)

    old = parse(before)
    return {k: v for k, v in parse(after).items() if k != "PATH" and old.get(k) != v}


@dataclass
class _Registry:
    session: SandboxSession | None = None
    users: int = 0


_REGISTRY = _Registry()  # one sandbox per pytest process, shared by the integration and e2e fixtures


def acquire_session_sandbox(factory: pytest.TempPathFactory) -> SandboxSession:
    """Start (or reuse) the session sandbox; pair every call with :func:`release_session_sandbox`."""
    _REGISTRY.users += 1
    if _REGISTRY.session is not None:
        return _REGISTRY.session
    reused = os.environ.get("ESO_SANDBOX_DIR")
    if reused and Sandbox(reused).is_healthy():
        sandbox = Sandbox(reused)
        info = sandbox.info()
        assert info is not None
        owned = False
    else:
        sandbox = Sandbox(factory.mktemp("sandbox"), timeout=180)
        atexit.register(sandbox.down)  # also on an interpreter exit that skips fixture teardown
        try:
            info = sandbox.up()
        except BaseException:
            sandbox.down()
            raise
        owned = True
    version = _get_json(sandbox, "/version")
    _REGISTRY.session = SandboxSession(sandbox, info, owned, version)
    return _REGISTRY.session


def release_session_sandbox() -> None:
    _REGISTRY.users -= 1
    session = _REGISTRY.session
    if _REGISTRY.users > 0 or session is None:
        return
    _REGISTRY.session = None
    if session.owned:
        session.sandbox.down()


def _get_json(sandbox: Sandbox, path: str) -> dict[str, Any]:
    from eso.sandbox.probes import apiserver_context

    info = sandbox.info()
    assert info is not None
    request = urllib.request.Request(info.kube_apiserver_url + path)
    with urllib.request.urlopen(request, timeout=10, context=apiserver_context(sandbox.pki)) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


def describe(session: SandboxSession) -> str:
    how = "started for this session" if session.owned else "reused from $ESO_SANDBOX_DIR"
    return (
        f"sandbox: real kube-apiserver {session.version.get('gitVersion')} "
        f"(go {session.version.get('goVersion')}) at {session.info.kube_apiserver_url}, "
        f"etcd {session.info.versions.get('etcd')}, AWS emulator moto {session.info.versions.get('moto')} "
        f"at {session.aws_endpoint_url}; {how} in {session.dir}"
    )


_DESCRIPTION = pytest.StashKey[str]()


def announce(config: pytest.Config, session: SandboxSession) -> None:
    """Write the API server's /version once, so the output shows a real server was used."""
    if _DESCRIPTION in config.stash:
        return
    config.stash[_DESCRIPTION] = describe(session)
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if terminal is not None:
        suspended = capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()
        with suspended:
            terminal.write_line("")
            terminal.write_line(config.stash[_DESCRIPTION])


@pytest.fixture(scope="session")
def sandbox(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[SandboxSession]:
    session = acquire_session_sandbox(tmp_path_factory)
    try:
        announce(pytestconfig, session)
        yield session
    finally:
        release_session_sandbox()


@pytest.fixture(scope="session")
def kube(sandbox: SandboxSession) -> Iterator[Client]:
    client = Client(config=KubeConfig.from_file(sandbox.kubeconfig), field_manager="eso-tests")
    try:
        yield client
    finally:
        client.close()


def _slug(request: pytest.FixtureRequest, limit: int) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    return name[:limit].strip("-") or "t"


@pytest.fixture
def namespace(kube: Client, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new namespace ``<test-name>-<random>``; deletion is requested after the test."""
    name = f"{_slug(request, 50)}-{uuid.uuid4().hex[:8]}"
    kube.create(Namespace(metadata=ObjectMeta(name=name, labels={"eso-test": "true"})))
    try:
        yield name
    finally:
        with contextlib.suppress(ApiError):
            kube.delete(Namespace, name)


@pytest.fixture(scope="session")
def aws_clients(sandbox: SandboxSession) -> dict[str, Any]:
    """boto3 clients (``secretsmanager``, ``ssm``, ``sts``, ``iam``) bound to the emulator."""
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=AWS_REGION
    )
    return {
        service: session.client(service, endpoint_url=sandbox.aws_endpoint_url) for service in AWS_SERVICES
    }


@dataclass
class AwsHelper:
    """Emulator helpers for one test. Names are unique per test, so tests never share state."""

    clients: dict[str, Any]
    endpoint_url: str
    prefix: str
    _secrets: set[str] = field(default_factory=set)
    _parameters: set[str] = field(default_factory=set)

    @property
    def secretsmanager(self) -> Any:
        return self.clients["secretsmanager"]

    @property
    def ssm(self) -> Any:
        return self.clients["ssm"]

    @property
    def sts(self) -> Any:
        return self.clients["sts"]

    @property
    def iam(self) -> Any:
        return self.clients["iam"]

    def name(self, suffix: str = "") -> str:
        """A name no other test uses: ``<test>-<random>[/suffix]``."""
        base = f"{self.prefix}-{uuid.uuid4().hex[:8]}"
        return f"{base}/{suffix}" if suffix else base

    def put_secret(self, name: str, value: str | bytes | dict[str, Any], **extra: Any) -> str:
        """Create the secret, or add a new current version when it exists; return its ARN."""
        payload: dict[str, Any] = (
            {"SecretBinary": value} if isinstance(value, bytes) else {"SecretString": _text(value)}
        )
        self._secrets.add(name)
        try:
            response = self.secretsmanager.create_secret(Name=name, **payload, **extra)
        except self.secretsmanager.exceptions.ResourceExistsException:
            response = self.secretsmanager.put_secret_value(SecretId=name, **payload)
        return str(response["ARN"])

    def delete_secret(self, name: str) -> None:
        self._secrets.discard(name)
        with contextlib.suppress(self.secretsmanager.exceptions.ResourceNotFoundException):
            self.secretsmanager.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)

    def put_parameter(self, name: str, value: str, type: str = "String", **extra: Any) -> int:
        """Create or overwrite an SSM parameter; return its version."""
        self._parameters.add(name)
        response = self.ssm.put_parameter(Name=name, Value=value, Type=type, Overwrite=True, **extra)
        return int(response["Version"])

    def delete_parameter(self, name: str) -> None:
        self._parameters.discard(name)
        with contextlib.suppress(self.ssm.exceptions.ParameterNotFound):
            self.ssm.delete_parameter(Name=name)

    def reset(self) -> None:
        """Wipe ALL emulator state (every test's). Only for serial runs that really need it."""
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def cleanup(self) -> None:
        for name in list(self._secrets):
            self.delete_secret(name)
        for name in list(self._parameters):
            self.delete_parameter(name)


def _text(value: str | dict[str, Any]) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@pytest.fixture
def aws(
    aws_clients: dict[str, Any], sandbox: SandboxSession, request: pytest.FixtureRequest
) -> Iterator[AwsHelper]:
    helper = AwsHelper(aws_clients, sandbox.aws_endpoint_url, prefix=f"/eso-test/{_slug(request, 40)}")
    try:
        yield helper
    finally:
        helper.cleanup()
