"""ESO's two template scopes and the three Secret targets (``runtime/template/v2`` ``Execute``).

* ``Values``: every ``key → template`` is rendered on its own; the key is not templated.
* ``KeysAndValues``: the whole text is rendered once and read as YAML into a
  ``map[string]string`` the way ``sigs.k8s.io/yaml`` does for that Go type: numbers and
  booleans become their text (``port: 5432`` → ``"5432"``, floats in Go's 32-bit ``%g``),
  ``null`` becomes ``""``, and a list or map value is an error, as is a document that is
  not a mapping.

Rendered values are then decoded with the entry's ``valuesDecodingStrategy`` and written
to the target, compared case-insensitively: ``Data`` (bytes), ``Annotations`` or
``Labels`` (text; bytes that are not UTF-8 become U+FFFD, as Go's JSON encoding does).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from eso.errors import TemplateError
from eso.template.decoding import decode_strategy
from eso.template.engine import TemplateEngine
from eso.template.gostr import go_bytes
from eso.template.secret import RenderedSecret
from eso.template.yamlgo import GoYamlError, format_float, load

__all__ = [
    "SECRET_TARGETS",
    "apply_to_target",
    "parse_keys_and_values",
    "render_keys_and_values",
    "render_values",
]

SECRET_TARGETS = frozenset({"data", "annotations", "labels"})
_UNMARSHAL = "could not unmarshal template to 'map[string][]byte'"
_JSON_KIND: dict[type, str] = {dict: "object", list: "array"}


def _as_string(key: str, value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value, 32)
    kind = _JSON_KIND.get(type(value), "value")
    raise TemplateError(
        f"{_UNMARSHAL}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
        f"{kind} into Go value of type string (key {key})"
    )


def parse_keys_and_values(text: str) -> dict[str, str]:
    """A rendered ``KeysAndValues`` template read as Go's ``map[string]string``."""
    try:
        document = load(text)
    except GoYamlError as error:
        raise TemplateError(f"{_UNMARSHAL}: {error}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        kind = _JSON_KIND.get(type(document), "string" if isinstance(document, str) else "number")
        if isinstance(document, bool):
            kind = "bool"
        raise TemplateError(
            f"{_UNMARSHAL}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
            f"{kind} into Go value of type map[string]string"
        )
    return {key: _as_string(key, value) for key, value in document.items()}


def _decode(key: str, value: bytes, strategy: str | None) -> bytes:
    try:
        return decode_strategy(value, strategy)
    except ValueError as error:
        raise TemplateError(
            f"unable to decode value of key {key} with strategy {strategy}: {error}"
        ) from None


def render_values(
    engine: TemplateEngine,
    templates: Iterable[tuple[str, str]],
    context: Mapping[str, str],
    strategy: str | None = None,
) -> dict[str, bytes]:
    """``Values`` scope: each ``(key, template)`` rendered, then decoded."""
    out: dict[str, bytes] = {}
    for key, source in templates:
        rendered = go_bytes(engine.render(key, source, context))
        out[key] = _decode(key, rendered, strategy)
    return out


def render_keys_and_values(
    engine: TemplateEngine,
    name: str,
    source: str,
    context: Mapping[str, str],
    strategy: str | None = None,
) -> dict[str, bytes]:
    """``KeysAndValues`` scope: render ``source`` once, read it as YAML, decode each value."""
    pairs = parse_keys_and_values(engine.render(name, source, context))
    return {key: _decode(key, go_bytes(value), strategy) for key, value in pairs.items()}


def apply_to_target(secret: RenderedSecret, target: str, values: Mapping[str, bytes]) -> None:
    """Write ``values`` to ``Data``, ``Annotations`` or ``Labels`` of ``secret``."""
    kind = (target or "Data").lower()
    if kind == "data":
        secret.data.update(values)
        return
    if kind not in SECRET_TARGETS:
        raise TemplateError(f"target {target!r} is not valid for a Secret: use Data, Annotations or Labels")
    texts = {key: value.decode("utf-8", "replace") for key, value in values.items()}
    (secret.annotations if kind == "annotations" else secret.labels).update(texts)
