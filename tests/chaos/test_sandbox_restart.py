"""``Sandbox.stop_component`` / ``start_component``: one component away and back, same port.

The fault tests depend on it: clients keep the URLs they were given, so a component must
come back where it was. The API server keeps its data (etcd keeps running); moto comes
back empty (its state is in memory).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eso.errors import ConfigError, EsoError
from eso.sandbox import processes
from eso.sandbox.ports import port_is_open
from eso.sandbox.restart import stopped_components
from tests.chaos.harness import PrivateCluster, private_cluster, seed_secrets


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateCluster]:
    with private_cluster(tmp_path_factory, "restart") as c:
        yield c


def _port(cluster: PrivateCluster, name: str) -> int:
    return next(iter(cluster.info.components[name].ports.values()))


def test_moto_stops_and_comes_back_on_the_same_port_empty(cluster: PrivateCluster) -> None:
    sandbox, port = cluster.sandbox, _port(cluster, "moto")
    seed_secrets(cluster.aws_endpoint_url, {"/restart/a": "x"})
    old_pid = sandbox.info().components["moto"].pid  # type: ignore[union-attr]
    sandbox.stop_component("moto")
    assert not port_is_open(port)
    assert stopped_components(sandbox.root) == ["moto"]
    assert not sandbox.is_healthy()
    assert [row.alive for row in sandbox.status().components if row.name == "moto"] == [False]
    sandbox.stop_component("moto")  # idempotent
    sandbox.start_component("moto")
    assert port_is_open(port)
    assert sandbox.is_healthy()
    assert stopped_components(sandbox.root) == []
    new_pid = sandbox.info().components["moto"].pid  # type: ignore[union-attr]
    assert new_pid != old_pid
    assert {r.name: r.pid for r in processes.read_records(sandbox.root)}["moto"] == new_pid
    seed_secrets(cluster.aws_endpoint_url, {"/restart/a": "y"})  # created again: the state was lost


def test_apiserver_restarts_in_place_and_keeps_its_data(cluster: PrivateCluster) -> None:
    sandbox, port = cluster.sandbox, _port(cluster, "kube-apiserver")
    cluster.kubectl.run("create", "configmap", "survivor", "-n", "default", "--from-literal=k=v")
    sandbox.stop_component("kube-apiserver", timeout=3)
    assert not port_is_open(port)
    assert cluster.kubectl.run("get", "ns", check=False).returncode != 0
    sandbox.start_component("kube-apiserver")
    assert sandbox.is_healthy()
    assert cluster.kubectl.get("configmap", "survivor", "default") is not None


def test_misuse_is_refused_and_starting_a_running_component_changes_nothing(cluster: PrivateCluster) -> None:
    sandbox = cluster.sandbox
    with pytest.raises(ConfigError, match="unknown sandbox component"):
        sandbox.stop_component("nginx")
    pid = sandbox.info().components["kube-controller-manager"].pid  # type: ignore[union-attr]
    sandbox.start_component("kube-controller-manager")
    assert sandbox.info().components["kube-controller-manager"].pid == pid  # type: ignore[union-attr]
    pid_file = processes.pid_dir(sandbox.root) / "etcd.pid"
    saved = pid_file.read_text()
    pid_file.unlink()  # as if etcd had never been started: nothing to stop, nothing to restart
    try:
        with pytest.raises(EsoError, match="not running"):
            sandbox.stop_component("etcd")
        with pytest.raises(EsoError, match="was not stopped"):
            sandbox.start_component("etcd")
    finally:
        pid_file.write_text(saved)  # so that down() stops it
