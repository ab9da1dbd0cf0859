"""Size guards around template functions: nothing big is allocated, nothing big is returned.

gotpl's budget bounds loops, calls and output, but one call such as ``repeat 1000000000 "x"``
or ``printf "%999999999d" 1`` allocates before any counter notices, and a value doubled in
a loop (``$s = print $s $s``) grows without writing a byte. :class:`FunctionGuard` wraps
every function of the map (sprig, ESO's own and the Go builtins that build values) so that

* arguments that multiply the size of the result are checked *before* the call
  (``repeat``, ``until``, ``untilStep``, ``seq``, ``rand*``, ``indent``, ``replace``,
  ``regexReplaceAll``, ``wrapWith``, the ``split``/``regexFindAll`` family, ``uniq`` (which
  is quadratic) and every width or precision in a ``printf`` format);
* every result is measured *after* the call: a string longer than ``max_value_chars``, or
  a list/map holding more than ``max_items`` elements (nested ones included, shared ones
  counted each time, so a cycle built with ``set`` counts as too large) is refused.

A refusal raises :class:`LimitExceeded`; gotpl turns it into an execution error at the
template position, and the engine reports it as a :class:`eso.errors.TemplateError`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from gotpl import FunctionResult

from eso.template.limits import TemplateLimits

__all__ = ["FunctionGuard", "LimitExceeded"]

_Check = Callable[[tuple[Any, ...], TemplateLimits], int | None]
"""Returns the size the call would produce when it is too large, else None."""

_QUADRATIC_MAX_ITEMS = 2_000
_PRINTF_DIRECTIVE = re.compile(r"%[^a-zA-Z%]*")
_NUMBER = re.compile(r"(?<!\[)\d+(?!\])")


class LimitExceeded(ValueError):
    """A template function call would produce, or produced, a value over the limits."""


def _int(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _count(value: object) -> int:
    return len(value) if isinstance(value, list | tuple | str | Mapping) else 0


def _over(size: int, limit: int) -> int | None:
    return size if size > limit else None


def _repeat(args: tuple[Any, ...], limits: TemplateLimits) -> int | None:
    count = _int(args[0]) or 0
    return _over(max(count, 0) * max(len(_str(args[1])), 1), limits.max_value_chars)


def _until(args: tuple[Any, ...], limits: TemplateLimits) -> int | None:
    return _over(abs(_int(args[0]) or 0), limits.max_items)


def _until_step(args: tuple[Any, ...], limits: TemplateLimits) -> int | None:
    start, stop, step = (_int(a) or 0 for a in args[:3])
    return _over(abs(stop - start) // abs(step), limits.max_items) if step else None


def _seq(args: tuple[Any, ...], limits: TemplateLimits) -> int | None:
    numbers = [_int(a) or 0 for a in args]
    if len(numbers) == 1:
        size = abs(numbers[0] - 1) + 1
    elif len(numbers) == 2:
        size = abs(numbers[1] - numbers[0]) + 1
    elif len(numbers) == 3:
        size = abs(numbers[2] - numbers[0]) // max(abs(numbers[1]), 1) + 1
    else:
        return None
    return _over(size, limits.max_items)


def _random(args: tuple[Any, ...], limits: TemplateLimits) -> int | None:
    return _over(abs(_int(args[0]) or 0), limits.max_value_chars)


def _indent(args: tuple[Any, ...], limits: TemplateLimits) -> int | None:
    text = _str(args[1])
    spaces = max(_int(args[0]) or 0, 0)
    return _over(spaces * (text.count("\n") + 1) + len(text), limits.max_value_chars)


def _replace(args: tuple[Any, ...], limits: TemplateLimits) -> int | None:
    old, new, text = (_str(a) for a in args[:3])
    hits = len(text) + 1 if not old else text.count(old)
    return _over(len(text) + hits * len(new), limits.max_value_chars)


def _regex_replace(args: tuple[Any, ...], limits: TemplateLimits) -> int | None:
    text, repl = _str(args[1]), _str(args[2])
    size = len(text) + (len(text) + 1) * len(repl) + len(text) * repl.count("$")
    return _over(size, limits.max_value_chars)


def _wrap_with(args: tuple[Any, ...], limits: TemplateLimits) -> int | None:
    width = max(_int(args[0]) or 1, 1)
    sep, text = _str(args[1]) or "\n", _str(args[2])
    return _over(len(text) + len(sep) * (len(text) // width + 1), limits.max_value_chars)


def _split(args: tuple[Any, ...], limits: TemplateLimits) -> int | None:
    sep, text = _str(args[0]), _str(args[-1])
    return _over(len(text) + 1 if not sep else text.count(sep) + 1, limits.max_items)


def _regex_split(args: tuple[Any, ...], limits: TemplateLimits) -> int | None:
    text = _str(args[1])
    wanted = _int(args[2]) if len(args) > 2 else -1
    size = len(text) + 1 if wanted is None or wanted < 0 else min(wanted, len(text) + 1)
    return _over(size, limits.max_items)


def _quadratic(args: tuple[Any, ...], limits: TemplateLimits) -> int | None:
    del limits
    return _over(_count(args[0]), _QUADRATIC_MAX_ITEMS)


def _printf(args: tuple[Any, ...], limits: TemplateLimits) -> int | None:
    directives = _PRINTF_DIRECTIVE.findall(_str(args[0]) if args else "")
    widths = [int(n) for d in directives for n in _NUMBER.findall(d)]
    if any("*" in d for d in directives):
        widths += [abs(n) for n in (_int(a) for a in args[1:]) if n is not None]
    largest = max(widths, default=0)
    return _over(largest, limits.max_value_chars)


_PRE_CHECKS: Mapping[str, _Check] = {
    "repeat": _repeat,
    "until": _until,
    "untilStep": _until_step,
    "seq": _seq,
    "randAlpha": _random,
    "randAlphaNum": _random,
    "randAscii": _random,
    "randNumeric": _random,
    "randBytes": _random,
    "indent": _indent,
    "nindent": _indent,
    "replace": _replace,
    "regexReplaceAll": _regex_replace,
    "mustRegexReplaceAll": _regex_replace,
    "regexReplaceAllLiteral": _regex_replace,
    "mustRegexReplaceAllLiteral": _regex_replace,
    "wrapWith": _wrap_with,
    "split": _split,
    "splitList": _split,
    "splitn": _split,
    "regexSplit": _regex_split,
    "mustRegexSplit": _regex_split,
    "regexFindAll": _regex_split,
    "mustRegexFindAll": _regex_split,
    "uniq": _quadratic,
    "mustUniq": _quadratic,
    "printf": _printf,
}


class FunctionGuard:
    """Wraps template functions with the pre- and post-call size checks of ``limits``."""

    def __init__(self, limits: TemplateLimits) -> None:
        self._limits = limits

    def wrap_all(self, functions: Mapping[str, Callable[..., object]]) -> dict[str, Callable[..., object]]:
        """Return ``functions`` with every callable wrapped (the names are unchanged)."""
        return {name: self.wrap(name, function) for name, function in functions.items()}

    def wrap(self, name: str, function: Callable[..., object]) -> Callable[..., object]:
        """Wrap one function; its signature (arity and argument types) is kept for gotpl."""
        check = _PRE_CHECKS.get(name)
        limits = self._limits
        measure = self.measure

        @functools.wraps(function)
        def guarded(*args: Any) -> object:
            if check is not None and args:
                size = check(args, limits)
                if size is not None:
                    raise LimitExceeded(f"result of size {size} would exceed the template limits")
            result = function(*args)
            value = result.value if isinstance(result, FunctionResult) else result
            measure(name, value)
            return result

        return guarded

    def measure(self, name: str, value: object) -> None:
        """Raise :class:`LimitExceeded` when ``value`` is over the size limits."""
        if isinstance(value, str | bytes):
            if len(value) > self._limits.max_value_chars:
                raise LimitExceeded(f"returned {len(value)} characters, limit {self._limits.max_value_chars}")
            return
        if isinstance(value, list | tuple | Mapping):
            self._measure_tree(name, value)

    def _measure_tree(self, name: str, value: object) -> None:
        max_items, max_chars = self._limits.max_items, self._limits.max_value_chars
        items = chars = 0
        pending: list[Iterable[object]] = [_children(value)]
        while pending:
            for child in pending.pop():
                items += 1
                if isinstance(child, str | bytes):
                    chars += len(child)
                elif isinstance(child, list | tuple | Mapping):
                    pending.append(_children(child))
                if items > max_items or chars > max_chars:
                    raise LimitExceeded(
                        f"returned a value over {max_items} elements or {max_chars} characters"
                    )


def _children(value: object) -> Iterable[object]:
    if isinstance(value, Mapping):
        return [part for pair in value.items() for part in pair]
    if isinstance(value, list | tuple):
        return value
    return ()
