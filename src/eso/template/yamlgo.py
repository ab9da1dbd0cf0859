"""YAML the way ESO's Go code reads and writes it (``sigs.k8s.io/yaml`` over go-yaml v2).

Reading (``fromYaml``, ``KeysAndValues`` output): YAML is resolved with go-yaml v2's
rules, which differ from PyYAML's YAML 1.1: ``y``/``n`` are booleans, integers follow
Go's ``ParseInt(s, 0, 64)`` after removing ``_`` (``0x1f``, ``0o17``, ``0b101``, ``017``),
sexagesimal numbers stay strings and timestamps are kept as strings. Keys become strings
(``1`` → ``"1"``, ``true`` → ``"true"``), as ``YAMLToJSON`` does.

Writing (``toYaml``): go-yaml v2's output: keys in its "natural" order (digit runs
compared as numbers), plain scalars where they read back as the same string, otherwise
double quotes; multi-line strings as literal blocks; floats in Go's shortest ``%g``
form; 80-column folding.
"""

from __future__ import annotations

import functools
import math
import re
import struct
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

__all__ = ["GoYamlError", "dump", "format_float", "load", "natural_key"]

_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_WORDS: Mapping[str, tuple[str, object]] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), (_BOOL, True)),
    **dict.fromkeys(
        ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), (_BOOL, False)
    ),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), (_NULL, None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), (_FLOAT, math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), (_FLOAT, math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), (_FLOAT, -math.inf)),
    "<<": (_MERGE, "<<"),
}
_GO_INT = re.compile(r"[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?.*)?"
)


class GoYamlError(ValueError):
    """YAML that go-yaml v2 / sigs.k8s.io/yaml would refuse."""


def _go_int(text: str) -> int | None:
    if not _GO_INT.fullmatch(text):
        return None
    sign, digits = (text[0], text[1:]) if text[0] in "+-" else ("", text)
    lowered = digits.lower()
    if lowered.startswith(("0x", "0o", "0b")):
        base = {"x": 16, "o": 8, "b": 2}[lowered[1]]
        value = int(digits[2:], base)
    else:
        value = int(digits, 8) if len(digits) > 1 and digits[0] == "0" else int(digits)
    return -value if sign == "-" else value


def go_resolve(text: str) -> tuple[str, object]:
    """go-yaml v2 ``resolve`` for a plain scalar: ``(tag, value)``; a timestamp's value is its text."""
    if text in _WORDS:
        return _WORDS[text]
    first = text[0]
    if first == ".":
        try:
            return _FLOAT, float(text)
        except ValueError:
            return _STR, text
    if first.isdigit() or first in "+-":
        if _TIMESTAMP.fullmatch(text):
            return _TIMESTAMP_TAG, text
        plain = text.replace("_", "")
        number = _go_int(plain) if plain else None
        if number is not None and -(1 << 63) <= number < (1 << 64):
            return _INT, number
        if _YAML_FLOAT.fullmatch(plain):
            return _FLOAT, float(plain)
    return _STR, text


class _Resolver(yaml.resolver.BaseResolver):
    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            return go_resolve(value)[0]
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


class _Constructor(yaml.constructor.SafeConstructor):
    def construct_go_scalar(self, node: Any) -> object:
        return go_resolve(self.construct_scalar(node))[1]

    def construct_yaml_timestamp(self, node: Any) -> Any:
        return self.construct_scalar(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            self.flatten_mapping(node)
        return {
            _key(self.construct_object(key, deep=deep)): self.construct_object(value, deep=deep)
            for key, value in node.value
        }


for _tag in (_BOOL, _INT, _FLOAT, _NULL):
    _Constructor.add_constructor(_tag, _Constructor.construct_go_scalar)  # type: ignore[type-var]
_Constructor.add_constructor(_TIMESTAMP_TAG, _Constructor.construct_yaml_timestamp)  # type: ignore[type-var]


class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
              _Constructor, _Resolver):  # fmt: skip
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


def _key(key: object) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        return format_float(key, 32)
    if isinstance(key, str):
        return key
    raise GoYamlError(f"error converting YAML to JSON: unsupported map key of type: {_go_type(key)}")


def _go_type(value: object) -> str:
    return "<nil>" if value is None else type(value).__name__


def load(text: str) -> object:
    """The first YAML document of ``text`` with string keys (``None`` for an empty one)."""
    loader = _Loader(text)
    try:
        if not loader.check_node():
            return None
        return loader.construct_document(loader.get_node())
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        raise GoYamlError(f"error converting YAML to JSON: yaml: line {line}: {error.problem}") from None
    except (yaml.YAMLError, RecursionError):
        raise GoYamlError("error converting YAML to JSON: yaml: invalid document") from None
    finally:
        loader.dispose()


