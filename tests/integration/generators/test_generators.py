"""Generators through ``dataFrom[].sourceRef.generatorRef`` against a real API server.

Password, UUID, Fake and ClusterGenerator land in the target Secret; CreatedOnce keeps
a generated value across a forced refresh; an operator restart regenerates nothing;
a kind eso does not run is reported at the field that names it.
"""

from __future__ import annotations

import string
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.integration.builders import (
    events_for,
    external_secret,
    fake_store,
    wait_es,
    wait_es_message,
    wait_store_ready,
)
from tests.support import Kubectl, OperatorRunner, wait_until

GEN = "generators.external-secrets.io/v1alpha1"


def generator(kind: str, name: str, namespace: str | None, spec: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": GEN, "kind": kind, "metadata": meta, "spec": spec}


def from_generator(kind: str, name: str, **entry: Any) -> dict[str, Any]:
    return {"sourceRef": {"generatorRef": {"apiVersion": GEN, "kind": kind, "name": name}}, **entry}


def es_with(namespace: str, name: str, *entries: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return external_secret(namespace, name, {"target": {"name": name}, "dataFrom": list(entries), **spec})


def secret_of(kubectl: Kubectl, name: str, namespace: str) -> dict[str, bytes]:
    data: dict[str, bytes] = wait_until(lambda: kubectl.secret_data(name, namespace), what=f"Secret {name}")
    return data


@pytest.fixture
def cluster_generator(kubectl: Kubectl, namespace: str) -> Iterator[Callable[[dict[str, Any]], str]]:
    names: list[str] = []

    def make(spec: dict[str, Any]) -> str:
        name = f"cg-{namespace}"[:63].rstrip("-")
        kubectl.apply(generator("ClusterGenerator", name, None, spec))
        names.append(name)
        return name

    try:
        yield make
    finally:
        for name in names:
            kubectl.delete("clustergenerator", name)


def test_password_uuid_and_fake_generators_fill_the_secret(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    kubectl.apply(
        [
            generator("Password", "default-pw", namespace, {}),
            generator(
                "Password",
                "hex-pw",
                namespace,
                {
                    "length": 12,
                    "digits": 4,
                    "symbols": 0,
                    "noUpper": True,
                    "secretKeys": ["a", "b"],
                    "encoding": "hex",
                },
            ),
            generator("UUID", "id", namespace, {}),
            generator("Fake", "fixed", namespace, {"data": {"user": "admin", "mode": "ro"}}),
        ]
    )
    kubectl.apply(
        es_with(
            namespace,
            "generated",
            from_generator("Password", "default-pw"),
            from_generator("Password", "hex-pw"),
            from_generator("UUID", "id", rewrite=[{"regexp": {"source": "uuid", "target": "request-id"}}]),
            from_generator("Fake", "fixed"),
        )
    )
    es = wait_es(kubectl, "generated", namespace)
    assert es["status"]["binding"] == {"name": "generated"}
    data = secret_of(kubectl, "generated", namespace)
    assert sorted(data) == ["a", "b", "mode", "password", "request-id", "user"]
    password = data["password"].decode()
    assert len(password) == 24
    assert sum(c in string.digits for c in password) == 6
    assert len(set(password)) == 24
    a, b = bytes.fromhex(data["a"].decode()).decode(), bytes.fromhex(data["b"].decode()).decode()
    assert a != b
    for value in (a, b):
        assert len(value) == 12
        assert sum(c.isdigit() for c in value) == 4
        assert value == value.lower()
    assert uuid.UUID(data["request-id"].decode()).version == 4
    assert (data["user"], data["mode"]) == (b"admin", b"ro")


def test_cluster_generator_is_used_from_any_namespace(
    operator: OperatorRunner,
    kubectl: Kubectl,
    namespace: str,
    cluster_generator: Callable[[dict[str, Any]], str],
) -> None:
    name = cluster_generator(
        {
            "kind": "Password",
            "generator": {"passwordSpec": {"length": 32, "symbols": 0, "secretKeys": ["pw"]}},
        }
    )
    kubectl.apply(es_with(namespace, "from-cluster", from_generator("ClusterGenerator", name)))
    wait_es(kubectl, "from-cluster", namespace)
    pw = secret_of(kubectl, "from-cluster", namespace)["pw"].decode()
    assert len(pw) == 32
    assert all(c in string.ascii_letters + string.digits for c in pw)


def test_cluster_generator_whose_spec_disagrees_with_its_kind_is_reported(
    operator: OperatorRunner,
    kubectl: Kubectl,
    namespace: str,
    cluster_generator: Callable[[dict[str, Any]], str],
) -> None:
    name = cluster_generator({"kind": "Password", "generator": {"uuidSpec": {}}})
    kubectl.apply(es_with(namespace, "bad-cluster", from_generator("ClusterGenerator", name)))
    cond = wait_es_message(kubectl, "bad-cluster", namespace, "spec.dataFrom[0].sourceRef.generatorRef")
    assert cond["status"] == "False"
    assert "set exactly passwordSpec (found uuidSpec)" in cond["message"]
    assert kubectl.secret_data("bad-cluster", namespace) is None


def _annotate_force_sync(kubectl: Kubectl, name: str, namespace: str) -> None:
    stamp = f"external-secrets.io/force-sync={time.time_ns()}"
    kubectl.run("annotate", "externalsecret", name, "-n", namespace, stamp, "--overwrite")


def test_created_once_keeps_the_value_across_a_forced_refresh(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    kubectl.apply(generator("Password", "pw", namespace, {}))
    kubectl.apply(es_with(namespace, "once", from_generator("Password", "pw"), refreshPolicy="CreatedOnce"))
    kubectl.apply(es_with(namespace, "periodic", from_generator("Password", "pw"), refreshInterval="1h"))
    wait_es(kubectl, "once", namespace)
    wait_es(kubectl, "periodic", namespace)
    once = secret_of(kubectl, "once", namespace)["password"]
    periodic = secret_of(kubectl, "periodic", namespace)["password"]
    once_rv = kubectl.get("secret", "once", namespace)["metadata"]["resourceVersion"]  # type: ignore[index]

    _annotate_force_sync(kubectl, "once", namespace)
    _annotate_force_sync(kubectl, "periodic", namespace)
    # the Periodic one does regenerate: the forced refresh really happened
    wait_until(
        lambda: secret_of(kubectl, "periodic", namespace)["password"] != periodic,
        what="periodic password regenerated by force-sync",
    )
    time.sleep(1.0)
    assert secret_of(kubectl, "once", namespace)["password"] == once
    assert kubectl.get("secret", "once", namespace)["metadata"]["resourceVersion"] == once_rv  # type: ignore[index]


def test_unknown_generator_kind_names_the_field(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    kubectl.apply(es_with(namespace, "ssh", from_generator("SSHKey", "key")))
    cond = wait_es_message(kubectl, "ssh", namespace, "spec.dataFrom[0].sourceRef.generatorRef.kind")
    assert cond["status"] == "False"
    assert "generator kind SSHKey is not supported by eso" in cond["message"]
    assert "Password" in cond["message"]

    kubectl.apply(
        es_with(namespace, "missing", from_generator("UUID", "nope"), from_generator("Password", "x"))
    )
    cond = wait_es_message(kubectl, "missing", namespace, "spec.dataFrom[0].sourceRef.generatorRef.name")
    assert f'UUID "nope" not found in namespace "{namespace}"' in cond["message"]


def test_invalid_generator_spec_names_the_generator_field(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    kubectl.apply(generator("Password", "tight", namespace, {"length": 8, "digits": 6, "symbols": 6}))
    kubectl.apply(es_with(namespace, "tight", from_generator("Password", "tight")))
    cond = wait_es_message(kubectl, "tight", namespace, "spec.dataFrom[0].sourceRef.generatorRef")
    assert 'Password "tight" spec.length' in cond["message"]


def test_an_operator_restart_regenerates_nothing(
    start_operator: Callable[..., OperatorRunner], kubectl: Kubectl, namespace: str
) -> None:
    # A controller class of its own keeps the session operator away from this ExternalSecret
    # (its store is unmanaged there), so only the operator restarted here touches it.
    klass = f"restart-{uuid.uuid4().hex[:8]}"
    first = start_operator(namespace=namespace, controller_class=klass)
    kubectl.apply(fake_store(namespace, {"static": "s"}, controller=klass))
    wait_store_ready(kubectl, "SecretStore", "fake", namespace)
    kubectl.apply(generator("Password", "pw", namespace, {}))
    kubectl.apply(generator("UUID", "id", namespace, {}))
    for name, spec in (("periodic", {"refreshInterval": "1h"}), ("once", {"refreshPolicy": "CreatedOnce"})):
        kubectl.apply(
            es_with(
                namespace,
                name,
                from_generator("Password", "pw"),
                from_generator("UUID", "id"),
                secretStoreRef={"name": "fake", "kind": "SecretStore"},
                data=[{"secretKey": "static", "remoteRef": {"key": "static"}}],
                **spec,
            )
        )
    before = {}
    for name in ("periodic", "once"):
        wait_es(kubectl, name, namespace)
        secret = kubectl.get("secret", name, namespace)
        assert secret is not None
        before[name] = (secret_of(kubectl, name, namespace), secret["metadata"]["resourceVersion"])
    first.call(first.operator.stop())  # the whole operator: workers, watches, caches, clients

    second = start_operator(namespace=namespace, controller_class=klass)
    metrics = second.operator.metrics
    wait_until(
        lambda: (
            metrics.counters.value("controller_runtime_reconcile_total", "externalsecret", "success") >= 2
        ),
        what="both ExternalSecrets reconciled by the restarted operator",
    )
    time.sleep(1.0)
    for name in ("periodic", "once"):
        secret = kubectl.get("secret", name, namespace)
        assert secret is not None
        assert (secret_of(kubectl, name, namespace), secret["metadata"]["resourceVersion"]) == before[name]
    assert metrics.provider_calls("Fake", "GetSecret") == 0


def test_a_new_external_secret_gets_one_value_not_two(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    """The reconcile queued by the first one (its finalizer patch) may still see no status:
    it must not replace the value that was just written."""
    kubectl.apply(generator("Password", "pw", namespace, {}))
    names = [f"es-{i}" for i in range(5)]
    kubectl.apply([es_with(namespace, n, from_generator("Password", "pw")) for n in names])
    for name in names:
        wait_es(kubectl, name, namespace)
    first = {name: secret_of(kubectl, name, namespace) for name in names}
    time.sleep(2.0)
    for name in names:
        assert secret_of(kubectl, name, namespace) == first[name]
        reasons = [e["reason"] for e in events_for(kubectl, namespace, name)]
        assert reasons.count("Created") == 1
        assert "Updated" not in reasons
