"""HTTP endpoints: ``/metrics`` on ``--metrics-addr``, ``/healthz`` and ``/readyz`` on ``--live-addr``.

Both bind the address given (127.0.0.1 by default; ``0`` disables). ``/readyz`` is
200 once the informer caches have synced, 503 before.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from eso.errors import ConfigError
from eso.metrics import Metrics

__all__ = ["HTTPServers", "parse_addr"]


def parse_addr(addr: str) -> tuple[str, int] | None:
    """``host:port`` (``:8080`` means 127.0.0.1:8080); None for ``0`` or empty (disabled)."""
    if addr in ("", "0"):
        return None
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit():
        raise ConfigError(f"invalid listen address {addr!r}: expected host:port")
    return (host or "127.0.0.1"), int(port)


class HTTPServers:
    """The metrics and health servers."""

    def __init__(self, metrics: Metrics, ready: Callable[[], bool]) -> None:
        self._metrics = metrics
        self._ready = ready
        self._runners: list[web.AppRunner] = []
        self.bound: dict[str, tuple[str, int]] = {}

    async def _serve_metrics(self, _request: web.Request) -> web.Response:
        return web.Response(body=self._metrics.exposition(), content_type="text/plain", charset="utf-8")

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _readyz(self, _request: web.Request) -> web.Response:
        if self._ready():
            return web.Response(text="ok")
        return web.Response(status=503, text="caches not synced")

    async def start(self, metrics_addr: str, health_addr: str) -> None:
        """Listen on the configured addresses."""
        routes = {
            "metrics": (metrics_addr, [web.get("/metrics", self._serve_metrics)]),
            "health": (health_addr, [web.get("/healthz", self._healthz), web.get("/readyz", self._readyz)]),
        }
        for name, (addr, handlers) in routes.items():
            target = parse_addr(addr)
            if target is None:
                continue
            app = web.Application()
            app.add_routes(handlers)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, target[0], target[1])
            await site.start()
            addresses = runner.addresses
            port = int(addresses[0][1]) if addresses else target[1]
            self.bound[name] = (target[0], port)
            self._runners.append(runner)

    async def stop(self) -> None:
        """Stop listening."""
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()
