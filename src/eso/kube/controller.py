"""Controller: N async workers that drain a :class:`WorkQueue` into a reconcile function.

The reconcile function returns a :class:`Result`. ``requeue_after`` schedules the next
look (refreshInterval) with jitter. A failure (an exception, or ``Result(retry=True)``
from a reconcile that reported its own error) re-queues the key with per-key
exponential backoff: the retry is bounded by ``backoff_cap`` for temporary errors and
by ``permanent_cap`` for permanent ones (:func:`is_temporary`), so a broken object is
retried, but rarely, and an object that changes is reconciled at once anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import structlog

from eso.errors import is_temporary
from eso.kube.workqueue import WorkQueue

__all__ = ["Controller", "ReconcileObserver", "Result"]

K = TypeVar("K", bound=Hashable)
_log = structlog.get_logger("eso.kube.controller")


@dataclass(frozen=True, slots=True)
class Result:
    """What a reconcile asks for next.

    ``requeue_after`` None: nothing scheduled (an event will bring the key back).
    ``retry`` True: re-queue with backoff (a failure that was handled and reported);
    ``temporary`` says which backoff cap applies.
    ``jitter``: fraction of ``requeue_after`` added at random to spread the load.
    """

    requeue_after: float | None = None
    retry: bool = False
    temporary: bool = True
    jitter: float = 0.0


class ReconcileObserver(Protocol):
    """Receives reconcile timings and outcomes (see eso.metrics)."""

    def on_reconcile(self, controller: str, seconds: float, outcome: str) -> None:
        """One reconcile finished with ``outcome`` success, error or requeue."""


class Controller(Generic[K]):
    """Runs ``workers`` concurrent reconciles over ``queue``."""

    def __init__(
        self,
        name: str,
        queue: WorkQueue[K],
        reconcile: Callable[[K], Awaitable[Result]],
        *,
        workers: int = 10,
        permanent_cap: float | None = None,
        observer: ReconcileObserver | None = None,
    ) -> None:
        self.name = name
        self.queue = queue
        self._reconcile = reconcile
        self._workers = max(1, workers)
        self._permanent_cap = permanent_cap
        self._observer = observer
        self._tasks: list[asyncio.Task[None]] = []
        self.in_flight = 0

    def start(self) -> None:
        """Start the workers."""
        for i in range(self._workers):
            self._tasks.append(asyncio.create_task(self._worker(), name=f"{self.name}-worker-{i}"))

    async def stop(self) -> None:
        """Stop taking keys and cancel the workers."""
        self.queue.shutdown()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _worker(self) -> None:
        while True:
            key = await self.queue.get()
            if key is None:
                return
            self.in_flight += 1
            try:
                await self._process(key)
            finally:
                self.in_flight -= 1
                self.queue.done(key)

    async def _process(self, key: K) -> None:
        start = time.monotonic()
        outcome = "success"
        try:
            result = await self._reconcile(key)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            outcome = "error"
            temporary = is_temporary(exc)
            delay = self.queue.add_rate_limited(key, None if temporary else self._permanent_cap)
            _log.warning(
                "reconcile failed",
                controller=self.name,
                key=str(key),
                error=str(exc),
                error_type=type(exc).__name__,
                temporary=temporary,
                retry_in=round(delay, 3),
            )
        else:
            if result.retry:
                outcome = "error"
                self.queue.add_rate_limited(key, None if result.temporary else self._permanent_cap)
            else:
                self.queue.forget(key)
                if result.requeue_after is not None:
                    outcome = "requeue" if result.requeue_after == 0 else outcome
                    self.queue.add_after(key, result.requeue_after, jitter=result.jitter)
        finally:
            if self._observer:
                self._observer.on_reconcile(self.name, time.monotonic() - start, outcome)
