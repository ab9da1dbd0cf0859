"""Metadata-first change detection: is a cached value's version still the current one?

:class:`~eso.controllers.reads.SharedReads` keeps each plain current-version read
together with the version id it came from. Versions are immutable, so when the short
sharing window has passed it asks :meth:`VersionChecks.current` instead of reading the
value again: a *listing* of the store's current version ids (``ListSecrets`` for Secrets
Manager, 100 secrets a page) that is at most ``listing_ttl`` seconds old answers for
every secret of the store at once. Same id: the cached value is served with no call.
Another id, a secret the listing does not show (deleted), no fresh listing: the value
is read as before.

**When a listing is made.** A listing costs one call per page; reading the values costs
about one call per ``per_call`` keys (20 for BatchGetSecretValue). The *demand* of a
store is the number of distinct secrets it needed a value for (read or re-checked)
within the last ``listing_ttl`` seconds, the time one listing is trusted. A listing is
made only when it saves calls: at most ``ceil(demand / per_call) - 1`` pages, and no
more pages than the last listing of the store needed (a listing that stopped at its page
budget counts as needing twice the pages it read). The first listing of a store is a probe
within that budget. So a store that reads two secrets never lists (its budget is zero
pages), and a store in an account far larger than its demand reads a few pages at most
once per ``pause`` seconds, then reads values as before.

**Failures never fail reads.** A listing that fails falls back to reading values (and is
not retried within ``listing_ttl``); access denied (the store's policy may not allow
``ListSecrets``) stops listing for that store for ``pause`` seconds.

The staleness this adds is bounded: a change is seen at the latest ``listing_ttl``
seconds (plus the listing's own consistency lag) after it was made. Only version ids are
kept here, never values.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import structlog

from eso.errors import ProviderAuthError
from eso.providers.base import VersionedSecretsClient, VersionListing

__all__ = ["VersionChecks"]

_log = structlog.get_logger("eso.controllers.versions")


@dataclass
class _Store:
    demand: OrderedDict[str, float] = field(default_factory=OrderedDict)
    listing: VersionListing | None = None
    listed_at: float = 0.0
    inflight: asyncio.Task[VersionListing | None] | None = None
    paused_until: float = 0.0


class VersionChecks:
    """Per store: recent demand, the last listing of current version ids, pauses."""

    def __init__(
        self,
        *,
        listing_ttl: float = 10.0,
        max_reuse: float = 600.0,
        pause: float = 300.0,
        max_keys: int = 20_000,
        max_stores: int = 1_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = listing_ttl
        self.max_reuse = max_reuse
        """Seconds a value may be served from a version check before it is read again: a
        value that lost its permission (or a listing that lags) surfaces within this time."""
        self._pause = pause
        self._max_keys = max_keys
        self._max_stores = max_stores
        self._clock = clock
        self._stores: OrderedDict[Hashable, _Store] = OrderedDict()
        self.listings = 0

    def note(self, store: Hashable, key: str) -> None:
        """``store`` needs the value of secret ``key`` now (a read or a re-check)."""
        state = self._stores.get(store)
        if state is None:
            state = self._stores[store] = _Store()
            while len(self._stores) > self._max_stores:
                self._stores.popitem(last=False)
        self._stores.move_to_end(store)
        state.demand[key] = self._clock()
        state.demand.move_to_end(key)
        self._prune(state)

    def forget(self, store: Hashable) -> None:
        """Drop what is known about ``store`` (it changed)."""
        self._stores.pop(store, None)

    def page_budget(self, store: Hashable, per_call: int) -> int:
        """Most listing pages that cost fewer calls than reading the store's demanded values."""
        state = self._stores.get(store)
        if state is None:
            return 0
        self._prune(state)
        return math.ceil(len(state.demand) / max(1, per_call)) - 1

    async def current(
        self, store: Hashable, client: VersionedSecretsClient, key: str, per_call: int
    ) -> str | None:
        """The current version id of ``key`` per a fresh listing; None means: read the value."""
        state = self._stores.get(store)
        if state is None:
            return None
        listing = await self._fresh_listing(store, state, client, per_call)
        return None if listing is None else listing.current.get(key)

    def _prune(self, state: _Store) -> None:
        demand = state.demand
        horizon = self._clock() - self._ttl
        while demand and (len(demand) > self._max_keys or next(iter(demand.values())) < horizon):
            demand.popitem(last=False)

    def _pages_needed(self, state: _Store, now: float) -> int | None:
        """Pages the store's listing needs, as far as known (None: unknown, probe)."""
        if state.listing is None or now - state.listed_at > self._pause:
            return None
        return state.listing.pages if state.listing.complete else 2 * state.listing.pages

    async def _fresh_listing(
        self, store: Hashable, state: _Store, client: VersionedSecretsClient, per_call: int
    ) -> VersionListing | None:
        now = self._clock()
        listing = state.listing
        if listing is not None and listing.complete and now - state.listed_at <= self._ttl:
            return listing
        if state.inflight is None:
            if now < state.paused_until:
                return None
            budget = self.page_budget(store, per_call)
            needed = self._pages_needed(state, now)
            if budget < 1 or (needed is not None and needed > budget):
                return None
            state.inflight = asyncio.get_running_loop().create_task(self._list(state, client, budget))
        return await asyncio.shield(state.inflight)

    async def _list(
        self, state: _Store, client: VersionedSecretsClient, budget: int
    ) -> VersionListing | None:
        started = self._clock()
        try:
            listing = await client.list_versions(budget)
        except ProviderAuthError as exc:
            state.paused_until = self._clock() + self._pause
            _log.info("version listing not allowed; reading values", error=str(exc), pause=self._pause)
            return None
        except Exception as exc:  # a listing is an optimisation: it never fails a read
            state.paused_until = self._clock() + self._ttl
            _log.debug("version listing failed; reading values", error=str(exc))
            return None
        finally:
            state.inflight = None
        self.listings += 1
        if not listing.complete:  # keep its size, not its partial contents
            listing = VersionListing(current={}, pages=listing.pages, complete=False)
        state.listing, state.listed_at = listing, started
        return listing if listing.complete else None
