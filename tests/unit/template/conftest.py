"""Fixtures of the template tests: one engine for the session (it is immutable)."""

from __future__ import annotations

import pytest

from eso.template import TemplateEngine


@pytest.fixture(scope="session")
def engine() -> TemplateEngine:
    """The default engine (``{{ }}`` delimiters, default limits)."""
    return TemplateEngine()
