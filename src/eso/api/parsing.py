"""Turning manifests into models, with errors that name the field and never the value.

:func:`parse` dispatches on ``apiVersion``/``kind``; :func:`parse_model` parses into a
given model (a provider parsing its ``spec.provider.<name>`` part passes the prefix).
A pydantic ``ValidationError`` becomes one :class:`eso.errors.SpecError` whose message
lists every problem as ``spec.data[1].remoteRef.key: is required``: the location is
rebuilt from the model's fields so it uses the manifest's camelCase names, list
indexes and map keys, and the message is built from pydantic's description of the
problem only: the offending input is never repeated (it may be a secret).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, TypeVar, Union

from pydantic import BaseModel, ValidationError

from eso.api._base import Model
from eso.api.kinds import model_for
from eso.api.meta import KubeObject
from eso.errors import SpecError

__all__ = ["field_path", "parse", "parse_model", "spec_error_from"]

M = TypeVar("M", bound=Model)

_MAX_LISTED = 10


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``Optional`` (a union with None) from a type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def _union_member(annotation: Any, tag: str) -> Any | None:
    """The member of a union that pydantic's location tag names (``int``, ``str``, a class name)."""
    for member in typing.get_args(annotation):
        name = getattr(_unwrap(member), "__name__", None)
        if name == tag or tag.endswith(f"[{name}]"):
            return member
    return None


def field_path(model: type[BaseModel], loc: Sequence[int | str], prefix: str = "") -> str:
    """``spec.data[1].remoteRef.key`` from a pydantic error location against ``model``."""
    path = prefix
    current: Any = model
    for element in loc:
        current = _unwrap(current)
        origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(element, str):
            field = _find_field(current, element)
            if field is None:
                path = f"{path}.{element}" if path else element
                current = Any
                continue
            wire, annotation = field
            path = f"{path}.{wire}" if path else wire
            current = annotation
        elif origin is list and isinstance(element, int):
            path = f"{path}[{element}]"
            current = typing.get_args(current)[0]
        elif origin is dict and isinstance(element, str):
            if element == "[key]":
                continue
            path = f"{path}[{element}]"
            current = typing.get_args(current)[1]
        elif origin in (Union, types.UnionType) and isinstance(element, str):
            current = _union_member(current, element) or Any
        elif isinstance(element, int):
            path = f"{path}[{element}]"
            current = Any
        elif not _is_internal_tag(element):
            path = f"{path}.{element}" if path else element
            current = Any
    return path


def _is_internal_tag(element: str) -> bool:
    """pydantic's names for validator and union branches (``function-after[...]``, ``int``)."""
    return "[" in element or element in ("int", "str", "float", "bool", "list", "dict", "none")


def _find_field(model: type[BaseModel], element: str) -> tuple[str, Any] | None:
    for name, info in model.model_fields.items():
        wire = info.alias or name
        if element in (wire, name):
            return wire, info.annotation
    return None


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "is required"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be an object"
    if kind == "list_type":
        return "must be a list"
    message = str(error.get("msg", "is invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message[:1].lower() + message[1:]


def spec_error_from(exc: ValidationError, model: type[BaseModel], prefix: str = "") -> SpecError:
    """One SpecError listing every problem of ``exc`` with its field path (values left out)."""
    problems: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False, include_input=False):
        path = field_path(model, error["loc"], prefix) or prefix or "(object)"
        message = _message(error)
        if message not in problems.setdefault(path, []):
            problems[path].append(message)
    lines = [f"{path}: {' or '.join(messages)}" for path, messages in problems.items()]
    more = len(lines) - _MAX_LISTED
    text = "; ".join(lines[:_MAX_LISTED]) + (f"; and {more} more" if more > 0 else "")
    result = SpecError(text)
    result.field = next(iter(problems), None)
    return result


def parse_model(model: type[M], data: Any, *, prefix: str = "") -> M:
    """Parse ``data`` into ``model``; SpecError naming ``prefix`` + the field path on failure."""
    if not isinstance(data, Mapping):
        raise SpecError("must be an object", field=prefix or None)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise spec_error_from(exc, model, prefix) from None


def parse(obj: Any) -> KubeObject:
    """Parse a manifest of any eso kind (chosen by ``apiVersion`` and ``kind``)."""
    if not isinstance(obj, Mapping):
        raise SpecError("a manifest must be an object")
    api_version = obj.get("apiVersion")
    kind = obj.get("kind")
    if not isinstance(api_version, str) or not api_version:
        raise SpecError("is required", field="apiVersion")
    if not isinstance(kind, str) or not kind:
        raise SpecError("is required", field="kind")
    model = model_for(api_version, kind)
    if model is None:
        raise SpecError(f"eso does not serve {kind} in {api_version}", field="kind")
    return parse_model(model, obj)
