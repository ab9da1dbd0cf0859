"""A key → set-of-values map that stores a lone value without a set.

Indexes of a controller map most keys to exactly one value (a target Secret to its one
ExternalSecret, a created-by mark to its one creator); an empty-ish ``set`` per key costs
about 200 bytes, so at 10,000 objects a plain ``dict[K, set[V]]`` spends megabytes on
one-element sets. Here a key holds its value directly until a second one arrives.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

__all__ = ["MultiMap"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V", bound=Hashable)


class MultiMap(Generic[K, V]):
    """``add`` / ``discard`` / ``get`` like ``defaultdict(set)``, compact for lone values."""

    __slots__ = ("_data",)

    def __init__(self) -> None:
        self._data: dict[K, V | set[V]] = {}

    def add(self, key: K, value: V) -> None:
        current = self._data.get(key)
        if current is None:
            self._data[key] = value
        elif isinstance(current, set):
            current.add(value)
        elif current != value:
            self._data[key] = {current, value}

    def discard(self, key: K, value: V) -> None:
        current = self._data.get(key)
        if current is None:
            return
        if isinstance(current, set):
            current.discard(value)
            if len(current) == 1:
                self._data[key] = next(iter(current))
            elif not current:
                del self._data[key]
        elif current == value:
            del self._data[key]

    def get(self, key: K) -> frozenset[V]:
        """The values of ``key`` (empty when none)."""
        current = self._data.get(key)
        if current is None:
            return frozenset()
        if isinstance(current, set):
            return frozenset(current)
        return frozenset((current,))

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)
