"""Where the operator finds the API server and its credentials.

Order: an explicit ``--kubeconfig`` path, then ``$KUBECONFIG``, then the in-cluster
ServiceAccount, then ``~/.kube/config``. lightkube parses the file and builds the TLS
context and auth (client certificates, bearer tokens, exec plugins); eso talks raw
JSON over the resulting HTTP client.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import httpx2
from lightkube.config import client_adapter
from lightkube.config.kubeconfig import SERVICE_ACCOUNT, KubeConfig, SingleConfig
from lightkube.core.exceptions import ConfigError as LightkubeConfigError

from eso.errors import ConfigError

__all__ = ["Connection", "load_connection"]


@dataclass(frozen=True)
class Connection:
    """A loaded configuration: where to connect and the default namespace."""

    config: SingleConfig
    source: str

    @property
    def server(self) -> str:
        """The API server URL."""
        return str(self.config.cluster.server)

    @property
    def namespace(self) -> str:
        """The context's namespace (``default`` if unset)."""
        return self.config.namespace

    def http_client(self, timeout: float = 30.0, max_connections: int = 100) -> httpx2.AsyncClient:
        """A new HTTP client bound to the API server with the configured auth and TLS."""
        params = client_adapter.ConnectionParams(timeout=httpx2.Timeout(timeout), trust_env=False)
        kwargs = params.httpx_params(self.config)
        kwargs["limits"] = httpx2.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        return httpx2.AsyncClient(**kwargs)


def _select(config: KubeConfig, context: str | None, source: str) -> Connection:
    single = config.get(context)
    if single is None:
        raise ConfigError(f"{source} has no current context; pass --context")
    return Connection(single, source)


def load_connection(
    kubeconfig: str | None = None, context: str | None = None, env: dict[str, str] | None = None
) -> Connection:
    """Load the connection settings; raise ConfigError with the reason when none works."""
    environ = dict(os.environ) if env is None else env
    try:
        if kubeconfig:
            return _select(KubeConfig.from_file(kubeconfig), context, f"kubeconfig {kubeconfig}")
        if environ.get("KUBECONFIG"):
            path = environ["KUBECONFIG"].split(os.pathsep)[0]
            return _select(KubeConfig.from_file(path), context, f"kubeconfig {path}")
        if Path(SERVICE_ACCOUNT, "token").exists():
            return _select(KubeConfig.from_service_account(), None, "in-cluster service account")
        default = Path("~/.kube/config").expanduser()
        if default.exists():
            return _select(KubeConfig.from_file(default), context, f"kubeconfig {default}")
    except (LightkubeConfigError, OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"cannot load Kubernetes credentials: {exc}") from exc
    raise ConfigError("no Kubernetes credentials found: pass --kubeconfig, set KUBECONFIG, or run in a pod")
