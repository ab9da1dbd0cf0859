"""ESO's ``remoteRef.property`` lookup: gjson paths over a JSON payload.

ESO resolves ``property`` with Go's ``tidwall/gjson`` and returns ``Result.String()``.
This module gives the same answers on top of :mod:`pygjson` (Rust gjson):

* a JSON string comes back unquoted and unescaped;
* an integer keeps its raw text (``5432``, ``12345678901234567890``);
* any other number is formatted like Go's ``strconv.FormatFloat(f, 'f', -1, 64)``
  (``1.50`` gives ``1.5``, ``1e3`` gives ``1000``), which pygjson alone does not do;
* an object or array comes back as its raw JSON text, exactly as in the source;
* ``null`` gives the empty string, ``true``/``false`` come back as is.

A path that matches nothing returns ``None``, so "missing" and "exists but empty" stay
distinguishable. :func:`get_property` adds the rule of ESO's AWS providers: a property
that contains ``.`` is first tried as one literal key (every ``.`` escaped), then as a
plain path. :func:`get_path` is the plain lookup the fake provider uses.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pygjson

__all__ = ["format_go_float", "get_path", "get_property", "result_string"]

_INTEGER = re.compile(r"-?[0-9]+")


def format_go_float(value: float) -> str:
    """``value`` as Go's ``strconv.FormatFloat(value, 'f', -1, 64)`` prints it."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    # repr() gives the shortest digits that round-trip; Decimal turns them into fixed
    # notation without adding or losing any digit.
    return format(Decimal(repr(value)).normalize(), "f")


def _number_string(raw: str) -> str:
    if _INTEGER.fullmatch(raw):
        return raw
    try:
        return format_go_float(float(raw))
    except ValueError:
        return raw


def result_string(result: pygjson.Result) -> str:
    """Go gjson ``Result.String()`` of a pygjson result."""
    kind = result.type_
    if kind is None:
        return ""
    text = result.to_str()
    if kind is bool:
        return "true" if result.to_bool() else "false"
    if kind in (int, float):
        return _number_string(text)
    return text


def _as_text(payload: str | bytes) -> str:
    if isinstance(payload, bytes):
        return payload.decode("utf-8", errors="replace")
    return payload


def get_path(payload: str | bytes, path: str) -> str | None:
    """Value at gjson ``path`` in ``payload`` (``Result.String()``), or None when it does not exist.

    A payload that is not JSON simply matches nothing, as in gjson.
    """
    result = pygjson.get(_as_text(payload), path)
    if not result.exists():
        return None
    return result_string(result)


def get_property(payload: str | bytes, prop: str) -> str | None:
    """ESO's AWS property lookup: ``a.b`` is tried as the literal key ``a.b`` first, then as a path."""
    text = _as_text(payload)
    if "." in prop:
        literal = get_path(text, prop.replace(".", "\\."))
        if literal is not None:
            return literal
    return get_path(text, prop)
