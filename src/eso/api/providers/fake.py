"""``spec.provider.fake``: a static in-memory store (ESO ``secretstore_fake_types.go``)."""

from __future__ import annotations

from pydantic import Field

from eso.api._base import Model

__all__ = ["FakeProvider", "FakeProviderData"]


class FakeProviderData(Model):
    """One entry: ``{key, value, version?}``."""

    key: str
    value: str
    version: str | None = None


class FakeProvider(Model):
    """``spec.provider.fake``. ``validationResult``: 0 Ready, 1 Unknown, 2 Error."""

    data: list[FakeProviderData] = Field(default_factory=list)
    validation_result: int | None = None
