"""The sandbox is a real cluster: storage, RBAC'd admin access, TokenRequest, garbage
collection, namespace deletion and ServiceAccount creation all work, and the AWS emulator
answers Secrets Manager, SSM, STS and IAM."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lightkube import ApiError, Client
from lightkube.generic_resource import create_namespaced_resource
from lightkube.models.authentication_v1 import TokenRequestSpec
from lightkube.models.meta_v1 import ObjectMeta, OwnerReference
from lightkube.resources.core_v1 import ConfigMap, Namespace, Secret, ServiceAccount, ServiceAccountToken

from tests.sandbox_fixtures import AwsHelper, SandboxSession


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.25)


def gone(get: Callable[[], object]) -> bool:
    try:
        get()
    except ApiError as exc:
        if exc.status.code == 404:
            return True
        raise
    return False


def jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    def b64(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    header, payload, signature = token.split(".")
    return json.loads(b64(header)), json.loads(b64(payload)), f"{header}.{payload}".encode(), b64(signature)


def service_account_token(kube: Client, namespace: str, name: str, audience: str) -> str:
    request = ServiceAccountToken(
        metadata=ObjectMeta(), spec=TokenRequestSpec(audiences=[audience], expirationSeconds=3600)
    )
    response = kube.create(request, name=name, namespace=namespace)
    assert response.status is not None
    assert response.status.token
    return response.status.token


def test_version_is_a_real_kube_apiserver(sandbox: SandboxSession) -> None:
    assert sandbox.version["gitVersion"].startswith("v1.")
    assert sandbox.info.versions["kubernetes"] == sandbox.version["gitVersion"]


def test_namespace_and_secret_round_trip(kube: Client, namespace: str) -> None:
    status = kube.get(Namespace, namespace).status
    assert status is not None
    assert status.phase == "Active"
    data = {"password": base64.b64encode(b"s3cr3t\x00bytes").decode()}
    kube.create(Secret(metadata=ObjectMeta(name="db", namespace=namespace), type="Opaque", data=data))

    read = kube.get(Secret, "db", namespace=namespace)

    assert read.data == data
    assert read.metadata is not None
    assert read.metadata.uid
    assert read.metadata.resourceVersion


def test_token_request_for_sts_audience(kube: Client, namespace: str, sandbox: SandboxSession) -> None:
    kube.create(ServiceAccount(metadata=ObjectMeta(name="operator", namespace=namespace)))

    token = service_account_token(kube, namespace, "operator", "sts.amazonaws.com")

    header, claims, signed, signature = jwt_parts(token)
    assert claims["sub"] == f"system:serviceaccount:{namespace}:operator"
    assert claims["aud"] == ["sts.amazonaws.com"]
    assert claims["iss"] == sandbox.info.kube_apiserver_url
    assert header["alg"] == "RS256"
    public_key = serialization.load_pem_public_key((sandbox.dir / "pki" / "sa.pub").read_bytes())
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())  # raises when forged


def test_garbage_collector_removes_orphaned_dependent(kube: Client, namespace: str) -> None:
    owner = kube.create(ConfigMap(metadata=ObjectMeta(name="owner", namespace=namespace), data={"a": "1"}))
    assert owner.metadata is not None
    assert owner.metadata.uid is not None
    reference = OwnerReference(apiVersion="v1", kind="ConfigMap", name="owner", uid=owner.metadata.uid)
    kube.create(
        ConfigMap(metadata=ObjectMeta(name="dependent", namespace=namespace, ownerReferences=[reference]))
    )

    kube.delete(ConfigMap, "owner", namespace=namespace)

    wait_for(
        lambda: gone(lambda: kube.get(ConfigMap, "dependent", namespace=namespace)),
        60,
        "the garbage collector to delete the dependent ConfigMap",
    )


def test_garbage_collector_knows_the_project_crds(
    kube: Client, namespace: str, sandbox: SandboxSession
) -> None:
    """A Secret owned by an ExternalSecret goes with it (CRDs are installed before the GC starts)."""
    if "externalsecrets.external-secrets.io" not in sandbox.info.extra.get("crds", []):
        pytest.skip("eso.api.crds did not provide the CRDs when the sandbox started")
    external_secret = create_namespaced_resource(
        "external-secrets.io", "v1", "ExternalSecret", "externalsecrets"
    )
    owner = kube.create(external_secret(metadata=ObjectMeta(name="es", namespace=namespace), spec={}))
    assert owner.metadata is not None
    assert owner.metadata.uid is not None
    reference = OwnerReference(
        apiVersion="external-secrets.io/v1",
        kind="ExternalSecret",
        name="es",
        uid=owner.metadata.uid,
        controller=True,
    )
    kube.create(Secret(metadata=ObjectMeta(name="synced", namespace=namespace, ownerReferences=[reference])))

    kube.delete(external_secret, "es", namespace=namespace)

    wait_for(
        lambda: gone(lambda: kube.get(Secret, "synced", namespace=namespace)),
        60,
        "the garbage collector to delete the Secret owned by the ExternalSecret",
    )


def test_namespace_deletion_finishes(kube: Client) -> None:
    name = f"deleted-{uuid.uuid4().hex[:8]}"
    kube.create(Namespace(metadata=ObjectMeta(name=name)))
    kube.create(ConfigMap(metadata=ObjectMeta(name="content", namespace=name), data={"k": "v"}))

    kube.delete(Namespace, name)

    wait_for(lambda: gone(lambda: kube.get(Namespace, name)), 60, f"namespace {name} to finish deleting")


def test_new_namespace_gets_default_service_account_and_root_ca(kube: Client, namespace: str) -> None:
    wait_for(
        lambda: not gone(lambda: kube.get(ServiceAccount, "default", namespace=namespace)),
        30,
        "the serviceaccount controller to create `default`",
    )
    wait_for(
        lambda: not gone(lambda: kube.get(ConfigMap, "kube-root-ca.crt", namespace=namespace)),
        30,
        "the root CA publisher to create kube-root-ca.crt",
    )


def test_emulator_secrets_manager_round_trip(aws: AwsHelper) -> None:
    name = aws.name("db")
    arn = aws.put_secret(name, {"username": "admin", "password": "first"})
    assert arn.startswith("arn:aws:secretsmanager:eu-west-1:")

    def current() -> Any:
        return json.loads(aws.secretsmanager.get_secret_value(SecretId=name)["SecretString"])

    assert current()["password"] == "first"
    aws.put_secret(name, {"username": "admin", "password": "second"})
    assert current()["password"] == "second"

    aws.delete_secret(name)
    with pytest.raises(aws.secretsmanager.exceptions.ResourceNotFoundException):
        aws.secretsmanager.get_secret_value(SecretId=name)


def test_emulator_ssm_parameter_round_trip(aws: AwsHelper) -> None:
    name = aws.name("api-key")
    assert aws.put_parameter(name, "v1", type="SecureString") == 1
    assert aws.put_parameter(name, "v2", type="SecureString") == 2

    value = aws.ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]

    assert value == "v2"


def test_emulator_assume_role_with_web_identity(
    aws: AwsHelper, kube: Client, namespace: str, sandbox: SandboxSession
) -> None:
    kube.create(ServiceAccount(metadata=ObjectMeta(name="reader", namespace=namespace)))
    token = service_account_token(kube, namespace, "reader", "sts.amazonaws.com")
    issuer = sandbox.info.kube_apiserver_url.removeprefix("https://")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{issuer}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
            }
        ],
    }
    role_name = aws.name().replace("/", "-").strip("-")[:60]
    role = aws.iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    try:
        response = aws.sts.assume_role_with_web_identity(
            RoleArn=role["Arn"], RoleSessionName="eso-test", WebIdentityToken=token
        )
    finally:
        aws.iam.delete_role(RoleName=role_name)

    credentials = response["Credentials"]
    assert credentials["AccessKeyId"]
    assert credentials["SecretAccessKey"]
    assert credentials["SessionToken"]
    assert response["AssumedRoleUser"]["Arn"].endswith(f"{role_name}/eso-test")


def test_sandbox_files_describe_it(sandbox: SandboxSession) -> None:
    env = sandbox.env
    for name in (
        "KUBECONFIG",
        "AWS_ENDPOINT_URL",
        "AWS_SECRETSMANAGER_ENDPOINT",
        "AWS_SSM_ENDPOINT",
        "AWS_STS_ENDPOINT",
        "AWS_IAM_ENDPOINT",
        "ESO_SANDBOX_DIR",
    ):
        assert env[name], name
    assert env["AWS_ACCESS_KEY_ID"] == "test"
    assert env["AWS_SECRET_ACCESS_KEY"] == "test"
    assert env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert Path(env["KUBECONFIG"]) == sandbox.kubeconfig
    assert sandbox.sandbox.status().all_ready
    for component in sandbox.info.components.values():
        assert component.url.startswith(("http://127.0.0.1:", "https://127.0.0.1:"))
