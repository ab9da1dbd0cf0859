"""push_to_store: what reaches the provider client, and what is refused before it."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from eso.controllers.pushsecret.entries import Planned
from eso.controllers.pushsecret.push import KeyedLocks, push_to_store
from eso.controllers.stores import ResolvedStore
from eso.errors import CapabilityError
from eso.providers.base import Capabilities, PushEntry, PushSource


class _Provider:
    def __init__(self, capabilities: Capabilities) -> None:
        self._capabilities = capabilities

    def capabilities(self, spec: Any) -> Capabilities:
        return self._capabilities


class _Client:
    def __init__(self) -> None:
        self.pushed: list[str] = []

    async def secret_exists(self, entry: PushEntry) -> bool:
        return False

    async def push_secret(self, source: PushSource, entry: PushEntry) -> None:
        self.pushed.append(entry.remote_key)


def _resolved(capabilities: Capabilities, client: _Client) -> ResolvedStore:
    key = SimpleNamespace(kind="SecretStore", namespace="ns", name="store")
    return ResolvedStore(
        store=SimpleNamespace(),  # type: ignore[arg-type]
        provider=_Provider(capabilities),  # type: ignore[arg-type]
        context=SimpleNamespace(spec=None),  # type: ignore[arg-type]
        client=client,  # type: ignore[arg-type]
        key=key,  # type: ignore[arg-type]
    )


def _push(capabilities: Capabilities, client: _Client) -> Any:
    source = PushSource(name="src", namespace="ns", data={"k": b"v"})
    return asyncio.run(
        push_to_store(
            _resolved(capabilities, client),
            "SecretStore/store",
            [source],
            [Planned(remote_key="remote", secret_key="k")],
            if_not_exists=False,
            locks=KeyedLocks(),
            field="spec.secretStoreRefs[1]",
        )
    )


def test_a_read_only_store_is_refused_before_any_write_naming_the_field() -> None:
    client = _Client()
    with pytest.raises(CapabilityError) as caught:
        _push(Capabilities.READ_ONLY, client)
    assert client.pushed == []
    assert "spec.secretStoreRefs[1]" in str(caught.value)
    assert "ReadOnly" in str(caught.value)
    assert caught.value.temporary is False


@pytest.mark.parametrize("capabilities", [Capabilities.READ_WRITE, Capabilities.WRITE_ONLY])
def test_writable_stores_are_pushed_to(capabilities: Capabilities) -> None:
    client = _Client()
    outcome = _push(capabilities, client)
    assert client.pushed == ["remote"]
    assert outcome.errors == []
    assert list(outcome.synced) == ["remote"]
