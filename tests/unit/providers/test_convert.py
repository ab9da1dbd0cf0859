"""Key conversion, key validation, reverse conversion and decoding tables (ESO §2.4)."""

from __future__ import annotations

import pytest

from eso.errors import SpecError
from eso.providers._convert import (
    convert_key,
    convert_keys,
    decode_map,
    decode_value,
    reverse_key,
    reverse_keys,
    validate_keys,
)


@pytest.mark.parametrize(
    ("strategy", "key", "expected"),
    [
        ("Default", "a/b", "a_b"),
        ("", "a/b", "a_b"),
        ("Default", "/e2e/find/name/ns/one", "_e2e_find_name_ns_one"),
        ("Default", "ok-key.with_all", "ok-key.with_all"),
        ("Default", "héllo wörld", "héllo_wörld"),
        ("Default", "a@b:c", "a_b_c"),
        ("Unicode", "a/b", "a_U002f_b"),
        ("Unicode", "a b", "a_U0020_b"),
        ("Unicode", "x😀", "x_U1f600_"),
        ("Unicode", "digits٣", "digits٣"),
        ("Other", "a/b", "a/b"),
    ],
)
def test_convert_key(strategy: str, key: str, expected: str) -> None:
    assert convert_key(strategy, key) == expected


def test_convert_collision() -> None:
    with pytest.raises(SpecError, match="secret name collision during conversion"):
        convert_keys("Default", {"a/b": b"1", "a:b": b"2"})
    assert convert_keys("Unicode", {"a/b": b"1", "a:b": b"2"}) == {"a_U002f_b": b"1", "a_U003a_b": b"2"}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("a_U002f_b", "a/b"),
        ("x_U1f600_", "x😀"),
        ("_U0041__U0042_", "AB"),
        ("no_Uzzzz_", "no_Uzzzz_"),
        ("_Ud800_", "\ufffd"),
    ],
)
def test_reverse_unicode(key: str, expected: str) -> None:
    assert reverse_key("ReverseUnicode", key) == expected
    assert reverse_key("None", key) == key


def test_reverse_is_the_inverse_of_unicode() -> None:
    original = {"a/b c": b"1", "plain": b"2", "ü:x": b"3"}
    assert reverse_keys("ReverseUnicode", convert_keys("Unicode", original)) == original
    with pytest.raises(SpecError, match="collision"):
        reverse_keys("ReverseUnicode", {"a_U002f_": b"1", "a/": b"2"})


def test_validate_keys() -> None:
    assert validate_keys({"": b"x", "ok.key-1_2": b"y"}) == {"ok.key-1_2": b"y"}
    with pytest.raises(SpecError, match="max allowed length is 253"):
        validate_keys({"k" * 254: b""})
    validate_keys({"k" * 253: b""})
    with pytest.raises(SpecError, match="TIP: use rewrite or conversionStrategy") as info:
        validate_keys({"a/b": b"value-not-shown"})
    assert "value-not-shown" not in str(info.value)
    with pytest.raises(SpecError):
        validate_keys({"..": b""})


@pytest.mark.parametrize(
    ("strategy", "value", "expected"),
    [
        ("None", b"aGVsbG8=", b"aGVsbG8="),
        ("", b"aGVsbG8=", b"aGVsbG8="),
        ("Base64", b"aGVsbG8=", b"hello"),
        ("Base64", b"aGVs\r\nbG8=", b"hello"),
        ("Base64", b"", b""),
        ("Base64", b"+/8=", b"\xfb\xff"),
        ("Base64URL", b"-_8=", b"\xfb\xff"),
        ("Auto", b"aGVsbG8=", b"hello"),
        ("Auto", b"-_8=", b"\xfb\xff"),
        ("Auto", b"not base64!", b"not base64!"),
        ("Auto", b"aGVsbG8", b"aGVsbG8"),
    ],
)
def test_decode_value(strategy: str, value: bytes, expected: bytes) -> None:
    assert decode_value(strategy, value) == expected


@pytest.mark.parametrize(
    ("strategy", "value"),
    [
        ("Base64", b"aGVsbG8"),  # padding required
        ("Base64", b"aGVsbG8==="),
        ("Base64", b"-_8="),  # URL alphabet in Std
        ("Base64URL", b"+/8="),
        ("Base64", b"a b="),
    ],
)
def test_decode_value_errors(strategy: str, value: bytes) -> None:
    with pytest.raises(ValueError, match="illegal base64 data"):
        decode_value(strategy, value)


def test_decode_map_names_the_key_only() -> None:
    with pytest.raises(SpecError, match="failure decoding key api-key") as info:
        decode_map("Base64", {"ok": b"aGk=", "api-key": b"sk-secret"})
    assert "sk-secret" not in str(info.value)
    with pytest.raises(SpecError, match="decoding strategy Hex is not supported"):
        decode_value("Hex", b"00")
