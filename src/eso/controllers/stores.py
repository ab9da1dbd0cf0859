"""Finding the store an object refers to, and a provider client for it.

ESO's ``secretstore.Manager`` (eso-api §2.4), with eso's differences:

* stores come from informer caches, parsed once per resourceVersion;
* a ClusterSecretStore's ``conditions`` are checked on every use;
* the flood gate (``--enable-flood-gate``) requires the store to be Ready;
* clients are cached across reconciles (:mod:`eso.providers.clientcache`) instead of
  being rebuilt, and re-authenticated, for every reconcile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from eso.api.meta import SecretStoreKind
from eso.api.resources import NAMESPACE
from eso.api.secretstore import ClusterSecretStore, SecretStore
from eso.errors import NotFound, ProviderUnavailable, SpecError
from eso.kube import selectors
from eso.kube.client import KubeClient
from eso.kube.informer import Informer
from eso.providers.base import CallRecorder, KubeAccess, Provider, SecretsClient, StoreContext, StoreKind
from eso.providers.clientcache import ClientCache, ClientKey
from eso.providers.guard import BreakerSettings, guard
from eso.providers.registry import ProviderRegistry
from eso.settings import ControllerSettings

__all__ = ["ResolvedStore", "StoreResolver", "store_context"]

Store = SecretStore | ClusterSecretStore


@dataclass(frozen=True)
class ResolvedStore:
    """A usable store: its model, provider, context and a (cached) client."""

    store: Store
    provider: Provider
    context: StoreContext
    client: SecretsClient
    key: ClientKey


def store_context(store: Store, provider: Provider, consumer_namespace: str | None) -> StoreContext:
    """The provider-facing description of ``store``; SpecError if its spec is invalid."""
    spec = provider.parse_spec(store.spec.provider.provider_raw())
    retry = store.spec.retry_settings
    retry_interval: float | None = None
    if retry is not None and retry.retry_interval:
        from eso.api.duration import parse_duration

        retry_interval = parse_duration(retry.retry_interval, field="spec.retrySettings.retryInterval")
    return StoreContext(
        kind=StoreKind(store.kind),
        name=store.name,
        namespace=store.namespace or None,
        spec=spec,
        consumer_namespace=consumer_namespace,
        uid=store.metadata.uid,
        resource_version=store.metadata.resource_version,
        retry_max=retry.max_retries if retry else None,
        retry_interval_seconds=retry_interval,
    )


class StoreResolver:
    """Looks stores up in the caches and hands out provider clients."""

    def __init__(
        self,
        *,
        client: KubeClient,
        secret_stores: Informer | None,
        cluster_stores: Informer | None,
        namespaces: Informer | None,
        registry: ProviderRegistry,
        cache: ClientCache,
        kube_access: KubeAccess,
        settings: ControllerSettings,
        recorder: CallRecorder | None = None,
    ) -> None:
        self._client = client
        self._secret_stores = secret_stores
        self._cluster_stores = cluster_stores
        self._namespaces = namespaces
        self._registry = registry
        self._cache = cache
        self._kube_access = kube_access
        self._settings = settings
        self._recorder = recorder
        self._parsed: dict[tuple[str, str, str], tuple[str, Store]] = {}

    @property
    def registry(self) -> ProviderRegistry:
        """The providers served."""
        return self._registry

    @property
    def cache(self) -> ClientCache:
        """The provider client cache."""
        return self._cache

    def lookup(self, kind: SecretStoreKind | str, name: str, namespace: str) -> Store | None:
        """The store named by a reference from ``namespace``, or None if it does not exist."""
        cluster = str(kind) == SecretStoreKind.CLUSTER_SECRET_STORE.value
        informer = self._cluster_stores if cluster else self._secret_stores
        if informer is None:
            return None
        raw = informer.get(None if cluster else namespace, name)
        if raw is None:
            return None
        key = (str(kind), "" if cluster else namespace, name)
        rv = str((raw.get("metadata") or {}).get("resourceVersion", ""))
        cached = self._parsed.get(key)
        if cached and cached[0] == rv:
            return cached[1]
        model: Store = ClusterSecretStore.model_validate(raw) if cluster else SecretStore.model_validate(raw)
        self._parsed[key] = (rv, model)
        return model

    def is_unmanaged(self, store: Store) -> bool:
        """True when the store belongs to another controller class."""
        wanted = store.spec.controller
        return bool(wanted) and wanted != self._settings.controller_class

    async def namespace_labels(self, namespace: str) -> dict[str, str]:
        """Labels of a namespace (from the cache when namespaces are watched)."""
        raw: dict[str, Any] | None = None
        if self._namespaces is not None:
            raw = self._namespaces.get(None, namespace)
        if raw is None:
            try:
                raw = await self._client.get(NAMESPACE, namespace)
            except NotFound:
                return {}
        return dict((raw.get("metadata") or {}).get("labels") or {})

    async def allowed_from(self, store: ClusterSecretStore, namespace: str) -> bool:
        """ClusterSecretStore ``conditions``: any condition, any of its clauses, matches."""
        if not store.spec.conditions:
            return True
        labels = await self.namespace_labels(namespace)
        for cond in store.spec.conditions:
            if cond.namespace_selector is not None and selectors.matches(cond.namespace_selector, labels):
                return True
            if namespace in cond.namespaces:
                return True
            for pattern in cond.namespace_regexes:
                try:
                    if re.search(pattern, namespace):
                        return True
                except re.error:
                    continue
        return False

    async def resolve(
        self,
        kind: SecretStoreKind | str,
        name: str,
        consumer_namespace: str,
        *,
        field: str,
        require_ready: bool | None = None,
    ) -> ResolvedStore:
        """A client for the store named from ``consumer_namespace``; raises with the reason."""
        display = f'{kind} "{name}"'
        store = self.lookup(kind, name, consumer_namespace)
        if store is None:
            where = (
                ""
                if str(kind) == SecretStoreKind.CLUSTER_SECRET_STORE.value
                else f" in namespace {consumer_namespace}"
            )
            raise SpecError(f"{display} not found{where}", field=field)
        if self.is_unmanaged(store):
            raise SpecError(f"can not reference unmanaged store {display}", field=field)
        if isinstance(store, ClusterSecretStore) and not await self.allowed_from(store, consumer_namespace):
            raise SpecError(
                f'using cluster store "{name}" is not allowed from namespace "{consumer_namespace}": '
                "denied by spec.condition",
                field=field,
            )
        gate = self._settings.enable_flood_gate if require_ready is None else require_ready
        if gate and not _is_ready(store):
            why = _ready_message(store) or "it has not been validated yet"  # ESO#6832: name the cause
            raise ProviderUnavailable(f"{display} is not ready: {why}", field=field)
        provider = self._registry.get(store.spec.provider.provider_name(), field="spec.provider")
        context = store_context(store, provider, consumer_namespace)
        key = ClientKey(
            kind=str(store.kind),
            namespace=store.namespace,
            name=store.name,
            uid=store.metadata.uid,
            generation=store.metadata.generation,
            consumer_namespace=(
                consumer_namespace if store.is_cluster and provider.depends_on_consumer(context.spec) else ""
            ),
        )
        client = await self._cache.get(key, lambda: self._new_client(provider, context))
        return ResolvedStore(store, provider, context, client, key)

    async def _new_client(self, provider: Provider, context: StoreContext) -> SecretsClient:
        """A provider client behind the store's rate limit and circuit breaker."""
        client = await provider.new_client(context, self._kube_access, self._recorder)
        qps, burst = provider.rate_limit(context.spec) if self._settings.provider_rate_limits else (0.0, 1)
        breaker = BreakerSettings() if self._settings.circuit_breaker else BreakerSettings(threshold=10**9)
        return guard(client, qps=qps, burst=burst, breaker=breaker)


def _is_ready(store: Store) -> bool:
    for cond in store.status.conditions if store.status else []:
        if cond.type == "Ready":
            return cond.status == "True"
    return False


def _ready_message(store: Store) -> str:
    """The message of the store's Ready condition (eso's own text, never secret data)."""
    for cond in store.status.conditions if store.status else []:
        if cond.type == "Ready":
            return str(cond.message or "")
    return ""
