"""An in-memory :class:`~eso.providers.base.KubeAccess` for provider tests (no API server)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eso.errors import SpecError


@dataclass
class FakeKube:
    """Secrets and ServiceAccounts by ``(namespace, name)``; every token request is recorded."""

    secrets: dict[tuple[str, str], dict[str, bytes]] = field(default_factory=dict)
    service_accounts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    operator_sa: tuple[str, str] | None = ("external-secrets", "external-secrets")
    token: str = "fake.jwt.token-for-tests"
    token_requests: list[tuple[str, str, list[str], int]] = field(default_factory=list)
    reads: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def operator_service_account(self) -> tuple[str, str] | None:
        return self.operator_sa

    def add_secret(self, namespace: str, name: str, data: Mapping[str, bytes]) -> None:
        self.secrets[(namespace, name)] = dict(data)

    def add_service_account(
        self, namespace: str, name: str, annotations: Mapping[str, str] | None = None
    ) -> None:
        self.service_accounts[(namespace, name)] = {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": name, "namespace": namespace, "annotations": dict(annotations or {})},
        }

    async def read_secret_key(self, namespace: str, name: str, key: str) -> bytes:
        self.reads.append((namespace, name, key))
        data = self.secrets.get((namespace, name))
        if data is None:
            raise SpecError(f'Secret "{namespace}/{name}" not found')
        if key not in data:
            raise SpecError(f'key "{key}" not found in Secret "{namespace}/{name}"')
        return data[key]

    async def read_service_account(self, namespace: str, name: str) -> Mapping[str, Any]:
        account = self.service_accounts.get((namespace, name))
        if account is None:
            raise SpecError(f'ServiceAccount "{namespace}/{name}" not found')
        return account

    async def request_token(
        self, namespace: str, name: str, audiences: list[str], expiration_seconds: int
    ) -> str:
        self.token_requests.append((namespace, name, list(audiences), expiration_seconds))
        return self.token
