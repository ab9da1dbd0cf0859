"""Defence in depth: keep values a manifest carries out of admission messages.

The validators build their messages from field paths and fixed text, never from the
values a user wrote. Still, a manifest can hold secret material (a fake provider's
``data[].value``, a template's literal data, inline credentials), and a parser or a
provider check might one day quote it. :func:`sensitive_strings` collects those values
from the submitted object and :func:`clean` replaces them in every denial message and
warning before it leaves the webhook (with :func:`eso.template.scrub.scrub`).

Collected: every string under a key named in :data:`SENSITIVE_KEYS` (at any depth), and
every string under a template's ``data`` / ``stringData``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from eso.template.scrub import scrub

__all__ = ["SENSITIVE_KEYS", "clean", "sensitive_strings"]

SENSITIVE_KEYS = frozenset(
    {
        "value",
        "valueMap",
        "literal",
        "stringData",
        "password",
        "token",
        "privateKey",
        "secretAccessKey",
        "sessionToken",
        "clientSecret",
        "apiKey",
    }
)
_TEMPLATE_KEYS = frozenset({"template"})
_TEMPLATE_DATA = frozenset({"data", "stringData"})
_MIN_LENGTH = 3


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)


def _walk(value: Any, parent: str) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in SENSITIVE_KEYS or (parent in _TEMPLATE_KEYS and key in _TEMPLATE_DATA):
                yield from _leaves(item)
            else:
                yield from _walk(item, str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, parent)


def sensitive_strings(*objects: Mapping[str, Any] | None) -> set[str]:
    """Values in ``objects`` that may be secret (strings of at least three characters)."""
    found: set[str] = set()
    for obj in objects:
        if obj is not None:
            found.update(s for s in _walk(obj.get("spec"), "spec") if len(s) >= _MIN_LENGTH)
    return found


def clean(messages: Iterable[str], values: set[str]) -> list[str]:
    """``messages`` with every value of ``values`` replaced by ``[redacted]``."""
    if not values:
        return list(messages)
    return [scrub(message, values, parts=False) for message in messages]
