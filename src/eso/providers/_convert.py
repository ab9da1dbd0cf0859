"""Secret key conversion, key validation and value decoding (ESO ``esutils`` and ``decoding``).

Shared by providers and controllers:

* :func:`convert_keys` — ``conversionStrategy`` (``Default``: every rune that is not a
  Unicode letter or digit, ``-``, ``.`` or ``_`` becomes ``_``; ``Unicode``: it becomes
  ``_U%04x_``). Two keys that collapse to one name are an error.
* :func:`reverse_keys` — PushSecret ``conversionStrategy: ReverseUnicode`` turns
  ``_Uxxxx_`` sequences back into characters.
* :func:`validate_keys` — drops empty keys; a key longer than 253 bytes or with a
  character a Kubernetes Secret key cannot hold is an error with a hint.
* :func:`decode_value` / :func:`decode_map` — ``decodingStrategy`` ``None``, ``Base64``
  (Go ``StdEncoding``: padding required, CR and LF ignored), ``Base64URL`` and ``Auto``
  (Std, then URL, then the input unchanged).

Messages name keys, never values.
"""

from __future__ import annotations

import binascii
import re
import unicodedata
from collections.abc import Mapping

from eso.errors import SpecError

__all__ = [
    "DECODING_STRATEGIES",
    "convert_key",
    "convert_keys",
    "decode_map",
    "decode_value",
    "reverse_key",
    "reverse_keys",
    "validate_keys",
]

DECODING_STRATEGIES = ("", "None", "Base64", "Base64URL", "Auto")
MAX_KEY_LENGTH = 253
_SECRET_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_UNICODE_ESCAPE = re.compile(r"_U([0-9a-fA-F]{4,5})_")
_STD_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_URL_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")
_URL_TO_STD = bytes.maketrans(b"-_", b"+/")


def _kept(char: str) -> bool:
    return char in "-._" or unicodedata.category(char)[0] in "LN"


def convert_key(strategy: str, key: str) -> str:
    """One key under ``conversionStrategy`` (``Default``/empty, ``Unicode``; others keep it)."""
    if strategy not in ("", "Default", "Unicode"):
        return key
    out: list[str] = []
    for char in key:
        if _kept(char):
            out.append(char)
        elif strategy == "Unicode":
            out.append(f"_U{ord(char):04x}_")
        else:
            out.append("_")
    return "".join(out)


def convert_keys(strategy: str, data: Mapping[str, bytes]) -> dict[str, bytes]:
    """Apply :func:`convert_key` to every key; a collision is a SpecError."""
    out: dict[str, bytes] = {}
    for key, value in data.items():
        new = convert_key(strategy, key)
        if new in out:
            raise SpecError(
                f"secret name collision during conversion: {key!r} and another key become {new!r}"
            )
        out[new] = value
    return out


def _char(code: int) -> str:
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return "\ufffd"
    return chr(code)


def reverse_key(strategy: str, key: str) -> str:
    """PushSecret ``ReverseUnicode``: ``_U002f_`` becomes ``/``; ``None`` keeps the key."""
    if strategy != "ReverseUnicode":
        return key
    return _UNICODE_ESCAPE.sub(lambda m: _char(int(m.group(1), 16)), key)


def reverse_keys(strategy: str, data: Mapping[str, bytes]) -> dict[str, bytes]:
    """Apply :func:`reverse_key` to every key; a collision is a SpecError."""
    out: dict[str, bytes] = {}
    for key, value in data.items():
        new = reverse_key(strategy, key)
        if new in out:
            raise SpecError(
                f"secret name collision during conversion: {key!r} and another key become {new!r}"
            )
        out[new] = value
    return out


def validate_keys(data: Mapping[str, bytes]) -> dict[str, bytes]:
    """Return ``data`` without empty keys; raise SpecError for a key a Secret cannot hold.

    Stricter than ESO, which accepts any Unicode letter and leaves the rejection to the
    API server: here the error names the key and says how to fix it.
    """
    out: dict[str, bytes] = {}
    for key, value in data.items():
        if key == "":
            continue
        size = len(key.encode("utf-8"))
        if size > MAX_KEY_LENGTH:
            raise SpecError(
                f"key {key[:40]!r}… has length {size} but max allowed length is {MAX_KEY_LENGTH}. "
                "TIP: use rewrite to shorten the key"
            )
        if not _SECRET_KEY.fullmatch(key) or key in (".", ".."):
            raise SpecError(
                f"key {key!r} has invalid characters: a Secret key may contain only letters, "
                "digits, '-', '.' and '_'. TIP: use rewrite or conversionStrategy"
            )
        out[key] = value
    return out


def _b64(data: bytes, alphabet: frozenset[int], translate: bytes | None) -> bytes:
    cleaned = data.replace(b"\r", b"").replace(b"\n", b"")
    if any(byte not in alphabet for byte in cleaned):
        raise ValueError("illegal base64 data: character outside the alphabet")
    if translate is not None:
        cleaned = cleaned.translate(translate)
    try:
        return binascii.a2b_base64(cleaned, strict_mode=True)
    except binascii.Error:
        raise ValueError("illegal base64 data: bad length or padding") from None


def decode_value(strategy: str, value: bytes) -> bytes:
    """Decode one value; raise ValueError (no value in the message) when it is not valid."""
    if strategy in ("", "None"):
        return value
    if strategy == "Base64":
        return _b64(value, _STD_ALPHABET, None)
    if strategy == "Base64URL":
        return _b64(value, _URL_ALPHABET, _URL_TO_STD)
    if strategy == "Auto":
        for inner in ("Base64", "Base64URL"):
            try:
                return decode_value(inner, value)
            except ValueError:
                continue
        return value
    raise SpecError(f"decoding strategy {strategy} is not supported")


def decode_map(strategy: str, data: Mapping[str, bytes]) -> dict[str, bytes]:
    """Decode every value; the error names the key (``failure decoding key <k>``)."""
    out: dict[str, bytes] = {}
    for key, value in data.items():
        try:
            out[key] = decode_value(strategy, value)
        except ValueError as exc:
            raise SpecError(f"failure decoding key {key}: {exc}") from None
    return out
