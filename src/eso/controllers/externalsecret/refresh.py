"""When an ExternalSecret must fetch from its provider again, and when to look next.

ESO's ``shouldRefresh`` and ``getRequeueResult`` (eso-api §2.3), on plain values:

* ``CreatedOnce``: only until the first successful sync.
* ``OnChange``: first sync, then whenever the ES's resource version (generation plus a
  hash of labels and annotations) changed — this is what the force-sync annotation uses.
* ``Periodic`` (and unset): an interval of 0 after a first sync never refreshes, not
  even on a spec change [ESO quirk, kept]; otherwise a changed resource version, an
  unset or future ``refreshTime``, or an elapsed interval refresh.

The requeue is the same for every policy, so a CreatedOnce or OnChange ES is still
re-examined every interval and a deleted or edited Secret gets repaired.

After a restart (or a leader change) the refreshes that fell due while no operator ran
are not all fired at once: :func:`catch_up_delay` spreads each over as long as it was late
(at most half its interval), which keeps the provider calls as smooth as before the
restart.
"""

from __future__ import annotations

from datetime import datetime

__all__ = ["catch_up_delay", "parse_time", "requeue_after", "should_refresh"]


def parse_time(value: str | None) -> datetime | None:
    """Parse a metav1.Time (RFC 3339), None if unset or malformed."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def should_refresh(
    policy: str | None,
    interval: float,
    synced_resource_version: str,
    current_resource_version: str,
    refresh_time: datetime | None,
    now: datetime,
) -> bool:
    """True when the provider must be read again."""
    never_synced = not synced_resource_version or refresh_time is None
    if policy == "CreatedOnce":
        return never_synced
    if policy == "OnChange":
        return never_synced or synced_resource_version != current_resource_version
    if interval <= 0 and synced_resource_version:
        return False
    if synced_resource_version != current_resource_version:
        return True
    if refresh_time is None or refresh_time > now:
        return True
    return (now - refresh_time).total_seconds() >= interval


def requeue_after(interval: float, refresh_time: datetime | None, now: datetime) -> float | None:
    """Seconds until the next look, None for never (interval 0)."""
    if interval <= 0:
        return None
    if refresh_time is None:
        return interval
    if refresh_time > now:
        return 0.0
    remaining = interval - (now - refresh_time).total_seconds()
    return max(0.0, remaining)


def catch_up_delay(interval: float, refresh_time: datetime | None, now: datetime, draw: float) -> float:
    """Seconds to wait before a periodic refresh that is overdue on this process's first look.

    ``draw`` is uniform in [0, 1). 0 when the refresh is not late (by more than a second) or
    has no interval: such a refresh runs at once.
    """
    if interval <= 0 or refresh_time is None or refresh_time > now:
        return 0.0
    late = (now - refresh_time).total_seconds() - interval
    if late <= 1.0:
        return 0.0
    return draw * min(late, interval / 2)
