"""The Password generator: ESO's composition rules, the ``secrets`` module's randomness.

A password of ``length`` characters (24 when unset or 0) holds exactly ``digits``
digits and ``symbols`` symbols (each a quarter of the length when unset, rounded
down) and letters for the rest: lower case, plus upper case unless ``noUpper``.
Symbols come from ``symbolCharacters`` (default ESO's set). Unless ``allowRepeat``,
no character appears twice. Every character is drawn with :func:`secrets.randbelow`
and inserted at a random position, so the classes are spread through the password.

Each ``secretKeys`` entry (default ``["password"]``) gets its own password, encoded
with ``encoding`` (raw, base64, base64url, base32, hex). Impossible recipes (more
digits and symbols than the length, more distinct characters than a class has) are a
:class:`SpecError` naming the generator's field; a message never contains a password.
"""

from __future__ import annotations

import base64
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass

from eso.api.generators import PasswordEncoding, PasswordSpec
from eso.errors import SpecError

__all__ = [
    "DEFAULT_LENGTH",
    "DEFAULT_SYMBOL_CHARACTERS",
    "Recipe",
    "compose",
    "encode",
    "generate_password",
    "recipe_for",
]

DEFAULT_LENGTH = 24
DEFAULT_SYMBOL_CHARACTERS = '~!@#$%^&*()_+`-={}|[]\\:"<>?,./'
"""ESO's default ``symbolCharacters``."""

_LOWER = string.ascii_lowercase
_UPPER = string.ascii_uppercase
_DIGITS = string.digits

RandBelow = Callable[[int], int]


@dataclass(frozen=True, slots=True)
class Recipe:
    """The effective settings of one Password generator (defaults applied)."""

    length: int
    digits: int
    symbols: int
    symbol_characters: str
    no_upper: bool
    allow_repeat: bool

    @property
    def letters(self) -> int:
        """How many letters: whatever digits and symbols leave."""
        return self.length - self.digits - self.symbols

    @property
    def letter_characters(self) -> str:
        """Lower case letters, plus upper case unless ``noUpper``."""
        return _LOWER if self.no_upper else _LOWER + _UPPER


def recipe_for(spec: PasswordSpec) -> Recipe:
    """ESO's defaults: length 24 when unset or 0; digits and symbols a quarter of the length."""
    length = spec.length if spec.length > 0 else DEFAULT_LENGTH
    quarter = length // 4
    return Recipe(
        length=length,
        digits=spec.digits if spec.digits is not None else quarter,
        symbols=spec.symbols if spec.symbols is not None else quarter,
        symbol_characters=(
            spec.symbol_characters if spec.symbol_characters is not None else DEFAULT_SYMBOL_CHARACTERS
        ),
        no_upper=spec.no_upper,
        allow_repeat=spec.allow_repeat,
    )


def _symbol_pool(recipe: Recipe) -> str:
    """Distinct symbol characters; without repeats, letters and digits listed there are left out.

    Keeping the classes disjoint makes "are there enough distinct characters" a fixed
    property of the recipe instead of a matter of luck.
    """
    pool = "".join(dict.fromkeys(recipe.symbol_characters))
    if recipe.allow_repeat:
        return pool
    taken = set(recipe.letter_characters + _DIGITS)
    return "".join(c for c in pool if c not in taken)


def _check(recipe: Recipe, symbol_pool: str) -> None:
    if recipe.letters < 0:
        raise SpecError(
            f"digits ({recipe.digits}) plus symbols ({recipe.symbols}) exceed the length ({recipe.length})",
            field="spec.length",
        )
    if recipe.symbols and not symbol_pool:
        raise SpecError(
            f"{recipe.symbols} symbols requested but symbolCharacters has no usable symbol",
            field="spec.symbolCharacters",
        )
    if recipe.allow_repeat:
        return
    classes = (
        ("letters", recipe.letters, recipe.letter_characters, "spec.length"),
        ("digits", recipe.digits, _DIGITS, "spec.digits"),
        ("symbols", recipe.symbols, symbol_pool, "spec.symbols"),
    )
    for what, count, alphabet, field in classes:
        if count > len(alphabet):
            raise SpecError(
                f"{count} {what} without repeats, but only {len(alphabet)} distinct {what} are available; "
                "lower the count or set allowRepeat",
                field=field,
            )


def compose(recipe: Recipe, randbelow: RandBelow = secrets.randbelow) -> str:
    """One password for ``recipe``; :class:`SpecError` when the recipe is impossible."""
    symbol_pool = _symbol_pool(recipe)
    _check(recipe, symbol_pool)
    result: list[str] = []
    plan = (
        (recipe.letters, recipe.letter_characters),
        (recipe.digits, _DIGITS),
        (recipe.symbols, symbol_pool),
    )
    for count, alphabet in plan:
        pool = list(alphabet)
        for _ in range(count):
            index = randbelow(len(pool))
            char = pool[index] if recipe.allow_repeat else pool.pop(index)
            result.insert(randbelow(len(result) + 1), char)
    return "".join(result)


def encode(value: bytes, encoding: PasswordEncoding) -> bytes:
    """``value`` in ``encoding``: raw, or Go's padded base64 / base64url / base32, or hex."""
    if encoding is PasswordEncoding.BASE64:
        return base64.b64encode(value)
    if encoding is PasswordEncoding.BASE64URL:
        return base64.urlsafe_b64encode(value)
    if encoding is PasswordEncoding.BASE32:
        return base64.b32encode(value)
    if encoding is PasswordEncoding.HEX:
        return value.hex().encode()
    return value


def generate_password(spec: PasswordSpec, randbelow: RandBelow = secrets.randbelow) -> dict[str, bytes]:
    """One independently drawn, encoded password per ``secretKeys`` entry."""
    recipe = recipe_for(spec)
    keys = spec.secret_keys or ["password"]
    return {key: encode(compose(recipe, randbelow).encode(), spec.encoding) for key in keys}
