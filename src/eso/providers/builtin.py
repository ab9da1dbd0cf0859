"""The providers this build of eso serves, as one registry (used by the operator and the webhook)."""

from __future__ import annotations

from collections.abc import Mapping

from eso.providers.fake import FakeStoreProvider
from eso.providers.registry import ProviderRegistry

__all__ = ["builtin_registry"]


def builtin_registry(
    env: Mapping[str, str], operator_service_account: tuple[str, str] | None
) -> ProviderRegistry:
    """``aws`` and ``fake``. ``env`` holds endpoint overrides, read once here."""
    from eso.providers.aws import AWSProvider

    aws = AWSProvider(env=dict(env), operator_service_account=operator_service_account)
    return ProviderRegistry([aws, FakeStoreProvider()])
