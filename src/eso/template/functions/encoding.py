"""Byte-exact encoding and hashing functions (they replace sprig's text-only versions).

gotpl's sprig encodes a ``str`` with strict UTF-8 and decodes results with
``errors="replace"``, which is right for text but loses binary data: in ESO
``{{ .p12 | b64dec | pkcs12cert }}`` must hand the raw PKCS#12 bytes on. These versions
work on the Go bytes of their argument (:mod:`eso.template.gostr`), so binary values
survive ``b64dec``, ``b64enc``, the hashes and ``len`` byte for byte, as in Go.

``hexdec`` comes from ESO's vendored sprig (it is not in upstream sprig v3): it decodes a
hex string and, like ``b64dec``, returns the error text on bad input.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from collections.abc import Callable, Mapping, Sized
from typing import Any

from eso.template.decoding import go_b32decode, go_b64decode
from eso.template.gostr import go_bytes, go_string

__all__ = ["encoding_functions"]

_HEX = frozenset(b"0123456789abcdefABCDEF")


def b64enc(value: str) -> str:
    """``base64.StdEncoding.EncodeToString`` of the Go bytes."""
    return base64.b64encode(go_bytes(value)).decode("ascii")


def b64dec(value: str) -> str:
    """Decoded bytes as a Go string, or Go's error text (sprig never fails here)."""
    try:
        return go_string(go_b64decode(go_bytes(value)))
    except ValueError as error:
        return str(error)


def b32enc(value: str) -> str:
    """``base32.StdEncoding.EncodeToString`` of the Go bytes."""
    return base64.b32encode(go_bytes(value)).decode("ascii")


def b32dec(value: str) -> str:
    """Decoded bytes as a Go string, or Go's error text."""
    try:
        return go_string(go_b32decode(go_bytes(value)))
    except ValueError as error:
        return str(error)


def _invalid_hex_byte(byte: int) -> str:
    char = chr(byte)
    shown = f" '{char}'" if char.isprintable() else ""
    return f"encoding/hex: invalid byte: U+{byte:04X}{shown}"


def hexdec(value: str) -> str:
    """``hex.DecodeString``: the bytes as a Go string, or Go's error text."""
    data = go_bytes(value)
    pairs = len(data) - len(data) % 2
    for index in range(pairs):
        if data[index] not in _HEX:
            return _invalid_hex_byte(data[index])
    if len(data) % 2:
        if data[-1] not in _HEX:
            return _invalid_hex_byte(data[-1])
        return "encoding/hex: odd length hex string"
    return go_string(binascii.unhexlify(data))


def sha1sum(value: str) -> str:
    """Hex SHA-1 of the Go bytes."""
    return hashlib.sha1(go_bytes(value), usedforsecurity=False).hexdigest()


def sha256sum(value: str) -> str:
    """Hex SHA-256 of the Go bytes."""
    return hashlib.sha256(go_bytes(value)).hexdigest()


def sha512sum(value: str) -> str:
    """Hex SHA-512 of the Go bytes."""
    return hashlib.sha512(go_bytes(value)).hexdigest()


def adler32sum(value: str) -> str:
    """Decimal Adler-32 of the Go bytes."""
    return str(zlib.adler32(go_bytes(value)))


def go_len(value: Any) -> int:
    """The ``len`` builtin: a string's length is its number of bytes, as in Go."""
    if isinstance(value, str):
        return len(go_bytes(value))
    if not isinstance(value, Sized):
        raise TypeError(f"len of type {type(value).__name__}")
    return len(value)


def encoding_functions() -> Mapping[str, Callable[..., object]]:
    """The byte-exact replacements for sprig's functions and the ``len`` builtin."""
    return {
        "b64enc": b64enc,
        "b64dec": b64dec,
        "b32enc": b32enc,
        "b32dec": b32dec,
        "hexdec": hexdec,
        "sha1sum": sha1sum,
        "sha256sum": sha256sum,
        "sha512sum": sha512sum,
        "adler32sum": adler32sum,
        "len": go_len,
    }
