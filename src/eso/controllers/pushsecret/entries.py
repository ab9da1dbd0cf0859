"""What a PushSecret pushes to one store: ``data[]`` plus expanded ``dataTo[]`` (eso-api §2.14 step 7).

Pure functions over the spec, the source keys and the store; no I/O.

* ``data[]`` entries go to every store. ``data[].remoteRef`` (misplaced beside ``match``,
  as in some tutorials) is accepted as an alias of ``data[].match.remoteRef``.
* ``dataTo[]`` entries go to the stores their ``storeRef`` names or selects:

  - per-key mode: one entry per source key matching ``match.regexp`` (Go RE2, after the
    entry's ``conversionStrategy``), remote key = the key after ``rewrite[]``;
  - bundle mode (``remoteKey`` set): one entry pushing only the matched keys as one
    JSON object.

* An explicit ``data[]`` entry wins over a per-key ``dataTo`` entry for the same source
  key; two entries with the same ``(remoteKey, property)`` destination are an error.

The status map (``status.syncedPushSecrets``) is ``"<Kind>/<store>"`` →
``"<remoteKey>[/<property>]"`` → the entry, in ESO's PushSecretData form; helpers here
compute its keys, its difference (what to delete) and its merge after a partial failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eso.api import goregex
from eso.api.meta import LabelSelector
from eso.api.pushsecret import PushSecretData, PushSecretDataTo, PushSecretSpec, PushSecretStoreRef
from eso.controllers.externalsecret.rewrite import go_expand
from eso.errors import SpecError
from eso.kube import selectors
from eso.providers import _convert
from eso.providers.base import PushEntry, PushSource

__all__ = [
    "Planned",
    "StoreId",
    "SyncedMap",
    "check_data_to_selectors",
    "entry_from_status",
    "entry_source",
    "expand_data_to",
    "explicit_entries",
    "merge_synced",
    "plan_store",
    "selector_of",
    "stale_entries",
    "status_key",
    "store_key",
    "without",
]

SyncedMap = dict[str, dict[str, dict[str, Any]]]
"""``status.syncedPushSecrets``: store key → remote key (and property) → entry."""
Transform = Callable[[str, str], str]
"""``transform(template, key)`` renders a ``rewrite[].transform`` step."""


@dataclass(frozen=True)
class StoreId:
    """A store as the PushSecret sees it: kind, name and labels."""

    kind: str
    name: str
    labels: Mapping[str, str]

    @property
    def key(self) -> str:
        """``"<Kind>/<name>"``, the key of ``status.syncedPushSecrets``."""
        return store_key(self.kind, self.name)


@dataclass(frozen=True)
class Planned:
    """One entry to push to one store.

    ``prop`` is ``remoteRef.property``; ``only_keys`` restricts the pushed Secret to
    these keys (``dataTo`` bundle mode); ``origin`` is the spec path the entry came
    from, for messages.
    """

    remote_key: str
    secret_key: str | None = None
    prop: str | None = None
    metadata: Any = None
    conversion: str = "None"
    only_keys: frozenset[str] | None = None
    origin: str = "spec.data"

    @property
    def status_key(self) -> str:
        """``"<remoteKey>"`` or ``"<remoteKey>/<property>"``."""
        return status_key(self.remote_key, self.prop)

    def push_entry(self) -> PushEntry:
        """The provider-facing request."""
        return PushEntry(
            remote_key=self.remote_key,
            secret_key=self.secret_key or None,
            property=self.prop or None,
            metadata=self.metadata,
        )

    def status_entry(self) -> dict[str, Any]:
        """The entry as ``status.syncedPushSecrets`` records it (ESO's PushSecretData)."""
        remote: dict[str, Any] = {"remoteKey": self.remote_key}
        if self.prop:
            remote["property"] = self.prop
        match: dict[str, Any] = {"remoteRef": remote}
        if self.secret_key:
            match["secretKey"] = self.secret_key
        out: dict[str, Any] = {"match": match}
        if self.metadata is not None:
            out["metadata"] = self.metadata
        if self.conversion != "None":
            out["conversionStrategy"] = self.conversion
        return out


def store_key(kind: str, name: str) -> str:
    """``"<Kind>/<name>"``."""
    return f"{kind}/{name}"


def status_key(remote_key: str, prop: str | None) -> str:
    """``"<remoteKey>"`` or ``"<remoteKey>/<property>"``."""
    return f"{remote_key}/{prop}" if prop else remote_key


def _data_entry(i: int, item: PushSecretData) -> Planned:
    where = f"spec.data[{i}]"
    remote = item.match.remote_ref or item.remote_ref
    if remote is None or not remote.remote_key:
        raise SpecError(
            "is required: e.g. remoteRef: {remoteKey: <name at the provider>}",
            field=f"{where}.match.remoteRef",
        )
    return Planned(
        remote_key=remote.remote_key,
        secret_key=item.match.secret_key or None,
        prop=remote.property or None,
        metadata=item.metadata,
        conversion=item.conversion_strategy.value,
        origin=where,
    )


def explicit_entries(spec: PushSecretSpec) -> list[Planned]:
    """``data[]`` as planned entries (they go to every store)."""
    return [_data_entry(i, item) for i, item in enumerate(spec.data)]


def _ref_matches(ref: PushSecretStoreRef | None, store: StoreId) -> bool:
    if ref is None or ref.kind.value != store.kind:
        return False
    if ref.name:
        return ref.name == store.name
    return ref.label_selector is not None and selectors.matches(ref.label_selector, store.labels)


def _rewrite_key(key: str, entry: PushSecretDataTo, where: str, transform: Transform) -> str:
    for j, step in enumerate(entry.rewrite):
        path = f"{where}.rewrite[{j}]"
        if step.regexp is not None:
            pattern = goregex.compile(step.regexp.source, field=f"{path}.regexp.source")
            target = step.regexp.target
            key = pattern.sub(lambda m, t=target: go_expand(t, m), key)  # type: ignore[misc]
        elif step.transform is not None:
            key = transform(step.transform.template, key)
        else:
            raise SpecError("exactly one of regexp or transform must be set", field=path)
    return key


def _matched_keys(entry: PushSecretDataTo, keys: Iterable[str], where: str) -> list[str]:
    converted = sorted(_convert.reverse_key(entry.conversion_strategy.value, k) for k in keys)
    regexp = entry.match.regexp if entry.match is not None else None
    if not regexp:
        return converted
    pattern = goregex.compile(regexp, field=f"{where}.match.regexp")
    return [k for k in converted if pattern.search(k)]


def expand_data_to(
    data_to: list[PushSecretDataTo], store: StoreId, keys: Iterable[str], transform: Transform
) -> list[Planned]:
    """The ``dataTo[]`` entries for ``store`` given the source Secret's ``keys``."""
    planned: list[Planned] = []
    keys = list(keys)
    for i, entry in enumerate(data_to):
        where = f"spec.dataTo[{i}]"
        if not _ref_matches(entry.store_ref, store):
            continue
        matched = _matched_keys(entry, keys, where)
        conversion = entry.conversion_strategy.value
        if entry.remote_key:
            planned.append(
                Planned(
                    remote_key=entry.remote_key,
                    metadata=entry.metadata,
                    conversion=conversion,
                    only_keys=frozenset(matched),
                    origin=where,
                )
            )
            continue
        for key in matched:
            remote = _rewrite_key(key, entry, where, transform)
            if not remote:
                raise SpecError(f"the rewrite of source key {key!r} gives an empty remote key", field=where)
            planned.append(
                Planned(
                    remote_key=remote,
                    secret_key=key,
                    metadata=entry.metadata,
                    conversion=conversion,
                    origin=where,
                )
            )
    return planned


def check_data_to_selectors(data_to: list[PushSecretDataTo], stores: Iterable[StoreId]) -> None:
    """A ``dataTo[].storeRef.labelSelector`` that selects none of the resolved stores is an error."""
    resolved = list(stores)
    for i, entry in enumerate(data_to):
        ref = entry.store_ref
        if ref is None or ref.name or ref.label_selector is None:
            continue
        if not any(_ref_matches(ref, store) for store in resolved):
            raise SpecError(
                "labelSelector matches none of the stores selected by spec.secretStoreRefs",
                field=f"spec.dataTo[{i}].storeRef",
            )


def plan_store(
    spec: PushSecretSpec, store: StoreId, keys: Iterable[str], transform: Transform
) -> list[Planned]:
    """Every entry to push to ``store``: explicit data wins, destinations must be unique."""
    explicit = explicit_entries(spec)
    taken = {p.secret_key for p in explicit if p.secret_key}
    expanded = [
        p
        for p in expand_data_to(spec.data_to, store, keys, transform)
        if not (p.secret_key and p.secret_key in taken)
    ]
    seen: dict[tuple[str, str | None], str] = {}
    for p in [*expanded, *explicit]:
        destination = (p.remote_key, p.prop)
        if destination in seen:
            raise SpecError(
                f"remote key {p.status_key!r} in store {store.key} is the destination of both "
                f"{seen[destination]} and {p.origin}",
                field=p.origin,
            )
        seen[destination] = p.origin
    return [*expanded, *explicit]


def entry_source(source: PushSource, planned: Planned) -> PushSource:
    """The Secret as ``planned`` sees it: keys converted back (ReverseUnicode), bundle keys only."""
    data = _convert.reverse_keys(planned.conversion, source.data)
    if planned.only_keys is not None:
        data = {k: v for k, v in data.items() if k in planned.only_keys}
    if planned.secret_key and planned.secret_key not in data:
        raise SpecError(
            f'key "{planned.secret_key}" does not exist in Secret "{source.namespace}/{source.name}"',
            field=f"{planned.origin}.match.secretKey",
        )
    return PushSource(
        name=source.name,
        namespace=source.namespace,
        data=data,
        type=source.type,
        labels=source.labels,
        annotations=source.annotations,
    )


def entry_from_status(entry: Mapping[str, Any]) -> PushEntry:
    """The provider request that deletes what a ``status.syncedPushSecrets`` entry pushed."""
    match = entry.get("match") or {}
    remote = match.get("remoteRef") or entry.get("remoteRef") or {}
    return PushEntry(
        remote_key=str(remote.get("remoteKey", "")),
        secret_key=match.get("secretKey") or None,
        property=remote.get("property") or None,
        metadata=entry.get("metadata"),
    )


def stale_entries(old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]) -> SyncedMap:
    """Entries of ``old`` that ``new`` no longer has (deletionPolicy Delete removes them)."""
    out: SyncedMap = {}
    for store, entries in old.items():
        kept = new.get(store) or {}
        gone = {k: dict(v) for k, v in (entries or {}).items() if k not in kept}
        if gone:
            out[store] = gone
    return out


def merge_synced(old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]) -> SyncedMap:
    """After a partial failure: what was pushed before, updated by what was pushed now."""
    out: SyncedMap = {
        store: {k: dict(v) for k, v in (entries or {}).items()} for store, entries in old.items()
    }
    for store, entries in new.items():
        out.setdefault(store, {}).update({k: dict(v) for k, v in entries.items()})
    return {store: entries for store, entries in out.items() if entries}


def without(synced: Mapping[str, Mapping[str, Any]], removed: Mapping[str, Mapping[str, Any]]) -> SyncedMap:
    """``synced`` minus the entries in ``removed``."""
    out: SyncedMap = {}
    for store, entries in synced.items():
        gone = removed.get(store) or {}
        left = {k: dict(v) for k, v in (entries or {}).items() if k not in gone}
        if left:
            out[store] = left
    return out


def selector_of(raw: Any) -> LabelSelector | None:
    """A LabelSelector from its raw JSON (None when absent or malformed)."""
    if not isinstance(raw, Mapping):
        return None
    try:
        return LabelSelector.model_validate(raw)
    except ValueError:
        return None
