"""Test-suite wide plugins: the session sandbox and the operator fixtures."""

pytest_plugins = ["tests.sandbox_fixtures", "tests.operator_fixtures"]
