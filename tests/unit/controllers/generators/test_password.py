"""Password composition, ESO's defaults, the impossible recipes and the encodings."""

from __future__ import annotations

import base64
import binascii
import string

import pytest

from eso.api.generators import PasswordEncoding, PasswordSpec
from eso.controllers.generators.password import (
    DEFAULT_SYMBOL_CHARACTERS,
    Recipe,
    compose,
    encode,
    generate_password,
    recipe_for,
)
from eso.errors import SpecError

_SYMBOLS_FIELD = "spec.symbolCharacters"


def _classes(password: str, symbols: str = DEFAULT_SYMBOL_CHARACTERS) -> tuple[int, int, int, int]:
    lower = sum(c in string.ascii_lowercase for c in password)
    upper = sum(c in string.ascii_uppercase for c in password)
    digits = sum(c in string.digits for c in password)
    syms = sum(c in symbols for c in password)
    return lower, upper, digits, syms


def test_defaults_are_esos() -> None:
    recipe = recipe_for(PasswordSpec())
    assert recipe == Recipe(24, 6, 6, DEFAULT_SYMBOL_CHARACTERS, no_upper=False, allow_repeat=False)
    assert DEFAULT_SYMBOL_CHARACTERS == '~!@#$%^&*()_+`-={}|[]\\:"<>?,./'
    # length 0 means "unset" in ESO; digits and symbols follow the effective length
    assert recipe_for(PasswordSpec(length=0)).length == 24
    assert recipe_for(PasswordSpec(length=0)).digits == 6
    assert recipe_for(PasswordSpec(length=10)).digits == 2
    assert recipe_for(PasswordSpec(length=10, digits=0, symbols=3)).symbols == 3


def test_default_password_has_the_right_composition_and_no_repeats() -> None:
    for _ in range(50):
        password = generate_password(PasswordSpec())["password"].decode()
        assert len(password) == 24
        lower, upper, digits, syms = _classes(password)
        assert digits == 6
        assert syms == 6
        assert lower + upper == 12
        assert len(set(password)) == 24


def test_no_upper_zero_digits_and_custom_symbols() -> None:
    spec = PasswordSpec(
        length=16, digits=0, symbols=4, symbol_characters="-_", no_upper=True, allow_repeat=True
    )
    for _ in range(20):
        password = generate_password(spec)["password"].decode()
        lower, upper, digits, syms = _classes(password, "-_")
        assert (len(password), upper, digits, syms, lower) == (16, 0, 0, 4, 12)


def test_allow_repeat_permits_more_than_the_alphabet() -> None:
    spec = PasswordSpec(length=40, digits=20, symbols=0, allow_repeat=True)
    password = generate_password(spec)["password"].decode()
    assert sum(c.isdigit() for c in password) == 20


def test_characters_are_spread_not_grouped_by_class() -> None:
    # with random insertion the digits are not always at the end
    tails = {generate_password(PasswordSpec())["password"].decode()[-6:].isdigit() for _ in range(30)}
    assert tails != {True}


def test_each_secret_key_gets_its_own_password() -> None:
    out = generate_password(PasswordSpec(secret_keys=["a", "b", "c"]))
    assert sorted(out) == ["a", "b", "c"]
    assert len(set(out.values())) == 3


def test_compose_is_deterministic_under_a_given_random_source() -> None:
    recipe = Recipe(6, 2, 1, "!", no_upper=True, allow_repeat=False)
    assert compose(recipe, lambda n: 0) == "!10cba"
    assert compose(recipe, lambda n: n - 1) == "zyx98!"


@pytest.mark.parametrize(
    ("spec", "field", "fragment"),
    [
        (PasswordSpec(length=8, digits=5, symbols=4), "spec.length", "exceed the length (8)"),
        (PasswordSpec(length=20, digits=11, symbols=0), "spec.digits", "only 10 distinct digits"),
        (PasswordSpec(length=60, digits=0, symbols=0, no_upper=True), "spec.length", "26 distinct letters"),
        (PasswordSpec(length=8, digits=0, symbols=3, symbol_characters="!?"), "spec.symbols", "only 2"),
        (PasswordSpec(length=8, digits=0, symbols=2, symbol_characters=""), _SYMBOLS_FIELD, "no usable"),
        # letters listed as symbols do not count as distinct symbols without repeats
        (PasswordSpec(length=8, digits=0, symbols=2, symbol_characters="ab"), _SYMBOLS_FIELD, "no usable"),
    ],
)
def test_impossible_recipes_name_the_field(spec: PasswordSpec, field: str, fragment: str) -> None:
    with pytest.raises(SpecError) as err:
        generate_password(spec)
    assert err.value.field == field
    assert fragment in err.value.message


def test_letters_in_symbol_characters_are_fine_with_repeats() -> None:
    spec = PasswordSpec(length=8, digits=0, symbols=8, symbol_characters="ab", allow_repeat=True)
    assert set(generate_password(spec)["password"].decode()) <= {"a", "b"}


@pytest.mark.parametrize(
    ("encoding", "decode"),
    [
        (PasswordEncoding.RAW, lambda b: b),
        (PasswordEncoding.BASE64, lambda b: base64.b64decode(b, validate=True)),
        (PasswordEncoding.BASE64URL, base64.urlsafe_b64decode),
        (PasswordEncoding.BASE32, base64.b32decode),
        (PasswordEncoding.HEX, binascii.unhexlify),
    ],
)
def test_encodings_round_trip(encoding: PasswordEncoding, decode: object) -> None:
    raw = b"a>?~b\x00\xff"
    encoded = encode(raw, encoding)
    assert decode(encoded) == raw  # type: ignore[operator]


def test_encodings_match_go_padding_and_alphabets() -> None:
    assert encode(b">>>?", PasswordEncoding.BASE64) == b"Pj4+Pw=="
    assert encode(b">>>?", PasswordEncoding.BASE64URL) == b"Pj4-Pw=="
    assert encode(b"ab", PasswordEncoding.BASE32) == b"MFRA===="
    assert encode(b"ab", PasswordEncoding.HEX) == b"6162"


def test_generated_encoded_password_decodes_to_a_valid_password() -> None:
    out = generate_password(PasswordSpec(encoding=PasswordEncoding.BASE64, secret_keys=["k"]))
    assert len(base64.b64decode(out["k"])) == 24
