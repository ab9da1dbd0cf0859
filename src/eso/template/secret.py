"""The data ``apply_template`` works on: the Secret being built and where templates come from.

:class:`RenderedSecret` is the part of a Secret a template touches (type, data as bytes,
labels, annotations, finalizers). :class:`TemplateSources` is what the controller gives
for ``templateFrom``: ConfigMaps and Secrets of the ExternalSecret's *own* namespace
(the protocol has no namespace parameter on purpose: no cross-namespace lookup exists).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["RenderedSecret", "TemplateSources"]


@dataclass
class RenderedSecret:
    """A Secret's type, data, labels, annotations and finalizers."""

    type: str | None = None
    """``None`` keeps the existing type (a new Secret becomes ``Opaque``)."""
    data: dict[str, bytes] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    finalizers: list[str] = field(default_factory=list)

    def copy(self) -> RenderedSecret:
        """An independent copy (the maps are copied, the bytes are immutable)."""
        return RenderedSecret(
            self.type, dict(self.data), dict(self.labels), dict(self.annotations), list(self.finalizers)
        )


class TemplateSources(Protocol):
    """``templateFrom`` sources, read from the ExternalSecret's (or PushSecret's) namespace."""

    async def get_config_map(self, name: str) -> Mapping[str, str]:
        """The ``data`` of a ConfigMap (raises an eso error when it does not exist)."""
        ...

    async def get_secret(self, name: str) -> Mapping[str, bytes]:
        """The decoded ``data`` of a Secret (raises an eso error when it does not exist)."""
        ...
