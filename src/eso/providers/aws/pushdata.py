"""What a PushSecret entry sends to AWS, and the ``managed-by`` ownership rules.

* One key (``match.secretKey`` set): the raw bytes of that key.
* The whole Secret (no ``secretKey``): a JSON object of every key, keys sorted. Secrets
  Manager sends string values without HTML escaping (ESO ``esutils.JSONMarshal``);
  Parameter Store sends base64 values (Go marshals ``[]byte`` as base64) unless
  ``encodeAsDecoded``, then strings, with Go's default HTML escaping.
* A remote secret is eso's only when it carries the tag ``managed-by: external-secrets``;
  eso never overwrites one that does not.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from eso.errors import SpecError
from eso.providers.aws.gojson import marshal_string_map
from eso.providers.aws.metadata import MANAGED_BY_KEY, MANAGED_BY_VALUE
from eso.providers.base import PushEntry, PushSource

__all__ = [
    "desired_tags",
    "is_managed",
    "selected_value",
    "tag_changes",
    "tags_from_list",
    "text_of",
    "whole_secret",
]


def text_of(value: bytes) -> str:
    """Bytes sent where AWS wants a string (Go ``string(b)``; invalid UTF-8 replaced)."""
    return value.decode("utf-8", errors="replace")


def whole_secret(source: PushSource, *, base64_values: bool, escape_html: bool) -> bytes:
    """The whole Secret as one JSON object (see the module docstring)."""
    if base64_values:
        mapping = {key: base64.b64encode(value).decode("ascii") for key, value in source.data.items()}
    else:
        mapping = {key: text_of(value) for key, value in source.data.items()}
    return marshal_string_map(mapping, escape_html=escape_html).encode("utf-8")


def selected_value(source: PushSource, entry: PushEntry, *, base64_values: bool, escape_html: bool) -> bytes:
    """The bytes ``entry`` pushes from ``source``."""
    if not entry.secret_key:
        return whole_secret(source, base64_values=base64_values, escape_html=escape_html)
    if entry.secret_key not in source.data:
        raise SpecError(
            f'key "{entry.secret_key}" does not exist in Secret "{source.namespace}/{source.name}"',
            field="match.secretKey",
        )
    return bytes(source.data[entry.secret_key])


def tags_from_list(tags: Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
    """``[{Key, Value}]`` → ``{key: value}``."""
    return {str(tag.get("Key", "")): str(tag.get("Value", "")) for tag in tags or []}


def is_managed(tags: Mapping[str, str]) -> bool:
    """True when the remote secret carries ``managed-by: external-secrets``."""
    return tags.get(MANAGED_BY_KEY) == MANAGED_BY_VALUE


def desired_tags(user_tags: Mapping[str, str]) -> dict[str, str]:
    """The user's tags plus ``managed-by: external-secrets``."""
    return {**user_tags, MANAGED_BY_KEY: MANAGED_BY_VALUE}


def tag_changes(current: Mapping[str, str], desired: Mapping[str, str]) -> tuple[list[str], bool]:
    """Keys to remove, and whether any desired tag is missing or different."""
    remove = sorted(key for key in current if key not in desired)
    changed = any(current.get(key) != value for key, value in desired.items())
    return remove, changed
