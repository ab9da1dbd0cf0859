"""The seed tutorial's step 7 PushSecret (``tests/fixtures/seed/push-secret.yaml``), in a fresh namespace.

Verbatim it has no ``spec.selector`` (and its ``remoteRef`` sits beside ``match``): eso
reports the missing selector and how to name the source Secret, posts one Warning
event and does not retry it hot. With a selector naming a Secret that holds
``myapp-api-key``, it pushes that value to ``myapp-api-key-pushed`` (the misplaced
``remoteRef`` is accepted as ``match.remoteRef``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.builders import events_for, secret, wait_store_ready
from tests.integration.pushsecret.helpers import assert_no_value_in_status_or_events, wait_ps, wait_ps_message
from tests.sandbox_fixtures import AwsHelper
from tests.support import Kubectl, OperatorRunner, ready_condition, wait_until

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed"
API_KEY = "sk-abc123def456ghi789jkl"
PUSHED = "myapp-api-key-pushed"


def _seed(name: str, namespace: str) -> dict[str, Any]:
    manifest: dict[str, Any] = yaml.safe_load((SEED / name).read_text())
    manifest["metadata"]["namespace"] = namespace
    return manifest


def _forget_remote(aws: AwsHelper) -> None:
    with contextlib.suppress(aws.secretsmanager.exceptions.ResourceNotFoundException):
        aws.secretsmanager.delete_secret(SecretId=PUSHED, ForceDeleteWithoutRecovery=True)


@pytest.fixture
def seed_store(kubectl: Kubectl, aws: AwsHelper, namespace: str, operator: OperatorRunner) -> Iterator[None]:
    """Step 2's annotated ServiceAccount and step 3's SecretStore (the seed's, in ``namespace``)."""
    role = aws.iam.create_role(
        RoleName=f"eso-ps-seed-{aws.name()[-8:]}",
        AssumeRolePolicyDocument=(SEED / "trust-policy.json").read_text(),
    )["Role"]["Arn"]
    kubectl.run("create", "namespace", "external-secrets", check=False)
    kubectl.run("create", "serviceaccount", "external-secrets", "-n", "external-secrets", check=False)
    sa = kubectl.get("serviceaccount", "external-secrets", "external-secrets") or {}
    if "eks.amazonaws.com/role-arn" not in (sa.get("metadata") or {}).get("annotations", {}):
        kubectl.run(
            "annotate",
            "serviceaccount",
            "external-secrets",
            "-n",
            "external-secrets",
            f"eks.amazonaws.com/role-arn={role}",
        )
    _forget_remote(aws)
    kubectl.apply(_seed("secret-store.yaml", namespace))
    wait_store_ready(kubectl, "secretstore", "aws-secrets-store", namespace)
    try:
        yield
    finally:
        kubectl.delete("pushsecret", "push-myapp-secret", namespace)
        wait_until(
            lambda: kubectl.get("pushsecret", "push-myapp-secret", namespace) is None, what="PushSecret gone"
        )
        _forget_remote(aws)


def test_seed_step7_verbatim_is_reported_then_pushes_once_a_selector_is_added(
    kubectl: Kubectl, aws: AwsHelper, namespace: str, seed_store: None
) -> None:
    verbatim = _seed("push-secret.yaml", namespace)
    assert "selector" not in verbatim["spec"]
    assert "remoteRef" in verbatim["spec"]["data"][0], "the seed puts remoteRef beside match"
    kubectl.apply(verbatim)
    cond = wait_ps_message(kubectl, "push-myapp-secret", namespace, "spec.selector")
    assert cond["status"] == "False"
    assert cond["reason"] == "Errored"
    assert "spec.selector: is missing" in cond["message"]
    assert "spec.selector.secret.name: <name of the Secret holding the key>" in cond["message"]
    assert "spec.data[0].remoteRef" not in cond["message"], "the misplaced remoteRef is only a warning"
    time.sleep(6)  # longer than the suite's permanent-error retry: a hot retry would post again
    warnings = [e for e in events_for(kubectl, namespace, "push-myapp-secret") if e["type"] == "Warning"]
    assert len(warnings) == 1, warnings
    assert warnings[0]["reason"] == "Errored"
    assert warnings[0].get("count", 1) == 1, "not retried until the PushSecret changes"
    with pytest.raises(aws.secretsmanager.exceptions.ResourceNotFoundException):
        aws.secretsmanager.describe_secret(SecretId=PUSHED)

    kubectl.apply(secret(namespace, "myapp-push-source", {"myapp-api-key": API_KEY}))
    fixed = _seed("push-secret.yaml", namespace)
    fixed["spec"]["selector"] = {"secret": {"name": "myapp-push-source"}}
    kubectl.apply(fixed)
    ps = wait_ps(kubectl, "push-myapp-secret", namespace)
    assert (ready_condition(ps) or {})["message"] == "PushSecret synced successfully"
    response = aws.secretsmanager.get_secret_value(SecretId=PUSHED)
    value = response.get("SecretString") or bytes(response["SecretBinary"]).decode()
    assert value == API_KEY
    tags = {
        t["Key"]: t["Value"] for t in aws.secretsmanager.describe_secret(SecretId=PUSHED).get("Tags") or []
    }
    assert tags == {"managed-by": "external-secrets"}
    assert ps["status"]["syncedPushSecrets"] == {
        "SecretStore/aws-secrets-store": {
            PUSHED: {"match": {"secretKey": "myapp-api-key", "remoteRef": {"remoteKey": PUSHED}}}
        }
    }
    hints = [e for e in events_for(kubectl, namespace, "push-myapp-secret") if e["reason"] == "SpecWarning"]
    assert any("spec.data[0].remoteRef: belongs under match" in e["message"] for e in hints), hints
    assert_no_value_in_status_or_events(kubectl, "push-myapp-secret", namespace, API_KEY)
