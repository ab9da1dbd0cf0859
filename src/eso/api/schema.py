"""Structural OpenAPI v3 schemas from the pydantic models, for CRDs.

The API server only accepts *structural* schemas: every node has a ``type`` (or
``x-kubernetes-preserve-unknown-fields`` / ``x-kubernetes-int-or-string``), no
``$ref``, no ``anyOf`` with null. pydantic's own ``model_json_schema()`` produces
exactly those constructs, so this module walks the model fields itself:

* ``str``/``int``/``float``/``bool`` → their JSON types; ``StrEnum``/``Literal`` → ``enum``;
* ``list[X]`` → ``array``; ``dict[str, X]`` → ``object`` with ``additionalProperties``;
* a model → ``object`` with sorted ``properties`` and ``required``;
* ``X | None`` → the schema of ``X``, not required; ``int | str`` → int-or-string;
* ``Any`` → free JSON (``x-kubernetes-preserve-unknown-fields``);
* field constraints → ``pattern``, ``minLength``/``maxLength``, ``minItems``/``maxItems``,
  ``minimum``/``maximum``; ``json_schema_extra`` is merged in (``format``, ``nullable``);
* the ``crd_*`` class variables of :class:`eso.api._base.Model` add one-of limits, free
  keys and CEL rules.

Defaults are never written: eso applies them in code (a GitOps tool then sees exactly
what the user wrote).
"""

from __future__ import annotations

import enum
import types
import typing
from typing import Annotated, Any, Literal, Union

import annotated_types
from pydantic.fields import FieldInfo

from eso.api._base import Model

__all__ = ["FREE_JSON", "ordered", "schema_for_model", "schema_for_type"]

FREE_JSON: dict[str, Any] = {"x-kubernetes-preserve-unknown-fields": True}
"""The schema of a value that may be any JSON."""

_SCALARS: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_DESCRIPTION_MAX = 200


def _short(text: str | None) -> str | None:
    """The first paragraph of a docstring, single-lined, without RST markup."""
    if not text:
        return None
    first = text.strip().split("\n\n", 1)[0]
    line = " ".join(first.split()).replace("``", "`").replace(":class:", "").replace(":func:", "")
    return line[:_DESCRIPTION_MAX]


def _constraints(metadata: list[Any], node: dict[str, Any]) -> None:
    """Apply pydantic/annotated-types constraints to ``node`` (keyword chosen by the node type)."""
    kind = node.get("type") or ""
    min_key = {"array": "minItems", "object": "minProperties"}.get(kind, "minLength")
    max_key = {"array": "maxItems", "object": "maxProperties"}.get(kind, "maxLength")
    for item in metadata:
        if isinstance(item, annotated_types.MinLen):
            node[min_key] = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            node[max_key] = item.max_length
        elif isinstance(item, annotated_types.Ge):
            node["minimum"] = item.ge
        elif isinstance(item, annotated_types.Le):
            node["maximum"] = item.le
        elif isinstance(item, annotated_types.Gt):
            node["minimum"] = item.gt
            node["exclusiveMinimum"] = True
        elif isinstance(item, annotated_types.Lt):
            node["maximum"] = item.lt
            node["exclusiveMaximum"] = True
        elif isinstance(getattr(item, "pattern", None), str):
            node["pattern"] = item.pattern
        elif isinstance(item, FieldInfo):
            _constraints(list(item.metadata), node)
            _extra(item, node)


def _extra(info: FieldInfo, node: dict[str, Any]) -> None:
    extra = info.json_schema_extra
    if isinstance(extra, dict):
        node.update(extra)
    if info.description and "description" not in node:
        node["description"] = info.description


def _non_none(args: tuple[Any, ...]) -> list[Any]:
    return [a for a in args if a is not type(None)]


