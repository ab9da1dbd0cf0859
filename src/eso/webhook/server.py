"""The webhook's HTTP side: admission endpoints over HTTPS, health and metrics over HTTP.

:class:`WebhookServer` serves, on the HTTPS listener (``--bind-address``:``--port``),
``POST`` on every path of :data:`~eso.webhook.configuration.WEBHOOK_KINDS` (AdmissionReview
v1 in and out) plus ``GET /healthz`` and ``/readyz``; the same health endpoints on
``--healthz-addr`` and ``/metrics`` on ``--metrics-addr`` (plain HTTP, 127.0.0.1 by
default, ``0`` disables). ``/readyz`` fails (503, with the reason) until a valid
serving certificate is loaded (:meth:`ServingCertificate.problem`).

A malformed request (not JSON, not an AdmissionReview, a required field missing) gets
400 with a ``Status`` body naming the problem; an oversized one 413. No request can
crash the server: the validator never raises and every other failure is a 500 Status.
"""

from __future__ import annotations

import json
import time
from typing import Any

from aiohttp import web

from eso.errors import ConfigError, SpecError
from eso.logging import get_logger
from eso.webhook.admission import parse_review, review_response
from eso.webhook.configuration import WEBHOOK_KINDS
from eso.webhook.telemetry import WebhookMetrics
from eso.webhook.tlsreload import ServingCertificate
from eso.webhook.validators import AdmissionValidator

__all__ = ["MAX_BODY_BYTES", "WebhookServer", "parse_addr"]

_log = get_logger("eso.webhook.server")
MAX_BODY_BYTES = 8 * 1024 * 1024
"""An AdmissionReview carries the object and the old object (each up to ~1.5 MiB in etcd)."""


def parse_addr(addr: str) -> tuple[str, int] | None:
    """``host:port`` (``:8081`` means 127.0.0.1:8081); None for ``0`` or empty (disabled)."""
    if addr in ("", "0"):
        return None
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit():
        raise ConfigError(f"invalid listen address {addr!r}: expected host:port")
    return (host or "127.0.0.1"), int(port)


def _status(code: int, reason: str, message: str) -> web.Response:
    body = {"apiVersion": "v1", "kind": "Status", "status": "Failure", "code": code, "reason": reason}
    body["message"] = message
    return web.json_response(body, status=code)


class WebhookServer:
    """The admission, health and metrics endpoints."""

    def __init__(
        self,
        validator: AdmissionValidator,
        certificate: ServingCertificate,
        metrics: WebhookMetrics,
    ) -> None:
        self._validator = validator
        self._certificate = certificate
        self._metrics = metrics
        self._runners: list[web.AppRunner] = []
        self.bound: dict[str, tuple[str, int]] = {}

    # -- handlers -------------------------------------------------------------------

    async def _admit(self, request: web.Request) -> web.Response:
        path = request.path
        self._metrics.in_flight.labels(path).inc()
        started = time.perf_counter()
        response: web.Response | None = None
        try:
            response = await self._decide(request)
            return response
        finally:
            code = str(response.status) if response is not None else "500"
            self._metrics.in_flight.labels(path).dec()
            self._metrics.latency.labels(path).observe(time.perf_counter() - started)
            self._metrics.requests.labels(path, code).inc()

    async def _decide(self, request: web.Request) -> web.Response:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _status(413, "RequestEntityTooLarge", f"request body exceeds {MAX_BODY_BYTES} bytes")
        if not body:
            return _status(400, "BadRequest", "request body is empty")
        try:
            payload: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _status(400, "BadRequest", "request body is not JSON")
        try:
            review = parse_review(payload)
        except SpecError as exc:
            return _status(400, "BadRequest", f"not an AdmissionReview: {exc}")
        verdict = self._validator.review(review)
        self._metrics.admissions.labels(review.kind, review.operation, str(verdict.allowed).lower()).inc()
        _log.debug(
            "admission",
            kind=review.kind,
            operation=review.operation,
            namespace=review.namespace,
            name=review.name,
            allowed=verdict.allowed,
            warnings=len(verdict.warnings),
        )
        answer = review_response(
            review.uid,
            allowed=verdict.allowed,
            message=verdict.message,
            warnings=verdict.warnings,
            api_version=review.api_version,
        )
        return web.json_response(answer)

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _readyz(self, _request: web.Request) -> web.Response:
        problem = self._certificate.problem()
        if problem is None:
            return web.Response(text="ok")
        return web.Response(status=503, text=f"certs: {problem}")

    async def _serve_metrics(self, _request: web.Request) -> web.Response:
        return web.Response(body=self._metrics.exposition(), content_type="text/plain", charset="utf-8")

    # -- applications ---------------------------------------------------------------

    def _health_routes(self) -> list[web.RouteDef]:
        return [web.get("/healthz", self._healthz), web.get("/readyz", self._readyz)]

    def admission_app(self) -> web.Application:
        """The application of the HTTPS listener (tests may serve it without TLS)."""
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.add_routes([web.post(kind.path, self._admit) for kind in WEBHOOK_KINDS])
        app.add_routes(self._health_routes())
        return app

    async def _start(self, name: str, app: web.Application, host: str, port: int, **site: Any) -> None:
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        tcp = web.TCPSite(runner, host, port, **site)
        try:
            await tcp.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runners.append(runner)
        server = tcp._server
        sockets = getattr(server, "sockets", None) or []
        self.bound[name] = (host, sockets[0].getsockname()[1] if sockets else port)
        _log.info("listening", listener=name, address=f"{host}:{self.bound[name][1]}")

    async def start_https(self, host: str, port: int) -> int:
        """Listen for admission requests over TLS; returns the bound port. Needs a loaded certificate."""
        context = self._certificate.listening_context()
        await self._start("webhook", self.admission_app(), host, port, ssl_context=context)
        return self.bound["webhook"][1]

    async def start_plain(self, healthz_addr: str, metrics_addr: str) -> None:
        """The health and metrics listeners (each skipped when its address is ``0``)."""
        health = parse_addr(healthz_addr)
        if health is not None:
            app = web.Application()
            app.add_routes(self._health_routes())
            await self._start("healthz", app, *health)
        metrics = parse_addr(metrics_addr)
        if metrics is not None:
            app = web.Application()
            app.add_routes([web.get("/metrics", self._serve_metrics)])
            await self._start("metrics", app, *metrics)

    async def stop(self) -> None:
        """Stop every listener."""
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()
