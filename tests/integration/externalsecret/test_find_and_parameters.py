"""dataFrom find (by name, with path, by tags) and rewrite, for Secrets Manager and Parameter Store;
Parameter Store reads with versions, labels and SecureString (ESO's e2e cases)."""

from __future__ import annotations

from typing import Any

from tests.integration.builders import (
    aws_store,
    external_secret,
    irsa_service_account,
    wait_es,
    wait_es_message,
    wait_store_ready,
)
from tests.sandbox_fixtures import AwsHelper
from tests.support import Kubectl, OperatorRunner, wait_until


def _stores(kubectl: Kubectl, namespace: str) -> None:
    kubectl.apply(irsa_service_account(namespace))
    kubectl.apply(aws_store(namespace, "sm"))
    kubectl.apply(aws_store(namespace, "ps", service="ParameterStore"))
    wait_store_ready(kubectl, "secretstore", "sm", namespace)
    wait_store_ready(kubectl, "secretstore", "ps", namespace)


def _es(namespace: str, name: str, store: str, **spec: Any) -> dict[str, Any]:
    return external_secret(
        namespace, name, {"refreshInterval": "1h", "secretStoreRef": {"name": store}, **spec}
    )


def test_secrets_manager_find_by_name_path_and_tags_with_rewrite(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    base = aws.name("find")
    aws.put_secret(f"{base}/app/one", "1", Tags=[{"Key": "team", "Value": base[-8:]}])
    aws.put_secret(f"{base}/app/two", "2", Tags=[{"Key": "team", "Value": base[-8:]}])
    aws.put_secret(f"{base}/other/three", "3")
    _stores(kubectl, namespace)
    conv = base.replace("/", "_").replace("-", "-")
    kubectl.apply(_es(namespace, "byname", "sm", dataFrom=[{"find": {"name": {"regexp": f"{base}/app/.*"}}}]))
    kubectl.apply(
        _es(
            namespace,
            "bypath",
            "sm",
            dataFrom=[{"find": {"path": f"{base}/other", "name": {"regexp": "three$"}}}],
        )
    )
    kubectl.apply(
        _es(
            namespace,
            "bytags",
            "sm",
            dataFrom=[
                {
                    "find": {"tags": {"team": base[-8:]}},
                    "rewrite": [{"regexp": {"source": ".*/app/(.*)", "target": "app-$1"}}],
                }
            ],
        )
    )
    for name in ("byname", "bypath", "bytags"):
        wait_es(kubectl, name, namespace)
    assert kubectl.secret_data("byname", namespace) == {f"{conv}_app_one": b"1", f"{conv}_app_two": b"2"}
    assert kubectl.secret_data("bypath", namespace) == {f"{conv}_other_three": b"3"}
    assert kubectl.secret_data("bytags", namespace) == {"app-one": b"1", "app-two": b"2"}


def test_parameter_store_reads_versions_labels_secure_strings_and_find(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    base = aws.name("ps")
    aws.put_parameter(f"{base}/db/user", "admin")
    aws.put_parameter(f"{base}/db/pass", "first", type="SecureString")
    aws.put_parameter(f"{base}/db/pass", "second", type="SecureString")
    aws.ssm.label_parameter_version(Name=f"{base}/db/pass", ParameterVersion=1, Labels=["old"])
    aws.put_parameter(f"{base}/json", '{"a": {"b": "deep"}}')
    _stores(kubectl, namespace)
    kubectl.apply(
        _es(
            namespace,
            "params",
            "ps",
            data=[
                {"secretKey": "user", "remoteRef": {"key": f"{base}/db/user"}},
                {"secretKey": "pass", "remoteRef": {"key": f"{base}/db/pass"}},
                {"secretKey": "v1", "remoteRef": {"key": f"{base}/db/pass", "version": "1"}},
                {"secretKey": "labelled", "remoteRef": {"key": f"{base}/db/pass", "version": "old"}},
                {"secretKey": "deep", "remoteRef": {"key": f"{base}/json", "property": "a.b"}},
            ],
        )
    )
    wait_es(kubectl, "params", namespace)
    assert kubectl.secret_data("params", namespace) == {
        "user": b"admin",
        "pass": b"second",
        "v1": b"first",
        "labelled": b"first",
        "deep": b"deep",
    }
    kubectl.apply(
        _es(
            namespace,
            "psfind",
            "ps",
            dataFrom=[
                {
                    "find": {"path": f"{base}/db", "name": {"regexp": "user"}},
                    "rewrite": [{"regexp": {"source": ".*/(.*)", "target": "$1"}}],
                }
            ],
        )
    )
    wait_es(kubectl, "psfind", namespace)
    assert kubectl.secret_data("psfind", namespace) == {"user": b"admin"}


def test_find_with_deletion_policy_delete_removes_the_secret_when_nothing_matches(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    base = aws.name("gone")
    aws.put_secret(f"{base}/only", "x")
    _stores(kubectl, namespace)
    kubectl.apply(
        _es(
            namespace,
            "vanish",
            "sm",
            refreshInterval="1s",
            target={"deletionPolicy": "Delete"},
            dataFrom=[{"find": {"name": {"regexp": f"{base}/.*"}}}],
        )
    )
    wait_es(kubectl, "vanish", namespace)
    assert kubectl.get("secret", "vanish", namespace) is not None
    aws.delete_secret(f"{base}/only")
    wait_es(kubectl, "vanish", namespace, reason="SecretDeleted")
    wait_until(lambda: kubectl.get("secret", "vanish", namespace) is None, what="Secret deleted")


def test_invalid_regexp_and_invalid_key_names_are_reported_with_the_field(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str, aws: AwsHelper
) -> None:
    base = aws.name("keys")
    aws.put_secret(f"{base}/bad key!", "x")
    _stores(kubectl, namespace)
    kubectl.apply(_es(namespace, "badre", "sm", dataFrom=[{"find": {"name": {"regexp": "(?=look-ahead)"}}}]))
    cond = wait_es_message(kubectl, "badre", namespace, "spec.dataFrom[0].find.name.regexp")
    assert cond["status"] == "False"
    kubectl.apply(
        _es(
            namespace,
            "badkey",
            "sm",
            dataFrom=[
                {
                    "find": {"name": {"regexp": f"{base}/.*"}},
                    "rewrite": [{"regexp": {"source": ".*/(.*)", "target": "$1"}}],
                }
            ],
        )
    )
    cond = wait_es_message(kubectl, "badkey", namespace, "invalid characters")
    assert "spec.dataFrom[0]" in cond["message"]
    assert "TIP" in cond["message"]
