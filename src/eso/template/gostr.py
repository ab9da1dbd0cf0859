"""Go strings in Python: the lossless bytes <-> str mapping used by the template engine.

A Go ``string`` is a sequence of bytes, and ESO's template context is a
``map[string]string`` built with ``string(providerBytes)``. gotpl works on Python ``str``.
eso maps one onto the other with **UTF-8 + surrogateescape**:

* valid UTF-8 decodes to the ordinary text, so every text function (``upper``,
  ``title``, ``printf``, ``toJson`` …) sees exactly what Go sees;
* every byte that is not part of valid UTF-8 becomes one lone surrogate
  U+DC80..U+DCFF, and encoding turns it back into that same byte.

So ``go_bytes(go_string(b)) == b`` for every ``b`` (byte for byte, binary PKCS#12 or
DER included). Latin-1 would also round-trip but would turn ``é`` (two UTF-8 bytes) into
two characters, breaking ``upper``, ``len`` and every other text function.

A rendered ``str`` can also hold a surrogate no byte produced (``printf "%c" 0xD800``);
Go writes U+FFFD for such an invalid rune, and so does :func:`go_bytes`.
"""

from __future__ import annotations

import re

__all__ = ["go_bytes", "go_string", "has_hidden_bytes", "has_raw_bytes", "hide_raw_bytes", "reveal_raw_bytes"]

_STRAY_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")
_RAW_BYTE = re.compile("[\udc80-\udcff]")
_HIDDEN_BASE = 0x10FE80
_HIDDEN = re.compile("[\U0010fe80-\U0010feff]")
_SHIFT = _HIDDEN_BASE - 0xDC80


def go_string(value: bytes) -> str:
    """Decode provider bytes into the ``str`` that stands for the same Go string."""
    return value.decode("utf-8", "surrogateescape")


def go_bytes(value: str) -> bytes:
    """Encode a rendered ``str`` back into the bytes of the Go string it stands for."""
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return _STRAY_SURROGATE.sub("\ufffd", value).encode("utf-8", "surrogateescape")


def has_raw_bytes(value: str) -> bool:
    """True when ``value`` carries bytes that are not valid UTF-8 (escaped surrogates)."""
    return _RAW_BYTE.search(value) is not None


def hide_raw_bytes(source: str) -> str:
    """A template source with its raw bytes moved to private-use characters gotpl can parse.

    gotpl refuses lone surrogates in a template (Go takes any bytes): a template kept in a
    Secret may hold binary text. The characters U+10FE80..U+10FEFF stand for the bytes
    0x80..0xFF until :func:`reveal_raw_bytes` puts them back in the output.
    """
    return _RAW_BYTE.sub(lambda m: chr(ord(m.group()) + _SHIFT), source)


def reveal_raw_bytes(output: str) -> str:
    """Undo :func:`hide_raw_bytes` in a rendered output."""
    return _HIDDEN.sub(lambda m: chr(ord(m.group()) - _SHIFT), output)


def has_hidden_bytes(value: str) -> bool:
    """True when ``value`` holds one of the characters :func:`hide_raw_bytes` uses."""
    return _HIDDEN.search(value) is not None
