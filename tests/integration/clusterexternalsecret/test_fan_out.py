"""ClusterExternalSecret fan-out against a real API server (and its garbage collector).

Children follow namespaces as they appear, change labels and go away; a foreign
ExternalSecret is reported and left alone; status lists are sorted; the children of
one ClusterExternalSecret share provider reads.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.integration.builders import external_secret, wait_es
from tests.integration.clusterexternalsecret.conftest import Env
from tests.support import Kubectl, OperatorRunner, ready_condition, wait_until

FORCE_SYNC = "external-secrets.io/force-sync"


def child_spec(store: str, *, key: str = "shared", target: str = "child-secret") -> dict[str, Any]:
    return {
        "refreshInterval": "1h",
        "secretStoreRef": {"name": store, "kind": "ClusterSecretStore"},
        "target": {"name": target},
        "data": [{"secretKey": "value", "remoteRef": {"key": key}}],
    }


def children(kubectl: Kubectl, name: str, namespaces: list[str]) -> dict[str, dict[str, Any] | None]:
    return {ns: kubectl.get("externalsecret", name, ns) for ns in namespaces}


def secret_value(kubectl: Kubectl, name: str, namespace: str) -> bytes | None:
    data = kubectl.secret_data(name, namespace)
    return (data or {}).get("value")


def test_children_follow_namespaces_as_they_appear_relabel_and_the_parent_goes(
    operator: OperatorRunner, env: Env, kubectl: Kubectl
) -> None:
    store = env.fake_cluster_store({"shared": "s3cr3t"})
    first = [env.namespace(s) for s in ("b", "a", "c")]
    outsider = env.namespace("x", labelled=False)
    ces = env.ces(
        env.name("fan"),
        {
            "namespaceSelectors": [env.selector],
            "externalSecretName": "child",
            "externalSecretMetadata": {"labels": {"team": "blue"}, "annotations": {"owner": "platform"}},
            "refreshTime": "1m",
            "externalSecretSpec": child_spec(store),
        },
    )
    status = env.wait_provisioned(ces, first)
    assert status["externalSecretName"] == "child"
    assert status["provisionedNamespaces"] == sorted(first)
    assert "failedNamespaces" not in status
    cond = ready_condition({"status": status})
    assert cond is not None
    assert cond["status"] == "True"
    parent = kubectl.get("clusterexternalsecret", ces)
    assert parent is not None
    assert (
        "externalsecrets.external-secrets.io/clusterexternalsecret-cleanup"
        in parent["metadata"]["finalizers"]
    )

    for ns in first:
        child = kubectl.get("externalsecret", "child", ns)
        assert child is not None
        assert child["spec"] == child_spec(store), "the spec is copied as written, nothing defaulted"
        assert child["metadata"]["labels"] == {"team": "blue"}
        assert child["metadata"]["annotations"] == {"owner": "platform"}
        (owner,) = child["metadata"]["ownerReferences"]
        assert (owner["kind"], owner["name"], owner["uid"], owner["controller"]) == (
            "ClusterExternalSecret",
            ces,
            parent["metadata"]["uid"],
            True,
        )
        wait_until(
            lambda ns=ns: secret_value(kubectl, "child-secret", ns) == b"s3cr3t", what=f"Secret in {ns}"
        )
    assert kubectl.get("externalsecret", "child", outsider) is None
    namespace_obj = kubectl.get("namespace", first[0])
    assert not any(
        f.startswith("externalsecrets.external-secrets.io/ces-")
        for f in namespace_obj["metadata"].get("finalizers") or []
    )  # type: ignore[index]

    # a new matching namespace gets a child at once (not at the next refresh)
    late = env.namespace("d")
    env.wait_provisioned(ces, [*first, late])
    wait_until(lambda: kubectl.get("externalsecret", "child", late), what="child in the new namespace")

    # relabelling a namespace out of the selection removes its child
    env.label(first[0], labelled=False)
    env.wait_provisioned(ces, [*first[1:], late])
    wait_until(
        lambda: kubectl.get("externalsecret", "child", first[0]) is None, what="child removed on relabel"
    )
    # ... and labelling the outsider in adds one
    env.label(outsider, labelled=True)
    env.wait_provisioned(ces, [*first[1:], late, outsider])

    # deleting the parent removes every child
    kubectl.run("delete", "clusterexternalsecret", ces, "--wait=true", "--timeout=30s")
    remaining = [*first[1:], late, outsider]
    wait_until(
        lambda: all(v is None for v in children(kubectl, "child", remaining).values()),
        what="children deleted with their parent",
    )


def test_a_foreign_external_secret_is_reported_and_left_alone(
    operator: OperatorRunner, env: Env, kubectl: Kubectl
) -> None:
    store = env.fake_cluster_store({"shared": "v", "theirs": "t"})
    namespaces = [env.namespace(s) for s in ("q", "e", "w", "r")]
    taken = sorted(namespaces)[1::2]
    for ns in taken:
        kubectl.apply(
            external_secret(
                ns, "child", child_spec(store, key="theirs", target="theirs"), labels={"mine": "1"}
            )
        )
        wait_es(kubectl, "child", ns)
    before = {ns: kubectl.get("externalsecret", "child", ns) for ns in taken}
    ces = env.ces(
        env.name("clash"),
        {
            "namespaceSelectors": [env.selector],
            "externalSecretName": "child",
            "externalSecretSpec": child_spec(store),
        },
    )
    free = sorted(set(namespaces) - set(taken))
    status = env.wait_status(ces, lambda s: len(s.get("failedNamespaces", [])) == 2, "two failed namespaces")
    assert status["failedNamespaces"] == [
        {"namespace": ns, "reason": "external secret already exists in namespace"} for ns in sorted(taken)
    ]
    status = env.wait_provisioned(ces, free)
    cond = ready_condition({"status": status})
    assert cond is not None
    assert (cond["status"], cond["message"]) == ("False", "one or more namespaces failed")
    for ns in taken:
        now = kubectl.get("externalsecret", "child", ns)
        assert now is not None
        assert before[ns] is not None
        assert now["spec"] == before[ns]["spec"]  # type: ignore[index]
        assert now["metadata"]["labels"] == {"mine": "1"}
        assert "ownerReferences" not in now["metadata"]
        assert secret_value(kubectl, "theirs", ns) == b"t"
    # once the foreign object is gone, the namespace is provisioned
    kubectl.delete("externalsecret", "child", taken[0])
    env.wait_provisioned(ces, sorted([*free, taken[0]]))


def test_selector_union_deprecated_fields_and_no_match(
    operator: OperatorRunner, env: Env, kubectl: Kubectl
) -> None:
    store = env.fake_cluster_store({"shared": "v"})
    a = env.namespace("a")
    b = env.namespace("b", labelled=False)
    nothing = env.ces(
        env.name("none"),
        {
            "namespaceSelectors": [{"matchLabels": {"eso-ces-test": f"nobody-{uuid.uuid4().hex[:6]}"}}],
            "externalSecretSpec": child_spec(store),
        },
    )
    status = env.wait_status(
        nothing, lambda s: bool(ready_condition({"status": s})), "Ready on an empty selection"
    )
    cond = ready_condition({"status": status})
    assert cond is not None
    assert cond["status"] == "True"
    assert "no namespace matches" in cond["message"]
    assert "provisionedNamespaces" not in status

    union = env.ces(
        env.name("union"),
        {
            "namespaces": [b, a],
            "namespaceSelector": env.selector,
            "namespaceSelectors": [
                env.selector,
                {
                    "matchExpressions": [
                        {"key": "kubernetes.io/metadata.name", "operator": "In", "values": [b]}
                    ]
                },
            ],
            "externalSecretSpec": child_spec(store),
        },
    )
    status = env.wait_provisioned(union, [a, b])
    assert status["externalSecretName"] == union, "externalSecretName defaults to the CES name"
    assert kubectl.get("externalsecret", union, a) is not None


def test_renaming_and_force_sync_reach_the_children(
    operator: OperatorRunner, env: Env, kubectl: Kubectl
) -> None:
    store = env.fake_cluster_store({"shared": "v"})
    namespaces = [env.namespace(s) for s in ("a", "b")]
    spec = {
        "namespaceSelectors": [env.selector],
        "externalSecretName": "old",
        "externalSecretSpec": child_spec(store),
    }
    ces = env.ces(env.name("rename"), spec)
    env.wait_provisioned(ces, namespaces)
    env.ces(ces, {**spec, "externalSecretName": "new"})
    env.wait_status(
        ces,
        lambda s: (
            s.get("externalSecretName") == "new" and s.get("provisionedNamespaces") == sorted(namespaces)
        ),
        "renamed",
    )
    wait_until(
        lambda: (
            all(kubectl.get("externalsecret", "old", ns) is None for ns in namespaces)
            and all(kubectl.get("externalsecret", "new", ns) for ns in namespaces)
        ),
        what="old children replaced by new ones",
    )
    stamp = str(time.time_ns())
    kubectl.run("annotate", "clusterexternalsecret", ces, f"{FORCE_SYNC}={stamp}", "--overwrite")
    wait_until(
        lambda: all(
            ((kubectl.get("externalsecret", "new", ns) or {}).get("metadata") or {})
            .get("annotations", {})
            .get(FORCE_SYNC)
            == stamp
            for ns in namespaces
        ),
        what="force-sync copied to the children",
    )
    kubectl.run("annotate", "clusterexternalsecret", ces, f"{FORCE_SYNC}-")
    wait_until(
        lambda: all(
            FORCE_SYNC
            not in (
                ((kubectl.get("externalsecret", "new", ns) or {}).get("metadata") or {}).get("annotations")
                or {}
            )
            for ns in namespaces
        ),
        what="force-sync removed from the children",
    )
    # a hand edit of a child is reverted
    kubectl.run(
        "patch",
        "externalsecret",
        "new",
        "-n",
        namespaces[0],
        "--type=merge",
        "-p",
        '{"spec":{"refreshInterval":"5m"}}',
    )
    wait_until(
        lambda: (
            (kubectl.get("externalsecret", "new", namespaces[0]) or {}).get("spec", {}).get("refreshInterval")
            == "1h"
        ),
        what="child spec restored",
    )


def test_children_share_provider_reads(
    operator: OperatorRunner, start_operator: Any, env: Env, kubectl: Kubectl
) -> None:
    """N children over one remote key: count the provider reads they cost.

    The children's store has a controller class of its own and a private operator of
    that class (with no CES controller) syncs them, so its metrics count exactly their reads.
    """
    count = 8
    klass = f"fanout-{env.token}"
    private = start_operator(controller_class=klass, enable_cluster_external_secret_reconciler=False)
    store = env.fake_cluster_store({"shared": "ces-fanout-value-5d1e"}, controller=klass)
    namespaces = [env.namespace(f"n{i}") for i in range(count)]
    before = private.operator.metrics.provider_calls("Fake", "GetSecret")
    ces = env.ces(
        env.name("reads"),
        {
            "namespaceSelectors": [env.selector],
            "externalSecretName": "child",
            "externalSecretSpec": child_spec(store),
        },
    )
    env.wait_provisioned(ces, namespaces)
    for ns in namespaces:
        wait_until(
            lambda ns=ns: secret_value(kubectl, "child-secret", ns) == b"ces-fanout-value-5d1e",
            what=f"Secret in {ns}",
        )
    reads = private.operator.metrics.provider_calls("Fake", "GetSecret") - before
    print(f"\nfan-out: {count} children over one remote key cost {reads:.0f} provider GetSecret call(s)")
    assert reads <= 2, "one read (two at a window edge) serves every child"


def _child_writes(operator: OperatorRunner) -> dict[tuple[str, str], int]:
    writes = operator.operator.wiring.client.writes
    watched = {("POST", "externalsecrets"), ("PUT", "externalsecrets"), ("DELETE", "externalsecrets")}
    watched |= {("PATCH", "clusterexternalsecrets/status"), ("PATCH", "clusterexternalsecrets")}
    return {k: v for k, v in writes.items() if k in watched}


def test_a_recheck_that_finds_everything_in_place_writes_nothing(
    operator: OperatorRunner, env: Env, kubectl: Kubectl
) -> None:
    store = env.fake_cluster_store({"shared": "v"})
    namespaces = [env.namespace(s) for s in ("a", "b", "c")]
    ces = env.ces(
        env.name("steady"),
        {"namespaceSelectors": [env.selector], "refreshTime": "1s", "externalSecretSpec": child_spec(store)},
    )
    env.wait_provisioned(ces, namespaces)
    time.sleep(1.5)
    before = _child_writes(operator)
    time.sleep(4.0)  # about four re-checks
    assert _child_writes(operator) == before


def test_no_cluster_external_secret_controller_when_watching_one_namespace(
    start_operator: Any, namespace: str
) -> None:
    private = start_operator(namespace=namespace)
    names = [c.name for c in private.operator.wiring.controllers]
    assert "externalsecret" in names
    assert "clusterexternalsecret" not in names


def test_namespace_finalizers_left_by_eso_are_removed(
    operator: OperatorRunner, env: Env, kubectl: Kubectl
) -> None:
    """ESO puts ``…/ces-<name>`` on every provisioned namespace; eso does not, and drops ESO's."""
    store = env.fake_cluster_store({"shared": "v"})
    name = env.name("migrated")
    finalizer = f"externalsecrets.external-secrets.io/ces-{name}"
    ns = env.namespace("a")
    patch = json.dumps({"metadata": {"finalizers": [finalizer]}})
    kubectl.run("patch", "namespace", ns, "--type=merge", "-p", patch)
    env.ces(name, {"namespaceSelectors": [env.selector], "externalSecretSpec": child_spec(store)})
    env.wait_provisioned(name, [ns])

    def finalizers() -> list[str]:
        return list(((kubectl.get("namespace", ns) or {}).get("metadata") or {}).get("finalizers") or [])

    wait_until(lambda: finalizer not in finalizers(), what="ESO's namespace finalizer removed")
