"""Command lines and readiness checks of the four sandbox components.

* **etcd**: one member, data under ``DIR/etcd``, ``--unsafe-no-fsync`` (a throw-away store).
* **kube-apiserver**: RBAC, client-certificate authentication against the sandbox CA, the
  serving certificate for 127.0.0.1/localhost, and a ServiceAccount issuer
  ``https://127.0.0.1:<port>`` with an RSA signing key, so TokenRequest works. The
  ServiceAccount admission plugin stays enabled (the controller manager creates ``default``
  ServiceAccounts). ``--advertise-address=127.0.0.1`` is needed on hosts without a default
  route and ``--endpoint-reconciler-type=none`` keeps it from publishing endpoints.
* **kube-controller-manager**: only the garbage collector, namespace deletion, ServiceAccount
  creation and the ``kube-root-ca.crt`` publisher; no leader election; serves on 127.0.0.1.
* **moto**: the AWS emulator (Secrets Manager, SSM, STS, IAM, … on one port), run with the
  current Python interpreter.

Every component binds 127.0.0.1 on ports chosen by the caller.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eso.sandbox import probes
from eso.sandbox.pki import Pki
from eso.sandbox.testbin import Testbin

__all__ = [
    "ETCD",
    "KCM_CONTROLLERS",
    "KUBE_APISERVER",
    "KUBE_CONTROLLER_MANAGER",
    "MOTO",
    "ORDER",
    "ComponentSpec",
    "apiserver_spec",
    "etcd_spec",
    "etcd_version",
    "kcm_spec",
    "moto_spec",
    "moto_version",
]

ETCD = "etcd"
KUBE_APISERVER = "kube-apiserver"
KUBE_CONTROLLER_MANAGER = "kube-controller-manager"
MOTO = "moto"
ORDER = (ETCD, KUBE_APISERVER, KUBE_CONTROLLER_MANAGER, MOTO)

KCM_CONTROLLERS = (
    "garbage-collector-controller",
    "namespace-controller",
    "serviceaccount-controller",
    "root-ca-certificate-publisher-controller",
)


@dataclass(frozen=True)
class ComponentSpec:
    """How to run one component and how to tell that it is ready."""

    name: str
    argv: tuple[str, ...]
    ports: dict[str, int]
    url: str
    ready: Callable[[], bool] = field(compare=False, repr=False)

    @property
    def port(self) -> int:
        """The component's main port (the one clients use)."""
        return next(iter(self.ports.values()))


def etcd_spec(bins: Testbin, root: Path, ports: Sequence[int]) -> ComponentSpec:
    client, peer = ports
    client_url, peer_url = f"http://127.0.0.1:{client}", f"http://127.0.0.1:{peer}"
    argv = (
        str(bins.etcd),
        "--name=sandbox",
        f"--data-dir={root / 'etcd'}",
        f"--listen-client-urls={client_url}",
        f"--advertise-client-urls={client_url}",
        f"--listen-peer-urls={peer_url}",
        f"--initial-advertise-peer-urls={peer_url}",
        f"--initial-cluster=sandbox={peer_url}",
        "--initial-cluster-state=new",
        "--unsafe-no-fsync=true",
        "--log-level=warn",
    )
    return ComponentSpec(
        ETCD, argv, {"client": client, "peer": peer}, client_url, lambda: probes.etcd_ready(client)
    )


def apiserver_spec(
    bins: Testbin, pki: Pki, ports: Sequence[int], etcd_url: str, extra: Sequence[str] = ()
) -> ComponentSpec:
    """kube-apiserver; ``extra`` flags are appended (for example ``--watch-cache=false``)."""
    (port,) = ports
    url = f"https://127.0.0.1:{port}"
    argv = (
        str(bins.kube_apiserver),
        f"--etcd-servers={etcd_url}",
        "--bind-address=127.0.0.1",
        f"--secure-port={port}",
        "--advertise-address=127.0.0.1",
        "--endpoint-reconciler-type=none",
        f"--cert-dir={pki.dir}",
        f"--tls-cert-file={pki.serving_cert}",
        f"--tls-private-key-file={pki.serving_key}",
        f"--client-ca-file={pki.ca_cert}",
        "--authorization-mode=RBAC",
        "--service-cluster-ip-range=10.0.0.0/24",
        "--allow-privileged=true",
        f"--service-account-issuer={url}",
        f"--service-account-key-file={pki.sa_pub}",
        f"--service-account-signing-key-file={pki.sa_key}",
        "--service-account-max-token-expiration=24h",
        *extra,
    )
    return ComponentSpec(KUBE_APISERVER, argv, {"https": port}, url, lambda: probes.apiserver_ready(url, pki))


def kcm_spec(bins: Testbin, pki: Pki, ports: Sequence[int], kubeconfig: Path, api_url: str) -> ComponentSpec:
    (port,) = ports
    argv = (
        str(bins.kube_controller_manager),
        f"--kubeconfig={kubeconfig}",
        f"--controllers={','.join(KCM_CONTROLLERS)}",
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        f"--secure-port={port}",
        f"--root-ca-file={pki.ca_cert}",
    )

    def ready() -> bool:
        return probes.kcm_ready(port) and probes.default_service_account_exists(api_url, pki)

    return ComponentSpec(KUBE_CONTROLLER_MANAGER, argv, {"https": port}, f"https://127.0.0.1:{port}", ready)


def moto_spec(ports: Sequence[int], python: str | None = None) -> ComponentSpec:
    (port,) = ports
    argv = (python or sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port))
    return ComponentSpec(
        MOTO, argv, {"http": port}, f"http://127.0.0.1:{port}", lambda: probes.moto_ready(port)
    )


def etcd_version(bins: Testbin) -> str:
    """``3.6.16`` from ``etcd --version``."""
    try:
        out = subprocess.run(  # noqa: S603 - the built etcd, fixed argv
            [str(bins.etcd), "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    first = out.splitlines()[0] if out else ""
    return first.rsplit(":", 1)[-1].strip() or "unknown"


def moto_version() -> str:
    try:
        return importlib.metadata.version("moto")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
