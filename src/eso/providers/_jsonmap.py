"""``GetSecretMap``'s JSON explosion: one remote JSON object becomes many Secret keys.

ESO decodes the payload into ``map[string]json.RawMessage`` and then tries to decode each
value as a Go string (``dataFrom[].extract``, ESO ``GetSecretMap`` in the AWS, fake and
other providers). The observable result, reproduced here:

* a JSON string value is unquoted and unescaped (then UTF-8 encoded);
* any other value keeps its **raw JSON text**, inner whitespace included: ``5432``
  stays ``5432``, ``{"a": 1}`` stays ``{"a": 1}``, ``1.50`` stays ``1.50``;
* ``null`` becomes an empty value (decoding null into a Go string is a no-op);
* a duplicated key keeps its last value; a top-level ``null`` gives an empty map;
* anything that is not a JSON object fails with ``unable to unmarshal secret <key>``.
  The payload itself never appears in the message.
"""

from __future__ import annotations

import json
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from eso.errors import ProviderError

__all__ = ["explode_json_object", "utf8_lossy"]

_WHITESPACE = " \t\n\r"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON literal {name}")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def utf8_lossy(text: str) -> bytes:
    """UTF-8 bytes of ``text``; lone surrogates become U+FFFD as Go's decoder makes them."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        cleaned = "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)
        return cleaned.encode("utf-8")


def _skip_ws(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


def _expect(text: str, index: int, char: str) -> int:
    if index >= len(text) or text[index] != char:
        raise ValueError(f"expected {char!r} at offset {index}")
    return index + 1


def _raw_members(text: str) -> dict[str, str]:
    """Top-level members of a JSON object: key → raw value text. Raises ValueError."""
    index = _skip_ws(text, 0)
    if text.startswith("null", index) and _skip_ws(text, index + 4) == len(text):
        return {}
    if index >= len(text) or text[index] != "{":
        raise ValueError("the value is not a JSON object")
    index = _skip_ws(text, index + 1)
    members: dict[str, str] = {}
    if index < len(text) and text[index] == "}":
        index += 1
    else:
        while True:
            index = _expect(text, index, '"')
            key, index = scanstring(text, index, True)
            index = _expect(text, _skip_ws(text, index), ":")
            start = _skip_ws(text, index)
            _value, end = _DECODER.raw_decode(text, start)
            members[key] = text[start:end]
            index = _skip_ws(text, end)
            if index < len(text) and text[index] == ",":
                index = _skip_ws(text, index + 1)
                continue
            index = _expect(text, index, "}")
            break
    if _skip_ws(text, index) != len(text):
        raise ValueError(f"unexpected data after the JSON object at offset {index}")
    return members


def _member_value(raw: str) -> bytes:
    if raw.startswith('"'):
        decoded: str = _DECODER.decode(raw)
        return utf8_lossy(decoded)
    if raw == "null":
        return b""
    return raw.encode("utf-8")


def explode_json_object(payload: bytes | str, key: str) -> dict[str, bytes]:
    """Explode the JSON object ``payload`` (the remote secret ``key``) into Secret data."""
    text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else payload
    try:
        members = _raw_members(text)
    except ValueError as exc:
        # json's messages carry offsets only, never the document.
        reason = str(exc).split(":", 1)[0] if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise ProviderError(f"unable to unmarshal secret {key}: {reason}") from None
    return {name: _member_value(raw) for name, raw in members.items()}