def schema_for_type(annotation: Any, metadata: list[Any] | None = None) -> dict[str, Any]:
    """Schema of one Python type (with optional field constraints)."""
    metadata = list(metadata or [])
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        inner, *extra = typing.get_args(annotation)
        return schema_for_type(inner, [*extra, *metadata])
    if origin in (Union, types.UnionType):
        members = _non_none(typing.get_args(annotation))
        if len(members) == 1:
            return schema_for_type(members[0], metadata)
        if {typing.get_origin(m) or m for m in members} == {int, str}:
            return {"x-kubernetes-int-or-string": True}
        raise TypeError(f"no structural schema for the union {annotation!r}")
    node: dict[str, Any]
    if annotation is Any:
        node = dict(FREE_JSON)
    elif origin is Literal:
        values = list(typing.get_args(annotation))
        node = {"type": _SCALARS[type(values[0])], "enum": values}
    elif origin is list:
        (item,) = typing.get_args(annotation)
        node = {"type": "array", "items": schema_for_type(item)}
    elif origin is dict:
        key, value = typing.get_args(annotation)
        if key is not str:
            raise TypeError(f"map keys must be strings: {annotation!r}")
        value_schema = schema_for_type(value)
        if value_schema == FREE_JSON:
            node = {"type": "object", **FREE_JSON}
        else:
            node = {"type": "object", "additionalProperties": value_schema}
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        node = {"type": "string", "enum": [m.value for m in annotation]}
    elif isinstance(annotation, type) and issubclass(annotation, Model):
        node = schema_for_model(annotation)
    elif annotation in _SCALARS:
        node = {"type": _SCALARS[annotation]}
    else:
        raise TypeError(f"no structural schema for {annotation!r}")
    _constraints(metadata, node)
    return node


def schema_for_model(model: type[Model]) -> dict[str, Any]:
    """Schema of a model: an object with its fields, required list and ``crd_*`` facts."""
    properties: dict[str, dict[str, Any]] = {}
    required: list[str] = []
    for name, info in model.model_fields.items():
        wire = info.alias or name
        field_schema = schema_for_type(info.annotation, list(info.metadata))
        _extra(info, field_schema)
        if "description" not in field_schema and field_schema.get("type") == "object":
            target = _model_of(info.annotation)
            if target is not None and (doc := _short(target.__doc__)):
                field_schema["description"] = doc
        properties[wire] = field_schema
        if info.is_required():
            required.append(wire)
    for key in model.crd_free_keys:
        properties.setdefault(key, {"type": "object", **FREE_JSON})
    node: dict[str, Any] = {"type": "object"}
    if properties:
        node["properties"] = dict(sorted(properties.items()))
    if required:
        node["required"] = sorted(required)
    if model.crd_min_properties is not None:
        node["minProperties"] = model.crd_min_properties
    if model.crd_max_properties is not None:
        node["maxProperties"] = model.crd_max_properties
    if model.crd_validations:
        node["x-kubernetes-validations"] = [{"rule": r, "message": m} for r, m in model.crd_validations]
    return node


def _model_of(annotation: Any) -> type[Model] | None:
    """The model class behind ``X`` or ``X | None``, if any."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        members = _non_none(typing.get_args(annotation))
        annotation = members[0] if len(members) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, Model):
        return annotation
    return None


_KEY_ORDER = (
    "description",
    "type",
    "format",
    "nullable",
    "enum",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "items",
    "additionalProperties",
    "properties",
    "required",
)


def ordered(node: Any) -> Any:
    """A copy of a schema with keys in a readable order (description first, properties last)."""
    if isinstance(node, list):
        return [ordered(item) for item in node]
    if not isinstance(node, dict):
        return node
    rank = {key: i for i, key in enumerate(_KEY_ORDER)}
    keys = sorted(node, key=lambda k: (rank.get(k, len(rank)), k))
    out: dict[str, Any] = {}
    for key in keys:
        value = node[key]
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: ordered(sub) for name, sub in value.items()}
        else:
            out[key] = ordered(value)
    return out
