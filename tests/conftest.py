"""Test-suite wide plugins. Sandbox fixtures live in tests/integration/conftest.py."""

pytest_plugins = ["tests.operator_fixtures"]
