"""Go-typing adapters that make gotpl's sprig behave like Go's on ESO's context and values.

ESO's ``.`` is a Go ``map[string]string`` (gotpl's ``TypedMap``). In Go that has two
consequences that gotpl's sprig does not know about:

* sprig functions whose parameter is a ``map[string]interface{}`` (``get``, ``set``,
  ``hasKey``, ``keys``, ``pick``, ``omit``, ``values``, ``pluck``, ``dig``, ``merge`` …) refuse
  it: ``wrong type for value; expected map[string]interface {}; got map[string]string``;
* functions taking ``interface{}`` see an ordinary map: ``toJson .`` gives the JSON object
  (gotpl's encoder gave ``""``), ``kindOf .`` gives ``map``, ``merge`` silently skips it as a
  source (mergo refuses to merge different map types; ``mustMerge`` reports it).

Also: an untyped ``nil`` literal marshals to ``null`` (``toJson nil``), and a time value
(``toDate``, ``now``, ``dateModify``) prints like Go's ``time.Time.String()``
(``2024-03-05 00:00:00 +0000 UTC``) instead of Python's ``datetime`` text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from gotpl import TypedMap

from eso.template._gotpl import UNTYPED_NIL, printable_time

__all__ = ["adapt", "plain"]

_MAP_TYPE_ERROR = "wrong type for value; expected map[string]interface {}; got map[string]string"

_MAP_FIRST = frozenset({"get", "set", "unset", "hasKey", "pick", "omit", "values"})
_MAP_ALL = frozenset({"keys"})
_MAP_AFTER_FIRST = frozenset({"pluck"})
_MAP_LAST = frozenset({"dig"})
_MERGE = frozenset({"merge", "mergeOverwrite"})
_MUST_MERGE = frozenset({"mustMerge", "mustMergeOverwrite"})
_PLAIN_ARGS = frozenset(
    {
        "toJson",
        "toPrettyJson",
        "toRawJson",
        "mustToJson",
        "mustToPrettyJson",
        "mustToRawJson",
        "deepCopy",
        "mustDeepCopy",
        "deepEqual",
        "toYaml",
    }
)
_KIND = frozenset({"kindOf", "kindIs"})
_TIMES = frozenset(
    {"toDate", "mustToDate", "now", "dateModify", "mustDateModify", "date_modify", "must_date_modify"}
)


def _is_context(value: object) -> bool:
    return isinstance(value, TypedMap) and value.value_type == "string"


def plain(value: object) -> object:
    """``value`` with every ``TypedMap`` turned into a ``dict`` and untyped nil into ``None``."""
    if value is UNTYPED_NIL:
        return None
    if isinstance(value, TypedMap):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def _refuse_context(positions: tuple[Any, ...]) -> None:
    if any(_is_context(arg) for arg in positions):
        raise TypeError(_MAP_TYPE_ERROR)


def _checked(name: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    if name in _MAP_FIRST and args:
        _refuse_context(args[:1])
    elif name in _MAP_ALL:
        _refuse_context(args)
    elif name in _MAP_AFTER_FIRST:
        _refuse_context(args[1:])
    elif name in _MAP_LAST and args:
        _refuse_context(args[-1:])
    elif name in _MERGE | _MUST_MERGE and args:
        _refuse_context(args[:1])
        if name in _MUST_MERGE and any(_is_context(arg) for arg in args[1:]):
            raise TypeError("src and dst must be of same type")
        return (args[0], *(arg for arg in args[1:] if not _is_context(arg)))
    elif name in _PLAIN_ARGS:
        return tuple(plain(arg) for arg in args)
    return args


def _kind(name: str, function: Callable[..., object]) -> Callable[..., object]:
    @functools.wraps(function)
    def kind(*args: Any) -> object:
        if args and _is_context(args[-1]):
            return "map" if name == "kindOf" else args[0] == "map"
        return function(*args)

    return kind


def _time(function: Callable[..., object]) -> Callable[..., object]:
    @functools.wraps(function)
    def timed(*args: Any) -> object:
        result = function(*args)
        return printable_time(result) if isinstance(result, datetime) else result

    return timed


def _typed(name: str, function: Callable[..., object]) -> Callable[..., object]:
    @functools.wraps(function)
    def typed(*args: Any) -> object:
        return function(*_checked(name, args))

    return typed


def adapt(functions: Mapping[str, Callable[..., object]]) -> dict[str, Callable[..., object]]:
    """``functions`` with the Go-typing adapters applied where they matter."""
    adapted: dict[str, Callable[..., object]] = {}
    watched = _MAP_FIRST | _MAP_ALL | _MAP_AFTER_FIRST | _MAP_LAST | _MERGE | _MUST_MERGE | _PLAIN_ARGS
    for name, function in functions.items():
        if name in _KIND:
            adapted[name] = _kind(name, function)
        elif name in _TIMES:
            adapted[name] = _time(function)
        elif name in watched:
            adapted[name] = _typed(name, function)
        else:
            adapted[name] = function
    return adapted
