"""What the fault tests share: a private sandbox, bulk API access, operators, state tables.

* :func:`private_cluster` starts a :class:`~eso.sandbox.Sandbox` of its own in a tmp
  directory (optionally with an API-server audit log) and stops it afterwards.
* :class:`Api` does bulk reads and writes with eso's own async :class:`KubeClient`
  (hundreds of objects in a second or two; kubectl would take minutes).
* :class:`InProcessOperator` is the test suite's :class:`OperatorRunner` logging at
  ``info`` to a file (debug logs of 500 ExternalSecrets would dominate the CPU);
  :class:`EsoProcess` runs ``eso run`` as a child process, for SIGKILL and SIGSTOP.
* :func:`es_table` / :func:`secret_table` reduce the cluster to comparable rows.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import datetime
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
import structlog
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from eso.api import constants
from eso.api.resources import EXTERNAL_SECRET, SECRET, ResourceInfo
from eso.errors import Conflict, NotFound
from eso.kube.client import KubeClient, PatchType
from eso.kube.config import load_connection
from eso.logging import configure
from eso.sandbox import Sandbox, SandboxInfo
from eso.settings import OperatorSettings
from tests.sandbox_fixtures import source_env
from tests.support import Kubectl, OperatorRunner

T = TypeVar("T")
Obj = dict[str, Any]
Key = tuple[str, str]
MANAGED = "reconcile.external-secrets.io/managed=true"
AUDIT_POLICY = {
    "apiVersion": "audit.k8s.io/v1",
    "kind": "Policy",
    "omitStages": ["RequestReceived"],
    "rules": [
        {
            "level": "Metadata",
            "verbs": ["create", "update", "patch", "delete", "deletecollection"],
            "resources": [
                {"group": "", "resources": ["secrets", "events"]},
                {"group": "coordination.k8s.io", "resources": ["leases"]},
                {"group": "external-secrets.io", "resources": ["externalsecrets", "externalsecrets/status"]},
            ],
        },
        {"level": "None"},
    ],
}


def scaled(seconds: float) -> float:
    """A scenario duration times ``$ESO_CHAOS_TIME_SCALE`` (default 1; 0.3 for a quick try)."""
    return seconds * float(os.environ.get("ESO_CHAOS_TIME_SCALE", "1"))


# --------------------------------------------------------------------------- sandbox


@dataclass
class PrivateCluster:
    """A sandbox started for one test module."""

    sandbox: Sandbox
    info: SandboxInfo
    env: dict[str, str]
    kubectl: Kubectl
    audit_log: Path | None

    @property
    def kubeconfig(self) -> Path:
        return Path(self.info.kubeconfig)

    @property
    def aws_endpoint_url(self) -> str:
        return self.info.aws_endpoint_url

    def api(self) -> Api:
        return Api(self.kubeconfig)

    def audit_events(self) -> list[Obj]:
        """Every audit event written so far (the policy above: mutations of a few kinds)."""
        if self.audit_log is None or not self.audit_log.exists():
            return []
        events = []
        for line in self.audit_log.read_text().splitlines():
            with contextlib.suppress(ValueError):
                events.append(json.loads(line))
        return events


@contextlib.contextmanager
def private_cluster(
    factory: pytest.TempPathFactory, name: str, *, audit: bool = False
) -> Iterator[PrivateCluster]:
    """Start a private sandbox (``audit``: with an API-server audit log) and stop it after."""
    root = factory.mktemp(f"sandbox-{name}")
    args: list[str] = []
    audit_log: Path | None = None
    if audit:
        extra = factory.mktemp(f"audit-{name}")
        policy = extra / "policy.yaml"
        policy.write_text(yaml.safe_dump(AUDIT_POLICY))
        audit_log = extra / "audit.log"
        args = [f"--audit-policy-file={policy}", f"--audit-log-path={audit_log}", "--audit-log-maxsize=500"]
    sandbox = Sandbox(root, timeout=180, apiserver_args=args)
    atexit.register(sandbox.down)
    try:
        info = sandbox.up()
        kubectl = Kubectl(Path(info.testbin) / "kubectl", Path(info.kubeconfig))
        yield PrivateCluster(sandbox, info, source_env(Path(info.env)), kubectl, audit_log)
    finally:
        sandbox.down()


def replica_kubeconfig(cluster: PrivateCluster, user: str, path: Path) -> Path:
    """A kubeconfig for ``user`` (a client certificate in system:masters, signed by the sandbox CA).

    Two replicas with distinct users can be told apart in the API server's audit log.
    """
    pki = cluster.sandbox.pki
    ca_cert = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    ca_key = serialization.load_pem_private_key(pki.ca_key.read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
            x509.NameAttribute(NameOID.COMMON_NAME, user),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    config = yaml.safe_load(cluster.kubeconfig.read_text())

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    config["users"] = [
        {
            "name": user,
            "user": {
                "client-certificate-data": b64(cert.public_bytes(serialization.Encoding.PEM)),
                "client-key-data": b64(
                    key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    )
                ),
            },
        }
    ]
    config["contexts"][0]["context"]["user"] = user
    path.write_text(yaml.safe_dump(config))
    path.chmod(0o600)
    return path


# --------------------------------------------------------------------------- bulk API access


class Api:
    """Bulk reads and writes with eso's async client; each call runs on a fresh event loop."""

    def __init__(self, kubeconfig: Path, concurrency: int = 32) -> None:
        self.kubeconfig = kubeconfig
        self.concurrency = concurrency

    def run(self, work: Callable[[KubeClient], Awaitable[T]]) -> T:
        async def main() -> T:
            client = KubeClient(load_connection(str(self.kubeconfig)).http_client(timeout=30))
            try:
                return await work(client)
            finally:
                await client.close()

        return asyncio.run(main())

    def _each(self, items: Sequence[T], call: Callable[[KubeClient, T], Awaitable[Any]]) -> None:
        async def work(client: KubeClient) -> None:
            gate = asyncio.Semaphore(self.concurrency)

            async def one(item: T) -> None:
                async with gate:
                    await call(client, item)

            await asyncio.gather(*(one(i) for i in items))

        self.run(work)

    def create(self, info: ResourceInfo, objects: Sequence[Obj]) -> None:
        """Create every object (an existing one is left as it is)."""

        async def one(client: KubeClient, obj: Obj) -> None:
            with contextlib.suppress(Conflict):
                await client.create(info, obj, obj["metadata"].get("namespace"))

        self._each(objects, one)

    def merge_patch(self, info: ResourceInfo, patches: Sequence[tuple[str, str, Obj]]) -> None:
        """``(namespace, name, merge patch)`` for each object."""

        async def one(client: KubeClient, item: tuple[str, str, Obj]) -> None:
            await client.patch(info, item[1], item[0], item[2], patch_type=PatchType.MERGE)

        self._each(patches, one)

    def delete(self, info: ResourceInfo, keys: Iterable[Key]) -> None:
        async def one(client: KubeClient, key: Key) -> None:
            with contextlib.suppress(NotFound):
                await client.delete(info, key[1], key[0])

        self._each(list(keys), one)

    def list(
        self, info: ResourceInfo, namespace: str | None = None, label_selector: str | None = None
    ) -> list[Obj]:
        async def work(client: KubeClient) -> list[Obj]:
            items, _ = await client.list_all(info, namespace, label_selector=label_selector)
            return items

        return self.run(work)


