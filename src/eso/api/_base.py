"""The base model every CRD model derives from.

Fields are snake_case in Python and camelCase on the wire (``populate_by_name`` lets
tests and code use either). Unknown fields are ignored when reading from the API
server: the CRD schema has already pruned what it does not know. Models are parsed
once at the boundary and passed around typed; :meth:`Model.dump` gives the wire form
without defaults that the user did not write (so nothing defaulted is ever written
back into a user's spec).

Class variables named ``crd_*`` carry schema facts that have no pydantic field to
live on; :mod:`eso.api.crds` reads them when it generates the CRDs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = ["Model"]


class Model(BaseModel):
    """Base for every API model: camelCase aliases, unknown fields ignored, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        use_enum_values=False,
    )

    crd_min_properties: ClassVar[int | None] = None
    """``minProperties`` of this object's schema (1 for one-of objects)."""
    crd_max_properties: ClassVar[int | None] = None
    """``maxProperties`` of this object's schema (1 for one-of objects)."""
    crd_free_keys: ClassVar[tuple[str, ...]] = ()
    """Extra property names whose value is free JSON (``x-kubernetes-preserve-unknown-fields``)."""
    crd_validations: ClassVar[tuple[tuple[str, str], ...]] = ()
    """CEL rules ``(rule, message)`` for ``x-kubernetes-validations``."""

    def dump(self) -> dict[str, Any]:
        """Wire form (camelCase), leaving out every field that was not set."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")
