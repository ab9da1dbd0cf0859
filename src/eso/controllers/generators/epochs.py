"""One generated value per refresh: a guard against regenerating on a stale view.

The ExternalSecret reconciler decides to refresh from its cached ExternalSecret. Right
after a first sync the cache can still show the object without the status that sync
wrote (the watch event is in flight), and a second reconcile queued meanwhile (by the
finalizer patch, say) decides to refresh again. For provider data that costs a read;
for a generator it would replace the value the first reconcile just wrote.

:class:`Epochs` remembers, for a short time, what was generated for one *refresh
epoch*: the ExternalSecret (uid), the entry, the ExternalSecret's spec and metadata
version, the status the decision was made from (``refreshTime``,
``syncedResourceVersion``) and the generator object's version. Asked again for the same
epoch, it returns the same value. Anything that legitimately asks for a new value
(a due refresh, a force-sync annotation, a spec change, a recreated ExternalSecret)
changes the epoch. Nothing here survives a restart, and nothing needs to: a restarted
operator starts from a freshly listed cache, and a lost epoch never causes a refresh.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from eso.api.externalsecret import ExternalSecret
from eso.api.hashing import synced_resource_version

__all__ = ["Epochs", "epoch_of"]

Epoch = tuple[Hashable, ...]


def epoch_of(es: ExternalSecret, index: int, generator_uid: str, generator_version: str) -> Epoch:
    """The refresh epoch of ``es.spec.dataFrom[index]`` as this reconcile sees it."""
    meta = es.metadata
    status = es.status
    return (
        meta.uid,
        index,
        synced_resource_version(meta.generation, meta.labels, meta.annotations),
        str(status.refresh_time or "") if status else "",
        (status.synced_resource_version or "") if status else "",
        generator_uid,
        generator_version,
    )


class Epochs:
    """Generated values by epoch, for ``ttl`` seconds, at most ``max_entries`` of them."""

    def __init__(
        self, *, ttl: float = 60.0, max_entries: int = 4096, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._values: OrderedDict[Epoch, tuple[float, dict[str, bytes]]] = OrderedDict()
        self.reused = 0

    def get(self, epoch: Epoch) -> dict[str, bytes] | None:
        """The value generated for ``epoch``, if it is recent."""
        found = self._values.get(epoch)
        if found is None:
            return None
        if self._clock() - found[0] >= self._ttl:
            del self._values[epoch]
            return None
        self.reused += 1
        return dict(found[1])

    def put(self, epoch: Epoch, value: dict[str, bytes]) -> None:
        """Remember ``value`` for ``epoch``; old entries expire, the oldest go first."""
        now = self._clock()
        self._values[epoch] = (now, dict(value))
        self._values.move_to_end(epoch)
        while self._values:
            oldest, (at, _) = next(iter(self._values.items()))
            if len(self._values) <= self._max and now - at < self._ttl:
                break
            del self._values[oldest]
