"""Fault-injection tests (``make test-chaos``): collected always, run only when asked for.

Every test under ``tests/chaos`` is marked ``chaos``. The default ``pytest`` run (``make
test``) skips them; they run with ``pytest -m chaos tests/chaos`` (what ``make test-chaos``
does) or with ``ESO_CHAOS=1``. Each module starts its own **private** sandbox in a tmp
directory (the faults stop its emulator or API server, which would break tests sharing the
session sandbox) and its own operator(s) on it, and stops them all at the end.

Figures: each scenario records its measurements with the ``figures`` fixture; they are
printed in the terminal summary and written as JSON to ``<pytest basetemp>/chaos-figures.json``
(and to ``$ESO_CHAOS_FIGURES`` when that names a file).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support import env_flag

HERE = Path(__file__).parent
TIMEOUT = 900  # seconds per scenario (the suite-wide 300 s is too short for a 150 s outage)
_FIGURES = pytest.StashKey[dict[str, dict[str, Any]]]()


def chaos_selected(config: pytest.Config) -> bool:
    """True when the run asked for the chaos tests (``-m chaos`` or ``ESO_CHAOS=1``)."""
    expr = str(config.getoption("markexpr") or "")
    return env_flag("ESO_CHAOS") or ("chaos" in expr and "not chaos" not in expr)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    selected = chaos_selected(config)
    skip = pytest.mark.skip(reason="fault-injection test: run with `make test-chaos` (pytest -m chaos)")
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.chaos)
            item.add_marker(pytest.mark.timeout(TIMEOUT))
            if not selected:
                item.add_marker(skip)


def _figures_file(config: pytest.Config) -> Path:
    return Path(str(config._tmp_path_factory.getbasetemp())) / "chaos-figures.json"  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def figures(pytestconfig: pytest.Config) -> Callable[[str, dict[str, Any]], None]:
    """``figures(scenario, {name: value})``: keep, print and write a scenario's measurements."""
    store = pytestconfig.stash.setdefault(_FIGURES, {})

    def record(scenario: str, values: dict[str, Any]) -> None:
        store.setdefault(scenario, {}).update(values)
        text = json.dumps(store, indent=2, sort_keys=True, default=str) + "\n"
        _figures_file(pytestconfig).write_text(text)
        extra = os.environ.get("ESO_CHAOS_FIGURES")
        if extra:
            Path(extra).write_text(text)
        print(f"\n[chaos figures] {scenario}")
        for name, value in values.items():
            print(f"  {name:<52} {value}")

    return record


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    store = config.stash.get(_FIGURES, {})
    if not store:
        return
    terminalreporter.section("chaos figures")
    for scenario, values in sorted(store.items()):
        terminalreporter.write_line(scenario)
        for name, value in values.items():
            terminalreporter.write_line(f"  {name:<52} {value}")
    terminalreporter.write_line(f"(JSON: {_figures_file(config)})")
