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

from eso.controllers.kubeaccess import ClusterKubeAccess
from eso.kube.client import KubeClient
from eso.kube.config import load_connection
from eso.kube.controller import Controller
from eso.kube.informer import Informer
from eso.kube.leader import LeaderElector
from eso.kube.ratelimit import TokenBucket
from eso.metrics import Metrics
from eso.operator.providers import build_registry, build_template_engine
from eso.operator.servers import HTTPServers
from eso.operator.wiring import BUILDERS, Wiring
from eso.providers.clientcache import ClientCache
from eso.providers.registry import ProviderRegistry
from eso.settings import OperatorSettings

__all__ = ["Operator", "run_operator"]

_log = structlog.get_logger("eso.operator")


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

    @property
    def endpoints(self) -> dict[str, tuple[str, int]]:
        """Where the metrics and health servers listen (``metrics``, ``health`` → host, port)."""
        return dict(self._servers.bound)

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
                self._base,
                namespace=le.namespace,
                name=le.lease_id,
                identity=le.identity,
                lease_duration=le.lease_duration,
                renew_deadline=le.renew_deadline,
                retry_period=le.retry_period,
                on_started=self._start_controllers,
                on_lost=self._lost_leadership,
            )
        elector = self._elector
        client = self._base.with_write_guard(lambda: elector.is_leader) if elector else self._base
        await self._servers.start(s.metrics.metrics_addr, s.metrics.health_addr)
        self._build(client)
        for informer in self._informers:
            informer.start()
        await asyncio.gather(*(i.wait_synced() for i in self._informers))
        _log.info(
            "caches synced",
            server=connection.server,
            source=connection.source,
            cached={i.info.plural: len(i) for i in self._informers},
        )
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
        s = self.settings
        self._cache = ClientCache(max_age=s.controller.client_max_age)
        wiring = Wiring(
            settings=s,
            client=client,
            metrics=self.metrics,
            registry=self.registry or build_registry(s),
            engine=build_template_engine(s),
            cache=self._cache,
            kube_access=ClusterKubeAccess(client, s.controller.service_account),
        )
        for build in BUILDERS:
            build(wiring)
        self.wiring = wiring
        self._informers = list(wiring.informers.values())
        self._controllers = wiring.controllers

    async def _start_controllers(self) -> None:
        for controller in self._controllers:
            controller.start()
        _log.info("controllers started", controllers=[c.name for c in self._controllers])


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
