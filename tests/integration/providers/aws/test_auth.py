"""Authentication against moto's STS: IRSA-style web identity, role chains, static keys, validate()."""

from __future__ import annotations

import socket
import time
from typing import Any

import boto3
import pytest

from eso.errors import ProviderAuthError, ProviderUnavailable
from eso.providers.aws import AWSProvider, ClientOptions
from eso.providers.aws.calls import RetryPolicy
from eso.providers.base import RemoteRef, StoreKind, ValidationResult
from tests.integration.providers.aws.conftest import REGION, Names, NewClient, Recorder
from tests.unit.providers.kubefake import FakeKube

pytestmark = pytest.mark.integration

IRSA_ROLE = "arn:aws:iam::123456789012:role/eso-irsa"
HOP = "arn:aws:iam::123456789012:role/eso-hop"
FINAL = "arn:aws:iam::123456789012:role/eso-final"


async def caller_arn(moto_url: str, creds: Any) -> str:
    frozen = await creds.get_frozen_credentials()
    sts = boto3.client(
        "sts",
        endpoint_url=moto_url,
        region_name=REGION,
        aws_access_key_id=frozen.access_key,
        aws_secret_access_key=frozen.secret_key,
        aws_session_token=frozen.token,
    )
    return str(sts.get_caller_identity()["Arn"])


async def test_jwt_web_identity_then_role_chain(
    boto: dict[str, Any],
    moto_url: str,
    names: Names,
    kube: FakeKube,
    new_client: NewClient,
    recorder: Recorder,
) -> None:
    boto["secretsmanager"].create_secret(Name=names("irsa"), SecretString="via-irsa")
    kube.add_service_account("team-a", "app", {"eks.amazonaws.com/role-arn": IRSA_ROLE})
    spec = {
        "auth": {"jwt": {"serviceAccountRef": {"name": "app"}}},
        "additionalRoles": [HOP],
        "role": FINAL,
        "externalID": "ext",
        "sessionTagsPolicy": "Simple",
    }
    client = await new_client(spec, consumer="team-a")
    assert recorder.calls == []  # nothing happens before first use
    assert await client.validate() is ValidationResult.READY
    assert recorder.ops() == ["AssumeRoleWithWebIdentity", "AssumeRole", "AssumeRole"]
    assert all(provider == "AWS/STS" for provider, _, _ in recorder.calls)
    assert kube.token_requests == [("team-a", "app", ["sts.amazonaws.com"], 600)]
    assert await client.get_secret(RemoteRef(names("irsa"))) == b"via-irsa"
    assert recorder.count("AssumeRole") == 2  # cached credentials are reused
    arn = await caller_arn(moto_url, client.credentials.refreshable)
    assert arn.endswith(":assumed-role/eso-final/external-secrets-provider-aws")


async def test_refreshable_credentials_refresh_before_expiry(
    boto: dict[str, Any], names: Names, kube: FakeKube, new_client: NewClient, recorder: Recorder
) -> None:
    boto["secretsmanager"].create_secret(Name=names("r"), SecretString="ok")
    kube.add_service_account("team-a", "app", {"eks.amazonaws.com/role-arn": IRSA_ROLE})
    client = await new_client({"auth": {"jwt": {"serviceAccountRef": {"name": "app"}}}})
    assert await client.get_secret(RemoteRef(names("r"))) == b"ok"
    assert recorder.count("AssumeRoleWithWebIdentity") == 1
    # Pretend an hour went by: the credentials are about to expire (botocore internals).
    creds = client.credentials.refreshable
    creds._expiry_time = creds._expiry_time.replace(year=2000)
    assert await client.get_secret(RemoteRef(names("r"))) == b"ok"
    assert recorder.count("AssumeRoleWithWebIdentity") == 2
    assert len(kube.token_requests) == 2  # a fresh token for each exchange


async def test_static_secret_ref_credentials(
    boto: dict[str, Any], names: Names, new_client: NewClient
) -> None:
    boto["secretsmanager"].create_secret(Name=names("static"), SecretString="via-keys")
    spec = {
        "auth": {
            "secretRef": {
                "accessKeyIDSecretRef": {"name": "aws-creds", "key": "id"},
                "secretAccessKeySecretRef": {"name": "aws-creds", "key": "secret"},
            }
        }
    }
    client = await new_client(spec)
    assert client.credentials.static == ("AKIDTEST", "test-secret", None)
    assert await client.validate() is ValidationResult.READY
    assert await client.get_secret(RemoteRef(names("static"))) == b"via-keys"


async def test_referent_cluster_store_validates_unknown(
    kube: FakeKube, new_client: NewClient, recorder: Recorder
) -> None:
    spec = {"auth": {"jwt": {"serviceAccountRef": {"name": "app"}}}}
    client = await new_client(spec, kind=StoreKind.CLUSTER_SECRET_STORE)
    assert await client.validate() is ValidationResult.UNKNOWN
    with pytest.raises(ProviderAuthError, match="referent credentials"):
        await client.get_secret(RemoteRef("x"))
    assert recorder.calls == []


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_validate_fails_fast_on_a_closed_endpoint(
    kube: FakeKube, new_client: NewClient, recorder: Recorder
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    provider = AWSProvider(
        env={"AWS_ENDPOINT_URL": dead},
        options=ClientOptions(connect_timeout=1, read_timeout=2),
        retry=RetryPolicy(attempts=2, interval=0.05),
    )
    kube.add_service_account("team-a", "app", {"eks.amazonaws.com/role-arn": IRSA_ROLE})
    client = await new_client({"auth": {"jwt": {"serviceAccountRef": {"name": "app"}}}}, using=provider)
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="connection refused") as info:
        await client.validate()
    assert time.monotonic() - started < 10
    assert dead in str(info.value)
    assert kube.token not in str(info.value)
    assert recorder.calls == [("AWS/STS", "AssumeRoleWithWebIdentity", "error")]


async def test_sts_endpoint_override_is_used(moto_url: str, kube: FakeKube, new_client: NewClient) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    provider = AWSProvider(
        env={"AWS_ENDPOINT_URL": moto_url, "AWS_STS_ENDPOINT": dead},
        options=ClientOptions(connect_timeout=1),
        retry=RetryPolicy(attempts=1),
    )
    kube.add_service_account("team-a", "app", {"eks.amazonaws.com/role-arn": IRSA_ROLE})
    client = await new_client({"auth": {"jwt": {"serviceAccountRef": {"name": "app"}}}}, using=provider)
    with pytest.raises(ProviderUnavailable, match=dead):
        await client.validate()


async def test_secret_read_on_a_closed_endpoint(kube: FakeKube, new_client: NewClient) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    provider = AWSProvider(
        env={"AWS_SECRETSMANAGER_ENDPOINT": dead, "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"},
        options=ClientOptions(connect_timeout=1),
        retry=RetryPolicy(attempts=1),
    )
    client = await new_client(using=provider)
    assert await client.validate() is ValidationResult.READY  # static keys: nothing to fetch, as in ESO
    with pytest.raises(ProviderUnavailable, match="connection refused"):
        await client.get_secret(RemoteRef("anything"))
