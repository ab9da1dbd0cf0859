"""JSON written byte for byte as ESO's Go code writes it.

* :func:`marshal_string_map` — Go ``json.Marshal`` of a ``map[string]string``: sorted
  keys, compact, Go string escaping (``<``, ``>``, ``&`` as ``\\u003c``… unless
  ``escape_html`` is False, as with ESO's ``esutils.JSONMarshal``; U+2028/U+2029 always
  escaped). Used for tag JSON (``metadataPolicy: Fetch``) and whole-Secret pushes.
* :func:`set_string` — sjson's ``SetBytes(doc, path, value)`` for PushSecret
  ``remoteRef.property``: ``a.b`` creates nested objects, ``\\.`` escapes a dot, a
  numeric segment indexes an existing array (``-1`` appends). The rest of the document
  is kept (key order and number text), written compactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["RawNumber", "delete_path", "go_string", "marshal_string_map", "parse_preserving", "set_string"]

_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def go_string(text: str, *, escape_html: bool = True) -> str:
    """``text`` as a quoted JSON string, escaped like Go's ``encoding/json``."""
    out = ['"']
    for char in text:
        if char in _SHORT:
            out.append(_SHORT[char])
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        elif escape_html and char in _HTML:
            out.append(_HTML[char])
        elif char in ("\u2028", "\u2029"):
            out.append(f"\\u{ord(char):04x}")
        elif 0xD800 <= ord(char) <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def marshal_string_map(data: Mapping[str, str], *, escape_html: bool = True) -> str:
    """Go ``json.Marshal(map[string]string)``: ``{"a":"1","b":"2"}``, keys sorted."""
    parts = [
        f"{go_string(k, escape_html=escape_html)}:{go_string(v, escape_html=escape_html)}"
        for k, v in sorted(data.items())
    ]
    return "{" + ",".join(parts) + "}"


class RawNumber:
    """A JSON number kept as the text it was written with."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RawNumber) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def _reject(name: str) -> Any:
    raise ValueError(f"invalid JSON literal {name}")


def parse_preserving(text: str) -> Any:
    """Parse JSON keeping object order and the exact text of numbers. Raises ValueError."""
    return json.loads(text, parse_float=RawNumber, parse_int=RawNumber, parse_constant=_reject)


def _dump(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{go_string(k, escape_html=False)}:{_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    if isinstance(value, RawNumber):
        return value.text
    if isinstance(value, str):
        return go_string(value, escape_html=False)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    raise TypeError(f"cannot encode {type(value).__name__}")


def _sjson_string(text: str) -> str:
    # sjson writes plain printable ASCII verbatim and hands anything else to json.Marshal.
    if all(0x20 <= ord(c) <= 0x7E and c not in '"\\' for c in text):
        return f'"{text}"'
    return go_string(text, escape_html=True)


def _segments(path: str) -> list[str]:
    segments: list[str] = []
    current: list[str] = []
    escaped = False
    for char in path:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ".":
            segments.append("".join(current))
            current = []
        else:
            current.append(char)
    segments.append("".join(current))
    return segments


class _Marker:
    """The value being set; replaced by its sjson text when the document is written."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _child(container: dict[str, Any] | list[Any], segment: str, leaf: Any) -> Any:
    """Place ``leaf`` (or ensure a container when ``leaf`` is None) at ``segment``; return it."""
    if isinstance(container, list):
        if segment != "-1" and not segment.isdigit():
            raise ValueError(f"path segment {segment!r} indexes an array but is not a number")
        index = len(container) if segment == "-1" else int(segment)
        while len(container) < index:
            container.append(None)
        if index == len(container):
            container.append({} if leaf is None else leaf)
        elif leaf is not None:
            container[index] = leaf
        elif not isinstance(container[index], dict | list):
            container[index] = {}
        return container[index]
    if leaf is not None:
        container[segment] = leaf
    elif not isinstance(container.get(segment), dict | list):
        container[segment] = {}
    return container[segment]


def set_string(document: str, path: str, value: str) -> str:
    """``document`` (JSON text, or empty) with the string ``value`` set at sjson ``path``.

    Raises ValueError when ``document`` is not JSON or the path cannot be set.
    """
    root: Any = parse_preserving(document) if document.strip() else {}
    if not isinstance(root, dict | list):
        root = {}
    segments = _segments(path)
    parent = root
    for segment in segments[:-1]:
        parent = _child(parent, segment, None)
    _child(parent, segments[-1], _Marker(_sjson_string(value)))
    return _dump_with_marker(root)


def _dump_with_marker(value: Any) -> str:
    if isinstance(value, _Marker):
        return value.text
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{go_string(k, escape_html=False)}:{_dump_with_marker(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, list):
        return "[" + ",".join(_dump_with_marker(v) for v in value) + "]"
    return _dump(value)


def delete_path(document: str, path: str) -> tuple[str, bool]:
    """``document`` without the value at sjson ``path``, and whether something was removed.

    Raises ValueError when ``document`` is not JSON.
    """
    root: Any = parse_preserving(document) if document.strip() else {}
    parent: Any = root
    segments = _segments(path)
    for segment in segments[:-1]:
        if isinstance(parent, dict) and isinstance(parent.get(segment), dict | list):
            parent = parent[segment]
        elif isinstance(parent, list) and segment.isdigit() and int(segment) < len(parent):
            parent = parent[int(segment)]
        else:
            return document, False
    last = segments[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
    elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        del parent[int(last)]
    else:
        return document, False
    return _dump(root), True
