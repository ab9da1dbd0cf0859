"""The seed tutorial's manifests, unchanged, give the tutorial's results (steps 2 to 6)."""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.builders import wait_es, wait_store_ready
from tests.sandbox_fixtures import AwsHelper
from tests.support import Kubectl, OperatorRunner

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed"
DATABASE = {"username": "dbadmin", "password": "s3cur3P@ssw0rd!", "host": "mydb.example.com", "port": 5432}
API_KEY = "sk-abc123def456ghi789jkl"


@pytest.fixture
def tutorial(kubectl: Kubectl, aws: AwsHelper, operator: OperatorRunner) -> Iterator[None]:
    """Step 2 (IAM role, annotated ServiceAccount) and step 4 (the AWS secrets); cleaned up after."""
    iam = aws.iam
    policy = iam.create_policy(
        PolicyName=f"eso-seed-{aws.name()[-8:]}",
        PolicyDocument=(SEED / "eso-secrets-policy.json").read_text(),
    )["Policy"]["Arn"]
    role_name = f"external-secrets-role-{aws.name()[-8:]}"
    role = iam.create_role(
        RoleName=role_name, AssumeRolePolicyDocument=(SEED / "trust-policy.json").read_text()
    )
    iam.attach_role_policy(RoleName=role_name, PolicyArn=policy)
    kubectl.run("create", "namespace", "external-secrets", check=False)
    kubectl.run("create", "serviceaccount", "external-secrets", "-n", "external-secrets", check=False)
    kubectl.run(
        "annotate",
        "serviceaccount",
        "external-secrets",
        "-n",
        "external-secrets",
        f"eks.amazonaws.com/role-arn={role['Role']['Arn']}",
        "--overwrite",
    )
    aws.put_secret("myapp-database", json.dumps(DATABASE, separators=(",", ":")))
    aws.put_secret("myapp-api-key", API_KEY)
    try:
        yield
    finally:
        for kind, name in (
            ("externalsecret", "myapp-api-key"),
            ("externalsecret", "myapp-database"),
            ("secretstore", "aws-secrets-store"),
        ):
            kubectl.delete(kind, name, "default")
        with contextlib.suppress(Exception):
            kubectl.delete("pod", "myapp-consumer", "default")


def test_seed_manifests_unchanged_sync_the_tutorials_values(kubectl: Kubectl, tutorial: None) -> None:
    kubectl.apply((SEED / "secret-store.yaml").read_text())
    store = wait_store_ready(kubectl, "secretstore", "aws-secrets-store", "default")
    assert store["status"]["conditions"][0]["type"] == "Ready"
    assert store["status"]["capabilities"] == "ReadWrite"

    kubectl.apply((SEED / "external-secret-api-key.yaml").read_text())
    kubectl.apply((SEED / "external-secret-database.yaml").read_text())
    wait_es(kubectl, "myapp-api-key", "default")
    wait_es(kubectl, "myapp-database", "default")

    api = kubectl.secret_data("myapp-api-key-secret", "default")
    db = kubectl.secret_data("myapp-database-secret", "default")
    assert api == {"api-key": API_KEY.encode()}
    assert db == {
        "username": b"dbadmin",
        "password": b"s3cur3P@ssw0rd!",
        "host": b"mydb.example.com",
        "port": b"5432",
    }

    listing = kubectl.run(
        "get", "secrets", "myapp-api-key-secret", "myapp-database-secret", "-n", "default"
    ).stdout
    rows = {line.split()[0]: line.split() for line in listing.splitlines()[1:]}
    assert rows["myapp-api-key-secret"][1:3] == ["Opaque", "1"]
    assert rows["myapp-database-secret"][1:3] == ["Opaque", "4"]

    pod: dict[str, Any] = yaml.safe_load((SEED / "consumer-pod.yaml").read_text())
    kubectl.apply(pod)
    env = {}
    for var in pod["spec"]["containers"][0]["env"]:
        ref = var["valueFrom"]["secretKeyRef"]
        data = kubectl.secret_data(ref["name"], "default") or {}
        env[var["name"]] = data[ref["key"]].decode()
    assert env == {
        "API_KEY": API_KEY,
        "DB_USERNAME": "dbadmin",
        "DB_PASSWORD": "s3cur3P@ssw0rd!",
        "DB_HOST": "mydb.example.com",
        "DB_PORT": "5432",
    }

    table = kubectl.run("get", "externalsecrets", "-n", "default").stdout
    assert "STORETYPE" in table.splitlines()[0]
    for name in ("myapp-api-key", "myapp-database"):
        line = next(row for row in table.splitlines() if row.startswith(name + " "))
        assert line.split()[1:6] == ["SecretStore", "aws-secrets-store", "1h", "SecretSynced", "True"]

    stored = kubectl.get("externalsecret", "myapp-database", "default")
    assert stored is not None
    remote_refs = [d["remoteRef"] for d in stored["spec"]["data"]]
    assert all(set(ref) == {"key", "property"} for ref in remote_refs), (
        "no defaulted field written into the spec"
    )
    encoded = kubectl.get("secret", "myapp-database-secret", "default")
    assert encoded is not None
    assert base64.b64decode(encoded["data"]["port"]) == b"5432"
