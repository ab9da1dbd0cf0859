"""PushSecret → AWS Secrets Manager and Parameter Store (the sandbox's emulator), end to end.

Every remote name is unique to the test (the emulator is shared) and removed afterwards.
API calls are counted with ``externalsecret_provider_api_calls_count``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.integration.builders import aws_store, irsa_service_account, secret, wait_store_ready
from tests.integration.pushsecret.helpers import (
    assert_no_value_in_status_or_events,
    calls,
    entry,
    push_secret,
    store_ref,
    synced_map,
    wait_ps,
    wait_ps_message,
    wait_version_change,
)
from tests.sandbox_fixtures import AwsHelper
from tests.support import Kubectl, OperatorRunner, ready_condition, sensitive, wait_until

SM = "AWS/SecretsManager"
SOURCE_LABEL = {"pushsecret.external-secrets.io/source": "true"}
METADATA_API = "kubernetes.external-secrets.io/v1alpha1"


@pytest.fixture
def remote(aws: AwsHelper) -> Iterator[Callable[[str], str]]:
    """Unique remote names for this test; whatever exists under them afterwards is deleted."""
    made: list[str] = []

    def name(suffix: str) -> str:
        made.append(aws.name(suffix))
        return made[-1]

    try:
        yield name
    finally:
        for each in made:
            aws.delete_secret(each)
            aws.delete_parameter(each)


def _stores(kubectl: Kubectl, namespace: str, **stores: dict[str, Any]) -> None:
    kubectl.apply(irsa_service_account(namespace))
    for name, provider in stores.items():
        kubectl.apply(aws_store(namespace, name, **provider))
    for name in stores:
        wait_store_ready(kubectl, "secretstore", name, namespace)


def _sm_value(aws: AwsHelper, name: str) -> bytes:
    response = aws.secretsmanager.get_secret_value(SecretId=name)
    if "SecretBinary" in response:
        return bytes(response["SecretBinary"])
    return str(response["SecretString"]).encode()


def _tags(aws: AwsHelper, name: str) -> dict[str, str]:
    described = aws.secretsmanager.describe_secret(SecretId=name)
    return {t["Key"]: t["Value"] for t in described.get("Tags") or []}


def _exists(aws: AwsHelper, name: str) -> bool:
    try:
        aws.secretsmanager.describe_secret(SecretId=name)
    except aws.secretsmanager.exceptions.ResourceNotFoundException:
        return False
    return True


def test_secrets_manager_push_create_update_and_unchanged_costs(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper, remote: Callable[[str], str]
) -> None:
    _stores(kubectl, namespace, aws={})
    name = remote("api")
    first, second = sensitive("sm-push-first-7c21"), sensitive("sm-push-second-7c21")
    kubectl.apply(secret(namespace, "src", {"api-key": first}, labels=SOURCE_LABEL))
    before = {
        c: calls(operator, SM, c)
        for c in ("DescribeSecret", "CreateSecret", "GetSecretValue", "PutSecretValue")
    }
    kubectl.apply(
        push_secret(namespace, "ps", stores=[store_ref("aws")], source="src", data=[entry("api-key", name)])
    )
    ps = wait_ps(kubectl, "ps", namespace)
    assert _sm_value(aws, name) == first.encode()
    assert _tags(aws, name) == {"managed-by": "external-secrets"}
    assert calls(operator, SM, "CreateSecret") - before["CreateSecret"] == 1
    assert calls(operator, SM, "PutSecretValue") - before["PutSecretValue"] == 0

    # the source changes: pushed within seconds (a labelled source is watched)
    put = calls(operator, SM, "PutSecretValue")
    kubectl.apply(secret(namespace, "src", {"api-key": second}, labels=SOURCE_LABEL))
    ps = wait_version_change(kubectl, "ps", namespace, ps["status"]["syncedResourceVersion"], timeout=15)
    assert _sm_value(aws, name) == second.encode()
    assert calls(operator, SM, "PutSecretValue") - put == 1

    # a push that finds the value unchanged writes nothing
    counts = {
        c: calls(operator, SM, c)
        for c in ("DescribeSecret", "GetSecretValue", "PutSecretValue", "CreateSecret")
    }
    kubectl.run("annotate", "pushsecret", "ps", "-n", namespace, "force-push=1")
    wait_version_change(kubectl, "ps", namespace, ps["status"]["syncedResourceVersion"])
    assert calls(operator, SM, "PutSecretValue") == counts["PutSecretValue"]
    assert calls(operator, SM, "CreateSecret") == counts["CreateSecret"]
    assert calls(operator, SM, "DescribeSecret") > counts["DescribeSecret"]
    assert _sm_value(aws, name) == second.encode()
    assert_no_value_in_status_or_events(kubectl, "ps", namespace, first, second)


def test_an_unmanaged_remote_secret_is_never_overwritten_and_nothing_else_is_lost(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper, remote: Callable[[str], str]
) -> None:
    _stores(kubectl, namespace, aws={})
    taken, free = remote("taken"), remote("free")
    aws.put_secret(taken, "owned-by-someone-else")
    kubectl.apply(secret(namespace, "src", {"a": "mine-a", "b": "mine-b"}))
    kubectl.apply(
        push_secret(
            namespace,
            "ps",
            stores=[store_ref("aws")],
            source="src",
            data=[entry("a", free), entry("b", taken)],
        )
    )
    cond = wait_ps_message(kubectl, "ps", namespace, "not managed")
    assert cond["reason"] == "Errored"
    assert cond["status"] == "False"
    message = cond["message"]
    assert f"could not write remote ref {taken} to target secretstore SecretStore/aws" in message
    assert "secret not managed by external-secrets" in message
    assert "delete the remote secret, or tag it managed-by=external-secrets" in message
    assert _sm_value(aws, taken) == b"owned-by-someone-else"
    assert _sm_value(aws, free) == b"mine-a", "the other entry is pushed anyway"
    ps = kubectl.get("pushsecret", "ps", namespace)
    assert list(synced_map(ps)["SecretStore/aws"]) == [free]
    warnings = [e for e in kubectl_events(kubectl, namespace, "ps") if e["type"] == "Warning"]
    assert any(e["reason"] == "Errored" and taken in e["message"] for e in warnings)
    # the owner hands it over: tag it, and the next retry takes it
    aws.secretsmanager.tag_resource(SecretId=taken, Tags=[{"Key": "managed-by", "Value": "external-secrets"}])
    wait_ps(kubectl, "ps", namespace, timeout=30)
    assert _sm_value(aws, taken) == b"mine-b"


def kubectl_events(kubectl: Kubectl, namespace: str, name: str) -> list[dict[str, Any]]:
    from tests.integration.builders import events_for

    return events_for(kubectl, namespace, name)


def test_if_not_exists_leaves_existing_remote_secrets_alone(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper, remote: Callable[[str], str]
) -> None:
    _stores(kubectl, namespace, aws={})
    existing, new = remote("existing"), remote("new")
    aws.put_secret(existing, "original", Tags=[{"Key": "managed-by", "Value": "external-secrets"}])
    kubectl.apply(secret(namespace, "src", {"a": "replacement", "b": "fresh"}))
    kubectl.apply(
        push_secret(
            namespace,
            "ps",
            stores=[store_ref("aws")],
            source="src",
            data=[entry("a", existing), entry("b", new)],
            updatePolicy="IfNotExists",
        )
    )
    ps = wait_ps(kubectl, "ps", namespace)
    assert (ready_condition(ps) or {})["message"] == (
        "PushSecret synced successfully. Existing secrets in providers unchanged."
    )
    assert _sm_value(aws, existing) == b"original"
    assert _sm_value(aws, new) == b"fresh"
    assert sorted(synced_map(ps)["SecretStore/aws"]) == sorted([existing, new])


def test_delete_policy_removes_remote_secrets_force_or_scheduled(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper, remote: Callable[[str], str]
) -> None:
    _stores(
        kubectl,
        namespace,
        force={"secretsManager": {"forceDeleteWithoutRecovery": True}},
        scheduled={"secretsManager": {"recoveryWindowInDays": 7}},
    )
    kept, dropped, scheduled = remote("kept"), remote("dropped"), remote("scheduled")
    kubectl.apply(secret(namespace, "src", {"a": "1", "b": "2"}))
    ps = push_secret(
        namespace,
        "ps",
        stores=[store_ref("force")],
        source="src",
        data=[entry("a", kept), entry("b", dropped)],
        deletionPolicy="Delete",
    )
    kubectl.apply(ps)
    kubectl.apply(
        push_secret(
            namespace,
            "ps-scheduled",
            stores=[store_ref("scheduled")],
            source="src",
            data=[entry("a", scheduled)],
            deletionPolicy="Delete",
        )
    )
    obj = wait_ps(kubectl, "ps", namespace)
    wait_ps(kubectl, "ps-scheduled", namespace)
    assert _exists(aws, kept)
    assert _exists(aws, dropped)
    # an entry removed from the spec is deleted at once, without recovery
    ps["spec"]["data"] = [entry("a", kept)]
    kubectl.apply(ps)
    wait_version_change(kubectl, "ps", namespace, obj["status"]["syncedResourceVersion"])
    assert not _exists(aws, dropped)
    assert _exists(aws, kept)
    # deleting the PushSecret deletes what it pushed
    kubectl.delete("pushsecret", "ps", namespace)
    kubectl.delete("pushsecret", "ps-scheduled", namespace)
    wait_until(lambda: kubectl.get("pushsecret", "ps", namespace) is None, what="ps gone")
    wait_until(lambda: kubectl.get("pushsecret", "ps-scheduled", namespace) is None, what="ps-scheduled gone")
    assert not _exists(aws, kept)
    described = aws.secretsmanager.describe_secret(SecretId=scheduled)
    assert described.get("DeletedDate"), "without forceDeleteWithoutRecovery the deletion is scheduled"


def test_metadata_sets_format_and_tags(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper, remote: Callable[[str], str]
) -> None:
    _stores(kubectl, namespace, aws={})
    name = remote("meta")
    metadata = {
        "apiVersion": METADATA_API,
        "kind": "PushSecretMetadata",
        "spec": {"secretPushFormat": "string", "tags": {"team": "payments"}},
    }
    kubectl.apply(secret(namespace, "src", {"k": "text-value"}))
    kubectl.apply(
        push_secret(
            namespace,
            "ps",
            stores=[store_ref("aws")],
            source="src",
            data=[entry("k", name, metadata=metadata)],
        )
    )
    wait_ps(kubectl, "ps", namespace)
    response = aws.secretsmanager.get_secret_value(SecretId=name)
    assert response["SecretString"] == "text-value"
    assert _tags(aws, name) == {"managed-by": "external-secrets", "team": "payments"}


def test_parameter_store_push_update_and_delete(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper, remote: Callable[[str], str]
) -> None:
    _stores(kubectl, namespace, ssm={"service": "ParameterStore"})
    name, whole = remote("param"), remote("whole")
    kubectl.apply(secret(namespace, "src", {"k": "p1", "j": "x"}, labels=SOURCE_LABEL))
    kubectl.apply(
        push_secret(
            namespace,
            "ps",
            stores=[store_ref("ssm")],
            source="src",
            data=[entry("k", name), entry(None, whole, metadata=_ssm_decoded())],
            deletionPolicy="Delete",
        )
    )
    wait_ps(kubectl, "ps", namespace)
    assert aws.ssm.get_parameter(Name=name)["Parameter"]["Value"] == "p1"
    tags = aws.ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    assert {t["Key"]: t["Value"] for t in tags} == {"managed-by": "external-secrets"}
    assert json.loads(aws.ssm.get_parameter(Name=whole)["Parameter"]["Value"]) == {"j": "x", "k": "p1"}
    kubectl.apply(secret(namespace, "src", {"k": "p2", "j": "x"}, labels=SOURCE_LABEL))
    wait_until(
        lambda: aws.ssm.get_parameter(Name=name)["Parameter"]["Value"] == "p2", timeout=15, what="updated"
    )
    kubectl.delete("pushsecret", "ps", namespace)
    wait_until(lambda: kubectl.get("pushsecret", "ps", namespace) is None, what="ps gone")
    with pytest.raises(aws.ssm.exceptions.ParameterNotFound):
        aws.ssm.get_parameter(Name=name)


def _ssm_decoded() -> dict[str, Any]:
    return {"apiVersion": METADATA_API, "kind": "PushSecretMetadata", "spec": {"encodeAsDecoded": True}}


def _count(runner: OperatorRunner, call: str) -> tuple[float, float]:
    metrics = runner.operator.metrics
    return metrics.provider_calls(SM, call), metrics.provider_calls(SM, call, "error")


def _sm_calls(runner: OperatorRunner) -> dict[str, tuple[float, float]]:
    names = ("DescribeSecret", "CreateSecret", "GetSecretValue", "PutSecretValue", "TagResource")
    return {name: _count(runner, name) for name in names if any(_count(runner, name))}


def test_calls_per_push_and_a_restart_pushes_nothing(
    start_operator: Callable[..., OperatorRunner],
    kubectl: Kubectl,
    namespace: str,
    aws: AwsHelper,
    remote: Callable[[str], str],
) -> None:
    # a controller class of its own keeps the session operator away: exact counts, a real restart
    klass = f"ps-restart-{namespace[-8:]}"
    first = start_operator(namespace=namespace, controller_class=klass)
    kubectl.apply(irsa_service_account(namespace))
    store = aws_store(namespace, "aws")
    store["spec"]["controller"] = klass
    kubectl.apply(store)
    wait_store_ready(kubectl, "secretstore", "aws", namespace)
    name = remote("counted")
    kubectl.apply(secret(namespace, "src", {"k": "v1"}, labels=SOURCE_LABEL))
    kubectl.apply(
        push_secret(namespace, "ps", stores=[store_ref("aws")], source="src", data=[entry("k", name)])
    )
    ps = wait_ps(kubectl, "ps", namespace)
    assert _sm_calls(first) == {"DescribeSecret": (0, 1), "CreateSecret": (1, 0)}, "create: 2 calls"
    kubectl.apply(secret(namespace, "src", {"k": "v2"}, labels=SOURCE_LABEL))
    ps = wait_version_change(kubectl, "ps", namespace, ps["status"]["syncedResourceVersion"])
    assert _sm_calls(first) == {
        "DescribeSecret": (1, 1),
        "CreateSecret": (1, 0),
        "GetSecretValue": (1, 0),
        "PutSecretValue": (1, 0),
    }, "update: 3 calls"
    kubectl.run("annotate", "pushsecret", "ps", "-n", namespace, "force-push=1")
    ps = wait_version_change(kubectl, "ps", namespace, ps["status"]["syncedResourceVersion"])
    assert _sm_calls(first)["PutSecretValue"] == (1, 0), "unchanged: 2 reads, no write"
    assert _sm_calls(first)["GetSecretValue"] == (2, 0)
    first.call(first.operator.stop())

    second = start_operator(namespace=namespace, controller_class=klass)
    counters = second.operator.metrics.counters
    wait_until(
        lambda: counters.value("controller_runtime_reconcile_total", "pushsecret", "success") >= 1,
        what="the PushSecret reconciled by the restarted operator",
    )
    time.sleep(1.0)
    assert _sm_calls(second) == {}, "a restart makes no provider call"
    after = kubectl.get("pushsecret", "ps", namespace) or {}
    assert after["metadata"]["resourceVersion"] == ps["metadata"]["resourceVersion"], "and writes no status"
    assert _sm_value(aws, name) == b"v2"


def test_deleting_the_namespace_deletes_what_was_pushed_and_does_not_hang(
    operator: OperatorRunner, kubectl: Kubectl, aws: AwsHelper, remote: Callable[[str], str]
) -> None:
    """Through a ClusterSecretStore (credentials outside the namespace) the remote secret is
    deleted; through a namespaced store whose credentials go with the namespace it may have
    to be left in place, but the namespace deletion never hangs."""
    suffix = uuid.uuid4().hex[:8]
    namespace, creds = f"ps-ns-delete-{suffix}", f"ps-ns-creds-{suffix}"
    cluster = f"ps-ns-delete-{suffix}"
    kubectl.run("create", "namespace", namespace)
    kubectl.run("create", "namespace", creds)
    try:
        kubectl.apply(irsa_service_account(creds))
        auth = {"jwt": {"serviceAccountRef": {"name": "eso-sa", "namespace": creds}}}
        force = {"forceDeleteWithoutRecovery": True}
        kubectl.apply(
            aws_store(namespace, cluster, kind="ClusterSecretStore", auth=auth, secretsManager=force)
        )
        wait_store_ready(kubectl, "clustersecretstore", cluster, None)
        _stores(kubectl, namespace, aws={"secretsManager": {"forceDeleteWithoutRecovery": True}})
        via_cluster, via_namespaced = remote("via-cluster"), remote("via-namespaced")
        kubectl.apply(secret(namespace, "src", {"k": "v"}))
        for name, ref, remote_key in (
            ("ps-cluster", store_ref(cluster, "ClusterSecretStore"), via_cluster),
            ("ps-namespaced", store_ref("aws"), via_namespaced),
        ):
            kubectl.apply(
                push_secret(
                    namespace,
                    name,
                    stores=[ref],
                    source="src",
                    data=[entry("k", remote_key)],
                    deletionPolicy="Delete",
                )
            )
            wait_ps(kubectl, name, namespace)
        assert _exists(aws, via_cluster)
        wait_until(
            lambda: (
                "secretstore.externalsecrets.io/finalizer"
                in (
                    ((kubectl.get("secretstore", "aws", namespace) or {}).get("metadata") or {}).get(
                        "finalizers"
                    )
                    or []
                )
            ),
            what="store pinned by the PushSecret",
        )
        kubectl.delete("namespace", namespace)
        wait_until(lambda: kubectl.get("namespace", namespace) is None, timeout=90, what="namespace deleted")
        assert not _exists(aws, via_cluster), "deleted through the ClusterSecretStore"
        css = kubectl.get("clustersecretstore", cluster) or {}
        assert not (css.get("metadata") or {}).get("finalizers"), "the ClusterSecretStore is no longer pinned"
    finally:
        kubectl.delete("namespace", namespace)
        kubectl.delete("clustersecretstore", cluster)
        kubectl.delete("namespace", creds)
