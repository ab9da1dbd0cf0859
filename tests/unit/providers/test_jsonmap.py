"""GetSecretMap JSON explosion (ESO §2.4)."""

from __future__ import annotations

import pytest

from eso.errors import ProviderError
from eso.providers._jsonmap import explode_json_object


def test_seed_database_secret() -> None:
    payload = b'{"username":"dbadmin","password":"s3cur3P@ssw0rd!","host":"mydb.example.com","port":5432}'
    assert explode_json_object(payload, "myapp-database") == {
        "username": b"dbadmin",
        "password": b"s3cur3P@ssw0rd!",
        "host": b"mydb.example.com",
        "port": b"5432",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"plain"', b"plain"),
        ('"esc\\n\\u00e9\\"q"', 'esc\né"q'.encode()),
        ("5432", b"5432"),
        ("1.50", b"1.50"),
        ("-1e3", b"-1e3"),
        ("true", b"true"),
        ("false", b"false"),
        ("null", b""),
        ('{"a": 1,  "b" :[1, 2]}', b'{"a": 1,  "b" :[1, 2]}'),
        ("[ 1,2 ]", b"[ 1,2 ]"),
        ('"\\ud800"', "\ufffd".encode()),
    ],
)
def test_value_kinds(raw: str, expected: bytes) -> None:
    assert explode_json_object(f'{{"k": {raw} }}', "key") == {"k": expected}


def test_duplicate_key_last_wins_and_top_level_null() -> None:
    assert explode_json_object('{"a":"1","a":"2"}', "k") == {"a": b"2"}
    assert explode_json_object(" null ", "k") == {}
    assert explode_json_object("{}", "k") == {}
    assert explode_json_object('  {\n "a" : "b" \n}  ', "k") == {"a": b"b"}


@pytest.mark.parametrize(
    "payload",
    ["not json s3cr3t", '["a"]', '"str"', '{"a":1', '{"a":1}x', '{"a":NaN}', "", '{"a" 1}', "{'a':1}"],
)
def test_invalid_json_never_shows_the_payload(payload: str) -> None:
    with pytest.raises(ProviderError) as info:
        explode_json_object(payload, "db/creds")
    message = str(info.value)
    assert message.startswith("unable to unmarshal secret db/creds")
    if payload:
        assert payload not in message
    assert "s3cr3t" not in message
