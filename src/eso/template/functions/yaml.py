"""``toYaml`` and ``fromYaml``, as ESO's ``yaml.go`` defines them over ``sigs.k8s.io/yaml``.

``toYaml`` marshals to JSON first (so map keys are strings, integral floats become
integers, invalid UTF-8 becomes U+FFFD and NaN is an error), then writes go-yaml v2
YAML (:mod:`eso.template.yamlgo`) without the trailing newline; any error gives ``""``.

``fromYaml`` reads the first document into a ``map[string]interface{}``: numbers come
back as float64 (they went through JSON), and an error never fails the template: it is
returned as the map's ``Error`` entry. An empty document gives an empty map.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any

from eso.template.gostr import go_bytes
from eso.template.yamlgo import GoYamlError, dump, load

__all__ = ["yaml_functions"]

_KIND = {str: "string", bool: "bool", int: "number", float: "number", list: "array"}


def _json_shape(value: object) -> object:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError("json: unsupported value")
        return int(value) if value.is_integer() and abs(value) < 1e21 else value
    if isinstance(value, str):
        return go_bytes(value).decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return {str(_json_shape(k)): _json_shape(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_shape(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json_shape(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return str(value)


def to_yaml(value: Any) -> str:
    """``toYaml``: YAML text without its trailing newline, or ``""`` on error."""
    try:
        return dump(_json_shape(value)).removesuffix("\n")
    except (ValueError, TypeError, RecursionError):
        return ""


def _from_json(value: object) -> object:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            raise GoYamlError("error converting YAML to JSON: json: unsupported value")
        return number
    if isinstance(value, dict):
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    return str(value)


def from_yaml(text: str) -> dict[str, Any]:
    """``fromYaml``: a map, with the error text under ``Error`` when the YAML is bad."""
    try:
        document = load(text)
        if document is None:
            return {}
        if not isinstance(document, dict):
            kind = _KIND.get(type(document), "value")
            raise GoYamlError(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
                f"{kind} into Go value of type map[string]interface {{}}"
            )
        converted = _from_json(document)
        assert isinstance(converted, dict)
        return converted
    except (GoYamlError, RecursionError) as error:
        return {"Error": str(error) if isinstance(error, GoYamlError) else "yaml: nesting too deep"}


def yaml_functions() -> Mapping[str, Callable[..., object]]:
    """The YAML part of ESO's function map."""
    return {"toYaml": to_yaml, "fromYaml": from_yaml}
