"""``spec.provider.fake``: values listed in the store spec, plus whatever is pushed.

Each store (kind, namespace, name) has its own in-memory table, held by the provider
object (one per operator process, injected; no module globals). Entries are keyed by
``key + version`` as ESO does. Reads of a missing key, version or property raise
SecretNotFound. ``find`` supports ``name.regexp`` only. Pushing over a key that the
spec defines is refused ("key already exists"); deleting removes pushed entries only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from eso.api._base import Model
from eso.api.providers.fake import FakeProvider
from eso.errors import CapabilityError, SecretNotFound, SpecError
from eso.providers import _convert, _gjson, _jsonmap
from eso.providers.base import (
    CallRecorder,
    Capabilities,
    FindQuery,
    KubeAccess,
    PushEntry,
    PushSource,
    RemoteRef,
    SecretsClient,
    StoreContext,
    ValidationResult,
)

__all__ = ["FakeSecretsClient", "FakeStoreProvider"]

_PROVIDER_LABEL = "Fake"
StoreId = tuple[str, str, str]


class FakeStoreProvider:
    """The Provider for ``spec.provider.fake``."""

    name = "fake"

    def __init__(self) -> None:
        self._pushed: dict[StoreId, dict[str, bytes]] = {}

    def parse_spec(self, raw: Mapping[str, Any]) -> Model:
        try:
            return FakeProvider.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise SpecError(first["msg"], field=f"spec.provider.fake.{where}") from None

    def capabilities(self, spec: Model) -> Capabilities:
        return Capabilities.READ_WRITE

    def rate_limit(self, spec: Model) -> tuple[float, int]:
        return 0.0, 1

    def depends_on_consumer(self, spec: Model) -> bool:
        return False

    def validate_store(self, store: StoreContext) -> list[str]:
        spec = _spec(store)
        for i, entry in enumerate(spec.data):
            if not entry.key:
                raise SpecError(f"key must be set in data {i}", field=f"spec.provider.fake.data[{i}].key")
            if not entry.value:
                raise SpecError(
                    f"at least one value must be set in data {i}", field=f"spec.provider.fake.data[{i}].value"
                )
        return ["store uses the fake provider, which is meant for tests and isn't currently maintained"]

    async def new_client(
        self, store: StoreContext, kube: KubeAccess, recorder: CallRecorder | None = None
    ) -> SecretsClient:
        spec = _spec(store)
        static = {e.key + (e.version or ""): e.value.encode() for e in spec.data}
        latest: dict[str, tuple[str, str]] = {}
        for e in spec.data:
            version = e.version or ""
            if e.key not in latest or version > latest[e.key][0]:
                latest[e.key] = (version, e.value)
        store_id = (store.kind.value, store.namespace or "", store.name)
        pushed = self._pushed.setdefault(store_id, {})
        return FakeSecretsClient(
            static, {k: v.encode() for k, (_, v) in latest.items()}, pushed, spec, recorder
        )


def _spec(store: StoreContext) -> FakeProvider:
    if not isinstance(store.spec, FakeProvider):
        raise SpecError("not a fake provider spec", field="spec.provider.fake")
    return store.spec


class FakeSecretsClient:
    """SecretsClient over one fake store's table."""

    def __init__(
        self,
        static: dict[str, bytes],
        latest: dict[str, bytes],
        pushed: dict[str, bytes],
        spec: FakeProvider,
        recorder: CallRecorder | None,
    ) -> None:
        self._static = static
        self._latest = latest
        self._pushed = pushed
        self._spec = spec
        self._recorder = recorder
        self.calls = 0

    def _record(self, call: str, ok: bool = True) -> None:
        self.calls += 1
        if self._recorder:
            self._recorder(_PROVIDER_LABEL, call, "success" if ok else "error")

    def _lookup(self, key: str, version: str | None) -> bytes:
        full = key + (version or "")
        if full in self._pushed:
            return self._pushed[full]
        if full in self._static:
            return self._static[full]
        raise SecretNotFound(f"secret {key} does not exist" + (f" at version {version}" if version else ""))

    async def get_secret(self, ref: RemoteRef) -> bytes:
        self._record("GetSecret")
        value = self._lookup(ref.key, ref.version)
        if not ref.property:
            return value
        found = _gjson.get_path(value, ref.property)
        if found is None:
            raise SecretNotFound(f"key {ref.property} does not exist in secret {ref.key}")
        return found.encode()

    async def get_secret_map(self, ref: RemoteRef) -> dict[str, bytes]:
        value = await self.get_secret(ref)
        return _jsonmap.explode_json_object(value, ref.key)

    async def get_all_secrets(self, find: FindQuery) -> dict[str, bytes]:
        self._record("FindSecrets")
        if find.tags:
            raise CapabilityError("find by tags is not supported by the fake provider")
        if not find.name_regexp:
            raise SpecError("unexpected find operator: set name.regexp", field="find.name")
        try:
            pattern = re.compile(find.name_regexp)
        except re.error as exc:
            raise SpecError(f"invalid regexp {find.name_regexp!r}: {exc}", field="find.name.regexp") from None
        found = {k: v for k, v in {**self._latest, **self._pushed}.items() if pattern.search(k)}
        return _convert.convert_keys(find.conversion_strategy, found)

    async def push_secret(self, source: PushSource, entry: PushEntry) -> None:
        self._record("PushSecret")
        if entry.remote_key in self._static:
            raise SpecError(f"key already exists: {entry.remote_key} is defined by the store spec")
        if entry.secret_key is None:
            value = json.dumps({k: v.decode("utf-8", "replace") for k, v in source.data.items()}).encode()
        elif entry.secret_key in source.data:
            value = source.data[entry.secret_key]
        else:
            raise SpecError(f"secret key {entry.secret_key} does not exist in Secret {source.name}")
        self._pushed[entry.remote_key] = value

    async def delete_secret(self, entry: PushEntry) -> None:
        self._record("DeleteSecret")
        self._pushed.pop(entry.remote_key, None)

    async def secret_exists(self, entry: PushEntry) -> bool:
        self._record("SecretExists")
        return entry.remote_key in self._pushed or entry.remote_key in self._static

    async def validate(self) -> ValidationResult:
        result = self._spec.validation_result or 0
        return ValidationResult(result) if result in (0, 1, 2) else ValidationResult.ERROR

    async def close(self) -> None:
        return None
