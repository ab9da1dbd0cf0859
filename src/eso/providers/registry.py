"""ProviderRegistry: the providers this process serves, keyed by ``spec.provider`` key.

Built once by the operator wiring and handed to controllers and the webhook; never a
module-level global. Registering a name twice is an error (a typo in wiring must not
silently shadow a provider).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from eso.errors import ConfigError, SpecError
from eso.providers.base import Provider

__all__ = ["ProviderRegistry"]


class ProviderRegistry:
    """Name → Provider."""

    def __init__(self, providers: Iterable[Provider] = ()) -> None:
        self._providers: dict[str, Provider] = {}
        for provider in providers:
            self.register(provider)

    def register(self, provider: Provider) -> None:
        """Add ``provider``; ConfigError if its name is taken."""
        if provider.name in self._providers:
            raise ConfigError(f"provider {provider.name!r} registered twice")
        self._providers[provider.name] = provider

    def get(self, name: str, field: str = "spec.provider") -> Provider:
        """The provider for ``name``; SpecError naming the supported ones if unknown."""
        try:
            return self._providers[name]
        except KeyError:
            known = ", ".join(sorted(self._providers)) or "none"
            raise SpecError(
                f'provider "{name}" is not supported by this eso build (supported: {known})', field=field
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._providers

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._providers))
