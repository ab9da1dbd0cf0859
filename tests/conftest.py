"""Test-suite wide settings: see tests/unit, tests/integration and tests/e2e for fixtures."""
