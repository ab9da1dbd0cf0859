"""PushSecret to Secrets Manager against moto: create, update, skip, ownership, delete."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eso.errors import CapabilityError, NotManagedError, ProviderError, SpecError
from eso.providers.base import PushEntry, PushSource, RemoteRef
from tests.integration.providers.aws.conftest import Names, NewClient, Recorder
from tests.unit.providers.kubefake import FakeKube

pytestmark = pytest.mark.integration

ENVELOPE = {"apiVersion": "kubernetes.external-secrets.io/v1alpha1", "kind": "PushSecretMetadata"}


def source(**data: bytes) -> PushSource:
    return PushSource(name="src", namespace="team-a", data=data)


@pytest.fixture
def sm(boto: dict[str, Any]) -> Any:
    return boto["secretsmanager"]


def tags_of(sm: Any, name: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in sm.describe_secret(SecretId=name).get("Tags", [])}


async def test_create_update_and_unchanged_skip(
    sm: Any, names: Names, new_client: NewClient, recorder: Recorder
) -> None:
    client = await new_client()
    key = names("pushed")
    await client.push_secret(source(api=b"v1"), PushEntry(key, "api"))
    described = sm.describe_secret(SecretId=key)
    assert tags_of(sm, key) == {"managed-by": "external-secrets"}
    assert described["Description"] == "secret 'managed-by:external-secrets'"
    assert sm.get_secret_value(SecretId=key)["SecretBinary"] == b"v1"
    assert recorder.ops() == ["DescribeSecret", "CreateSecret"]

    recorder.clear()
    await client.push_secret(source(api=b"v1"), PushEntry(key, "api"))
    assert "PutSecretValue" not in recorder.ops()

    recorder.clear()
    await client.push_secret(source(api=b"v2"), PushEntry(key, "api"))
    assert recorder.count("PutSecretValue") == 1
    assert sm.get_secret_value(SecretId=key)["SecretBinary"] == b"v2"
    assert sm.get_secret_value(SecretId=key, VersionStage="AWSPREVIOUS")["SecretBinary"] == b"v1"


async def test_refuses_to_overwrite_an_unmanaged_secret(sm: Any, names: Names, new_client: NewClient) -> None:
    key = names("theirs")
    sm.create_secret(Name=key, SecretString="keep-me")
    client = await new_client()
    with pytest.raises(NotManagedError, match="secret not managed by external-secrets") as info:
        await client.push_secret(source(api=b"new"), PushEntry(key, "api"))
    assert "keep-me" not in str(info.value)
    assert sm.get_secret_value(SecretId=key)["SecretString"] == "keep-me"


async def test_string_format_metadata_and_tags(sm: Any, names: Names, new_client: NewClient) -> None:
    key = names("meta")
    client = await new_client()
    meta = {**ENVELOPE, "spec": {"secretPushFormat": "string", "description": "mine", "tags": {"team": "a"}}}
    await client.push_secret(source(api=b"text"), PushEntry(key, "api", metadata=meta))
    assert sm.get_secret_value(SecretId=key)["SecretString"] == "text"
    assert sm.describe_secret(SecretId=key)["Description"] == "mine"
    assert tags_of(sm, key) == {"managed-by": "external-secrets", "team": "a"}
    sm.tag_resource(SecretId=key, Tags=[{"Key": "stray", "Value": "x"}])
    meta2 = {**ENVELOPE, "spec": {"secretPushFormat": "string", "tags": {"team": "b"}}}
    await client.push_secret(source(api=b"text"), PushEntry(key, "api", metadata=meta2))
    assert tags_of(sm, key) == {"managed-by": "external-secrets", "team": "b"}
    bad = {**ENVELOPE, "spec": {"tags": {"managed-by": "me"}}}
    with pytest.raises(SpecError, match="Cannot specify a 'managed-by' tag"):
        await client.push_secret(source(api=b"text"), PushEntry(key, "api", metadata=bad))


async def test_whole_secret_and_property(sm: Any, names: Names, new_client: NewClient) -> None:
    client = await new_client()
    whole = names("whole")
    await client.push_secret(source(b=b"<2>", a=b"1"), PushEntry(whole))
    assert sm.get_secret_value(SecretId=whole)["SecretBinary"] == b'{"a":"1","b":"<2>"}'

    prop = names("prop")
    await client.push_secret(source(pw=b"p1"), PushEntry(prop, "pw", property="db.password"))
    assert json.loads(sm.get_secret_value(SecretId=prop)["SecretBinary"]) == {"db": {"password": "p1"}}
    await client.push_secret(source(user=b"u1"), PushEntry(prop, "user", property="db.user"))
    assert json.loads(sm.get_secret_value(SecretId=prop)["SecretBinary"]) == {
        "db": {"password": "p1", "user": "u1"}
    }
    assert await client.get_secret(RemoteRef(prop, property="db.user")) == b"u1"

    assert await client.secret_exists(PushEntry(prop, property="db.user"))
    assert not await client.secret_exists(PushEntry(prop, property="db.other"))

    await client.delete_secret(PushEntry(prop, property="db.user"))
    assert json.loads(sm.get_secret_value(SecretId=prop)["SecretBinary"]) == {"db": {"password": "p1"}}


async def test_property_needs_a_json_secret(sm: Any, names: Names, new_client: NewClient) -> None:
    client = await new_client()
    key = names("plain")
    await client.push_secret(source(v=b"plain text"), PushEntry(key, "v"))
    with pytest.raises(ProviderError, match="requires a json secret"):
        await client.push_secret(source(v=b"x"), PushEntry(key, "v", property="p"))


async def test_delete_and_exists(sm: Any, names: Names, new_client: NewClient, recorder: Recorder) -> None:
    client = await new_client({"secretsManager": {"forceDeleteWithoutRecovery": True}})
    key = names("doomed")
    await client.push_secret(source(v=b"x"), PushEntry(key, "v"))
    assert await client.secret_exists(PushEntry(key))
    await client.delete_secret(PushEntry(key))
    assert not await client.secret_exists(PushEntry(key))
    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.describe_secret(SecretId=key)  # forced: gone immediately

    recorder.clear()
    await client.delete_secret(PushEntry(names("never-existed")))
    theirs = names("theirs")
    sm.create_secret(Name=theirs, SecretString="keep")
    await client.delete_secret(PushEntry(theirs))  # unmanaged: silently skipped
    assert sm.get_secret_value(SecretId=theirs)["SecretString"] == "keep"
    assert "DeleteSecret" not in recorder.ops()


async def test_delete_with_recovery_window_then_push_restores(
    sm: Any, names: Names, new_client: NewClient
) -> None:
    client = await new_client({"secretsManager": {"recoveryWindowInDays": 7}})
    key = names("window")
    await client.push_secret(source(v=b"x"), PushEntry(key, "v"))
    await client.delete_secret(PushEntry(key))
    assert "DeletedDate" in sm.describe_secret(SecretId=key)
    assert not await client.secret_exists(PushEntry(key))
    await client.push_secret(source(v=b"y"), PushEntry(key, "v"))
    assert "DeletedDate" not in sm.describe_secret(SecretId=key)
    assert sm.get_secret_value(SecretId=key)["SecretBinary"] == b"y"


async def test_seed_push_and_prefix(sm: Any, names: Names, new_client: NewClient) -> None:
    client = await new_client({"prefix": names("p") + "-"})
    await client.push_secret(
        source(**{"myapp-api-key": b"sk-abc"}), PushEntry("myapp-api-key-pushed", "myapp-api-key")
    )
    assert sm.get_secret_value(SecretId=names("p") + "-myapp-api-key-pushed")["SecretBinary"] == b"sk-abc"
    with pytest.raises(SpecError, match='key "absent" does not exist in Secret "team-a/src"'):
        await client.push_secret(source(a=b"1"), PushEntry("x", "absent"))


POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:DeleteSecret", "Resource": "*"}
    ],
}


async def test_resource_policy_from_a_secret(
    sm: Any, names: Names, kube: FakeKube, new_client: NewClient, recorder: Recorder
) -> None:
    kube.add_secret("team-a", "policy", {"json": json.dumps(POLICY).encode()})
    client = await new_client()
    key = names("policy")
    meta = {
        **ENVELOPE,
        "spec": {"resourcePolicy": {"policySourceRef": {"kind": "Secret", "name": "policy", "key": "json"}}},
    }
    await client.push_secret(source(v=b"x"), PushEntry(key, "v", metadata=meta))
    assert json.loads(sm.get_resource_policy(SecretId=key)["ResourcePolicy"]) == POLICY
    recorder.clear()
    await client.push_secret(source(v=b"x"), PushEntry(key, "v", metadata=meta))
    assert "PutResourcePolicy" not in recorder.ops()  # same document: no write
    configmap = {
        **ENVELOPE,
        "spec": {"resourcePolicy": {"policySourceRef": {"kind": "ConfigMap", "name": "p", "key": "k"}}},
    }
    with pytest.raises(CapabilityError, match="ConfigMap"):
        await client.push_secret(source(v=b"x"), PushEntry(key, "v", metadata=configmap))


async def test_replication_locations(sm: Any, names: Names, new_client: NewClient) -> None:
    client = await new_client()
    key = names("replicated")
    meta = {**ENVELOPE, "spec": {"replicationLocations": ["eu-central-1"]}}
    await client.push_secret(source(v=b"x"), PushEntry(key, "v", metadata=meta))
    regions = {r["Region"] for r in sm.describe_secret(SecretId=key).get("ReplicationStatus", [])}
    assert regions == {"eu-central-1"}
    meta2 = {**ENVELOPE, "spec": {"replicationLocations": ["us-east-1"]}}
    await client.push_secret(source(v=b"x"), PushEntry(key, "v", metadata=meta2))
    regions = {r["Region"] for r in sm.describe_secret(SecretId=key).get("ReplicationStatus", [])}
    assert regions == {"us-east-1"}
