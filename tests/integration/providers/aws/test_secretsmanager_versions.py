"""Secrets Manager version ids against moto: values with their VersionId, ListSecrets of current versions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eso.errors import SecretNotFound
from eso.providers.base import RemoteRef, VersionedSecretsClient, VersionedValue
from tests.integration.providers.aws.conftest import Names, NewClient, Recorder

pytestmark = pytest.mark.integration


@pytest.fixture
def sm(boto: dict[str, Any]) -> Any:
    return boto["secretsmanager"]


def _current(sm: Any, name: str) -> str:
    stages = sm.describe_secret(SecretId=name)["VersionIdsToStages"]
    return str(next(v for v, labels in stages.items() if "AWSCURRENT" in labels))


async def test_values_come_with_the_version_id_of_the_current_version(
    sm: Any, names: Names, new_client: NewClient, recorder: Recorder
) -> None:
    sm.create_secret(Name=names("a"), SecretString=json.dumps({"user": "alice"}))
    sm.create_secret(Name=names("b"), SecretString="old")
    sm.put_secret_value(SecretId=names("b"), SecretString="new")
    client = await new_client()
    assert isinstance(client, VersionedSecretsClient)
    one = await client.get_versioned([RemoteRef(names("a"), property="user")])
    assert one[RemoteRef(names("a"), property="user")] == VersionedValue(b"alice", _current(sm, names("a")))
    assert (recorder.count("GetSecretValue"), recorder.count("BatchGetSecretValue")) == (1, 0)
    refs = [RemoteRef(names("a")), RemoteRef(names("b")), RemoteRef(names("gone"))]
    many = await client.get_versioned(refs)
    assert many[refs[1]] == VersionedValue(b"new", _current(sm, names("b")))
    assert isinstance(many[refs[2]], SecretNotFound)
    assert recorder.count("BatchGetSecretValue") == 1
    assert client.version_key(RemoteRef(names("b"))) == names("b")
    assert client.version_key(RemoteRef(names("b"), version="AWSPREVIOUS")) is None


async def test_listing_maps_names_and_arns_to_current_versions_within_the_prefix(
    sm: Any, names: Names, new_client: NewClient, recorder: Recorder
) -> None:
    arn = sm.create_secret(Name=names("a"), SecretString="1")["ARN"]
    sm.create_secret(Name=names("b"), SecretString="1")
    sm.create_secret(Name=names("going"), SecretString="1")
    client = await new_client({"prefix": f"{names.base}-"})
    assert isinstance(client, VersionedSecretsClient)
    listing = await client.list_versions(5)
    assert listing.complete
    assert listing.pages == 1
    assert listing.current[names("a")] == listing.current[arn] == _current(sm, names("a"))
    assert set(listing.current) >= {names("a"), names("b"), names("going")}
    assert all(name.startswith(names.base) for name in listing.current if not name.startswith("arn:"))
    assert client.version_key(RemoteRef("a")) == names("a")

    sm.put_secret_value(SecretId=names("a"), SecretString="2")
    sm.delete_secret(SecretId=names("going"))  # scheduled for deletion: no longer listed
    again = await client.list_versions(5)
    assert again.current[names("a")] == _current(sm, names("a")) != listing.current[names("a")]
    assert names("going") not in again.current
    assert recorder.count("ListSecrets") == 2