# --------------------------------------------------------------------------- state tables


@dataclass(frozen=True)
class EsRow:
    """What a fault test compares about one ExternalSecret."""

    uid: str
    generation: int
    ready: str
    reason: str
    message: str
    transition: str
    refresh_time: str
    synced_rv: str
    finalizers: tuple[str, ...]
    deleting: bool


@dataclass(frozen=True)
class SecretRow:
    """What a fault test compares about one managed Secret."""

    uid: str
    resource_version: str
    data: dict[str, bytes]
    owners: tuple[tuple[str, str, bool], ...]  # (kind/name, uid, controller)
    labels: dict[str, str]


def _key(obj: Obj) -> Key:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace", "")), str(meta.get("name", ""))


def es_table(api: Api, namespaces: Iterable[str] | None = None) -> dict[Key, EsRow]:
    wanted = set(namespaces) if namespaces is not None else None
    rows: dict[Key, EsRow] = {}
    for obj in api.list(EXTERNAL_SECRET):
        key = _key(obj)
        if wanted is not None and key[0] not in wanted:
            continue
        meta = obj.get("metadata") or {}
        status = obj.get("status") or {}
        cond: Obj = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
        rows[key] = EsRow(
            uid=str(meta.get("uid", "")),
            generation=int(meta.get("generation", 0)),
            ready=str(cond.get("status", "")),
            reason=str(cond.get("reason", "")),
            message=str(cond.get("message", "")),
            transition=str(cond.get("lastTransitionTime", "")),
            refresh_time=str(status.get("refreshTime", "")),
            synced_rv=str(status.get("syncedResourceVersion", "")),
            finalizers=tuple(meta.get("finalizers") or ()),
            deleting=bool(meta.get("deletionTimestamp")),
        )
    return rows


