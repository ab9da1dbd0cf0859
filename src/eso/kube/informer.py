"""Informer: a list + watch cache of one resource kind, feeding event handlers.

* LIST (paginated) then WATCH from the list's resourceVersion, with bookmarks, so a
  reconnect resumes from the last version seen instead of relisting.
* A ``410 Gone`` (version too old) relists; the relist diff produces the events that
  were missed (added, modified, deleted), so nothing is lost.
* Connection failures back off exponentially (capped) and resume.
* Only what matches ``label_selector`` / ``field_selector`` is held in memory: eso
  caches the Secrets it manages, never every Secret in the cluster.
* ``transform`` trims each object before it is stored (eso drops ``managedFields``), and
  the cache keeps each object encoded (:class:`~eso.kube.compact.CompactCodec`: deflated
  compact JSON, about a tenth of the decoded object) with its resourceVersion, decoded on
  every read, so a reader gets its own copy (it cannot corrupt the cache). The relist
  encodes page by page, so the whole list is never held decoded.
* Indexes (:meth:`Informer.add_index`) answer "which cached objects have this value"
  without a scan: reconcilers must never walk the whole cache per object (that is
  quadratic in the number of objects).

Handlers receive ``(event_type, new, old)`` with ``event_type`` one of ADDED,
MODIFIED, DELETED; ``old`` is the cached previous version or None.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any

import structlog

from eso.api.resources import ResourceInfo
from eso.errors import Gone, KubeAPIError
from eso.kube.client import KubeClient
from eso.kube.compact import CompactCodec
from eso.kube.multimap import MultiMap

__all__ = ["EventHandler", "Informer", "drop_managed_fields", "object_key"]

Obj = dict[str, Any]
Key = tuple[str, str]
_Entry = tuple[str, bytes]
"""A cached object: (resourceVersion, compact JSON)."""
EventHandler = Callable[[str, Obj, Obj | None], Awaitable[None] | None]
IndexFunc = Callable[[Obj], Iterable[str]]

_log = structlog.get_logger("eso.kube.informer")


def object_key(obj: Obj) -> Key:
    """``(namespace, name)`` of an object ("" namespace for cluster-scoped)."""
    meta = obj.get("metadata") or {}
    # interned: the key is kept by the cache, indexes, queues, metrics: one copy of each name
    return sys.intern(str(meta.get("namespace") or "")), sys.intern(str(meta.get("name", "")))


def drop_managed_fields(obj: Obj) -> Obj:
    """Transform that removes ``metadata.managedFields`` (large, not needed in a cache)."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    return obj


