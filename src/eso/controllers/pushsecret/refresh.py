"""When a PushSecret pushes again (ESO's ``shouldRefresh`` for PushSecrets, eso-api §2.14 step 2).

ESO pushes when the PushSecret's resource version (generation plus a hash of labels and
annotations) changed, when it never synced, or when ``refreshInterval`` elapsed; an
interval of 0 pushes once, yet — unlike an ExternalSecret — a spec change re-pushes.

eso adds the source: ``status.syncedResourceVersion`` is ``<ESO's resource
version>/<source fingerprint>`` (see :func:`eso.controllers.pushsecret.sources.fingerprint`),
so a changed source Secret is pushed at once when eso hears of it, and a restart, which
re-reads every PushSecret, pushes nothing that is already in place. With an interval of
0 a source change is not pushed (push once).
"""

from __future__ import annotations

from datetime import datetime

from eso.api.hashing import synced_resource_version
from eso.api.pushsecret import PushSecret

__all__ = ["compose_version", "should_push", "spec_version", "split_version"]


def spec_version(ps: PushSecret) -> str:
    """ESO's resource version of the PushSecret: ``<generation>-<hash of labels and annotations>``."""
    return synced_resource_version(ps.metadata.generation, ps.metadata.labels, ps.metadata.annotations)


def compose_version(spec: str, source: str) -> str:
    """``status.syncedResourceVersion`` for a push of ``spec`` with the source ``source``."""
    return f"{spec}/{source}" if source else spec


def split_version(value: str | None) -> tuple[str, str]:
    """``(spec part, source part)`` of ``status.syncedResourceVersion``."""
    spec, _, source = (value or "").partition("/")
    return spec, source


def should_push(
    interval: float,
    synced: str | None,
    spec: str,
    source: str,
    refresh_time: datetime | None,
    now: datetime,
) -> bool:
    """True when the PushSecret must be pushed now."""
    old_spec, old_source = split_version(synced)
    if not old_spec or refresh_time is None:
        return True
    if old_spec != spec:
        return True
    if interval <= 0:
        return False
    if source and old_source != source:
        return True
    if refresh_time > now:
        return True
    return (now - refresh_time).total_seconds() >= interval
