"""Fetch and transform provider data for an ExternalSecret (eso-api §2.4).

Order: ``dataFrom`` entries first (later ones win), then ``data`` entries, so a
``data[]`` key overrides a ``dataFrom`` key of the same name. Each ``dataFrom`` entry
runs: read (extract / find / generator) → rewrite → key conversion (only without
rewrite) → key validation → decoding → null-byte check. ``data`` entries are read
together per store through :class:`SharedReads` (coalesced and batched).

A missing remote secret (SecretNotFound) is skipped with a ``MissingProviderSecret``
note when ``deletionPolicy`` is Delete or Merge, and is an error under Retain. Every
error names the entry: ``spec.data[1] (key: port)`` or ``spec.dataFrom[0].find``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from eso.api.externalsecret import (
    ExternalSecret,
    ExternalSecretDataFromRemoteRef,
    ExternalSecretDataRemoteRef,
    SecretStoreRef,
)
from eso.api.meta import SecretStoreKind
from eso.api.policies import DeletionPolicy, NullBytePolicy
from eso.controllers.externalsecret.rewrite import apply_rewrites, compile_go_regexp
from eso.controllers.reads import SharedReads
from eso.controllers.stores import ResolvedStore, StoreResolver
from eso.errors import EsoError, SecretNotFound, SpecError
from eso.providers import _convert
from eso.providers.base import FindQuery, MetadataPolicy, RemoteRef

__all__ = ["FetchResult", "Generate", "fetch_provider_data", "remote_ref"]

Generate = Callable[[ExternalSecret, int, ExternalSecretDataFromRemoteRef], Awaitable[dict[str, bytes]]]
"""Runs the generator of ``es.spec.dataFrom[index]`` for ``es`` (see eso.controllers.generators)."""


@dataclass
class FetchResult:
    """The provider data, plus notes about entries skipped because they are missing."""

    data: dict[str, bytes] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    stores: list[ResolvedStore] = field(default_factory=list)


def remote_ref(ref: ExternalSecretDataRemoteRef) -> RemoteRef:
    """The provider-facing request for a ``remoteRef``."""
    return RemoteRef(
        key=ref.key,
        property=ref.property or None,
        version=ref.version or None,
        metadata_policy=MetadataPolicy.FETCH if ref.metadata_policy.value == "Fetch" else MetadataPolicy.NONE,
    )


def _with_field(exc: EsoError, where: str) -> EsoError:
    """The same error (same class: temporary stays temporary) located at ``where``.

    A provider may name a field relative to the entry (``property``); it is appended.
    An error that already names a ``spec.`` field is returned unchanged.
    """
    if exc.field and exc.field.startswith("spec."):
        return exc
    path = f"{where}.{exc.field}" if exc.field else where
    located = type(exc)(exc.message, field=path, retry_after=exc.retry_after)
    located.__cause__ = exc
    return located


def _check_null_bytes(policy: NullBytePolicy, data: Mapping[str, bytes], where: str) -> None:
    if policy.value != "Fail":
        return
    for key in sorted(data):
        if b"\x00" in data[key]:
            raise SpecError(f"value of key {key!r} contains a null byte (nullBytePolicy: Fail)", field=where)


class _Fetcher:
    def __init__(
        self,
        es: ExternalSecret,
        stores: StoreResolver,
        reads: SharedReads,
        transform: Callable[[str, str], str],
    ) -> None:
        self.es = es
        self.stores = stores
        self.reads = reads
        self.transform = transform
        self.result = FetchResult()
        self._resolved: dict[tuple[str, str], ResolvedStore] = {}
        self.skip_missing = es.spec.target.deletion_policy != DeletionPolicy.RETAIN

    async def store(self, ref: SecretStoreRef | None, where: str) -> ResolvedStore:
        ref = ref or self.es.spec.secret_store_ref
        if ref is None or not ref.name:
            raise SpecError("no store: set spec.secretStoreRef or a sourceRef.storeRef", field=where)
        kind = ref.kind or SecretStoreKind.SECRET_STORE
        cache_key = (str(kind), ref.name)
        if cache_key not in self._resolved:
            resolved = await self.stores.resolve(kind, ref.name, self.es.namespace, field=where)
            self._resolved[cache_key] = resolved
            self.result.stores.append(resolved)
        return self._resolved[cache_key]

    async def data_from(
        self, i: int, entry: ExternalSecretDataFromRemoteRef, generate: Generate | None
    ) -> None:
        where = f"spec.dataFrom[{i}]"
        if entry.generator_ref() is not None:
            if generate is None:
                raise SpecError("generators are not enabled", field=f"{where}.sourceRef.generatorRef")
            raw = await generate(self.es, i, entry)
            data = _convert.validate_keys(apply_rewrites(raw, entry.rewrite, where, self.transform))
            self.result.data.update(data)
            return
        store_ref = entry.source_ref.store_ref if entry.source_ref else None
        if entry.extract is not None:
            part = f"{where}.extract"
            resolved = await self.store(store_ref, part)
            try:
                raw = await resolved.client.get_secret_map(remote_ref(entry.extract))
            except SecretNotFound:
                if not self.skip_missing:
                    raise
                self.result.missing.append(f"secret does not exist at provider using {where}")
                return
            strategies = entry.extract
        elif entry.find is not None:
            part = f"{where}.find"
            find = entry.find
            if find.name is not None and find.name.regexp:
                compile_go_regexp(find.name.regexp, f"{part}.name.regexp")
            resolved = await self.store(store_ref, part)
            query = FindQuery(
                name_regexp=find.name.regexp if find.name else None,
                tags=find.tags,
                path=find.path,
                conversion_strategy=find.conversion_strategy.value,
            )
            raw = await resolved.client.get_all_secrets(query)
            strategies = find  # type: ignore[assignment]
        else:
            raise SpecError("one of extract, find or sourceRef.generatorRef must be set", field=where)
        if entry.rewrite:
            raw = apply_rewrites(raw, entry.rewrite, where, self.transform)
        else:
            raw = _convert.convert_keys(strategies.conversion_strategy.value, raw)
        try:
            data = _convert.validate_keys(raw)
            data = _convert.decode_map(strategies.decoding_strategy.value, data)
        except SpecError as exc:
            raise SpecError(exc.message, field=part) from None
        _check_null_bytes(strategies.null_byte_policy, data, part)
        self.result.data.update(data)

    async def data(self) -> None:
        by_store: dict[tuple[str, str], list[tuple[int, RemoteRef]]] = {}
        resolved_for: dict[tuple[str, str], ResolvedStore] = {}
        for i, item in enumerate(self.es.spec.data):
            where = f"spec.data[{i}]"
            ref = item.source_ref.store_ref if item.source_ref else None
            resolved = await self.store(ref, where)
            skey = (resolved.key.kind, resolved.key.name)
            resolved_for[skey] = resolved
            by_store.setdefault(skey, []).append((i, remote_ref(item.remote_ref)))
        values: dict[int, bytes | Exception] = {}
        for skey, entries in by_store.items():
            resolved = resolved_for[skey]
            got = await self.reads.get_many(resolved.key, resolved.client, [r for _, r in entries])
            for i, rref in entries:
                values[i] = got[rref]
        for i, item in enumerate(self.es.spec.data):
            where = f"spec.data[{i}]"
            value = values[i]
            if isinstance(value, SecretNotFound) and self.skip_missing:
                self.result.missing.append(
                    f"secret does not exist at provider using {where} (key={item.remote_ref.key})"
                )
                continue
            if isinstance(value, EsoError):
                raise _with_field(value, f"{where}.remoteRef")
            if isinstance(value, Exception):
                raise value
            try:
                decoded = _convert.decode_value(item.remote_ref.decoding_strategy.value, value)
            except ValueError as exc:
                raise SpecError(
                    f"failure decoding key {item.secret_key}: {exc}",
                    field=f"{where}.remoteRef.decodingStrategy",
                ) from None
            _check_null_bytes(item.remote_ref.null_byte_policy, {item.secret_key: decoded}, where)
            self.result.data[item.secret_key] = decoded


async def fetch_provider_data(
    es: ExternalSecret,
    stores: StoreResolver,
    reads: SharedReads,
    transform: Callable[[str, str], str],
    generate: Generate | None = None,
) -> FetchResult:
    """Read everything ``es`` asks for; raises an EsoError naming the entry on failure."""
    fetcher = _Fetcher(es, stores, reads, transform)
    for i, entry in enumerate(es.spec.data_from):
        try:
            await fetcher.data_from(i, entry, generate)
        except EsoError as exc:
            raise _with_field(exc, f"spec.dataFrom[{i}]") from exc.__cause__
    await fetcher.data()
    return fetcher.result
