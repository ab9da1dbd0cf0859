"""One-of objects that keep the keys eso does not model as raw JSON.

``spec.provider`` of a store and ``spec.generator`` of a ClusterGenerator hold exactly
one key naming the backend (``aws``, ``vault``, ``passwordSpec``…). eso models some of
them; every other known key is kept verbatim in ``model_extra`` so it survives a
round trip and can be handed, raw, to whatever plugin understands it. The CRD lists
those keys as free JSON objects (:attr:`Model.crd_free_keys`) and caps the object at
one property.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ConfigDict

from eso.api._base import Model
from eso.errors import SpecError

__all__ = ["OneOf"]


class OneOf(Model):
    """An object with exactly one key set; unmodelled keys are kept raw."""

    model_config = ConfigDict(extra="allow")

    crd_min_properties: ClassVar[int | None] = 1
    crd_max_properties: ClassVar[int | None] = 1
    one_of_what: ClassVar[str] = "key"
    """How the error message calls the keys ("provider", "generator spec")."""

    def set_keys(self) -> list[str]:
        """Wire names of every key that holds a value, modelled ones first."""
        keys: list[str] = []
        for name, info in type(self).model_fields.items():
            if getattr(self, name) is not None:
                keys.append(info.alias or name)
        keys.extend(k for k, v in (self.model_extra or {}).items() if v is not None)
        return keys

    def only_key(self, *, field: str) -> str:
        """The single key that is set; :class:`SpecError` at ``field`` when there are 0 or more."""
        keys = self.set_keys()
        if len(keys) != 1:
            found = f" (found {len(keys)}: {', '.join(sorted(keys))})" if keys else ""
            raise SpecError(f"exactly one {self.one_of_what} must be set{found}", field=field)
        return keys[0]

    def raw(self, key: str) -> Any:
        """The wire JSON of ``key``: the dump of a modelled key, or the kept raw value."""
        for name, info in type(self).model_fields.items():
            if (info.alias or name) == key:
                value = getattr(self, name)
                return value.dump() if isinstance(value, Model) else value
        return (self.model_extra or {}).get(key)
