"""Go's base64 decoding, byte for byte, and ESO's ``valuesDecodingStrategy``.

Go's ``base64.StdEncoding``/``URLEncoding`` (padded, not strict) ignore ``\\r`` and
``\\n`` anywhere, require the padding, accept non-zero trailing bits, refuse anything after
the padding, and report the offset of the first bad byte in the *input* (newlines
included): ``illegal base64 data at input byte N``. Python's :mod:`base64` differs on most of
these, so the decoder is written out here. ``b64dec`` and ``valuesDecodingStrategy``
both use it.

ESO's strategies (``runtime/esutils`` decoding): ``Base64`` (standard alphabet),
``Base64URL`` (URL-safe alphabet, padded), ``Auto`` (standard, then URL-safe, then the input
unchanged) and ``None`` or empty (unchanged). Any other name is an error.
"""

from __future__ import annotations

__all__ = [
    "STD_ALPHABET",
    "URL_ALPHABET",
    "Base32Error",
    "Base64Error",
    "decode_strategy",
    "go_b32decode",
    "go_b64decode",
]

STD_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
URL_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_NEWLINES = frozenset(b"\r\n")
_PAD = ord("=")


def _decode_map(alphabet: bytes) -> tuple[int, ...]:
    table = [-1] * 256
    for index, symbol in enumerate(alphabet):
        table[symbol] = index
    return tuple(table)


_STD_MAP = _decode_map(STD_ALPHABET)
_URL_MAP = _decode_map(URL_ALPHABET)
_B32_MAP = _decode_map(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_B32_BYTES = {8: 5, 7: 4, 5: 3, 4: 2, 2: 1}


class Base64Error(ValueError):
    """Go's ``base64.CorruptInputError``: the offset of the first byte that is wrong."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        super().__init__(f"illegal base64 data at input byte {offset}")


class Base32Error(ValueError):
    """Go's ``base32.CorruptInputError`` (offsets count the input without newlines)."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        super().__init__(f"illegal base32 data at input byte {offset}")


def _skip_newlines(src: bytes, si: int) -> int:
    while si < len(src) and src[si] in _NEWLINES:
        si += 1
    return si


def go_b64decode(src: bytes, *, url: bool = False) -> bytes:
    """Decode like Go's padded ``base64.StdEncoding`` (or ``URLEncoding``) ``DecodeString``.

    Raises :class:`Base64Error` with Go's offset; the message never holds the input.
    """
    table = _URL_MAP if url else _STD_MAP
    out = bytearray()
    si = 0
    while True:
        quantum = [0, 0, 0, 0]
        length = 4
        error: int | None = None
        j = 0
        while j < 4:
            if si == len(src):
                if j == 0:
                    return bytes(out)
                raise Base64Error(si - j)
            symbol = src[si]
            si += 1
            value = table[symbol]
            if value >= 0:
                quantum[j] = value
                j += 1
                continue
            if symbol in _NEWLINES:
                continue
            if symbol != _PAD or j < 2:
                raise Base64Error(si - 1)
            if j == 2:
                si = _skip_newlines(src, si)
                if si == len(src):
                    raise Base64Error(len(src))
                if src[si] != _PAD:
                    raise Base64Error(si - 1)
                si += 1
            si = _skip_newlines(src, si)
            if si < len(src):
                error = si
            length = j
            break
        word = quantum[0] << 18 | quantum[1] << 12 | quantum[2] << 6 | quantum[3]
        out += word.to_bytes(3, "big")[: length - 1]
        if error is not None:
            raise Base64Error(error)
        if length < 4:
            return bytes(out)


def go_b32decode(data: bytes) -> bytes:
    """Decode like Go's padded ``base32.StdEncoding.DecodeString`` (newlines are dropped first)."""
    src = data.replace(b"\r", b"").replace(b"\n", b"")
    total = len(src)
    out = bytearray()
    si = 0
    end = False
    while si < total and not end:
        quantum = [0] * 8
        length = 8
        j = 0
        while j < 8:
            if si == total:
                raise Base32Error(si - j)
            symbol = src[si]
            si += 1
            left = total - si
            if symbol == _PAD and j >= 2 and left < 8:
                if left + j < 7:
                    raise Base32Error(total)
                for k in range(7 - j):
                    if left > k and src[si + k] != _PAD:
                        raise Base32Error(si + k - 1)
                length, end = j, True
                if length in (1, 3, 6):
                    raise Base32Error(si - 1)
                break
            value = _B32_MAP[symbol]
            if value < 0:
                raise Base32Error(si - 1)
            quantum[j] = value
            j += 1
        word = 0
        for part in quantum:
            word = word << 5 | part
        out += word.to_bytes(5, "big")[: _B32_BYTES[length]]
    return bytes(out)


def decode_strategy(value: bytes, strategy: str | None) -> bytes:
    """Apply an ESO decoding strategy to one value.

    Raises :class:`ValueError` for a bad strategy name or input that ``Base64`` /
    ``Base64URL`` cannot decode (the message never holds the value).
    """
    if strategy in (None, "", "None"):
        return value
    if strategy == "Base64":
        return go_b64decode(value)
    if strategy == "Base64URL":
        return go_b64decode(value, url=True)
    if strategy == "Auto":
        for url in (False, True):
            try:
                return go_b64decode(value, url=url)
            except Base64Error:
                continue
        return value
    raise ValueError(f"decoding strategy {strategy!r} is not supported")
