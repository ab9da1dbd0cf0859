"""Follow ExternalSecrets and their Secrets in one namespace through watches.

:class:`Tracker` records, by the monotonic clock of this process, when each ExternalSecret
first reported ``Ready=True`` and when each Secret first held the data it must hold (an
``expected`` callback answers that). When the expectation changes (a remote secret was
changed, S3), :meth:`Tracker.expect` forgets the old match so the next one is timed.
Times are those at which the watch event reached this process, so they are an upper
bound (by the benchmark's own event-loop delay) on the operator's real times.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from bench.kube import watch_objects
from eso.api.resources import EXTERNAL_SECRET, SECRET
from eso.kube.client import KubeClient

__all__ = ["Tracker"]

Obj = dict[str, Any]


def _ready(obj: Obj) -> tuple[bool, str]:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True", str(cond.get("reason", ""))
    return False, ""


class Tracker:
    """Ready and correct times of the ExternalSecrets / Secrets of one namespace."""

    def __init__(
        self, client: KubeClient, namespace: str, expected: Callable[[str], dict[str, str] | None]
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.expected = expected
        self.ready_at: dict[str, float] = {}
        self.correct_at: dict[str, float] = {}
        self.reasons: dict[str, str] = {}
        self.data: dict[str, dict[str, str]] = {}
        self.events: Counter[str] = Counter()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._changed = asyncio.Event()

    async def start(self) -> None:
        """Start both watches (the current objects are read first)."""
        self._tasks = [
            asyncio.create_task(self._follow_es()),
            asyncio.create_task(self._follow_secrets()),
        ]
        await asyncio.sleep(0)

    async def stop(self) -> None:
        """Stop the watches."""
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []

    async def _follow_es(self) -> None:
        async for etype, obj in watch_objects(self.client, EXTERNAL_SECRET, self.namespace, self._stop):
            self.events[f"externalsecret {etype}"] += 1
            name = str(obj["metadata"]["name"])
            if etype == "DELETED":
                self.ready_at.pop(name, None)
                continue
            ready, reason = _ready(obj)
            self.reasons[name] = reason
            if ready and name not in self.ready_at:
                self.ready_at[name] = time.monotonic()
                self._changed.set()

    async def _follow_secrets(self) -> None:
        async for etype, obj in watch_objects(self.client, SECRET, self.namespace, self._stop):
            self.events[f"secret {etype}"] += 1
            name = str(obj["metadata"]["name"])
            if etype == "DELETED":
                self.data.pop(name, None)
                self.correct_at.pop(name, None)
                continue
            self.data[name] = dict(obj.get("data") or {})
            self._check(name)

    def _check(self, name: str) -> None:
        if name in self.correct_at:
            return
        want = self.expected(name)
        if want is not None and self.data.get(name) == want:
            self.correct_at[name] = time.monotonic()
            self._changed.set()

    def expect(self, names: Iterable[str]) -> None:
        """The expected data of ``names`` changed: time their next match."""
        for name in names:
            self.correct_at.pop(name, None)
            self._check(name)

    def done(self, names: Iterable[str]) -> bool:
        """True when every one is Ready and its Secret correct."""
        return all(n in self.ready_at and n in self.correct_at for n in names)

    async def wait(self, names: list[str], within: float, *, ready: bool = True) -> bool:
        """Wait until every one of ``names`` is correct (and Ready); False on timeout."""
        deadline = time.monotonic() + within
        while True:
            if all(n in self.correct_at and (not ready or n in self.ready_at) for n in names):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=min(remaining, 1.0))

    def not_done(self, names: Iterable[str]) -> dict[str, int]:
        """Reasons of those not done yet (for a timed-out wait)."""
        out: Counter[str] = Counter()
        for name in names:
            if name not in self.ready_at:
                out[f"not ready: {self.reasons.get(name) or 'no status'}"] += 1
            elif name not in self.correct_at:
                out["secret not correct"] += 1
        return dict(out)