def _single(value: float) -> float:
    return float(struct.unpack("f", struct.pack("f", value))[0])


def _shortest(value: float, bits: int) -> tuple[str, str, int]:
    """Sign, shortest significant digits and decimal point position (0.DIGITS * 10**dp)."""
    if bits == 32:
        single = _single(value)
        text = next(t for p in range(9) if _single(float(t := f"{single:.{p}e}")) == single)
    else:
        text = repr(value)
    sign, digit_tuple, exponent = Decimal(text).as_tuple()
    digits = "".join(map(str, digit_tuple))
    stripped = digits.rstrip("0")
    if not stripped:
        return ("-" if sign else ""), "", 0
    assert isinstance(exponent, int)
    return ("-" if sign else ""), stripped, len(digits) + exponent


def format_float(value: float, bits: int = 64) -> str:
    """Go's ``strconv.FormatFloat(value, 'g', -1, bits)``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign, digits, point = _shortest(value, bits)
    exp = point - 1
    if digits and (exp < -4 or exp >= 6):
        head = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{head}e{'+' if exp >= 0 else '-'}{abs(exp):02d}"
    whole = digits[:point].ljust(point, "0") if point > 0 else "0"
    decimals = max(len(digits) - point, 0)
    fraction = "".join(digits[i] if 0 <= i < len(digits) else "0" for i in range(point, point + decimals))
    return f"{sign}{whole}{'.' + fraction if fraction else ''}"


def _natural_less(a: str, b: str) -> bool:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x == y:
            continue
        x_letter, y_letter = x.isalpha(), y.isalpha()
        if x_letter and y_letter:
            return x < y
        if x_letter or y_letter:
            return y_letter
        x_num = y_num = 0
        if x == "0" or y == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    x_num = y_num = 1
                    break
                j -= 1
        xi = i
        while xi < len(a) and a[xi].isdecimal():
            x_num = x_num * 10 + int(a[xi])
            xi += 1
        yi = i
        while yi < len(b) and b[yi].isdecimal():
            y_num = y_num * 10 + int(b[yi])
            yi += 1
        if x_num != y_num:
            return x_num < y_num
        if xi != yi:
            return xi < yi
        return x < y
    return len(a) < len(b)


def _natural_cmp(a: str, b: str) -> int:
    return -1 if _natural_less(a, b) else (1 if _natural_less(b, a) else 0)


natural_key = functools.cmp_to_key(_natural_cmp)
"""Sort key for go-yaml v2's mapping key order (digit runs compare as numbers)."""


def _plain_ok(text: str) -> bool:
    """go-yaml v2 ``canUsePlain``: the text reads back as the same string."""
    return bool(text) and go_resolve(text)[0] == _STR and not _BASE60.fullmatch(text)


class _Representer(yaml.representer.SafeRepresenter):
    def represent_go_str(self, data: str) -> Any:
        style = "|" if "\n" in data else (None if _plain_ok(data) else '"')
        return self.represent_scalar(_STR, data, style=style)

    def represent_go_float(self, data: float) -> Any:
        text = {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(format_float(data), format_float(data))
        return self.represent_scalar(_FLOAT, text)

    def represent_go_bool(self, data: bool) -> Any:
        return self.represent_scalar(_BOOL, "true" if data else "false")

    def represent_go_none(self, data: None) -> Any:
        return self.represent_scalar(_NULL, "null")

    def represent_go_map(self, data: dict[str, Any]) -> Any:
        return self.represent_mapping(
            "tag:yaml.org,2002:map", sorted(data.items(), key=lambda kv: natural_key(kv[0]))
        )


_Representer.add_representer(str, _Representer.represent_go_str)
_Representer.add_representer(float, _Representer.represent_go_float)
_Representer.add_representer(bool, _Representer.represent_go_bool)
_Representer.add_representer(type(None), _Representer.represent_go_none)
_Representer.add_representer(dict, _Representer.represent_go_map)


class _Dumper(yaml.emitter.Emitter, yaml.serializer.Serializer, _Representer, _Resolver):
    def __init__(self, stream: Any, **_options: Any) -> None:
        yaml.emitter.Emitter.__init__(self, stream, allow_unicode=True, width=80, indent=2)
        yaml.serializer.Serializer.__init__(self)
        _Representer.__init__(self, default_flow_style=False, sort_keys=False)
        _Resolver.__init__(self)


def dump(value: object) -> str:
    """go-yaml v2 ``Marshal`` of a JSON-shaped value (dicts with str keys, lists, scalars)."""
    text = yaml.dump(value, Dumper=_Dumper)
    return text[: -len("...\n")] if text.endswith("\n...\n") else text
