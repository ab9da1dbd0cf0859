"""The operator process: builds every collaborator from settings and runs the controllers.

Start-up order: connect → informers (ExternalSecrets, managed Secrets only, stores,
namespaces) → wait until every cache has synced → (become leader, when leader
election is on) → start the workers. Starting workers only after the managed-Secret
cache is warm is what makes a restart cost no Secret writes and no provider calls.
A replica that loses its Lease refuses every write at once and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from dataclasses import dataclass, field
from typing import Any

import structlog

from eso.api import constants
from eso.api.resources import CLUSTER_SECRET_STORE, EXTERNAL_SECRET, NAMESPACE, SECRET, SECRET_STORE
from eso.controllers.externalsecret.context import ExternalSecretContext
from eso.controllers.externalsecret.reconciler import reconcile as reconcile_es
from eso.controllers.externalsecret.target import summarize_managed_fields
from eso.controllers.kubeaccess import ClusterKubeAccess
from eso.controllers.reads import SharedReads
from eso.controllers.secretstore import StoreReconcilerContext, reconcile_store
from eso.controllers.stores import StoreResolver
from eso.kube.client import KubeClient
from eso.kube.config import load_connection
from eso.kube.controller import Controller
from eso.kube.events import EventRecorder
from eso.kube.informer import Informer, object_key
from eso.kube.leader import LeaderElector
from eso.kube.ratelimit import TokenBucket
from eso.kube.workqueue import WorkQueue
from eso.metrics import Metrics
from eso.operator.handlers import ExternalSecretIndex, store_became_usable
from eso.operator.providers import build_registry, build_template_engine
from eso.operator.servers import HTTPServers
from eso.providers.clientcache import ClientCache
from eso.providers.registry import ProviderRegistry
from eso.settings import OperatorSettings

__all__ = ["Operator", "run_operator"]

_log = structlog.get_logger("eso.operator")
Key = tuple[str, str]


@dataclass
class Operator:
    """One running operator; :meth:`start` and :meth:`stop` also serve in-process tests."""

    settings: OperatorSettings
    registry: ProviderRegistry | None = None
    metrics: Metrics = field(default_factory=Metrics)
    exited: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self._informers: list[Informer] = []
        self._controllers: list[Controller[Any]] = []
        self._elector: LeaderElector | None = None
        self._servers = HTTPServers(self.metrics, self.ready)
        self._base: KubeClient | None = None
        self._cache: ClientCache | None = None
        self.exit_code = 0

    # -- lifecycle ------------------------------------------------------------------------

    def ready(self) -> bool:
        """True once every informer cache has synced."""
        return bool(self._informers) and all(i.has_synced for i in self._informers)

    async def start(self) -> None:
        """Connect, warm the caches and start the controllers (or campaign for leadership)."""
        s = self.settings
        connection = load_connection(s.kube.kubeconfig, s.kube.context)
        http = connection.http_client(timeout=s.kube.request_timeout, max_connections=s.kube.max_connections)
        self._base = KubeClient(http, TokenBucket(s.kube.client_qps, s.kube.client_burst))
        le = s.leader_election
        if le.enabled:
            self._elector = LeaderElector(
                self._base, namespace=le.namespace, name=le.lease_id, identity=le.identity,
                lease_duration=le.lease_duration, renew_deadline=le.renew_deadline, retry_period=le.retry_period,
                on_started=self._start_controllers, on_lost=self._lost_leadership,
            )
        elector = self._elector
        client = self._base.with_write_guard(lambda: elector.is_leader) if elector else self._base
        await self._servers.start(s.metrics.metrics_addr, s.metrics.health_addr)
        self._build(client)
        for informer in self._informers:
            informer.start()
        await asyncio.gather(*(i.wait_synced() for i in self._informers))
        _log.info("caches synced", server=connection.server, source=connection.source,
                  external_secrets=len(self._es_informer), managed_secrets=len(self._secret_informer))
        if elector:
            elector.start()
        else:
            await self._start_controllers()

    async def stop(self) -> None:
        """Stop workers, informers, servers; close clients."""
        for controller in self._controllers:
            await controller.stop()
        self._controllers.clear()
        if self._elector:
            await self._elector.stop()
        for informer in self._informers:
            await informer.stop()
        if self._cache:
            await self._cache.close()
        await self._servers.stop()
        if self._base:
            await self._base.close()
        self.exited.set()

    async def _lost_leadership(self) -> None:
        _log.error("leadership lost: stopping")
        self.exit_code = 1
        for controller in self._controllers:
            controller.queue.shutdown()
        self.exited.set()

    # -- wiring ---------------------------------------------------------------------------

    def _build(self, client: KubeClient) -> None:
        s, c = self.settings, self.settings.controller
        ns = c.namespace
        registry = self.registry or build_registry(s)
        self._cache = ClientCache(max_age=c.client_max_age)
        kube_access = ClusterKubeAccess(client, c.service_account)
        self._es_informer = Informer(client, EXTERNAL_SECRET, namespace=ns)
        self._secret_informer = Informer(
            client, SECRET, namespace=ns, label_selector=f"{constants.LABEL_MANAGED}={constants.LABEL_MANAGED_VALUE}",
            transform=summarize_managed_fields,
        )
        ss_informer = Informer(client, SECRET_STORE, namespace=ns) if c.enable_secret_store_reconciler else None
        css_informer = (
            Informer(client, CLUSTER_SECRET_STORE) if c.enable_cluster_store_reconciler and ns is None else None
        )
        ns_informer = Informer(client, NAMESPACE) if ns is None else None
        self._informers = [i for i in (self._es_informer, self._secret_informer, ss_informer, css_informer,
                                       ns_informer) if i is not None]
        stores = StoreResolver(
            client=client, secret_stores=ss_informer, cluster_stores=css_informer, namespaces=ns_informer,
            registry=registry, cache=self._cache, kube_access=kube_access, settings=c,
            recorder=self.metrics.provider_call,
        )
        es_queue: WorkQueue[Key] = WorkQueue(
            backoff_base=c.backoff_base, backoff_cap=c.backoff_cap, observer=self.metrics.queue("externalsecret")
        )
        index = ExternalSecretIndex(es_queue)
        self._es_informer.add_handler(index.on_external_secret)
        self._secret_informer.add_handler(index.on_secret)
        es_ctx = ExternalSecretContext(
            client=client, externalsecrets=self._es_informer, secrets=self._secret_informer, stores=stores,
            reads=SharedReads(batching=c.batch_reads, ttl=2.0 if c.share_reads else 0.0),
            events=EventRecorder(client, constants.RECORDER_EXTERNAL_SECRET),
            metrics=self.metrics, settings=c, engine=build_template_engine(s),
        )

        async def es_reconcile(key: Key) -> Any:
            return await reconcile_es(es_ctx, key)

        self._controllers.append(Controller(
            "externalsecret", es_queue, es_reconcile, workers=c.concurrent,
            permanent_cap=c.permanent_error_retry, observer=self.metrics,
        ))
        for informer, recorder in ((ss_informer, constants.RECORDER_SECRET_STORE),
                                   (css_informer, constants.RECORDER_CLUSTER_SECRET_STORE)):
            if informer is not None:
                self._add_store_controller(client, informer, recorder, stores, kube_access, index)

    def _add_store_controller(
        self, client: KubeClient, informer: Informer, recorder: str, stores: StoreResolver,
        kube_access: ClusterKubeAccess, index: ExternalSecretIndex,
    ) -> None:
        c = self.settings.controller
        queue: WorkQueue[Key] = WorkQueue(
            backoff_base=c.backoff_base, backoff_cap=c.backoff_cap, observer=self.metrics.queue(informer.info.plural)
        )
        ctx = StoreReconcilerContext(
            client=client, informer=informer, info=informer.info, stores=stores, kube_access=kube_access,
            events=EventRecorder(client, recorder), metrics=self.metrics, settings=c,
        )
        cache = self._cache

        async def on_store(etype: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
            key = object_key(obj)
            if etype == "DELETED" or store_became_usable(obj, old):
                if cache is not None and (old is None or etype == "DELETED" or _generation(obj) != _generation(old)):
                    await cache.invalidate_store(informer.info.kind, key[0], key[1])
                index.enqueue_users_of(informer.info.kind, key[0], key[1])
            if etype != "DELETED" and (old is None or _generation(obj) != _generation(old)):
                queue.add(key, priority=old is None)

        informer.add_handler(on_store)

        async def store_reconcile(key: Key) -> Any:
            return await reconcile_store(ctx, key)

        self._controllers.append(Controller(
            informer.info.plural, queue, store_reconcile, workers=2,
            permanent_cap=c.permanent_error_retry, observer=self.metrics,
        ))

    async def _start_controllers(self) -> None:
        for controller in self._controllers:
            controller.start()
        _log.info("controllers started", controllers=[c.name for c in self._controllers])


def _generation(obj: dict[str, Any]) -> Any:
    return (obj.get("metadata") or {}).get("generation")


async def _main(settings: OperatorSettings) -> int:
    operator = Operator(settings)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await operator.start()
        waiter = asyncio.create_task(stop.wait())
        exited = asyncio.create_task(operator.exited.wait())
        await asyncio.wait({waiter, exited}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        exited.cancel()
    finally:
        await operator.stop()
    _log.info("operator stopped", exit_code=operator.exit_code)
    return operator.exit_code


def run_operator(settings: OperatorSettings) -> int:
    """Run until SIGTERM/SIGINT (or lost leadership); returns the exit code."""
    return asyncio.run(_main(settings))
