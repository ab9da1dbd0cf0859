"""Drift repair without a write loop: a Secret someone keeps overwriting is restored with backoff.

eso watches the Secrets it manages and restores one that was edited or deleted behind its
back at once. When another writer (a second controller, a script) keeps overwriting the
same Secret, restoring it at once every time makes the two writers fight as fast as the
API server lets them (ESO#3817, Reloader churn). So repairs of one ExternalSecret's
Secret are counted: the first is immediate; each further one within the quiet window
waits ``backoff_base * 2**n`` seconds, capped at ``backoff_cap`` (the reconcile is
requeued, nothing is written meanwhile), and a Warning Event says that the Secret is
being overwritten. A Secret left alone for two caps starts afresh.

This applies only to repairs: a refresh that is due, or a spec change, writes as usual.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eso.kube.events import Warning

if TYPE_CHECKING:
    from eso.controllers.externalsecret.context import ExternalSecretContext

__all__ = ["REASON_OVERWRITTEN", "DriftLedger", "before_repair"]

REASON_OVERWRITTEN = "SecretOverwritten"
Key = tuple[str, str]


class DriftLedger:
    """Consecutive drift repairs per ExternalSecret (bounded, oldest forgotten first)."""

    def __init__(self, max_entries: int = 20_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: OrderedDict[Key, tuple[int, float]] = OrderedDict()
        self._max = max_entries
        self._clock = clock

    def wait(self, key: Key, base: float, cap: float) -> float:
        """Seconds before the next repair of ``key`` may write (0: now)."""
        entry = self._entries.get(key)
        if entry is None:
            return 0.0
        repairs, last = entry
        elapsed = self._clock() - last
        if elapsed >= 2 * cap:
            del self._entries[key]
            return 0.0
        delay = min(cap, base * float(2 ** min(repairs - 1, 62)))
        return max(0.0, delay - elapsed)

    def repaired(self, key: Key) -> int:
        """Record a repair of ``key`` now; returns how many repairs in a row this is."""
        repairs = self._entries.pop(key, (0, 0.0))[0] + 1
        self._entries[key] = (repairs, self._clock())
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return repairs


async def before_repair(
    ctx: ExternalSecretContext, raw: dict[str, Any], namespace: str, name: str, target: str
) -> float:
    """Called when the Secret must be restored although no refresh is due.

    Returns the seconds to wait before restoring (0: restore now, the repair is recorded).
    """
    settings = ctx.settings
    key = (namespace, name)
    wait = ctx.drift.wait(key, settings.backoff_base, settings.backoff_cap)
    if wait > 0:
        return wait
    if ctx.drift.repaired(key) > 1:
        await ctx.events.event(
            raw,
            Warning,
            REASON_OVERWRITTEN,
            f'Secret "{namespace}/{target}" keeps being changed by another writer; eso restores it '
            f"with a growing delay (at most {settings.backoff_cap:g}s) instead of fighting over it",
        )
    return 0.0
