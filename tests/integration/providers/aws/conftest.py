"""Fixtures for the aws provider against a real moto server (no Kubernetes needed).

* ``moto_url`` (session): ``$AWS_ENDPOINT_URL`` when the sandbox exported one, otherwise
  a :class:`moto.server.ThreadedMotoServer` on 127.0.0.1 and a free port, stopped at the end.
* ``boto`` (session): boto3 clients on that endpoint, for arranging and checking state.
* ``names``: names unique to the test (the emulator may be shared with other tests).
* ``recorder``: a CallRecorder that keeps every ``(provider, call, status)``.
* ``new_client``: builds clients with :class:`eso.providers.aws.AWSProvider` and closes
  them after the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from eso.providers.aws import AWSClient, AWSProvider
from eso.providers.base import StoreContext, StoreKind
from tests.unit.providers.kubefake import FakeKube

REGION = "eu-west-1"


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    external = os.environ.get("AWS_ENDPOINT_URL", "").strip()
    if external:
        yield external
        return
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def boto(moto_url: str) -> dict[str, Any]:
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
    )
    return {name: session.client(name, endpoint_url=moto_url) for name in ("secretsmanager", "ssm", "sts")}


class Names:
    """Unique names for one test: ``eso-aws-<hex>-<suffix>``."""

    def __init__(self) -> None:
        self.base = f"eso-aws-{uuid.uuid4().hex[:10]}"

    def __call__(self, suffix: str) -> str:
        return f"{self.base}-{suffix}"

    def path(self, suffix: str = "") -> str:
        return f"/{self.base}/{suffix}" if suffix else f"/{self.base}"


@pytest.fixture
def names(boto: dict[str, Any]) -> Iterator[Names]:
    """Unique names; whatever the test created under them is removed afterwards."""
    created = Names()
    yield created
    sm, ssm = boto["secretsmanager"], boto["ssm"]
    for prefix in (created.base, f"/{created.base}"):
        for page in sm.get_paginator("list_secrets").paginate(
            Filters=[{"Key": "name", "Values": [prefix]}], IncludePlannedDeletion=True
        ):
            for secret in page["SecretList"]:
                replicas = [
                    r["Region"]
                    for r in sm.describe_secret(SecretId=secret["ARN"]).get("ReplicationStatus", [])
                ]
                if replicas:
                    sm.remove_regions_from_replication(SecretId=secret["ARN"], RemoveReplicaRegions=replicas)
                sm.delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)
        filters = [{"Key": "Name", "Option": "BeginsWith", "Values": [prefix]}]
        for page in ssm.get_paginator("describe_parameters").paginate(ParameterFilters=filters):
            for parameter in page["Parameters"]:
                ssm.delete_parameter(Name=parameter["Name"])


class Recorder:
    """Keeps every recorded API call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    def __call__(self, provider: str, call: str, status: str) -> None:
        self.calls.append((provider, call, status))

    def count(self, call: str, status: str | None = None) -> int:
        return sum(1 for _, c, s in self.calls if c == call and (status is None or s == status))

    def ops(self) -> list[str]:
        return [c for _, c, _ in self.calls]

    def clear(self) -> None:
        self.calls.clear()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def kube() -> FakeKube:
    kube = FakeKube()
    kube.add_secret("team-a", "aws-creds", {"id": b"AKIDTEST", "secret": b"test-secret"})
    return kube


def env_for(url: str) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


@pytest.fixture
def provider(moto_url: str) -> AWSProvider:
    return AWSProvider(env=env_for(moto_url))


NewClient = Callable[..., Awaitable[AWSClient]]


@pytest.fixture
async def new_client(provider: AWSProvider, kube: FakeKube, recorder: Recorder) -> AsyncIterator[NewClient]:
    clients: list[AWSClient] = []

    async def make(
        spec: dict[str, Any] | None = None,
        *,
        service: str = "SecretsManager",
        kind: StoreKind = StoreKind.SECRET_STORE,
        namespace: str | None = "team-a",
        consumer: str | None = None,
        using: AWSProvider | None = None,
    ) -> AWSClient:
        chosen = using or provider
        raw = {"service": service, "region": REGION, **(spec or {})}
        store = StoreContext(
            kind=kind,
            name="aws-store",
            namespace=namespace if kind is StoreKind.SECRET_STORE else None,
            spec=chosen.parse_spec(raw),
            consumer_namespace=consumer,
        )
        chosen.validate_store(store)
        client = await chosen.new_client(store, kube, recorder)
        clients.append(client)
        return client

    try:
        yield make
    finally:
        for client in clients:
            await client.close()
