"""Readiness probes and small HTTP reads against the sandbox's components.

Plain :mod:`urllib` with explicit TLS contexts: the API server is verified against the
sandbox CA and called with the admin client certificate; kube-controller-manager serves a
self-signed certificate made in memory, so its ``/healthz`` is read without verification
(it is on 127.0.0.1 and carries no data). Every probe returns ``False`` instead of raising.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from typing import Any

from eso.sandbox.pki import Pki

__all__ = [
    "api_get",
    "apiserver_context",
    "apiserver_ready",
    "default_service_account_exists",
    "etcd_ready",
    "kcm_ready",
    "moto_ready",
]

_TIMEOUT = 2.0


def apiserver_context(pki: Pki) -> ssl.SSLContext:
    """TLS context that trusts the sandbox CA and presents the admin client certificate."""
    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    context.load_cert_chain(str(pki.admin_cert), str(pki.admin_key))
    return context


def _open(url: str, context: ssl.SSLContext | None = None, method: str = "GET") -> Any:
    """Open a loopback URL directly: proxy variables in the environment are ignored."""
    handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, method=method)  # noqa: S310 - http(s) URLs we built
    return urllib.request.build_opener(*handlers).open(request, timeout=_TIMEOUT)


def _status(url: str, context: ssl.SSLContext | None = None, method: str = "GET") -> int:
    try:
        with _open(url, context, method) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, ValueError):
        return 0


def api_get(url: str, pki: Pki, path: str) -> Any:
    """GET ``path`` from the API server as admin and decode the JSON body."""
    with _open(url.rstrip("/") + path, apiserver_context(pki)) as response:
        return json.loads(response.read())


def etcd_ready(client_port: int) -> bool:
    try:
        with _open(f"http://127.0.0.1:{client_port}/health") as response:
            return bool(json.loads(response.read()).get("health") == "true")
    except (OSError, ValueError):
        return False


def apiserver_ready(url: str, pki: Pki) -> bool:
    try:
        context = apiserver_context(pki)
    except (OSError, ssl.SSLError):
        return False
    return _status(url.rstrip("/") + "/readyz", context) == 200


def kcm_ready(port: int) -> bool:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # self-signed in-memory cert; loopback health check only
    return _status(f"https://127.0.0.1:{port}/healthz", context) == 200


def default_service_account_exists(url: str, pki: Pki) -> bool:
    """True once the serviceaccount controller has created ``default/default``."""
    try:
        context = apiserver_context(pki)
    except (OSError, ssl.SSLError):
        return False
    return _status(url.rstrip("/") + "/api/v1/namespaces/default/serviceaccounts/default", context) == 200


def moto_ready(port: int) -> bool:
    return _status(f"http://127.0.0.1:{port}/moto-api/config") in {200, 201}
