"""Drift repairs back off when the same Secret keeps being overwritten (no write loop)."""

from __future__ import annotations

from eso.controllers.externalsecret.drift import DriftLedger


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_first_repair_is_immediate_then_each_waits_twice_as_long_up_to_the_cap() -> None:
    clock = Clock()
    ledger = DriftLedger(clock=clock)
    key = ("ns", "es")
    waits = []
    for _ in range(7):
        wait = ledger.wait(key, 1.0, 10.0)
        waits.append(wait)
        clock.now += wait
        ledger.repaired(key)
    assert waits == [0.0, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_time_already_passed_counts_and_a_quiet_secret_starts_afresh() -> None:
    clock = Clock()
    ledger = DriftLedger(clock=clock)
    key = ("ns", "es")
    assert ledger.repaired(key) == 1
    assert ledger.repaired(key) == 2
    clock.now += 1.5
    assert ledger.wait(key, 1.0, 10.0) == 0.5
    clock.now += 20.0  # two caps without a repair
    assert ledger.wait(key, 1.0, 10.0) == 0.0
    assert ledger.repaired(key) == 1


def test_the_ledger_is_bounded() -> None:
    ledger = DriftLedger(max_entries=3)
    for i in range(5):
        ledger.repaired(("ns", f"es-{i}"))
    assert ledger.wait(("ns", "es-0"), 1.0, 10.0) == 0.0
    assert ledger.wait(("ns", "es-4"), 1.0, 10.0) > 0
