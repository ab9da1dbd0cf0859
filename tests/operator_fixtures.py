"""Fixtures that run eso against the session sandbox (registered from tests/conftest.py).

* ``kubectl``: the sandbox's kubectl on the admin kubeconfig.
* ``operator``: one in-process operator for the whole session, watching every
  namespace, running as ServiceAccount external-secrets/external-secrets (the seed's).
* ``start_operator``: a factory for tests that need their own settings; every operator
  it starts is stopped after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import LOG_BUFFER, Kubectl, OperatorRunner, find_leaks, operator_settings


@pytest.fixture(scope="session")
def kubectl(sandbox: Any) -> Kubectl:
    return Kubectl(Path(sandbox.info.testbin) / "kubectl", sandbox.kubeconfig)


@pytest.fixture(scope="session")
def operator_env(sandbox: Any) -> dict[str, str]:
    return dict(sandbox.env)


@pytest.fixture(scope="session")
def operator(sandbox: Any, operator_env: dict[str, str], kubectl: Kubectl) -> Iterator[OperatorRunner]:
    runner = OperatorRunner(operator_settings(sandbox.kubeconfig, operator_env, serve=True)).start()
    try:
        yield runner
        scan_for_leaks(runner, kubectl)
    finally:
        runner.stop()


def scan_for_leaks(runner: OperatorRunner, kubectl: Kubectl) -> None:
    """After the suite: no secret value in any log line, Event, status or metric."""
    texts = {
        "operator logs": LOG_BUFFER.getvalue(),
        "metrics": runner.operator.metrics.exposition().decode(),
        "events": kubectl.run("get", "events", "-A", "-o", "json").stdout,
    }
    for kind in (
        "externalsecrets",
        "secretstores",
        "clustersecretstores",
        "pushsecrets",
        "clusterexternalsecrets",
    ):
        result = kubectl.run("get", kind, "-A", "-o", "jsonpath={.items[*].status}", check=False)
        texts[f"{kind} status"] = result.stdout
    leaks = find_leaks(texts)
    assert not leaks, f"secret values leaked: {leaks}"
    assert len(LOG_BUFFER.getvalue()) > 0, "the scan saw the operator's logs"


@pytest.fixture
def start_operator(sandbox: Any, operator_env: dict[str, str]) -> Iterator[Callable[..., OperatorRunner]]:
    started: list[OperatorRunner] = []

    def start(**controller: Any) -> OperatorRunner:
        runner = OperatorRunner(operator_settings(sandbox.kubeconfig, operator_env, **controller)).start()
        started.append(runner)
        return runner

    try:
        yield start
    finally:
        for runner in started:
            runner.stop()
