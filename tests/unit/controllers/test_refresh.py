"""ESO's refresh rules (eso-api §2.3), one case per rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from eso.api.externalsecret import ExternalSecret
from eso.api.parsing import parse_model
from eso.controllers.externalsecret.reconciler import _catch_up_wait
from eso.controllers.externalsecret.refresh import catch_up_delay, parse_time, requeue_after, should_refresh

NOW = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)
HOUR = 3600.0


@pytest.mark.parametrize(
    ("policy", "interval", "synced", "current", "refreshed", "expected"),
    [
        ("CreatedOnce", HOUR, "", "1-a", None, True),
        ("CreatedOnce", HOUR, "1-a", "2-b", NOW - timedelta(days=1), False),
        ("OnChange", HOUR, "1-a", "1-a", NOW - timedelta(days=1), False),
        ("OnChange", HOUR, "1-a", "2-a", NOW, True),
        (None, 0.0, "1-a", "2-b", NOW, False),  # quirk: interval 0 ignores spec changes after a sync
        (None, 0.0, "", "1-a", None, True),
        ("Periodic", HOUR, "1-a", "2-a", NOW, True),
        ("Periodic", HOUR, "1-a", "1-a", None, True),
        ("Periodic", HOUR, "1-a", "1-a", NOW + timedelta(minutes=5), True),
        ("Periodic", HOUR, "1-a", "1-a", NOW - timedelta(minutes=30), False),
        ("Periodic", HOUR, "1-a", "1-a", NOW - timedelta(minutes=60), True),
    ],
)
def test_should_refresh(
    policy: str | None, interval: float, synced: str, current: str, refreshed: datetime | None, expected: bool
) -> None:
    assert should_refresh(policy, interval, synced, current, refreshed, NOW) is expected


def test_requeue_after_counts_down_from_the_last_refresh() -> None:
    assert requeue_after(HOUR, NOW - timedelta(minutes=15), NOW) == 45 * 60
    assert requeue_after(HOUR, None, NOW) == HOUR
    assert requeue_after(HOUR, NOW + timedelta(seconds=5), NOW) == 0.0
    assert requeue_after(HOUR, NOW - timedelta(hours=2), NOW) == 0.0
    assert requeue_after(0.0, NOW, NOW) is None


def test_parse_time_accepts_rfc3339_and_rejects_garbage() -> None:
    assert parse_time("2026-12-01T12:00:00Z") == NOW
    assert parse_time("yesterday") is None
    assert parse_time(None) is None


@pytest.mark.parametrize(
    ("refreshed", "draw", "expected"),
    [
        (NOW - timedelta(seconds=70), 0.5, 5.0),  # 10 s late: spread over those 10 s
        (NOW - timedelta(seconds=70), 0.0, 0.0),
        (NOW - timedelta(hours=5), 0.99, 0.99 * 30),  # long downtime: at most half the interval
        (NOW - timedelta(seconds=60.5), 0.9, 0.0),  # due just now: refresh at once
        (NOW - timedelta(seconds=30), 0.9, 0.0),  # not due
        (NOW + timedelta(seconds=30), 0.9, 0.0),  # refreshTime in the future
        (None, 0.9, 0.0),
    ],
)
def test_catch_up_delay_spreads_over_the_lateness_capped_at_half_the_interval(
    refreshed: datetime | None, draw: float, expected: float
) -> None:
    assert catch_up_delay(60.0, refreshed, NOW, draw) == pytest.approx(expected)
    assert catch_up_delay(0.0, refreshed, NOW, draw) == 0.0


def _es(synced: str = "1-x", generation: int = 1) -> ExternalSecret:
    raw: dict[str, Any] = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "es", "namespace": "ns", "generation": generation},
        "spec": {"refreshInterval": "1m", "data": [{"secretKey": "k", "remoteRef": {"key": "r"}}]},
        "status": {"syncedResourceVersion": synced, "refreshTime": "2026-12-01T11:58:50Z"},
    }
    return parse_model(ExternalSecret, raw)


def test_only_the_first_look_at_an_in_sync_periodic_refresh_is_deferred() -> None:
    ctx: Any = SimpleNamespace(seen=set(), draw=lambda: 0.5)
    late = NOW - timedelta(seconds=70)
    assert _catch_up_wait(ctx, _es(), True, "1-x", 60.0, late, NOW) == pytest.approx(5.0)
    assert ("ns", "es") in ctx.seen
    assert _catch_up_wait(ctx, _es(), True, "1-x", 60.0, late, NOW) == 0.0, "second look refreshes"


@pytest.mark.parametrize(
    ("due", "current_rv", "why"),
    [
        (False, "1-x", "nothing due (drift repair or in sync)"),
        (True, "2-y", "the spec changed: sync at once"),
    ],
)
def test_changes_and_repairs_are_never_deferred(due: bool, current_rv: str, why: str) -> None:
    ctx: Any = SimpleNamespace(seen=set(), draw=lambda: 0.5)
    assert _catch_up_wait(ctx, _es(), due, current_rv, 60.0, NOW - timedelta(seconds=70), NOW) == 0.0, why
    assert ("ns", "es") in ctx.seen
