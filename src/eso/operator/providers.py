"""Builds the provider registry and the template engine from settings."""

from __future__ import annotations

from typing import Any

from eso.providers.builtin import builtin_registry
from eso.providers.registry import ProviderRegistry
from eso.settings import OperatorSettings

__all__ = ["build_registry", "build_template_engine"]


def build_registry(settings: OperatorSettings) -> ProviderRegistry:
    """Every provider this build serves: ``aws`` and ``fake``."""
    return builtin_registry(settings.providers.env, settings.controller.service_account)


def build_template_engine(settings: OperatorSettings) -> Any:
    """The template engine with the configured delimiters."""
    from eso.template.engine import TemplateEngine

    return TemplateEngine(
        left_delimiter=settings.template.left_delimiter, right_delimiter=settings.template.right_delimiter
    )
