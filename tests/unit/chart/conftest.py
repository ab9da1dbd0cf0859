"""The chart tests need the Helm SDK (a dev dependency); without it they are skipped."""

from __future__ import annotations

import pytest

pytest.importorskip("helm_python", reason="helm-python-sdk is not installed (pip install -e '.[dev]')")
