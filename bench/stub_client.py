"""Start the AWS stub in its own process and drive its control API.

::

    async with StubProcess(latency_ms=20) as stub:
        await stub.put_secrets([{"name": "app/db", "value": '{"user": "u"}'}])
        env = stub.env()              # AWS_* endpoint variables for the operator
        stats = await stub.stats()    # {"calls": {"secretsmanager.GetSecretValue": 3, ...}, ...}
        await stub.faults(rules=[{"api": "GetSecretValue", "error_rate": 0.5}])

The process is started with ``python -m bench.stub_aws``, stopped on exit (SIGTERM, then
SIGKILL), and also stops by itself when this process dies or ``max_seconds`` pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp

from bench.procs import spawn

__all__ = ["StubProcess"]

_CHUNK = 2000


class StubProcess:
    """One running stub (``python -m bench.stub_aws``) and a client for its control API."""

    def __init__(
        self, latency_ms: float = 20.0, max_seconds: float = 4 * 3600.0, log: Path | None = None
    ) -> None:
        self.latency_ms = latency_ms
        self.max_seconds = max_seconds
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        """The endpoint URL (``http://127.0.0.1:PORT``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The stub's process id."""
        return self.proc.pid if self.proc else 0

    def env(self) -> dict[str, str]:
        """Environment variables that point eso's AWS provider at the stub."""
        url = self.url
        return {
            "AWS_ENDPOINT_URL": url,
            "AWS_SECRETSMANAGER_ENDPOINT": url,
            "AWS_SSM_ENDPOINT": url,
            "AWS_STS_ENDPOINT": url,
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": url,
            "AWS_ENDPOINT_URL_SSM": url,
            "AWS_ENDPOINT_URL_STS": url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_REGION": "eu-west-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    async def start(self) -> None:
        """Spawn the stub and wait for its port."""
        argv = [
            sys.executable,
            "-m",
            "bench.stub_aws",
            "--latency-ms",
            str(self.latency_ms),
            "--max-seconds",
            str(self.max_seconds),
            "--parent-pid",
            str(os.getpid()),
        ]
        self.proc = spawn(argv, dict(os.environ), stdout=subprocess.PIPE, log=self.log)
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(self.proc.stdout.readline), timeout=30)
        if not line:
            raise RuntimeError(f"the AWS stub exited before listening (code {self.proc.poll()})")
        self.port = int(json.loads(line)["port"])
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        await self._get("/_stub/health")

    async def stop(self) -> None:
        """Stop the stub (asks, then SIGTERM, then SIGKILL)."""
        if self._session is not None:
            with contextlib.suppress(Exception):
                await self._post("/_stub/shutdown", {})
            await self._session.close()
            self._session = None
        proc = self.proc
        if proc is None:
            return
        try:
            await asyncio.to_thread(proc.wait, 5)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                await asyncio.to_thread(proc.wait, 5)
            except subprocess.TimeoutExpired:
                proc.kill()
                await asyncio.to_thread(proc.wait, 5)
        if proc.stdout is not None:
            proc.stdout.close()
        self.proc = None

    async def __aenter__(self) -> StubProcess:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # -- control API ---------------------------------------------------------------------

    async def _get(self, path: str) -> dict[str, Any]:
        assert self._session is not None
        async with self._session.get(self.url + path) as resp:
            resp.raise_for_status()
            result: dict[str, Any] = await resp.json()
            return result

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        assert self._session is not None
        async with self._session.post(self.url + path, json=body) as resp:
            resp.raise_for_status()
            result: dict[str, Any] = await resp.json()
            return result

    async def put_secrets(self, secrets: Sequence[dict[str, Any]]) -> None:
        """Create or update secrets: ``{"name", "value" | "binary_b64", "tags"?}`` each."""
        for i in range(0, len(secrets), _CHUNK):
            await self._post("/_stub/secrets", {"secrets": list(secrets[i : i + _CHUNK])})

    async def put_parameters(self, parameters: Sequence[dict[str, Any]]) -> None:
        """Create or update SSM parameters: ``{"name", "value", "type"?}`` each."""
        for i in range(0, len(parameters), _CHUNK):
            await self._post("/_stub/parameters", {"parameters": list(parameters[i : i + _CHUNK])})

    async def stats(self, *, timeline: bool = False, since: float = 0.0) -> dict[str, Any]:
        """Calls by API (and the per-second timeline since ``since``, epoch seconds)."""
        query = f"?timeline=1&since={since}" if timeline else ""
        return await self._get("/_stub/stats" + query)

    async def reset(self) -> None:
        """Zero the counters."""
        await self._post("/_stub/reset", {})

    async def faults(
        self, *, latency_ms: float | None = None, rules: list[dict[str, Any]] | None = None
    ) -> None:
        """Change the added latency and/or replace the fault rules."""
        body: dict[str, Any] = {}
        if latency_ms is not None:
            body["latency_ms"] = latency_ms
        if rules is not None:
            body["rules"] = rules
        await self._post("/_stub/faults", body)
