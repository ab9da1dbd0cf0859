"""How an informer keeps its objects: compact JSON, deflated against a dictionary.

A decoded Kubernetes object costs about 2.5 times its JSON in Python dicts and strings.
The objects of one cache also repeat each other (the same keys, kind, labels, owner
shape), so each is deflated with a preset dictionary taken from the first object the
cache saw: an ExternalSecret of about 900 bytes of JSON is kept in about 100. Encoding
costs some 15 µs per write, decoding some 10 µs per read (most of it ``json.loads``),
and every read returns a fresh copy.

The dictionary is built from the first object *without* its ``data`` / ``stringData``,
so no Secret value is kept beyond the life of its Secret.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

__all__ = ["CompactCodec"]

Obj = dict[str, Any]

_ZDICT_MAX = 4096
_VALUE_FIELDS = ("data", "stringData", "binaryData")


class CompactCodec:
    """Encodes objects to deflated JSON bytes and back (one codec per cache)."""

    __slots__ = ("_zdict",)

    def __init__(self) -> None:
        self._zdict: bytes | None = None

    def encode(self, obj: Obj) -> bytes:
        """``obj`` as deflated compact JSON."""
        raw = _dumps(obj)
        if self._zdict is None:
            self._zdict = _dumps({k: v for k, v in obj.items() if k not in _VALUE_FIELDS})[:_ZDICT_MAX]
        packer = zlib.compressobj(zdict=self._zdict)
        return packer.compress(raw) + packer.flush()

    def decode(self, blob: bytes) -> Obj:
        """A fresh copy of the object ``blob`` was encoded from."""
        if self._zdict is None:
            raise ValueError("nothing was encoded with this codec")
        unpacker = zlib.decompressobj(zdict=self._zdict)
        obj: Obj = json.loads(unpacker.decompress(blob) + unpacker.flush())
        return obj


def _dumps(obj: Obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
