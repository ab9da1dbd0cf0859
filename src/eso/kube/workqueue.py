"""A work queue of object keys for reconcilers, in the style of client-go's.

* **Dedup**: a key waits in the queue at most once; adding it again is a no-op.
* **One worker per key**: a key being processed is not handed out again; if it is
  added meanwhile it is marked dirty and re-queued when the worker calls :meth:`done`.
* **Priorities**: keys added with ``priority=True`` (objects never synced yet) are
  handed out before the others, so a new ExternalSecret does not wait behind thousands
  of periodic refreshes.
* **Delays**: :meth:`add_after` schedules a key (the earliest schedule wins) with
  optional jitter, which spreads refreshes that would otherwise fire together. With
  ``tick`` > 0 a due time is rounded up to the next multiple of ``tick`` seconds, so keys
  due within one tick are handed out together (their provider reads then share batches)
  while the load stays spread over the ticks.
* **Backoff**: :meth:`add_rate_limited` re-queues a failing key after
  ``base * 2**failures`` seconds, capped; :meth:`forget` resets it after a success.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import math
import random
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Generic, Protocol, TypeVar

__all__ = ["QueueObserver", "WorkQueue"]

K = TypeVar("K", bound=Hashable)


class QueueObserver(Protocol):
    """Receives queue measurements (depth, time waited, adds); see eso.metrics."""

    def on_depth(self, depth: int) -> None:
        """The number of keys waiting changed."""

    def on_add(self) -> None:
        """A key was added."""

    def on_latency(self, seconds: float) -> None:
        """A key waited ``seconds`` between being queued and handed to a worker."""

    def on_retry(self) -> None:
        """A key was re-queued with backoff."""


class WorkQueue(Generic[K]):
    """Async work queue; see the module docstring for its guarantees."""

    def __init__(
        self,
        *,
        backoff_base: float = 1.0,
        backoff_cap: float = 300.0,
        tick: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        observer: QueueObserver | None = None,
    ) -> None:
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.tick = tick
        self._clock = clock
        self._observer = observer
        self._high: deque[K] = deque()
        self._normal: deque[K] = deque()
        self._queued: dict[K, bool] = {}  # key -> is priority
        self._queued_at: dict[K, float] = {}
        self._processing: set[K] = set()
        self._dirty: dict[K, bool] = {}
        self._failures: dict[K, int] = {}
        self._delayed: list[tuple[float, int, K]] = []
        self._delayed_due: dict[K, float] = {}
        self._seq = itertools.count()
        self._ready = asyncio.Condition()
        self._timer_wakeup = asyncio.Event()
        self._timer: asyncio.Task[None] | None = None
        self._shutdown = False

    # -- adding -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._queued)

    def __contains__(self, key: object) -> bool:
        return key in self._queued

    @property
    def delayed_count(self) -> int:
        """Keys scheduled for later."""
        return len(self._delayed_due)

    def add(self, key: K, *, priority: bool = False) -> None:
        """Queue ``key`` now (no-op if it is already waiting)."""
        if self._shutdown:
            return
        if key in self._processing:
            self._dirty[key] = self._dirty.get(key, False) or priority
            return
        current = self._queued.get(key)
        if current is not None:
            if priority and not current:
                self._queued[key] = True
                self._high.append(key)
            return
        self._queued[key] = priority
        self._queued_at[key] = self._clock()
        (self._high if priority else self._normal).append(key)
        if self._observer:
            self._observer.on_add()
            self._observer.on_depth(len(self._queued))
        self._notify()

    def add_after(self, key: K, delay: float, *, jitter: float = 0.0) -> None:
        """Queue ``key`` after ``delay`` seconds (plus up to ``jitter`` x delay, random)."""
        if self._shutdown:
            return
        if jitter > 0:
            delay += delay * jitter * random.random()  # noqa: S311 - spreading load, not security
        if delay <= 0:
            self.add(key)
            return
        due = self._clock() + delay
        if self.tick > 0:
            due = math.ceil(due / self.tick) * self.tick
        if self._delayed_due.get(key, float("inf")) <= due:
            return
        self._delayed_due[key] = due
        heapq.heappush(self._delayed, (due, next(self._seq), key))
        self._ensure_timer()
        self._timer_wakeup.set()

    def add_rate_limited(self, key: K, cap: float | None = None) -> float:
        """Re-queue a failing ``key`` with exponential backoff; returns the delay used.

        ``cap`` overrides the queue's ``backoff_cap`` for this call.
        """
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        limit = self.backoff_cap if cap is None else cap
        delay: float = min(limit, self.backoff_base * float(2 ** min(failures, 62)))
        if self._observer:
            self._observer.on_retry()
        self.add_after(key, delay)
        return delay

    def forget(self, key: K) -> None:
        """Reset the backoff of ``key`` (after a success)."""
        self._failures.pop(key, None)

    def failures(self, key: K) -> int:
        """How many times ``key`` failed in a row."""
        return self._failures.get(key, 0)

    def cancel_delayed(self, key: K) -> None:
        """Drop a scheduled re-queue of ``key`` (for example after the object was deleted)."""
        self._delayed_due.pop(key, None)

    # -- taking ---------------------------------------------------------------------

    async def get(self) -> K | None:
        """Wait for a key; None once the queue is shut down."""
        async with self._ready:
            while True:
                if self._shutdown:
                    return None
                key = self._pop()
                if key is not None:
                    return key
                await self._ready.wait()

    def done(self, key: K) -> None:
        """A worker finished ``key``; re-queue it if it was added meanwhile."""
        self._processing.discard(key)
        if key in self._dirty:
            priority = self._dirty.pop(key)
            self.add(key, priority=priority)

    def shutdown(self) -> None:
        """Wake every waiter with None and stop the timer."""
        self._shutdown = True
        if self._timer is not None:
            self._timer.cancel()
        self._notify()

    # -- internals ------------------------------------------------------------------

    def _pop(self) -> K | None:
        for dq in (self._high, self._normal):
            while dq:
                key = dq.popleft()
                priority = self._queued.get(key)
                if priority is None or (dq is self._normal and priority):
                    continue  # stale entry: already handed out, or moved to the high lane
                del self._queued[key]
                queued_at = self._queued_at.pop(key, None)
                self._processing.add(key)
                if self._observer:
                    self._observer.on_depth(len(self._queued))
                    if queued_at is not None:
                        self._observer.on_latency(self._clock() - queued_at)
                return key
        return None

    def _notify(self) -> None:
        async def _wake() -> None:
            async with self._ready:
                self._ready.notify_all()

        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().create_task(_wake())

    def _ensure_timer(self) -> None:
        if self._timer is None or self._timer.done():
            with contextlib.suppress(RuntimeError):
                self._timer = asyncio.get_running_loop().create_task(
                    self._run_timer(), name="workqueue-timer"
                )

    async def _run_timer(self) -> None:
        while not self._shutdown:
            now = self._clock()
            while self._delayed and self._delayed[0][0] <= now:
                due, _, key = heapq.heappop(self._delayed)
                if self._delayed_due.get(key) == due:
                    del self._delayed_due[key]
                    self.add(key)
            timeout = (self._delayed[0][0] - now) if self._delayed else None
            self._timer_wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._timer_wakeup.wait(), timeout)