def secret_table(api: Api, namespaces: Iterable[str] | None = None) -> dict[Key, SecretRow]:
    wanted = set(namespaces) if namespaces is not None else None
    rows: dict[Key, SecretRow] = {}
    for obj in api.list(SECRET, label_selector=MANAGED):
        key = _key(obj)
        if wanted is not None and key[0] not in wanted:
            continue
        meta = obj.get("metadata") or {}
        rows[key] = SecretRow(
            uid=str(meta.get("uid", "")),
            resource_version=str(meta.get("resourceVersion", "")),
            data={k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()},
            owners=tuple(
                (f"{r.get('kind')}/{r.get('name')}", str(r.get("uid")), bool(r.get("controller")))
                for r in meta.get("ownerReferences") or []
            ),
            labels=dict(meta.get("labels") or {}),
        )
    return rows


def parse_time(value: str) -> float | None:
    """Seconds since the epoch of an RFC 3339 time (None when empty)."""
    if not value:
        return None
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def synced(rows: dict[Key, EsRow]) -> int:
    return sum(1 for r in rows.values() if r.ready == "True" and r.reason == "SecretSynced")


def wait_for(
    check: Callable[[], T | None], *, timeout: float, interval: float = 1.0, what: str
) -> tuple[T, float]:
    """Poll ``check`` until it returns something truthy; return it and the seconds it took."""
    start = time.monotonic()
    last: Any = None
    while True:
        last = check()
        if last:
            return last, time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")
        time.sleep(interval)


# --------------------------------------------------------------------------- AWS emulator


def seed_secrets(endpoint: str, values: dict[str, str], workers: int = 8) -> float:
    """Create (or overwrite) Secrets Manager secrets in the emulator; returns seconds taken."""
    start = time.monotonic()
    client = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="eu-west-1"
    ).client("secretsmanager", endpoint_url=endpoint)

    def put(item: tuple[str, str]) -> None:
        try:
            client.create_secret(Name=item[0], SecretString=item[1])
        except client.exceptions.ResourceExistsException:
            client.put_secret_value(SecretId=item[0], SecretString=item[1])

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(put, values.items()))
    return time.monotonic() - start


# --------------------------------------------------------------------------- operators


class InProcessOperator(OperatorRunner):
    """An in-process operator whose (info-level, JSON) log goes to a file."""

    def __init__(self, settings: OperatorSettings, log: Path) -> None:
        super().__init__(settings)
        self.log_path = log
        self._log_file = log.open("a")

    def start(self, timeout: float = 120.0) -> InProcessOperator:
        configure("info", "json", self._log_file)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.operator.start(), self._loop).result(timeout)
        return self

    def stop(self) -> None:
        try:
            super().stop()
        finally:
            self._log_file.close()
            structlog.reset_defaults()

    def lines(self) -> list[Obj]:
        return read_json_lines(self.log_path)


