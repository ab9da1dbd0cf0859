"""The shared collaborators every controller builder uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from eso.api import constants
from eso.api.resources import CLUSTER_SECRET_STORE, NAMESPACE, SECRET, SECRET_STORE, ResourceInfo
from eso.controllers.externalsecret.context import CREATED_BY_INDEX, created_by_values
from eso.controllers.externalsecret.target import summarize_managed_fields
from eso.controllers.kubeaccess import ClusterKubeAccess
from eso.controllers.reads import SharedReads
from eso.controllers.stores import StoreResolver
from eso.controllers.versions import VersionChecks
from eso.kube.client import KubeClient
from eso.kube.controller import Controller, Result
from eso.kube.events import EventRecorder
from eso.kube.informer import Informer, drop_managed_fields
from eso.kube.workqueue import WorkQueue
from eso.metrics import Metrics
from eso.providers.clientcache import ClientCache
from eso.providers.registry import ProviderRegistry
from eso.settings import OperatorSettings

__all__ = ["Wiring"]

Key = tuple[str, str]


@dataclass
class Wiring:
    """Everything a builder needs; builders add informers and controllers to it."""

    settings: OperatorSettings
    client: KubeClient
    metrics: Metrics
    registry: ProviderRegistry
    engine: Any
    cache: ClientCache
    kube_access: ClusterKubeAccess
    informers: dict[tuple[str, str | None], Informer] = field(default_factory=dict)
    controllers: list[Controller[Any]] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)

    @property
    def namespace(self) -> str | None:
        """The one namespace watched, or None for all."""
        return self.settings.controller.namespace

    def informer(
        self, info: ResourceInfo, *, label_selector: str | None = None, cluster: bool = False
    ) -> Informer:
        """The informer for ``info`` (created on first use, shared afterwards)."""
        key = (info.plural, label_selector)
        if key not in self.informers:
            transform = summarize_managed_fields if info is SECRET else drop_managed_fields
            namespace = None if cluster or not info.namespaced else self.namespace
            self.informers[key] = Informer(
                self.client, info, namespace=namespace, label_selector=label_selector, transform=transform
            )
        return self.informers[key]

    def managed_secrets(self) -> Informer:
        """Secrets labelled ``reconcile.external-secrets.io/managed=true`` (and no others)."""
        label_selector = f"{constants.LABEL_MANAGED}={constants.LABEL_MANAGED_VALUE}"
        fresh = (SECRET.plural, label_selector) not in self.informers
        informer = self.informer(SECRET, label_selector=label_selector)
        if fresh:
            informer.add_index(CREATED_BY_INDEX, created_by_values)
        return informer

    def namespaces(self) -> Informer | None:
        """Namespaces (None when eso watches a single namespace)."""
        return self.informer(NAMESPACE) if self.namespace is None else None

    def store_resolver(self) -> StoreResolver:
        """The one StoreResolver (store lookups, conditions, client cache)."""
        if "stores" not in self.shared:
            c = self.settings.controller
            ss = self.informer(SECRET_STORE) if c.enable_secret_store_reconciler else None
            css = (
                self.informer(CLUSTER_SECRET_STORE)
                if c.enable_cluster_store_reconciler and self.namespace is None
                else None
            )
            self.shared["stores"] = StoreResolver(
                client=self.client,
                secret_stores=ss,
                cluster_stores=css,
                namespaces=self.namespaces(),
                registry=self.registry,
                cache=self.cache,
                kube_access=self.kube_access,
                settings=c,
                recorder=self.metrics.provider_call,
            )
        resolver: StoreResolver = self.shared["stores"]
        return resolver

    def shared_reads(self) -> SharedReads:
        """The one SharedReads (coalesced, batched provider reads)."""
        if "reads" not in self.shared:
            c = self.settings.controller
            self.shared["reads"] = SharedReads(
                batching=c.batch_reads,
                ttl=2.0 if c.share_reads else 0.0,
                window=c.read_batch_window,
                versions=VersionChecks(listing_ttl=c.version_listing_ttl, max_reuse=c.version_max_reuse)
                if c.check_versions
                else None,
            )
        reads: SharedReads = self.shared["reads"]
        return reads

    def events(self, component: str) -> EventRecorder:
        """An event recorder for ``component``."""
        return EventRecorder(self.client, component)

    def queue(self, name: str) -> WorkQueue[Key]:
        """A work queue with the configured backoff and metrics."""
        c = self.settings.controller
        return WorkQueue(
            backoff_base=c.backoff_base,
            backoff_cap=c.backoff_cap,
            tick=c.refresh_tick,
            observer=self.metrics.queue(name),
        )

    def controller(
        self, name: str, queue: WorkQueue[Any], reconcile: Callable[[Any], Awaitable[Result]], workers: int
    ) -> Controller[Any]:
        """Register a controller."""
        controller: Controller[Any] = Controller(
            name,
            queue,
            reconcile,
            workers=workers,
            permanent_cap=self.settings.controller.permanent_error_retry,
            observer=self.metrics,
        )
        self.controllers.append(controller)
        return controller
