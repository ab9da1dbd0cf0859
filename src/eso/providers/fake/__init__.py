"""The ``fake`` provider: a static in-memory store for tests and demos (ESO §5.4)."""

from eso.providers.fake.provider import FakeStoreProvider

__all__ = ["FakeStoreProvider"]
