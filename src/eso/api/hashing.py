"""ESO's hashes, byte for byte [compat]: data-hash, created-by, syncedResourceVersion, field managers.

ESO hashes ``fmt.Sprintf("%+v", x)`` with SHA3-224 and prints it in hex
(``esutils.ObjectHash``). Reproducing Go's formatting exactly lets eso take over
Secrets and ExternalSecrets that ESO already manages without a rewrite or a resync:

* a ``map[string][]byte`` prints as ``map[k1:[98 97 114] k2:[]]`` (keys sorted, bytes
  as decimals separated by spaces), an empty map as ``map[]``;
* a ``map[string]string`` prints as ``map[k1:v1 k2:v2]``;
* a string prints as itself;
* the labels/annotations struct of ``syncedResourceVersion`` prints as
  ``{annotations:map[…] labels:map[…]}``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from eso.api.constants import FIELD_MANAGER_PREFIX

__all__ = [
    "created_by",
    "field_manager_for",
    "go_format_bytes_map",
    "go_format_string_map",
    "metadata_field_manager_for",
    "object_hash",
    "object_hash_of_data",
    "synced_resource_version",
]

_MAX_FIELD_MANAGER = 63
"""ESO switches to the hashed manager name above this many characters (``fqdnFor``)."""


def object_hash(printed: str) -> str:
    """SHA3-224 hex of an already ``%+v``-formatted value (a plain string prints as itself)."""
    return hashlib.sha3_224(printed.encode("utf-8")).hexdigest()


def go_format_bytes_map(data: Mapping[str, bytes]) -> str:
    """Go's ``%+v`` of a ``map[string][]byte``."""
    items = (f"{key}:[{' '.join(str(b) for b in data[key])}]" for key in sorted(data))
    return f"map[{' '.join(items)}]"


def go_format_string_map(data: Mapping[str, str] | None) -> str:
    """Go's ``%+v`` of a ``map[string]string`` (None prints like an empty map)."""
    data = data or {}
    return f"map[{' '.join(f'{key}:{data[key]}' for key in sorted(data))}]"


def object_hash_of_data(data: Mapping[str, bytes]) -> str:
    """The ``reconcile.external-secrets.io/data-hash`` annotation value for a Secret's data."""
    return object_hash(go_format_bytes_map(data))


def created_by(namespace: str, name: str) -> str:
    """The ``reconcile.external-secrets.io/created-by`` label value for an ExternalSecret."""
    return object_hash(f"{namespace}/{name}")


def synced_resource_version(
    generation: int, labels: Mapping[str, str] | None, annotations: Mapping[str, str] | None
) -> str:
    """``status.syncedResourceVersion``: ``<generation>-<hash of annotations and labels>``."""
    printed = f"{{annotations:{go_format_string_map(annotations)} labels:{go_format_string_map(labels)}}}"
    return f"{generation}-{object_hash(printed)}"


def field_manager_for(es_name: str) -> str:
    """The field manager of Secret writes for the ExternalSecret ``es_name``.

    ``externalsecrets.external-secrets.io/<name>``; when that is longer than 63
    characters (names over 27 characters), ``externalsecrets.external-secrets.io/sha3/<sha3-224(name)>``.
    """
    manager = f"{FIELD_MANAGER_PREFIX}{es_name}"
    if len(manager) > _MAX_FIELD_MANAGER:
        return f"{FIELD_MANAGER_PREFIX}sha3/{object_hash(es_name)}"
    return manager


def metadata_field_manager_for(es_name: str) -> str:
    """The manager name ESO's templating looks for when it removes stale labels and annotations.

    [quirk] ESO switches to the hashed name here only when the *name* exceeds 63
    characters, so for names of 28 to 63 characters this differs from
    :func:`field_manager_for` (and ESO then finds nothing to clean up). Callers that
    want the cleanup to work should look for both names.
    """
    if len(es_name) > _MAX_FIELD_MANAGER:
        return f"{FIELD_MANAGER_PREFIX}sha3/{object_hash(es_name)}"
    return f"{FIELD_MANAGER_PREFIX}{es_name}"
