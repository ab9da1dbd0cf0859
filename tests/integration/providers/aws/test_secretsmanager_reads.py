"""Secrets Manager reads against moto: values, properties, versions, metadata, find, batches."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eso.errors import ProviderError, SecretNotFound, SpecError
from eso.providers.base import FindQuery, MetadataPolicy, RemoteRef
from tests.integration.providers.aws.conftest import Names, NewClient, Recorder

pytestmark = pytest.mark.integration

DB = {"username": "dbadmin", "password": "s3cur3P@ssw0rd!", "host": "mydb.example.com", "port": 5432}
NESTED = {
    "name": {"first": "Tom", "last": "Anderson"},
    "friends": [{"first": "Dale"}, {"first": "Roger"}, {"first": "Jane"}],
    "fav.movie": "Deer Hunter",
    "ratio": 1.50,
    "obj": {"a": 1},
}


@pytest.fixture
def sm(boto: dict[str, Any]) -> Any:
    return boto["secretsmanager"]


async def test_string_json_and_binary(sm: Any, names: Names, new_client: NewClient) -> None:
    sm.create_secret(Name=names("db"), SecretString=json.dumps(DB))
    sm.create_secret(Name=names("key"), SecretString="sk-abc123def456ghi789jkl")
    sm.create_secret(Name=names("bin"), SecretBinary=b"\x00\x01\xfe\xff")
    client = await new_client()
    assert await client.get_secret(RemoteRef(names("key"))) == b"sk-abc123def456ghi789jkl"
    assert await client.get_secret(RemoteRef(names("bin"))) == b"\x00\x01\xfe\xff"
    assert await client.get_secret(RemoteRef(names("db"), property="port")) == b"5432"
    assert await client.get_secret(RemoteRef(names("db"), property="password")) == b"s3cur3P@ssw0rd!"
    assert await client.get_secret_map(RemoteRef(names("db"))) == {
        "username": b"dbadmin",
        "password": b"s3cur3P@ssw0rd!",
        "host": b"mydb.example.com",
        "port": b"5432",
    }


async def test_properties(sm: Any, names: Names, new_client: NewClient) -> None:
    sm.create_secret(Name=names("nested"), SecretString=json.dumps(NESTED))
    client = await new_client()
    key = names("nested")
    assert await client.get_secret(RemoteRef(key, property="name.first")) == b"Tom"
    assert await client.get_secret(RemoteRef(key, property="friends.1.first")) == b"Roger"
    assert await client.get_secret(RemoteRef(key, property="fav.movie")) == b"Deer Hunter"
    assert await client.get_secret(RemoteRef(key, property="ratio")) == b"1.5"
    assert await client.get_secret(RemoteRef(key, property="obj")) == b'{"a": 1}'
    assert await client.get_secret(RemoteRef(key, property="friends.#")) == b"3"


async def test_missing_property_is_an_error_not_a_not_found(
    sm: Any, names: Names, new_client: NewClient
) -> None:
    sm.create_secret(Name=names("db"), SecretString=json.dumps(DB))
    sm.create_secret(Name=names("plain"), SecretString="not-json")
    client = await new_client()
    with pytest.raises(ProviderError, match=f"key nope does not exist in secret {names('db')}") as info:
        await client.get_secret(RemoteRef(names("db"), property="nope"))
    assert not isinstance(info.value, SecretNotFound)
    assert "s3cur3P" not in str(info.value)
    with pytest.raises(ProviderError, match="key a does not exist"):
        await client.get_secret(RemoteRef(names("plain"), property="a"))
    with pytest.raises(ProviderError, match=f"unable to unmarshal secret {names('plain')}") as map_info:
        await client.get_secret_map(RemoteRef(names("plain")))
    assert "not-json" not in str(map_info.value)


async def test_missing_and_deleted_secrets_are_not_found(
    sm: Any, names: Names, new_client: NewClient
) -> None:
    sm.create_secret(Name=names("gone"), SecretString="x")
    sm.delete_secret(SecretId=names("gone"), RecoveryWindowInDays=7)
    client = await new_client()
    with pytest.raises(SecretNotFound, match=names("missing")):
        await client.get_secret(RemoteRef(names("missing")))
    with pytest.raises(SecretNotFound, match="marked"):
        await client.get_secret(RemoteRef(names("gone")))
    with pytest.raises(SecretNotFound):
        await client.get_secret(RemoteRef(names("missing"), metadata_policy=MetadataPolicy.FETCH))


async def test_versions(sm: Any, names: Names, new_client: NewClient) -> None:
    key = names("rotating")
    first = sm.create_secret(Name=key, SecretString="v1")["VersionId"]
    sm.put_secret_value(SecretId=key, SecretString="v2")
    sm.put_secret_value(SecretId=key, SecretString="v3-staged", VersionStages=["staging"])
    client = await new_client()
    assert await client.get_secret(RemoteRef(key)) == b"v2"
    assert await client.get_secret(RemoteRef(key, version="AWSCURRENT")) == b"v2"
    assert await client.get_secret(RemoteRef(key, version="AWSPREVIOUS")) == b"v1"
    assert await client.get_secret(RemoteRef(key, version="staging")) == b"v3-staged"
    assert await client.get_secret(RemoteRef(key, version=f"uuid/{first}")) == b"v1"
    with pytest.raises(SecretNotFound):
        await client.get_secret(RemoteRef(key, version="uuid/00000000-0000-0000-0000-00000000dead"))


async def test_metadata_policy_fetch(sm: Any, names: Names, new_client: NewClient) -> None:
    key = names("tagged")
    sm.create_secret(
        Name=key,
        SecretString="value",
        Tags=[{"Key": "team", "Value": "a&b"}, {"Key": "env", "Value": "prod"}],
    )
    client = await new_client()
    tags = await client.get_secret(RemoteRef(key, metadata_policy=MetadataPolicy.FETCH))
    assert tags == b'{"env":"prod","team":"a\\u0026b"}'
    assert (
        await client.get_secret(RemoteRef(key, property="team", metadata_policy=MetadataPolicy.FETCH))
        == b"a&b"
    )
    assert await client.get_secret_map(RemoteRef(key, metadata_policy=MetadataPolicy.FETCH)) == {
        "env": b"prod",
        "team": b"a&b",
    }


async def test_prefix_is_prepended(sm: Any, names: Names, new_client: NewClient) -> None:
    sm.create_secret(Name=names("pre") + "/api", SecretString="prefixed")
    client = await new_client({"prefix": names("pre") + "/"})
    assert await client.get_secret(RemoteRef("api")) == b"prefixed"


async def test_find_by_name_with_and_without_path(
    sm: Any, names: Names, new_client: NewClient, recorder: Recorder
) -> None:
    for suffix, value in (("app/db", "1"), ("app/api", "2"), ("other/db", "3")):
        sm.create_secret(Name=names.path(suffix), SecretString=value)
    sm.create_secret(Name=names.path("app/bin"), SecretBinary=b"\xff")
    client = await new_client()
    found = await client.get_all_secrets(FindQuery(name_regexp=f"{names.base}/.*db"))
    assert found == {names.path("app/db"): b"1", names.path("other/db"): b"3"}
    assert recorder.count("ListSecrets") >= 1
    assert recorder.count("BatchGetSecretValue") == 1  # values read 20 at a time, not one by one
    assert recorder.count("GetSecretValue") == 0
    recorder.clear()
    under_path = await client.get_all_secrets(FindQuery(name_regexp="(api|bin)$", path=names.path("app")))
    assert under_path == {names.path("app/api"): b"2", names.path("app/bin"): b"\xff"}
    assert recorder.ops() == ["BatchGetSecretValue"]


async def test_find_by_tags(sm: Any, names: Names, new_client: NewClient) -> None:
    tag = names("tag")
    sm.create_secret(Name=names.path("t/one"), SecretString="1", Tags=[{"Key": tag, "Value": "yes"}])
    sm.create_secret(Name=names.path("t/two"), SecretString="2", Tags=[{"Key": tag, "Value": "no"}])
    sm.create_secret(Name=names.path("u/three"), SecretString="3", Tags=[{"Key": tag, "Value": "yes"}])
    client = await new_client()
    assert await client.get_all_secrets(FindQuery(tags={tag: "yes"})) == {
        names.path("t/one"): b"1",
        names.path("u/three"): b"3",
    }
    assert await client.get_all_secrets(FindQuery(tags={tag: "yes"}, path=names.path("t"))) == {
        names.path("t/one"): b"1"
    }
    both = await client.get_all_secrets(FindQuery(tags={tag: "yes"}, name_regexp="three$"))
    assert both == {names.path("u/three"): b"3"}


async def test_find_errors(new_client: NewClient) -> None:
    client = await new_client()
    with pytest.raises(SpecError, match="unexpected find operator"):
        await client.get_all_secrets(FindQuery())
    with pytest.raises(SpecError, match="look-around"):
        await client.get_all_secrets(FindQuery(name_regexp="a(?=b)"))


async def test_batch_reads_use_one_call(
    sm: Any, names: Names, new_client: NewClient, recorder: Recorder
) -> None:
    sm.create_secret(Name=names("a"), SecretString=json.dumps({"user": "alice"}))
    sm.create_secret(Name=names("b"), SecretBinary=b"\x00bin")
    key = names("v")
    first = sm.create_secret(Name=key, SecretString="old")["VersionId"]
    sm.put_secret_value(SecretId=key, SecretString="new")
    client = await new_client()
    refs = [
        RemoteRef(names("a"), property="user"),
        RemoteRef(names("a")),
        RemoteRef(names("b")),
        RemoteRef(names("missing")),
        RemoteRef(names("a"), property="nope"),
        RemoteRef(key, version=f"uuid/{first}"),
    ]
    got = await client.get_secrets(refs)
    assert got[refs[0]] == b"alice"
    assert got[refs[1]] == b'{"user": "alice"}'
    assert got[refs[2]] == b"\x00bin"
    assert isinstance(got[refs[3]], SecretNotFound)
    assert isinstance(got[refs[4]], ProviderError)
    assert not isinstance(got[refs[4]], SecretNotFound)
    assert got[refs[5]] == b"old"
    assert recorder.count("BatchGetSecretValue") == 1
    assert recorder.count("GetSecretValue") == 1  # only the versioned ref


async def test_batch_reads_are_chunked_by_20(
    sm: Any, names: Names, new_client: NewClient, recorder: Recorder
) -> None:
    keys = [names(f"k{i}") for i in range(25)]
    for i, key in enumerate(keys):
        sm.create_secret(Name=key, SecretString=str(i))
    client = await new_client()
    got = await client.get_secrets([RemoteRef(key) for key in keys])
    assert [got[RemoteRef(key)] for key in keys] == [str(i).encode() for i in range(25)]
    assert recorder.count("BatchGetSecretValue") == 2
    assert recorder.count("GetSecretValue") == 0


async def test_find_with_path_paginates(
    sm: Any, names: Names, new_client: NewClient, recorder: Recorder
) -> None:
    for i in range(25):
        sm.create_secret(Name=names.path(f"page/s{i:02d}"), SecretString=str(i))
    client = await new_client()
    found = await client.get_all_secrets(FindQuery(name_regexp="s2", path=names.path("page")))
    assert found == {names.path(f"page/s{i}"): str(i).encode() for i in range(20, 25)}
    assert recorder.count("BatchGetSecretValue") == 2  # 20 per page
