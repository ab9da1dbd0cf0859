"""``printf`` of strings with ``%x``/``%X`` and ``%q``, byte for byte as Go's ``fmt``.

gotpl formats ``%x`` of a string from its UTF-8 encoding and ignores the space flag
(``% x`` → ``68 69`` in Go) and the per-byte ``0x`` of ``% #x``; it also fails on strings
holding raw (non-UTF-8) bytes, and quotes such bytes with ``%q`` as surrogates instead of
Go's ``\xff``. This wrapper formats those directives itself from the Go bytes of the
argument (width, ``-``, precision, ``#`` and space handled as ``fmtSbx`` does; ``%q``
as ``strconv.Quote``) and leaves every other directive to gotpl. Formats with explicit
argument indexes (``%[2]x``), ``*`` widths or the ``0`` flag on these directives are passed
through unchanged.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from eso.template.gostr import go_bytes, has_raw_bytes

__all__ = ["byte_exact_printf"]

_DIRECTIVE = re.compile(r"%([-+# 0]*)(\d*)(?:\.(\d*))?([a-zA-Z%])|%[^a-zA-Z%]*[a-zA-Z%]?")


def _hex(data: bytes, flags: str, width: str, precision: str | None, upper: bool) -> str:
    if precision is not None:
        data = data[: int(precision or "0")]
    prefix = "0X" if upper else "0x"
    pieces = [f"{byte:02X}" if upper else f"{byte:02x}" for byte in data]
    if not pieces:
        text = ""
    elif " " in flags:
        text = " ".join((prefix if "#" in flags else "") + piece for piece in pieces)
    else:
        text = (prefix if "#" in flags else "") + "".join(pieces)
    wanted = int(width) if width else 0
    if len(text) >= wanted:
        return text
    padding = " " * (wanted - len(text))
    return text + padding if "-" in flags else padding + text


_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _quote(value: str) -> str:
    """Go's ``strconv.Quote`` of a Go string (raw bytes as ``\\xNN``)."""
    out = ['"']
    for char in value:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char in ('"', "\\"):
            out.append("\\" + char)
        elif char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char == " " or char.isprintable():
            out.append(char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _rewrite(format_string: str, args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]] | None:
    out: list[str] = []
    new_args = list(args)
    index = 0
    last = 0
    changed = False
    for match in _DIRECTIVE.finditer(format_string):
        verb = match.group(4)
        if verb is None:
            return None
        if verb == "%":
            continue
        if index >= len(args):
            return None
        flags, width, precision = match.group(1), match.group(2), match.group(3)
        value = args[index]
        if (
            verb == "q"
            and isinstance(value, str)
            and not (flags or width or precision)
            and has_raw_bytes(value)
        ):
            out.append(format_string[last : match.start()])
            out.append("%s")
            new_args[index] = _quote(value)
            last = match.end()
            changed = True
        elif verb in "xX" and isinstance(value, str | bytes) and "0" not in flags:
            data = value if isinstance(value, bytes) else go_bytes(value)
            out.append(format_string[last : match.start()])
            out.append("%s")
            new_args[index] = _hex(data, flags, width, precision, verb == "X")
            last = match.end()
            changed = True
        index += 1
    if not changed:
        return None
    out.append(format_string[last:])
    return "".join(out), tuple(new_args)


def byte_exact_printf(printf: Callable[..., object]) -> Callable[..., object]:
    """Wrap gotpl's ``printf`` builtin with the Go-exact ``%x`` of strings."""

    @functools.wraps(printf)
    def go_printf(format_string: Any, *args: Any) -> object:
        if isinstance(format_string, str) and any(verb in format_string for verb in "xXq"):
            rewritten = _rewrite(format_string, args)
            if rewritten is not None:
                return printf(rewritten[0], *rewritten[1])
        return printf(format_string, *args)

    return go_printf
