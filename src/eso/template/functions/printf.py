"""``printf`` of strings with ``%x``/``%X``, byte for byte as Go's ``fmt``.

gotpl formats ``%x`` of a string from its UTF-8 encoding and ignores the space flag
(``% x`` → ``68 69`` in Go) and the per-byte ``0x`` of ``% #x``; it also fails on strings
holding raw (non-UTF-8) bytes. This wrapper formats such directives itself from the Go
bytes of the argument (width, ``-``, precision, ``#`` and space handled as ``fmtSbx``
does) and leaves every other directive to gotpl. Formats with explicit argument indexes
(``%[2]x``), ``*`` widths or the ``0`` flag on these directives are passed through
unchanged.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from eso.template.gostr import go_bytes

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
        if verb in "xX" and isinstance(value, str | bytes) and "0" not in flags:
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
        if isinstance(format_string, str) and ("x" in format_string or "X" in format_string):
            rewritten = _rewrite(format_string, args)
            if rewritten is not None:
                return printf(rewritten[0], *rewritten[1])
        return printf(format_string, *args)

    return go_printf
