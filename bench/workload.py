"""The objects a benchmark creates: remote secrets, a store, ExternalSecrets, expected Secrets.

A :class:`Group` is N ExternalSecrets in one namespace over N/2 remote secrets of one
SecretStore (Secrets Manager, static credentials — the stub does not check them). The
ExternalSecret ``es-<i>`` has two data entries, ``username`` and ``password``, the two
properties of the JSON remote secret ``<prefix>/s<i // 2>``: 2 data entries each over N/2
distinct remote secrets, as the issue describes. ESO would make one provider call per data
entry, 2N per refresh.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from typing import Any

from eso.api.resources import SECRET, SECRET_STORE

__all__ = ["Group", "unrelated_secret"]

Obj = dict[str, Any]
STORE = "aws"
CREDS = "aws-creds"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass
class Group:
    """N ExternalSecrets, their remote secrets and what their Secrets must hold."""

    namespace: str
    size: int
    refresh: str
    prefix: str
    name_prefix: str = "es-"
    start: int = 0
    remote_mod: int = 0
    """When set, ExternalSecret i reads remote secret (i // 2) % remote_mod (existing ones)."""
    versions: dict[int, int] = field(default_factory=dict)

    @property
    def remote_count(self) -> int:
        """How many remote secrets the group reads (N/2, at least 1)."""
        return max(1, (self.start + self.size + 1) // 2 - self.start // 2)

    def names(self) -> list[str]:
        """ExternalSecret (and target Secret) names."""
        return [f"{self.name_prefix}{i:05d}" for i in range(self.start, self.start + self.size)]

    def remote_index(self, name: str) -> int:
        """The remote secret an ExternalSecret reads."""
        k = int(name[len(self.name_prefix) :]) // 2
        return k % self.remote_mod if self.remote_mod else k

    def remote_name(self, k: int) -> str:
        """The remote secret's name."""
        return f"{self.prefix}/s{k:05d}"

    def remote_value(self, k: int) -> str:
        """The remote secret's current JSON value."""
        version = self.versions.get(k, 1)
        return json.dumps({"username": f"user-{k}", "password": f"pw-{k}-v{version}"})

    def remote_secrets(self, indexes: list[int] | None = None) -> list[Obj]:
        """Stub seed entries for the remote secrets (all, or ``indexes``)."""
        first = self.start // 2
        chosen = indexes if indexes is not None else list(range(first, first + self.remote_count))
        return [{"name": self.remote_name(k), "value": self.remote_value(k)} for k in chosen]

    def bump(self, indexes: list[int]) -> None:
        """A new value for the remote secrets ``indexes`` (push it with :meth:`remote_secrets`)."""
        for k in indexes:
            self.versions[k] = self.versions.get(k, 1) + 1

    def expected(self, name: str) -> dict[str, str]:
        """The base64 ``data`` the Secret ``name`` must hold."""
        k = self.remote_index(name)
        value = json.loads(self.remote_value(k))
        return {"password": _b64(value["password"]), "username": _b64(value["username"])}

    # -- manifests ---------------------------------------------------------------------

    def store_objects(self) -> list[tuple[Any, Obj]]:
        """The credentials Secret and the SecretStore, as (resource, object)."""
        creds: Obj = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": CREDS, "namespace": self.namespace},
            "stringData": {"access-key": "bench", "secret-key": "bench"},
        }
        store: Obj = {
            "apiVersion": "external-secrets.io/v1",
            "kind": "SecretStore",
            "metadata": {"name": STORE, "namespace": self.namespace},
            "spec": {
                "provider": {
                    "aws": {
                        "service": "SecretsManager",
                        "region": "eu-west-1",
                        "auth": {
                            "secretRef": {
                                "accessKeyIDSecretRef": {"name": CREDS, "key": "access-key"},
                                "secretAccessKeySecretRef": {"name": CREDS, "key": "secret-key"},
                            }
                        },
                    }
                }
            },
        }
        return [(SECRET, creds), (SECRET_STORE, store)]

    def external_secret(self, name: str) -> Obj:
        """The ExternalSecret ``name``."""
        key = self.remote_name(self.remote_index(name))
        return {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ExternalSecret",
            "metadata": {"name": name, "namespace": self.namespace},
            "spec": {
                "refreshInterval": self.refresh,
                "secretStoreRef": {"name": STORE, "kind": "SecretStore"},
                "target": {"name": name},
                "data": [
                    {"secretKey": "username", "remoteRef": {"key": key, "property": "username"}},
                    {"secretKey": "password", "remoteRef": {"key": key, "property": "password"}},
                ],
            },
        }

    def external_secrets(self) -> list[Obj]:
        """Every ExternalSecret of the group."""
        return [self.external_secret(n) for n in self.names()]

    def plain_secret(self, name: str) -> Obj:
        """A Secret of the same size the operator would write (the S1 baseline object)."""
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": self.namespace},
            "type": "Opaque",
            "data": self.expected(name),
        }


def unrelated_secret(namespace: str, name: str, size: int) -> Obj:
    """A Secret nobody manages, ``size`` bytes of random data (S4)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace, "labels": {"bench.eso/unrelated": "true"}},
        "type": "Opaque",
        "data": {"blob": base64.b64encode(os.urandom(size)).decode()},
    }
