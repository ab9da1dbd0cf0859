"""Which generator kinds eso runs: one :class:`GeneratorImpl` per kind, in a registry passed in.

A generator turns its (parsed) spec into Secret keys. Password, UUID and Fake are
built in (:func:`builtin_registry`); further kinds (SSHKey, ECR tokens…) are added by
registering another :class:`GeneratorImpl`. None of the built-in ones keeps state,
so none needs a GeneratorState or a cleanup.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from eso.api._base import Model
from eso.api.generators import FakeSpec, GeneratorKind, PasswordSpec, UUIDSpec
from eso.api.resources import FAKE_GENERATOR, PASSWORD, ResourceInfo
from eso.api.resources import UUID as UUID_RESOURCE
from eso.controllers.generators.password import generate_password

__all__ = ["GenerateRequest", "GeneratorImpl", "GeneratorRegistry", "builtin_registry"]


@dataclass(frozen=True, slots=True)
class GenerateRequest:
    """Who a value is generated for: the namespace of the ExternalSecret (or PushSecret)."""

    namespace: str


GenerateFunc = Callable[[Any, GenerateRequest], Awaitable[dict[str, bytes]]]


@dataclass(frozen=True, slots=True)
class GeneratorImpl:
    """One generator kind: where its objects live, how its spec parses, how it generates."""

    kind: GeneratorKind
    resource: ResourceInfo
    spec_model: type[Model]
    generate: GenerateFunc


class GeneratorRegistry:
    """Generator implementations by kind (ClusterGenerator is resolved, not registered)."""

    def __init__(self, impls: list[GeneratorImpl] | None = None) -> None:
        self._by_kind: dict[GeneratorKind, GeneratorImpl] = {}
        for impl in impls or []:
            self.register(impl)

    def register(self, impl: GeneratorImpl) -> None:
        """Add (or replace) the implementation of ``impl.kind``."""
        if impl.kind is GeneratorKind.CLUSTER_GENERATOR:
            raise ValueError("ClusterGenerator is a wrapper, not a generator implementation")
        self._by_kind[impl.kind] = impl

    def get(self, kind: GeneratorKind) -> GeneratorImpl | None:
        """The implementation of ``kind``, or None when eso does not run it."""
        return self._by_kind.get(kind)

    def kinds(self) -> list[str]:
        """Supported kinds (ClusterGenerator included), sorted, for messages."""
        return sorted([k.value for k in self._by_kind] + [GeneratorKind.CLUSTER_GENERATOR.value])

    def __iter__(self) -> Iterator[GeneratorImpl]:
        return iter(list(self._by_kind.values()))


async def _password(spec: PasswordSpec, request: GenerateRequest) -> dict[str, bytes]:
    return generate_password(spec)


async def _uuid(spec: UUIDSpec, request: GenerateRequest) -> dict[str, bytes]:
    return {"uuid": str(uuid.uuid4()).encode()}


async def _fake(spec: FakeSpec, request: GenerateRequest) -> dict[str, bytes]:
    return {key: value.encode() for key, value in spec.data.items()}


def builtin_registry() -> GeneratorRegistry:
    """A new registry with Password, UUID (random v4) and Fake (``data`` verbatim)."""
    return GeneratorRegistry(
        [
            GeneratorImpl(GeneratorKind.PASSWORD, PASSWORD, PasswordSpec, _password),
            GeneratorImpl(GeneratorKind.UUID, UUID_RESOURCE, UUIDSpec, _uuid),
            GeneratorImpl(GeneratorKind.FAKE, FAKE_GENERATOR, FakeSpec, _fake),
        ]
    )
