"""What the Secrets Manager and Parameter Store clients share.

:class:`AWSClient` holds one aiobotocore client (closed by :meth:`close`), the
:class:`~eso.providers.aws.calls.ApiCaller` every call goes through, and the store's
credentials. It implements the parts of the :class:`~eso.providers.base.BatchSecretsClient`
protocol that do not depend on the service:

* ``property`` selection (:func:`eso.providers._gjson.get_property`); a miss is
  "key <prop> does not exist in secret <key>", a plain :class:`ProviderError` as in ESO
  (not a not-found, so it never triggers ``deletionPolicy``);
* ``get_secret_map`` (the JSON explosion of :mod:`eso.providers._jsonmap`);
* ``get_secrets``: refs that a batch call can serve go through the subclass's
  :meth:`_batch_values`; the rest, and anything a batch did not answer, are single reads.
  A batch refused for lack of permission falls back to single reads for the client's life.
* ``validate``: retrieve the credentials (the STS calls), as ESO does.

Nothing is cached across calls: every read asks the provider.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from typing import Any, ClassVar, TypeVar

from eso.api.providers.aws import AWSProvider as AWSSpec
from eso.errors import ProviderAuthError, ProviderError, SecretNotFound
from eso.providers._gjson import get_property
from eso.providers._jsonmap import explode_json_object, utf8_lossy
from eso.providers.aws.auth import Credentials
from eso.providers.aws.calls import ApiCaller
from eso.providers.aws.session import ClientFactory
from eso.providers.base import (
    FindQuery,
    KubeAccess,
    PushEntry,
    PushSource,
    RemoteRef,
    StoreContext,
    ValidationResult,
)

__all__ = ["AWSClient"]

_SINGLE_READ_CONCURRENCY = 8

K = TypeVar("K")
P = TypeVar("P")


class AWSClient:
    """Base of the per-store AWS clients."""

    label: ClassVar[str] = ""

    def __init__(
        self,
        *,
        raw: Any,
        caller: ApiCaller,
        credentials: Credentials,
        factory: ClientFactory,
        store: StoreContext,
        spec: AWSSpec,
        kube: KubeAccess,
        stack: AsyncExitStack,
    ) -> None:
        self.raw = raw
        self.caller = caller
        self.credentials = credentials
        self.factory = factory
        self.store = store
        self.spec = spec
        self.kube = kube
        self._stack = stack
        self._batch_denied = False

    @property
    def warnings(self) -> tuple[str, ...]:
        """Warnings found while resolving credentials (e.g. the operator's own ServiceAccount)."""
        return self.credentials.warnings

    def name(self, key: str) -> str:
        """The remote name of ``key``: ``spec.prefix`` + key, verbatim."""
        return f"{self.spec.prefix or ''}{key}"

    async def call(self, op: str, *, subject: str | None = None, **params: Any) -> dict[str, Any]:
        """Run ``op``; a not-found names ``subject`` (the remote name)."""
        if self.credentials.mode == "referent":
            raise ProviderAuthError(
                f"{self.store.display} uses referent credentials: they are resolved in the namespace "
                "of each ExternalSecret or PushSecret, and none was given"
            )
        try:
            return await self.caller(self.label, self.raw, op, **params)
        except SecretNotFound as exc:
            if subject is None:
                raise
            raise SecretNotFound(f"secret {subject} does not exist ({exc.message})") from exc

    @staticmethod
    def select(payload: bytes, ref: RemoteRef) -> bytes:
        """``ref.property`` of ``payload`` (the whole payload without a property)."""
        if not ref.property:
            return payload
        value = get_property(payload, ref.property)
        if value is None:
            raise ProviderError(f"key {ref.property} does not exist in secret {ref.key}")
        return utf8_lossy(value)

    async def get_secret(self, ref: RemoteRef) -> bytes:
        """Value of one remote secret (or of one property of it)."""
        raise NotImplementedError

    async def get_all_secrets(self, find: FindQuery) -> dict[str, bytes]:
        """Every secret matching ``find``, keyed by its full remote name."""
        raise NotImplementedError

    async def push_secret(self, source: PushSource, entry: PushEntry) -> None:
        """Write one entry to the store (create or update)."""
        raise NotImplementedError

    async def delete_secret(self, entry: PushEntry) -> None:
        """Delete what :meth:`push_secret` wrote for ``entry`` (no-op if absent or unmanaged)."""
        raise NotImplementedError

    async def secret_exists(self, entry: PushEntry) -> bool:
        """True when the remote secret of ``entry`` exists."""
        raise NotImplementedError

    async def get_secret_map(self, ref: RemoteRef) -> dict[str, bytes]:
        """``dataFrom[].extract``: the remote JSON object exploded into keys."""
        return explode_json_object(await self.get_secret(ref), ref.key)

    def batchable(self, ref: RemoteRef) -> bool:
        """True when ``ref`` is a plain read of the current value (batchable by name)."""
        return False

    async def _batch_values(self, names: Sequence[str]) -> dict[str, bytes | Exception]:
        """Payloads (or errors) for remote ``names`` in batch calls; a name left out is read singly."""
        return {}

    async def _single_value(self, name: str) -> bytes:
        """Payload of the current value of the remote ``name`` (one call)."""
        raise NotImplementedError

    async def _gather(self, items: Sequence[K], read: Callable[[K], Awaitable[P]]) -> dict[K, P | Exception]:
        limit = asyncio.Semaphore(_SINGLE_READ_CONCURRENCY)
        out: dict[K, P | Exception] = {}

        async def one(item: K) -> None:
            async with limit:
                try:
                    out[item] = await read(item)
                except Exception as exc:
                    out[item] = exc

        await asyncio.gather(*(one(item) for item in items))
        return out

    async def read_names(self, names: Sequence[str]) -> dict[str, bytes | Exception]:
        """Current payloads of full remote ``names``: batched, single reads for the rest."""
        return await self.read_names_with(names, self._batch_values, self._single_value)

    async def read_names_with(
        self,
        names: Sequence[str],
        batch: Callable[[Sequence[str]], Awaitable[dict[str, P | Exception]]],
        single: Callable[[str], Awaitable[P]],
    ) -> dict[str, P | Exception]:
        """What ``batch`` reads for ``names``; ``single`` reads for the names it left out.

        A batch refused for lack of permission falls back to single reads for the client's life.
        """
        unique = list(dict.fromkeys(names))
        payloads: dict[str, P | Exception] = {}
        if unique and not self._batch_denied:
            try:
                payloads = await batch(unique)
            except ProviderAuthError:
                # The batch permission is optional: read one by one from now on.
                self._batch_denied = True
            except ProviderError as exc:
                return dict.fromkeys(unique, exc)
        missing = [name for name in unique if name not in payloads]
        payloads.update(await self._gather(missing, single))
        return payloads

    async def get_secrets(self, refs: Sequence[RemoteRef]) -> dict[RemoteRef, bytes | Exception]:
        """Values or errors for every ref, in as few calls as the service allows."""
        unique = list(dict.fromkeys(refs))
        batched = [ref for ref in unique if self.batchable(ref)]
        payloads = await self.read_names([self.name(ref.key) for ref in batched])
        results: dict[RemoteRef, bytes | Exception] = {}
        for ref in batched:
            payload = payloads[self.name(ref.key)]
            if isinstance(payload, Exception):
                results[ref] = payload
                continue
            try:
                results[ref] = self.select(payload, ref)
            except ProviderError as exc:
                results[ref] = exc
        others = [ref for ref in unique if ref not in results]
        results.update(await self._gather(others, self.get_secret))
        return {ref: results[ref] for ref in refs}

    async def validate(self) -> ValidationResult:
        """Retrieve the credentials now (STS calls): Ready, Unknown (referent), or raise."""
        return await self.credentials.retrieve(self.factory)

    async def close(self) -> None:
        """Close the aiobotocore client."""
        await self._stack.aclose()