def read_json_lines(path: Path) -> list[Obj]:
    out = []
    for line in path.read_text(errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            item = json.loads(line)
            if isinstance(item, dict):
                out.append(item)
    return out


class EsoProcess:
    """``eso run`` as a child process (its own log file); stopped by :meth:`stop`."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as handle:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "eso", "run", *argv],
                env={**os.environ, **env},
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        self.started = time.monotonic()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def signal(self, sig: int) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def lines(self) -> list[Obj]:
        return read_json_lines(self.log)


def eso_run_args(kubeconfig: Path, *extra: str) -> list[str]:
    """Flags every test's ``eso run`` shares (no HTTP endpoints, JSON logs)."""
    return [
        "--kubeconfig",
        str(kubeconfig),
        "--metrics-addr",
        "0",
        "--live-addr",
        "0",
        "--log-format",
        "json",
        "--loglevel",
        "info",
        *extra,
    ]


def counts(metrics_text: str, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels`` (exposition text)."""
    total = 0.0
    for line in metrics_text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


# --------------------------------------------------------------------------- fake-provider load


def namespace_objects(names: Iterable[str]) -> list[Obj]:
    return [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in names]


def fake_value(namespace: str, key: str) -> bytes:
    """The value the load's fake stores hold for ``key`` in ``namespace``."""
    return f"v-{namespace}-{key}".encode()


def load_store(namespace: str, keys: int, *, controller: str = "", name: str = "fake") -> Obj:
    """A fake SecretStore holding ``k-0`` … ``k-<keys-1>``."""
    data = [{"key": f"k-{i}", "value": fake_value(namespace, f"k-{i}").decode()} for i in range(keys)]
    spec: Obj = {"provider": {"fake": {"data": data}}}
    if controller:
        spec["controller"] = controller
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "SecretStore",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def load_es(namespace: str, name: str, key: str, *, refresh: str = "1h", target: str | None = None) -> Obj:
    """An ExternalSecret copying fake key ``key`` to ``value`` of its Secret (creationPolicy Owner)."""
    spec: Obj = {
        "refreshInterval": refresh,
        "secretStoreRef": {"name": "fake"},
        "data": [{"secretKey": "value", "remoteRef": {"key": key}}],
    }
    if target:
        spec["target"] = {"name": target}
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def expected_state(es_objects: Iterable[Obj]) -> dict[Key, dict[str, bytes]]:
    """Target Secret key → data, for ExternalSecrets built with :func:`load_es`."""
    out: dict[Key, dict[str, bytes]] = {}
    for es in es_objects:
        meta, spec = es["metadata"], es["spec"]
        target = (spec.get("target") or {}).get("name") or meta["name"]
        out[(meta["namespace"], target)] = {
            "value": fake_value(meta["namespace"], spec["data"][0]["remoteRef"]["key"])
        }
    return out


def state_problems(api: Api, namespaces: Sequence[str], live: Iterable[Obj], *, limit: int = 10) -> list[str]:
    """Every way the cluster differs from what ``live`` ExternalSecrets should have produced.

    Checks: each live ExternalSecret Ready/SecretSynced at its generation with eso's finalizer;
    no other ExternalSecret left (none stuck deleting); the managed Secrets are exactly the
    targets (no orphan, no duplicate), each with the expected data and one controller
    reference, to its own ExternalSecret's uid.
    """
    live = list(live)
    want = expected_state(live)
    es_rows = es_table(api, namespaces)
    sec_rows = secret_table(api, namespaces)
    problems: list[str] = []
    live_keys = {(e["metadata"]["namespace"], e["metadata"]["name"]) for e in live}
    for key in sorted(set(es_rows) - live_keys):
        problems.append(f"ExternalSecret {key} should be gone (deleting={es_rows[key].deleting})")
    owners: dict[Key, str] = {}
    for es in live:
        key = (es["metadata"]["namespace"], es["metadata"]["name"])
        row = es_rows.get(key)
        if row is None:
            problems.append(f"ExternalSecret {key} is missing")
            continue
        if row.ready != "True" or row.reason != "SecretSynced":
            problems.append(f"ExternalSecret {key} not synced: {row.ready} {row.reason} {row.message[:120]}")
        if constants.FINALIZER_EXTERNAL_SECRET not in row.finalizers:
            problems.append(f"ExternalSecret {key} lacks its finalizer: {row.finalizers}")
        target = (es["spec"].get("target") or {}).get("name") or key[1]
        owners[(key[0], target)] = row.uid
    for key in sorted(set(sec_rows) - set(want)):
        problems.append(f"orphaned Secret {key} (owners {sec_rows[key].owners})")
    for key in sorted(set(want) - set(sec_rows)):
        problems.append(f"missing Secret {key}")
    for key in sorted(set(want) & set(sec_rows)):
        secret = sec_rows[key]
        if secret.data != want[key]:
            problems.append(f"Secret {key} has keys {sorted(secret.data)} / wrong data")
        controllers = [o for o in secret.owners if o[2]]
        if len(controllers) != 1 or controllers[0][1] != owners.get(key):
            problems.append(f"Secret {key} controller references {controllers}, want uid {owners.get(key)}")
    return problems[:limit] + ([f"... {len(problems) - limit} more"] if len(problems) > limit else [])
