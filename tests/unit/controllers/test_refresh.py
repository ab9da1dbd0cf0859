"""ESO's refresh rules (eso-api §2.3), one case per rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eso.controllers.externalsecret.refresh import parse_time, requeue_after, should_refresh

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
