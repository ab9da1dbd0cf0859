"""Leader election with a ``coordination.k8s.io/v1`` Lease, as client-go does it.

A candidate acquires the Lease when it is free or expired (``renewTime`` older than
``leaseDurationSeconds``), then renews it every ``retry_period``. If it cannot renew
for ``renew_deadline`` it stops being leader at once: :attr:`is_leader` turns False
(the operator's write guard refuses every further write) and ``on_lost`` runs.
Updates use the Lease's resourceVersion, so two candidates never both win.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog

from eso.api.resources import LEASE
from eso.errors import Conflict, KubeAPIError, NotFound
from eso.kube.client import KubeClient

__all__ = ["LeaderElector"]

_log = structlog.get_logger("eso.kube.leader")


def _micro_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_micro(value: str | None) -> float:
    if not value:
        return 0.0
    text = value.replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return 0.0


class LeaderElector:
    """Campaigns for a Lease and keeps it while alive."""

    def __init__(
        self,
        client: KubeClient,
        *,
        namespace: str,
        name: str,
        identity: str,
        lease_duration: float = 15.0,
        renew_deadline: float = 10.0,
        retry_period: float = 2.0,
        on_started: Callable[[], Awaitable[None]] | None = None,
        on_lost: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._client = client
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.lease_duration = lease_duration
        self.renew_deadline = renew_deadline
        self.retry_period = retry_period
        self._on_started = on_started
        self._on_lost = on_lost
        self._leader = False
        self._last_renew = 0.0
        self._task: asyncio.Task[None] | None = None
        self.became_leader_at: float | None = None

    @property
    def is_leader(self) -> bool:
        """True while this process holds a Lease it renewed within ``renew_deadline``."""
        return self._leader and (time.monotonic() - self._last_renew) < self.renew_deadline

    def start(self) -> None:
        """Start campaigning in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="leader-election")

    async def stop(self, release: bool = True) -> None:
        """Stop campaigning; release the Lease so a successor does not wait for expiry."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if release and self._leader:
            with contextlib.suppress(KubeAPIError):
                await self._release()
        self._leader = False

    async def _run(self) -> None:
        while True:
            try:
                held = await self._try_acquire_or_renew()
            except KubeAPIError as exc:
                _log.warning("lease update failed", lease=self.name, error=str(exc))
                held = False
            now = time.monotonic()
            if held:
                self._last_renew = now
                if not self._leader:
                    self._leader = True
                    self.became_leader_at = time.time()
                    _log.info("became leader", lease=f"{self.namespace}/{self.name}", identity=self.identity)
                    if self._on_started:
                        await self._on_started()
            elif self._leader and now - self._last_renew >= self.renew_deadline:
                self._leader = False
                _log.error("lost leadership", lease=f"{self.namespace}/{self.name}", identity=self.identity)
                if self._on_lost:
                    await self._on_lost()
            await asyncio.sleep(self.retry_period)

    async def _try_acquire_or_renew(self) -> bool:
        now = _micro_now()
        try:
            lease = await self._client.get(LEASE, self.name, self.namespace)
        except NotFound:
            body = {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": self.name, "namespace": self.namespace},
                "spec": self._spec(now, now, transitions=0),
            }
            try:
                await self._client.create(LEASE, body, self.namespace)
            except Conflict:
                return False
            return True
        spec: dict[str, Any] = lease.get("spec") or {}
        holder = spec.get("holderIdentity") or ""
        duration = float(spec.get("leaseDurationSeconds") or self.lease_duration)
        expired = time.time() - _parse_micro(spec.get("renewTime")) > duration
        if holder and holder != self.identity and not expired:
            return False
        transitions = int(spec.get("leaseTransitions") or 0)
        acquire = spec.get("acquireTime") or now
        if holder != self.identity:
            transitions += 1
            acquire = now
        lease["spec"] = self._spec(acquire, now, transitions)
        try:
            await self._client.replace(LEASE, lease)
        except Conflict:
            return False
        return True

    def _spec(self, acquire: str, renew: str, transitions: int) -> dict[str, Any]:
        return {
            "holderIdentity": self.identity,
            "leaseDurationSeconds": round(self.lease_duration),
            "acquireTime": acquire,
            "renewTime": renew,
            "leaseTransitions": transitions,
        }

    async def _release(self) -> None:
        lease = await self._client.get(LEASE, self.name, self.namespace)
        spec = lease.get("spec") or {}
        if spec.get("holderIdentity") != self.identity:
            return
        spec["holderIdentity"] = ""
        spec["leaseDurationSeconds"] = 1
        spec["renewTime"] = _micro_now()
        lease["spec"] = spec
        await self._client.replace(LEASE, lease)
