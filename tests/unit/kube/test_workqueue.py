"""The work queue hands out each key once, honours priorities, delays and backoff."""

from __future__ import annotations

import asyncio

import pytest

from eso.kube.workqueue import WorkQueue


async def _take(q: WorkQueue[str], limit: float = 1.0) -> str | None:
    async with asyncio.timeout(limit):
        return await q.get()


async def test_duplicate_adds_are_deduplicated() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("a")
    q.add("a")
    q.add("b")
    assert len(q) == 2
    assert await _take(q) == "a"
    assert await _take(q) == "b"


async def test_priority_keys_are_handed_out_first() -> None:
    q: WorkQueue[str] = WorkQueue()
    for k in ("old1", "old2"):
        q.add(k)
    q.add("new", priority=True)
    assert await _take(q) == "new"
    assert await _take(q) == "old1"


async def test_raising_priority_of_a_waiting_key_moves_it_forward_once() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("a")
    q.add("b")
    q.add("b", priority=True)
    assert await _take(q) == "b"
    assert await _take(q) == "a"
    assert len(q) == 0


async def test_key_added_while_processing_is_requeued_after_done() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("a")
    key = await _take(q)
    q.add("a")
    assert len(q) == 0, "a key being processed must not be handed to a second worker"
    assert key is not None
    q.done(key)
    assert await _take(q) == "a"


async def test_add_after_delays_and_earliest_schedule_wins() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add_after("a", 0.30)
    q.add_after("a", 0.05)
    start = asyncio.get_running_loop().time()
    assert await _take(q) == "a"
    assert asyncio.get_running_loop().time() - start < 0.25
    q.done("a")
    with pytest.raises(TimeoutError):
        await _take(q, limit=0.4)  # the later schedule was superseded


async def test_backoff_grows_exponentially_and_is_capped() -> None:
    q: WorkQueue[str] = WorkQueue(backoff_base=1.0, backoff_cap=5.0)
    delays = [q.add_rate_limited("a") for _ in range(5)]
    assert delays == [1.0, 2.0, 4.0, 5.0, 5.0]
    q.forget("a")
    assert q.add_rate_limited("a") == 1.0


async def test_cancelled_delay_does_not_fire() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add_after("a", 0.05)
    q.cancel_delayed("a")
    with pytest.raises(TimeoutError):
        await _take(q, limit=0.2)


async def test_shutdown_wakes_waiters_with_none() -> None:
    q: WorkQueue[str] = WorkQueue()
    waiter = asyncio.create_task(q.get())
    await asyncio.sleep(0.01)
    q.shutdown()
    assert await asyncio.wait_for(waiter, 1.0) is None


async def test_jitter_spreads_schedules() -> None:
    q: WorkQueue[str] = WorkQueue()
    for i in range(50):
        q.add_after(f"k{i}", 100.0, jitter=0.5)
    dues = sorted(q._delayed_due.values())
    assert dues[-1] - dues[0] > 10.0
    assert all(d - dues[0] <= 50.0 + 1 for d in dues)
    q.shutdown()


async def test_tick_rounds_due_times_up_to_a_grid_so_close_schedules_fire_together() -> None:
    now = [1000.3]
    q: WorkQueue[str] = WorkQueue(tick=1.0, clock=lambda: now[0])
    for i, delay in enumerate((10.0, 10.2, 10.6, 11.0, 11.8)):
        q.add_after(f"k{i}", delay)
    dues = [q._delayed_due[f"k{i}"] for i in range(5)]
    assert dues == [1011.0, 1011.0, 1011.0, 1012.0, 1013.0]
    for i in range(5):
        assert dues[i] >= now[0] + (10.0, 10.2, 10.6, 11.0, 11.8)[i], "never earlier than asked"
    q.shutdown()


async def test_without_tick_due_times_are_exact() -> None:
    q: WorkQueue[str] = WorkQueue(clock=lambda: 1000.3)
    q.add_after("a", 10.2)
    assert q._delayed_due["a"] == pytest.approx(1010.5)
    q.shutdown()
