"""The token bucket allows a burst, then the average rate."""

from __future__ import annotations

from eso.kube.ratelimit import TokenBucket


def test_burst_then_refill_with_a_driven_clock() -> None:
    now = [0.0]
    bucket = TokenBucket(qps=10, burst=3, clock=lambda: now[0])
    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]
    now[0] += 0.1
    assert bucket.try_acquire()
    assert not bucket.try_acquire()


def test_zero_qps_means_unlimited() -> None:
    bucket = TokenBucket(qps=0, burst=1)
    assert all(bucket.try_acquire() for _ in range(1000))
