"""creationPolicy, deletionPolicy, immutable and ownership rules against the real API server."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from eso.api import constants
from eso.api.hashing import created_by
from tests.integration.builders import (
    events_for,
    external_secret,
    fake_store,
    secret,
    wait_es,
    wait_es_message,
    wait_store_ready,
)
from tests.support import Kubectl, OperatorRunner, ready_condition, wait_until


def _setup(kubectl: Kubectl, namespace: str, data: dict[str, str] | None = None) -> None:
    kubectl.apply(fake_store(namespace, data or {"k": "v1", "other": "o"}))
    wait_store_ready(kubectl, "secretstore", "fake", namespace)


def _spec(target: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "refreshInterval": "1h",
        "secretStoreRef": {"name": "fake", "kind": "SecretStore"},
        "target": target,
        "data": [{"secretKey": "key", "remoteRef": {"key": "k"}}],
        **extra,
    }


def test_owner_refuses_to_take_over_an_unmanaged_secret_and_adopts_on_opt_in(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _setup(kubectl, namespace)
    kubectl.apply(secret(namespace, "precious", {"keep": "me"}))
    kubectl.apply(external_secret(namespace, "taker", _spec({"name": "precious"})))
    cond = wait_es_message(kubectl, "taker", namespace, "already exists and is not managed")
    assert cond["status"] == "False"
    assert "external-secrets.io/adopt-existing-secret" in cond["message"]
    assert kubectl.secret_data("precious", namespace) == {"keep": b"me"}, "the existing Secret is untouched"
    assert any(
        e["reason"] == "UpdateFailed" and e["type"] == "Warning"
        for e in events_for(kubectl, namespace, "taker")
    )

    kubectl.run(
        "annotate",
        "externalsecret",
        "taker",
        "-n",
        namespace,
        "external-secrets.io/adopt-existing-secret=true",
    )
    wait_es(kubectl, "taker", namespace)
    assert kubectl.secret_data("precious", namespace) == {"key": b"v1"}
    owner = (kubectl.get("secret", "precious", namespace) or {})["metadata"]["ownerReferences"][0]
    assert owner["kind"] == "ExternalSecret"
    assert owner["name"] == "taker"


def test_owned_secret_is_garbage_collected_with_its_external_secret(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _setup(kubectl, namespace)
    kubectl.apply(external_secret(namespace, "owned", _spec({"name": "owned-secret"})))
    wait_es(kubectl, "owned", namespace)
    kubectl.delete("externalsecret", "owned", namespace)
    wait_until(
        lambda: kubectl.get("secret", "owned-secret", namespace) is None, timeout=60, what="GC of the Secret"
    )


def test_owner_deletes_the_secret_of_a_previous_target_name(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _setup(kubectl, namespace)
    kubectl.apply(external_secret(namespace, "mover", _spec({"name": "before"})))
    wait_es(kubectl, "mover", namespace)
    kubectl.apply(external_secret(namespace, "mover", _spec({"name": "after"})))
    wait_until(
        lambda: kubectl.get("secret", "before", namespace) is None, timeout=30, what="old target deleted"
    )
    assert kubectl.secret_data("after", namespace) == {"key": b"v1"}
    assert any(
        e["reason"] == "Deleted" and "orphaned" in e["message"]
        for e in events_for(kubectl, namespace, "mover")
    )


def test_a_previous_target_left_behind_by_a_crash_is_deleted_by_the_next_process(
    start_operator: Callable[..., OperatorRunner], kubectl: Kubectl, namespace: str
) -> None:
    """A process killed between writing the new target and deleting the old one: the new
    Secret is already right, so the next process writes nothing, yet must delete the old one."""
    klass = f"crash-{uuid.uuid4().hex[:8]}"  # only the operators started here touch this store
    first = start_operator(namespace=namespace, controller_class=klass)
    kubectl.apply(fake_store(namespace, {"k": "v1"}, controller=klass))
    wait_store_ready(kubectl, "secretstore", "fake", namespace)
    kubectl.apply(external_secret(namespace, "mover", _spec({"name": "after"})))
    wait_es(kubectl, "mover", namespace)
    first.call(first.operator.stop())
    es = kubectl.get("externalsecret", "mover", namespace) or {}
    left = secret(namespace, "before", {"key": "v1"})
    left["metadata"]["labels"] = {
        constants.LABEL_MANAGED: constants.LABEL_MANAGED_VALUE,
        constants.LABEL_CREATED_BY: created_by(namespace, "mover"),
    }
    left["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ExternalSecret",
            "name": "mover",
            "uid": es["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    kubectl.apply(left)
    # its status still speaks of an older spec: the crashed process never wrote the new one
    stale = '{"status": {"syncedResourceVersion": "1-stale"}}'
    kubectl.run(
        "patch",
        "externalsecret",
        "mover",
        "-n",
        namespace,
        "--subresource=status",
        "--type=merge",
        "-p",
        stale,
    )
    after = (kubectl.get("secret", "after", namespace) or {})["metadata"]["resourceVersion"]

    start_operator(namespace=namespace, controller_class=klass)
    wait_until(
        lambda: kubectl.get("secret", "before", namespace) is None, timeout=30, what="old target deleted"
    )
    wait_until(
        lambda: (
            (kubectl.get("externalsecret", "mover", namespace) or {})["status"]["syncedResourceVersion"]
            != "1-stale"
        ),
        what="the status caught up",
    )
    secret_now = kubectl.get("secret", "after", namespace) or {}
    assert secret_now["metadata"]["resourceVersion"] == after, "the right target is not rewritten"


def test_orphan_keeps_the_secret_after_deletion(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _setup(kubectl, namespace)
    kubectl.apply(
        external_secret(namespace, "orph", _spec({"name": "orph-secret", "creationPolicy": "Orphan"}))
    )
    wait_es(kubectl, "orph", namespace)
    obj = kubectl.get("secret", "orph-secret", namespace) or {}
    assert not obj["metadata"].get("ownerReferences")
    kubectl.delete("externalsecret", "orph", namespace, wait=True)
    assert kubectl.secret_data("orph-secret", namespace) == {"key": b"v1"}


def test_merge_waits_for_the_secret_then_adds_its_keys(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _setup(kubectl, namespace)
    kubectl.apply(external_secret(namespace, "merger", _spec({"name": "shared", "creationPolicy": "Merge"})))
    cond = ready_condition(wait_es(kubectl, "merger", namespace, reason="SecretMissing"))
    assert cond is not None
    assert cond["status"] == "True"
    assert kubectl.get("secret", "shared", namespace) is None
    kubectl.apply(secret(namespace, "shared", {"theirs": "x"}))
    kubectl.run("annotate", "externalsecret", "merger", "-n", namespace, "force-sync=1")
    wait_until(
        lambda: (kubectl.secret_data("shared", namespace) or {}).get("key") == b"v1", what="merged key"
    )
    assert kubectl.secret_data("shared", namespace) == {"theirs": b"x", "key": b"v1"}


def test_create_or_merge_creates_and_keeps_foreign_keys(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _setup(kubectl, namespace)
    kubectl.apply(
        external_secret(namespace, "com", _spec({"name": "com", "creationPolicy": "CreateOrMerge"}))
    )
    wait_es(kubectl, "com", namespace)
    kubectl.run("patch", "secret", "com", "-n", namespace, "--type=merge", "-p", '{"data":{"theirs":"eA=="}}')
    kubectl.run("annotate", "externalsecret", "com", "-n", namespace, "force-sync=1")
    wait_until(
        lambda: kubectl.secret_data("com", namespace) == {"key": b"v1", "theirs": b"x"}, what="both keys"
    )


def test_none_writes_nothing_but_reports_synced(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _setup(kubectl, namespace)
    kubectl.apply(external_secret(namespace, "nothing", _spec({"name": "never", "creationPolicy": "None"})))
    wait_es(kubectl, "nothing", namespace)
    assert kubectl.get("secret", "never", namespace) is None


def test_deletion_policy_delete_removes_the_secret_when_the_remote_is_gone(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _setup(kubectl, namespace)
    spec = _spec({"name": "del", "deletionPolicy": "Delete"}, refreshInterval="1s")
    kubectl.apply(external_secret(namespace, "del", spec))
    wait_es(kubectl, "del", namespace)
    kubectl.apply(fake_store(namespace, {"other": "o"}))  # the remote key disappears
    wait_es(kubectl, "del", namespace, reason="SecretDeleted")
    wait_until(lambda: kubectl.get("secret", "del", namespace) is None, what="Secret deleted")


def test_deletion_policy_retain_keeps_the_secret_and_reports_the_missing_key(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _setup(kubectl, namespace)
    kubectl.apply(external_secret(namespace, "ret", _spec({"name": "ret"}, refreshInterval="1s")))
    wait_es(kubectl, "ret", namespace)
    kubectl.apply(fake_store(namespace, {"other": "o"}))
    cond = wait_es_message(kubectl, "ret", namespace, "spec.data[0]")
    assert cond["status"] == "False"
    assert "does not exist" in cond["message"]
    assert kubectl.secret_data("ret", namespace) == {"key": b"v1"}, "nothing synced before is lost"


def test_deletion_policy_merge_drops_only_the_missing_key(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _setup(kubectl, namespace)
    spec = _spec({"name": "dm", "deletionPolicy": "Merge"}, refreshInterval="1s")
    spec["data"].append({"secretKey": "second", "remoteRef": {"key": "other"}})
    kubectl.apply(external_secret(namespace, "dm", spec))
    wait_until(
        lambda: kubectl.secret_data("dm", namespace) == {"key": b"v1", "second": b"o"}, what="both keys"
    )
    kubectl.apply(fake_store(namespace, {"other": "o"}))
    wait_until(lambda: kubectl.secret_data("dm", namespace) == {"second": b"o"}, what="missing key dropped")


def test_immutable_target_is_marked_and_not_rewritten(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _setup(kubectl, namespace)
    kubectl.apply(
        external_secret(namespace, "imm", _spec({"name": "imm", "immutable": True}, refreshInterval="1s"))
    )
    wait_es(kubectl, "imm", namespace)
    assert (kubectl.get("secret", "imm", namespace) or {}).get("immutable") is True
    kubectl.apply(fake_store(namespace, {"k": "v2", "other": "o"}))
    cond = wait_es_message(kubectl, "imm", namespace, "immutable")
    assert cond["status"] == "False"
    assert kubectl.secret_data("imm", namespace) == {"key": b"v1"}


def test_secret_owned_by_another_external_secret_is_refused(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _setup(kubectl, namespace)
    kubectl.apply(external_secret(namespace, "first", _spec({"name": "contested"})))
    wait_es(kubectl, "first", namespace)
    kubectl.apply(external_secret(namespace, "second", _spec({"name": "contested"})))
    cond = wait_es_message(kubectl, "second", namespace, "owned by another ExternalSecret")
    assert cond["status"] == "False"
