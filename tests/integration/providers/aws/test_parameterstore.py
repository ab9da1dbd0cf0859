"""Parameter Store against moto: reads, versions, metadata, find, batches and PushSecret."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from eso.errors import NotManagedError, ProviderError, SecretNotFound
from eso.providers.base import FindQuery, MetadataPolicy, PushEntry, PushSource, RemoteRef
from tests.integration.providers.aws.conftest import Names, NewClient, Recorder

pytestmark = pytest.mark.integration

ENVELOPE = {"apiVersion": "kubernetes.external-secrets.io/v1alpha1", "kind": "PushSecretMetadata"}


@pytest.fixture
def ssm(boto: dict[str, Any]) -> Any:
    return boto["ssm"]


def ps(new_client: NewClient, spec: dict[str, Any] | None = None) -> Any:
    return new_client(spec, service="ParameterStore")


async def test_reads_versions_labels_and_properties(ssm: Any, names: Names, new_client: NewClient) -> None:
    name = names.path("db")
    ssm.put_parameter(Name=name, Value=json.dumps({"user": "u1", "a.b": "lit"}), Type="SecureString")
    ssm.put_parameter(Name=name, Value=json.dumps({"user": "u2"}), Type="SecureString", Overwrite=True)
    ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["first"])
    client = await ps(new_client)
    assert await client.get_secret(RemoteRef(name, property="user")) == b"u2"  # decrypted
    assert await client.get_secret(RemoteRef(name, version="1", property="user")) == b"u1"
    assert await client.get_secret(RemoteRef(name, version="first", property="a.b")) == b"lit"
    assert await client.get_secret_map(RemoteRef(name)) == {"user": b"u2"}
    with pytest.raises(ProviderError, match=f"key nope does not exist in secret {name}"):
        await client.get_secret(RemoteRef(name, property="nope"))
    with pytest.raises(SecretNotFound):
        await client.get_secret(RemoteRef(names.path("missing")))
    with pytest.raises(SecretNotFound):
        await client.get_secret(RemoteRef(name, version="9"))


async def test_metadata_policy_fetch(ssm: Any, names: Names, new_client: NewClient) -> None:
    name = names.path("tagged")
    ssm.put_parameter(Name=name, Value="v", Type="String", Tags=[{"Key": "team", "Value": "a"}])
    client = await ps(new_client)
    assert await client.get_secret(RemoteRef(name, metadata_policy=MetadataPolicy.FETCH)) == b'{"team":"a"}'
    assert (
        await client.get_secret(RemoteRef(name, property="team", metadata_policy=MetadataPolicy.FETCH))
        == b"a"
    )
    with pytest.raises(SecretNotFound):
        await client.get_secret(RemoteRef(names.path("none"), metadata_policy=MetadataPolicy.FETCH))


async def test_find_by_name_and_tags(
    ssm: Any, names: Names, new_client: NewClient, recorder: Recorder
) -> None:
    tag = names("tag")
    for suffix in ("one", "two", "three"):
        ssm.put_parameter(
            Name=names.path(f"find/{suffix}"), Value=suffix, Type="String", Tags=[{"Key": tag, "Value": "x"}]
        )
    ssm.put_parameter(Name=names.path("else/four"), Value="four", Type="String")
    client = await ps(new_client)
    by_name = await client.get_all_secrets(FindQuery(name_regexp=f"{names.base}/find/t"))
    assert by_name == {names.path("find/two"): b"two", names.path("find/three"): b"three"}
    under = await client.get_all_secrets(FindQuery(name_regexp="/(one|two)$", path=names.path("find")))
    assert under == {names.path("find/one"): b"one", names.path("find/two"): b"two"}
    # tags are ignored when a name is given (ESO quirk)
    quirk = await client.get_all_secrets(FindQuery(name_regexp="four$", tags={tag: "x"}, path=names.path()))
    assert quirk == {names.path("else/four"): b"four"}
    recorder.clear()
    by_tags = await client.get_all_secrets(FindQuery(tags={tag: "x"}))
    assert by_tags == {names.path(f"find/{s}"): s.encode() for s in ("one", "two", "three")}
    assert recorder.count("GetParameters") == 1
    assert recorder.count("GetParameter") == 0
    assert await client.get_all_secrets(FindQuery(tags={tag: "x"}, path=names.path("else"))) == {}


async def test_batch_reads(ssm: Any, names: Names, new_client: NewClient, recorder: Recorder) -> None:
    keys = [names.path(f"b{i}") for i in range(12)]
    for i, key in enumerate(keys):
        ssm.put_parameter(Name=key, Value=json.dumps({"i": i}), Type="String")
    client = await ps(new_client)
    refs = [RemoteRef(key, property="i") for key in keys] + [
        RemoteRef(names.path("missing")),
        RemoteRef(keys[0], version="1"),
    ]
    got = await client.get_secrets(refs)
    assert [got[RemoteRef(key, property="i")] for key in keys] == [str(i).encode() for i in range(12)]
    assert isinstance(got[refs[12]], SecretNotFound)
    assert got[refs[13]] == b'{"i": 0}'
    assert recorder.count("GetParameters") == 2  # 13 names, 10 per call
    assert recorder.count("GetParameter") == 1  # the versioned one


async def test_push_create_update_skip_refuse_delete(
    ssm: Any, names: Names, new_client: NewClient, recorder: Recorder
) -> None:
    client = await ps(new_client)
    name = names.path("pushed")
    src = PushSource(name="s", namespace="team-a", data={"k": b"v1"})
    await client.push_secret(src, PushEntry(name, "k", property="ignored"))
    assert ssm.get_parameter(Name=name)["Parameter"]["Value"] == "v1"
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    assert {t["Key"]: t["Value"] for t in tags} == {"managed-by": "external-secrets"}
    recorder.clear()
    await client.push_secret(src, PushEntry(name, "k"))
    assert "PutParameter" not in recorder.ops()
    meta = {**ENVELOPE, "spec": {"secretType": "SecureString", "tags": {"team": "a"}}}
    await client.push_secret(
        PushSource(name="s", namespace="team-a", data={"k": b"v2"}), PushEntry(name, "k", metadata=meta)
    )
    parameter = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    assert (parameter["Value"], parameter["Type"], parameter["Version"]) == ("v2", "SecureString", 2)
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    assert {t["Key"]: t["Value"] for t in tags} == {"managed-by": "external-secrets", "team": "a"}

    theirs = names.path("theirs")
    ssm.put_parameter(Name=theirs, Value="keep", Type="String")
    with pytest.raises(NotManagedError, match="secret not managed by external-secrets"):
        await client.push_secret(src, PushEntry(theirs, "k"))
    await client.delete_secret(PushEntry(theirs))
    assert ssm.get_parameter(Name=theirs)["Parameter"]["Value"] == "keep"

    assert await client.secret_exists(PushEntry(name))
    await client.delete_secret(PushEntry(name))
    assert not await client.secret_exists(PushEntry(name))
    await client.delete_secret(PushEntry(name))  # absent: no-op


async def test_push_whole_secret_encodings(ssm: Any, names: Names, new_client: NewClient) -> None:
    client = await ps(new_client)
    src = PushSource(name="s", namespace="team-a", data={"b": b"<2>", "a": b"1"})
    encoded = names.path("b64")
    await client.push_secret(src, PushEntry(encoded))
    value = json.loads(ssm.get_parameter(Name=encoded)["Parameter"]["Value"])
    assert {k: base64.b64decode(v) for k, v in value.items()} == {"a": b"1", "b": b"<2>"}
    decoded = names.path("plain")
    meta = {**ENVELOPE, "spec": {"encodeAsDecoded": True}}
    await client.push_secret(src, PushEntry(decoded, metadata=meta))
    assert ssm.get_parameter(Name=decoded)["Parameter"]["Value"] == '{"a":"1","b":"\\u003c2\\u003e"}'


async def test_find_by_path_paginates(
    ssm: Any, names: Names, new_client: NewClient, recorder: Recorder
) -> None:
    for i in range(23):
        ssm.put_parameter(Name=names.path(f"many/p{i:02d}"), Value=str(i), Type="String")
    client = await ps(new_client)
    found = await client.get_all_secrets(FindQuery(name_regexp=".*", path=names.path("many")))
    assert len(found) == 23
    assert found[names.path("many/p22")] == b"22"
    assert recorder.count("GetParametersByPath") >= 3  # 10 per page