class Informer:
    """Keeps an up-to-date cache of one kind and calls handlers on every change."""

    def __init__(
        self,
        client: KubeClient,
        info: ResourceInfo,
        *,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        transform: Callable[[Obj], Obj] | None = drop_managed_fields,
        watch_timeout: int = 300,
        backoff_cap: float = 8.0,
    ) -> None:
        self.info = info
        self._client = client
        self._namespace = namespace
        self._label_selector = label_selector
        self._field_selector = field_selector
        self._transform = transform
        self._watch_timeout = watch_timeout
        self._backoff_cap = backoff_cap
        self._cache: dict[Key, _Entry] = {}
        self._codec = CompactCodec()
        self._index_funcs: dict[str, IndexFunc] = {}
        self._indexes: dict[str, MultiMap[str, Key]] = {}
        self._indexed: dict[str, dict[Key, tuple[str, ...]]] = {}
        self._handlers: list[EventHandler] = []
        self._synced = asyncio.Event()
        self._resource_version = ""
        self._task: asyncio.Task[None] | None = None
        self.relists = 0

    # -- cache access -------------------------------------------------------------

    def get(self, namespace: str | None, name: str) -> Obj | None:
        """The cached object (a copy of its own), or None."""
        entry = self._cache.get((namespace or "", name))
        return None if entry is None else self._decode(entry)

    def items(self) -> Iterator[Obj]:
        """Every cached object (decoded one at a time)."""
        return (self._decode(entry) for entry in list(self._cache.values()))

    def __len__(self) -> int:
        return len(self._cache)

    def add_index(self, name: str, func: IndexFunc) -> None:
        """Index the cache by the values ``func`` returns for each object (kept up to date)."""
        if name in self._index_funcs:
            raise ValueError(f"informer {self.info.plural} already has an index {name!r}")
        self._index_funcs[name] = func
        self._rebuild_index(name)

    def by_index(self, name: str, value: str) -> list[Obj]:
        """The cached objects whose index ``name`` has ``value`` (KeyError: no such index)."""
        keys = self._indexes[name].get(value)
        return [self._decode(self._cache[key]) for key in sorted(keys) if key in self._cache]

    def _put(self, key: Key, obj: Obj) -> None:
        self._cache[key] = self._encode(obj)
        for name in self._index_funcs:
            self._unindex_one(name, key)
            self._index_one(name, key, obj)

    def _pop(self, key: Key) -> None:
        if self._cache.pop(key, None) is not None:
            for name in self._index_funcs:
                self._unindex_one(name, key)

    def _rebuild_index(self, name: str) -> None:
        self._indexes[name] = MultiMap()
        self._indexed[name] = {}
        for key, entry in self._cache.items():
            self._index_one(name, key, self._decode(entry))

    def _index_one(self, name: str, key: Key, obj: Obj) -> None:
        values = tuple(sys.intern(v) for v in self._index_funcs[name](obj))
        if not values:
            return
        index = self._indexes[name]
        self._indexed[name][key] = values
        for value in values:
            index.add(value, key)

    def _unindex_one(self, name: str, key: Key) -> None:
        index = self._indexes[name]
        for value in self._indexed[name].pop(key, ()):
            index.discard(value, key)

    @property
    def has_synced(self) -> bool:
        """True once the first LIST is in the cache."""
        return self._synced.is_set()

    async def wait_synced(self) -> None:
        """Wait for the first LIST to be cached (callers bound it with asyncio.timeout)."""
        await self._synced.wait()

    async def apply_local(self, obj: Obj) -> None:
        """Record the result of this process's own write, so the next reconcile sees it.

        Handlers are called as for a watch event (comparing with the cached object), so a
        change someone else made just before the write is not missed; the watch events for
        this version or older are then skipped as already seen. An object older than the
        cached one is ignored.
        """
        prepared = self._prepare(obj)
        key = object_key(prepared)
        current = self._cache.get(key)
        if current is not None and not _newer(_rv(prepared), current[0]):
            return
        self._put(key, prepared)
        previous = None if current is None else self._decode(current)
        await self._dispatch("ADDED" if previous is None else "MODIFIED", prepared, previous)

    def add_handler(self, handler: EventHandler) -> None:
        """Call ``handler(event_type, new, old)`` on every change (and for each listed object)."""
        self._handlers.append(handler)

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        """Start listing and watching in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"informer-{self.info.plural}")

    async def stop(self) -> None:
        """Stop watching."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        failures = 0
        need_list = True
        while True:
            try:
                if need_list:
                    await self._relist()
                    need_list = False
                await self._watch_once()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Gone:
                _log.info("watch expired, relisting", resource=self.info.plural)
                need_list = True
            except KubeAPIError as exc:
                failures += 1
                delay = min(self._backoff_cap, 0.5 * 2**failures) * (0.5 + random.random() / 2)  # noqa: S311
                _log.warning("watch failed, retrying", resource=self.info.plural, error=str(exc), delay=delay)
                await asyncio.sleep(delay)
            except Exception as exc:  # a bug in a handler must not kill the cache
                failures += 1
                _log.exception("informer error", resource=self.info.plural, error=str(exc))
                await asyncio.sleep(min(self._backoff_cap, 2**failures))

    async def _relist(self) -> None:
        fresh: dict[Key, _Entry] = {}
        changed: list[Key] = []
        rv = ""
        async for page, page_rv in self._client.list_pages(
            self.info,
            self._namespace,
            label_selector=self._label_selector,
            field_selector=self._field_selector,
        ):
            rv = page_rv
            for raw in page:
                obj = self._prepare(raw)
                key = object_key(obj)
                entry = fresh[key] = self._encode(obj)
                cached = self._cache.get(key)
                if cached is None or cached[0] != entry[0]:
                    changed.append(key)
        old_cache, self._cache = self._cache, fresh
        for name in self._index_funcs:
            self._rebuild_index(name)
        self._resource_version = rv
        if self.relists:
            _log.debug("relisted", resource=self.info.plural, count=len(fresh))
        self.relists += 1
        for key in changed:
            before = old_cache.get(key)
            previous = None if before is None else self._decode(before)
            await self._dispatch(
                "ADDED" if previous is None else "MODIFIED", self._decode(fresh[key]), previous
            )
        for key, gone in old_cache.items():
            if key not in fresh:
                obj = self._decode(gone)
                await self._dispatch("DELETED", obj, obj)
        self._synced.set()

    async def _watch_once(self) -> None:
        async for etype, raw in self._client.watch(
            self.info,
            self._namespace,
            resource_version=self._resource_version,
            label_selector=self._label_selector,
            field_selector=self._field_selector,
            timeout_seconds=self._watch_timeout,
        ):
            rv = _rv(raw)
            if etype == "BOOKMARK":
                if rv:
                    self._resource_version = rv
                continue
            obj = self._prepare(raw)
            key = object_key(obj)
            cached = self._cache.get(key)
            if etype != "DELETED" and cached is not None and not _newer(rv, cached[0]):
                self._resource_version = rv or self._resource_version
                continue  # already seen: recorded by apply_local after our own write
            previous = None if cached is None else self._decode(cached)
            if etype == "DELETED":
                self._pop(key)
                await self._dispatch("DELETED", obj, previous)
            elif etype in ("ADDED", "MODIFIED"):
                self._put(key, obj)
                await self._dispatch("ADDED" if previous is None else "MODIFIED", obj, previous)
            if rv:
                self._resource_version = rv

    def _prepare(self, raw: Obj) -> Obj:
        raw.setdefault("apiVersion", self.info.api_version)
        raw.setdefault("kind", self.info.kind)
        return self._transform(raw) if self._transform else raw

    def _encode(self, obj: Obj) -> _Entry:
        return sys.intern(_rv(obj)), self._codec.encode(obj)

    def _decode(self, entry: _Entry) -> Obj:
        return self._codec.decode(entry[1])

    async def _dispatch(self, etype: str, obj: Obj, old: Obj | None) -> None:
        for handler in self._handlers:
            try:
                result = handler(etype, obj, old)
                if result is not None:
                    await result
            except Exception as exc:
                _log.exception("event handler failed", resource=self.info.plural, error=str(exc))


def _rv(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion", ""))


def _newer(candidate: str, current: str) -> bool:
    """True when ``candidate`` is a later resourceVersion (etcd revisions are integers)."""
    if candidate.isdigit() and current.isdigit():
        return int(candidate) > int(current)
    return candidate != current
