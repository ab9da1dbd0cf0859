"""The :class:`eso.providers.base.KubeAccess` that providers use, over the KubeClient.

Referenced Secrets and ServiceAccounts are read directly from the API server, never
cached (unrelated Secrets stay out of eso's memory). A missing object or key is a
ProviderAuthError that names it, so the store or ExternalSecret reports the root cause.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from eso.api.resources import SECRET, SERVICE_ACCOUNT
from eso.errors import NotFound, ProviderAuthError
from eso.kube.client import KubeClient

__all__ = ["ClusterKubeAccess"]


class ClusterKubeAccess:
    """KubeAccess backed by the API server."""

    def __init__(self, client: KubeClient, operator_service_account: tuple[str, str] | None) -> None:
        self._client = client
        self._operator_sa = operator_service_account

    @property
    def operator_service_account(self) -> tuple[str, str] | None:
        """The ServiceAccount eso runs as."""
        return self._operator_sa

    async def read_secret_key(self, namespace: str, name: str, key: str) -> bytes:
        """One key of a Secret, decoded."""
        try:
            secret = await self._client.get(SECRET, name, namespace)
        except NotFound as exc:
            raise ProviderAuthError(f'Secret "{namespace}/{name}" not found') from exc
        data = secret.get("data") or {}
        if key not in data:
            raise ProviderAuthError(f'key "{key}" not found in Secret "{namespace}/{name}"')
        try:
            return base64.b64decode(data[key], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ProviderAuthError(
                f'key "{key}" of Secret "{namespace}/{name}" is not valid base64'
            ) from exc

    async def read_service_account(self, namespace: str, name: str) -> Mapping[str, Any]:
        """The ServiceAccount object."""
        try:
            return await self._client.get(SERVICE_ACCOUNT, name, namespace)
        except NotFound as exc:
            raise ProviderAuthError(f'ServiceAccount "{namespace}/{name}" not found') from exc

    async def request_token(
        self, namespace: str, name: str, audiences: list[str], expiration_seconds: int
    ) -> str:
        """TokenRequest for the ServiceAccount; returns the JWT."""
        body = {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"audiences": audiences, "expirationSeconds": max(600, expiration_seconds)},
        }
        try:
            result = await self._client.create_subresource(SERVICE_ACCOUNT, name, namespace, "token", body)
        except NotFound as exc:
            raise ProviderAuthError(f'ServiceAccount "{namespace}/{name}" not found') from exc
        token = (result.get("status") or {}).get("token")
        if not token:
            raise ProviderAuthError(f'TokenRequest for ServiceAccount "{namespace}/{name}" returned no token')
        return str(token)
